"""The collection builds with ``ansible-galaxy collection build`` and passes every
``ansible-test sanity`` test, the ones with requirements of their own (validate-modules,
pylint, pep8, import, ansible-doc, yamllint...) included, without the internet.

``ansible-test sanity --venv`` makes virtual environments and installs packages into them:
its controller environment (``requirements/ansible.txt``) and one per sanity test with
requirements (the pinned ``requirements/sanity.<test>.txt``).  What comes from where:

* pip itself: ansible-test bootstraps pip into each environment with a ``get-pip`` script it
  downloads on first use (from ci-files.testing.ansible.com) and caches at
  ``~/.ansible/test/cache/get_pip_<version>.py``.  Here a stand-in sits in that cache, under
  a temporary HOME: it copies the pip of this test venv (its package and metadata) into the
  new environment.  Nothing is downloaded, and the pip version ansible-test asks for is not
  needed: the environment gets the local pip's version.
* every other package: from a wheelhouse (``wheelhouse.py``).  Before going offline, the
  fixture downloads into it, with this venv's pip from the package index this machine's pip
  is configured with (a local mirror in CI), the packages of every requirements file above,
  as wheels; a ``pip.conf`` under the temporary HOME then points pip at the wheelhouse and no
  index (ansible-test hands pip HOME, not ``PIP_*`` variables).  Only when that download
  fails (no index reachable, a pinned version missing) are the tests skipped, naming what
  could not be fetched; a sanity error fails them.

ansible-test then runs in a network namespace of its own (``unshare -n``, loopback only)
when that works here, to prove nothing is fetched.  Set ``HAMNHW_ANSIBLE_TEST_HOME`` to a
directory to keep the wheelhouse (refilled only when ansible-test's requirements files
change) and the environments between runs.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import subprocess
import tarfile
from collections.abc import Iterable
from pathlib import Path

import pytest
import wheelhouse
from ansiblerun import COLLECTION, ansible_env, copy_collection, run, tool

ansible_test = pytest.importorskip("ansible_test", reason="ansible-core is a test dependency")

MODULES = ("boot", "facts", "pair_check", "power", "restore_policy")

STAND_IN = '''"""Stand-in for ansible-test's get-pip script: copy the local pip into this
environment (nothing downloaded; the pip version asked for on the command line is ignored),
its compiled bytecode included (valid for the same Python: the copies keep their times), so
that each pip ansible-test runs there does not compile pip again first (~1.3 s)."""
import shutil
import sysconfig
from pathlib import Path

target = Path(sysconfig.get_paths()["purelib"])
for source in {sources!r}:
    source = Path(source)
    shutil.copytree(source, target / source.name, dirs_exist_ok=True)
print("pip {version} copied from the local pip into", target, "(get-pip stand-in)")
'''


def bootstrap_pip_version() -> str:
    """The pip version ansible-test bootstraps (its get-pip script is named after it)."""
    source = Path(ansible_test.__file__).parent / "_internal" / "python_requirements.py"
    found = re.search(r"pip='([0-9.]+)'", source.read_text())
    assert found, f"no pip version in {source}: has ansible-test changed its bootstrap?"
    return found.group(1)


def local_pip() -> tuple[str, list[Path]]:
    """This venv's pip: its version, its package directory and its ``.dist-info``."""
    import pip

    package = Path(pip.__file__).parent
    info = package.parent / f"pip-{pip.__version__}.dist-info"
    assert info.is_dir(), f"no {info}: pip installed otherwise than from a wheel?"
    return pip.__version__, [package, info]


def place_get_pip_stand_in(home: Path) -> Path:
    """Write the stand-in where ansible-test looks for its cached get-pip script."""
    version, sources = local_pip()
    cache = (home / ".ansible" / "test" / "cache" /
             f"get_pip_{bootstrap_pip_version().replace('.', '_')}.py")
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(STAND_IN.format(sources=[str(s) for s in sources], version=version))
    return cache


def offline(command: list[str]) -> list[str]:
    """``command`` in a network namespace of its own (loopback only) when ``unshare -n``
    works here (root, or user namespaces); else as it is."""
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "-n", "true"], capture_output=True,
                                  check=False).returncode == 0:
        return [unshare, "-n", *command]
    return command


def test_the_collection_builds(tmp_path: Path) -> None:
    env = ansible_env(tmp_path / "home")
    result = run("ansible-galaxy", ["collection", "build", str(COLLECTION), "--output-path",
                                    str(tmp_path)], env)
    assert result.returncode == 0, result.stdout + result.stderr
    built = tmp_path / "hamnhw-bmc-0.1.0.tar.gz"
    with tarfile.open(built) as archive:
        names = set(archive.getnames())
    assert {f"plugins/modules/{m}.py" for m in MODULES} <= names
    assert {"MANIFEST.json", "FILES.json", "meta/runtime.yml", "README.md",
            "plugins/inventory/nodes.py", "plugins/module_utils/hamnhw_bmc.py",
            "playbooks/collect_macs.yml"} <= names
    assert not any(name.startswith("tests/output") for name in names)
    # installs and answers as any collection would
    installed = tmp_path / "installed"
    elsewhere = {**env, "ANSIBLE_COLLECTIONS_PATH": str(installed)}   # not the source tree
    result = run("ansible-galaxy", ["collection", "install", "--offline", "-p", str(installed),
                                    str(built)], elsewhere)
    assert result.returncode == 0, result.stdout + result.stderr
    doc = run("ansible-doc", ["-t", "inventory", "hamnhw.bmc.nodes"], elsewhere)
    assert doc.returncode == 0 and "hamnhw config" in doc.stdout, doc.stderr


def requirement_tests() -> set[str]:
    """The sanity tests with requirements of their own (``sanity.<test>[.x].txt`` in
    ansible-test's data): the ones that need the package index."""
    data = Path(ansible_test.__file__).parent / "_data" / "requirements"
    return {p.name.split(".")[1] for p in data.glob("sanity.*.txt")}


@dataclasses.dataclass
class Sanity:
    """``ansible-test sanity`` on a copy of the collection, offline, with the stand-in and
    pip pointed at the wheelhouse only."""

    home: Path
    root: Path
    stand_in: Path
    unfetched: list[str]   # what the wheelhouse lacks: "<requirements file>: <why>"
    outputs: list[str] = dataclasses.field(default_factory=list)
    listed: set[str] | None = None

    def run(self, *args: str) -> tuple[int, str]:
        command = offline([tool("ansible-test"), "sanity", "--venv", "--python", "3.11",
                           "--color", "no", *args])
        env = {k: v for k, v in ansible_env(self.home).items() if not k.startswith("PIP_")}
        result = subprocess.run(command, env=env, cwd=self.root, text=True,
                                capture_output=True, timeout=900, check=False)
        self.outputs.append(result.stdout + result.stderr)
        return result.returncode, self.outputs[-1]

    def skip_unless_fetched(self, tests: Iterable[str]) -> None:
        """Skip, naming what could not be downloaded, when the wheelhouse lacks the
        controller's requirements or those of one of ``tests``."""
        files = {"ansible.txt", *(f"sanity.{test}." for test in tests)}
        lacking = [u for u in self.unfetched if u.startswith(tuple(files))]
        if lacking:
            pytest.skip("no package index reachable for the wheelhouse: " + "; ".join(lacking))

    def known_tests(self) -> set[str]:
        """The sanity tests ansible-test has for the collection (listed once per module)."""
        if self.listed is None:
            code, output = self.run("--list-tests")
            assert code == 0, output
            self.listed = set(output.split())
        return self.listed

    def pip_came_from_the_stand_in(self) -> None:
        """Every environment made so far got pip from the stand-in (the first run makes
        ansible-test's own; later ones, one per sanity test with requirements)."""
        version = bootstrap_pip_version()
        everything = "".join(self.outputs)
        assert f"Using cached pip {version} bootstrap script: {self.stand_in}" in everything
        assert f"Downloading pip {version} bootstrap script" not in everything

    def pip_looked_in_the_wheelhouse_only(self) -> None:
        """Every pip install ansible-test ran looked in the wheelhouse and in no index
        (pip names where it looks when that is not its default index)."""
        where = set(re.findall(r"^Looking in (indexes|links): (.*)$", "".join(self.outputs),
                               re.MULTILINE))
        assert where <= {("links", str(self.home / "wheelhouse"))}, where


@pytest.fixture(scope="module")
def sanity(tmp_path_factory: pytest.TempPathFactory) -> Sanity:
    kept = os.environ.get("HAMNHW_ANSIBLE_TEST_HOME")
    home = Path(kept) if kept else tmp_path_factory.mktemp("ansible-test-home")
    stand_in = place_get_pip_stand_in(home)
    unfetched = wheelhouse.fill(home / "wheelhouse")   # online: before any unshare -n
    wheelhouse.point_pip_at(home / "wheelhouse", home)
    return Sanity(home, copy_collection(tmp_path_factory.mktemp("src")), stand_in, unfetched)


@pytest.mark.peers
@pytest.mark.timeout(300)
def test_sanity_tests_without_requirements_pass_offline(sanity: Sanity) -> None:
    """Every sanity test that needs no packages of its own (compile, action-plugin-docs,
    shebang...), without the internet: pip comes from the stand-in, ansible-test's
    controller environment from the wheelhouse."""
    sanity.skip_unless_fetched(())
    needing = sorted(requirement_tests() & sanity.known_tests())
    code, output = sanity.run(*[arg for test in needing for arg in ("--skip-test", test)])
    assert code == 0, output[-6000:]
    sanity.pip_came_from_the_stand_in()
    sanity.pip_looked_in_the_wheelhouse_only()
    for test in ("compile", "action-plugin-docs", "empty-init", "shebang"):
        assert f'Running sanity test "{test}"' in output, test


@pytest.mark.peers
@pytest.mark.timeout(1200)   # first run: the downloads, a venv per sanity test, pylint
def test_sanity_tests_with_requirements_pass_offline(sanity: Sanity) -> None:
    """validate-modules, pylint, pep8, import, ansible-doc, yamllint...: each in an
    environment ansible-test makes with its pinned requirements, installed from the
    wheelhouse without the internet; every one runs and passes."""
    sanity.skip_unless_fetched(())
    needing = sorted(requirement_tests() & sanity.known_tests())
    sanity.skip_unless_fetched(needing)
    code, output = sanity.run(*[arg for test in needing for arg in ("--test", test)])
    assert code == 0, output[-6000:]
    sanity.pip_came_from_the_stand_in()
    sanity.pip_looked_in_the_wheelhouse_only()
    expected = {"validate-modules", "pylint", "pep8", "import", "ansible-doc", "yamllint"}
    assert expected <= set(needing), needing
    for test in needing:
        assert f'Running sanity test "{test}"' in output, test
