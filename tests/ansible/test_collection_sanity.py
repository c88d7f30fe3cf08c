"""The collection builds with ``ansible-galaxy collection build`` and passes
``ansible-test sanity``, run without the internet.

ansible-test bootstraps pip into each of its virtual environments with a ``get-pip`` script it
downloads on first use and caches at ``~/.ansible/test/cache/get_pip_<version>.py``.  Here a
stand-in sits in that cache under a temporary HOME: it runs the test venv's own pip to install
the pip version asked for, from the package index this machine's pip is configured with; the
sanity requirements (pylint, yamllint, voluptuous...) then come from that index too.  Set
``HAMNHW_ANSIBLE_TEST_HOME`` to a directory to keep those environments between runs.
"""

from __future__ import annotations

import os
import re
import tarfile
from pathlib import Path

import pytest
from ansiblerun import COLLECTION, ansible_env, copy_collection, run

ansible_test = pytest.importorskip("ansible_test", reason="ansible-core is a test dependency")

MODULES = ("boot", "facts", "pair_check", "power", "restore_policy")

STAND_IN = '''"""Stand-in for ansible-test's get-pip script: install pip with the local pip."""
import runpy
import sys

sys.path.insert(0, {pip_parent!r})
# get-pip's own options; pip install does not know them
args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
sys.argv = ["pip", "install", *args]
runpy.run_module("pip", run_name="__main__", alter_sys=True)
'''


def bootstrap_pip_version() -> str:
    """The pip version ansible-test bootstraps (its get-pip script is named after it)."""
    source = Path(ansible_test.__file__).parent / "_internal" / "python_requirements.py"
    found = re.search(r"pip='([0-9.]+)'", source.read_text())
    assert found, f"no pip version in {source}: has ansible-test changed its bootstrap?"
    return found.group(1)


def place_get_pip_stand_in(home: Path) -> Path:
    """Write the stand-in where ansible-test looks for its cached get-pip script."""
    import pip

    local_pip = home / "local-pip"
    local_pip.mkdir(parents=True, exist_ok=True)
    link = local_pip / "pip"
    if not link.exists():
        link.symlink_to(Path(pip.__file__).parent, target_is_directory=True)
    version = bootstrap_pip_version().replace(".", "_")
    cache = home / ".ansible" / "test" / "cache" / f"get_pip_{version}.py"
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(STAND_IN.format(pip_parent=str(local_pip)))
    return cache


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


@pytest.mark.peers
@pytest.mark.timeout(900)   # first run: a venv per sanity test, requirements from the index
def test_ansible_test_sanity_passes_offline(tmp_path: Path) -> None:
    kept = os.environ.get("HAMNHW_ANSIBLE_TEST_HOME")
    home = Path(kept) if kept else tmp_path / "home"
    stand_in = place_get_pip_stand_in(home)
    root = copy_collection(tmp_path / "src")
    env = ansible_env(home)
    result = run("ansible-test", ["sanity", "--venv", "--python", "3.11", "--color", "no"],
                 env, cwd=root, timeout=900)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    assert f"Using cached pip {bootstrap_pip_version()} bootstrap script: {stand_in}" in output
    assert "Downloading pip " + bootstrap_pip_version() + " bootstrap script" not in output
    for test in ("validate-modules", "pylint", "pep8", "import", "ansible-doc", "yamllint",
                 "compile"):
        assert f'Running sanity test "{test}"' in output, test
