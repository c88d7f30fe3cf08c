"""The package's layers, read from the source with :mod:`ast` (no module imported): the core
(``hamnhw`` outside ``hamnhw/cli/``) and the drivers never import the CLI, and the core never
imports the built-in drivers (they plug in through the ``hamnhw.drivers`` entry points).

Every import counts: at the top of a module, inside a function (a lazy import), under
``TYPE_CHECKING``, a relative one, and a module named by a string to ``importlib`` or in a
lazy-export table (``{"Name": "hamnhw.x.y"}``).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORE = ROOT / "hamnhw"
DRIVERS = ROOT / "drivers"
"""Installed as ``hamnhw_drivers`` (pyproject's ``package-dir``)."""
MODULE_TEXT = re.compile(r"^[A-Za-z_][\w.]*(:[A-Za-z_]\w*)?$")
"""A string that may name a module (``hamnhw.cli.main``, ``pkg.mod:Name``)."""


def module_name(path: Path, root: Path = ROOT) -> str:
    """The dotted name ``path`` (under ``root``, the checkout) is imported as."""
    drivers = root / DRIVERS.name
    if path.is_relative_to(drivers):
        parts = ("hamnhw_drivers", *path.relative_to(drivers).with_suffix("").parts)
    else:
        parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path, root: Path = ROOT) -> Iterator[tuple[int, str]]:
    """``(line, module)`` of everything ``path`` imports or names as a module to import."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    own = module_name(path, root)
    package = own if path.name == "__init__.py" else own.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            yield node.lineno, base
            yield from ((node.lineno, f"{base}.{alias.name}") for alias in node.names)
        elif (isinstance(node, ast.Constant) and isinstance(node.value, str)
              and MODULE_TEXT.match(node.value)):
            yield node.lineno, node.value.partition(":")[0]


def sources(top: Path, *, skip: Path | None = None) -> list[Path]:
    return sorted(p for p in top.rglob("*.py") if skip is None or not p.is_relative_to(skip))


def within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def offences(paths: list[Path], forbidden: str) -> list[str]:
    return [f"{path.relative_to(ROOT)}:{line}: imports {module}"
            for path in paths for line, module in imported(path) if within(module, forbidden)]


def test_the_walk_sees_every_kind_of_import(tmp_path: Path) -> None:
    """The checks below can fail: each way of importing the CLI is found."""
    package = tmp_path / "hamnhw" / "pair"
    package.mkdir(parents=True)
    probe = package / "probe.py"
    probe.write_text(
        "import hamnhw.cli.main\n"
        "from hamnhw import cli\n"
        "from ..cli.commands.raid import protection\n"
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from hamnhw.cli.options import TargetOptions\n"
        "def lazy():\n"
        "    from hamnhw.cli.fleet import refuse_active_mn\n"
        "_EXPORTS = {'Thing': 'hamnhw.cli.table'}\n"
        '"""A docstring naming :mod:`hamnhw.cli.fleet` is no import."""\n')
    found = [line for line, module in imported(probe, tmp_path) if within(module, "hamnhw.cli")]
    assert sorted(set(found)) == [1, 2, 3, 6, 8, 9]


def test_no_module_outside_the_cli_imports_the_cli() -> None:
    """The CLI sits on the library, never under it: what a core module needs from a command
    (the pair-node matching the guards share, say) lives in the core, the CLI importing it
    from there."""
    paths = sources(CORE, skip=CORE / "cli") + sources(DRIVERS)
    assert len(paths) > 100  # the walk found the package
    assert offences(paths, "hamnhw.cli") == []


def test_the_core_never_imports_the_built_in_drivers() -> None:
    """Drivers plug in through the ``hamnhw.drivers`` entry points (pyproject.toml)."""
    assert offences(sources(CORE), "hamnhw_drivers") == []
