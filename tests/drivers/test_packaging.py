"""pyproject lists every package folder (drivers/ installs as hamnhw_drivers).

Building a wheel needs setuptools from the network, so the non-editable install
itself is checked by ``make test``, not here.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FOLDERS = {"hamnhw": REPO / "hamnhw", "hamnhw_drivers": REPO / "drivers"}


def listed_packages() -> set[str]:
    config = tomllib.loads((REPO / "pyproject.toml").read_text())
    return set(config["tool"]["setuptools"]["packages"])


def package_folders() -> set[str]:
    found = set()
    for name, root in FOLDERS.items():
        for init in root.rglob("__init__.py"):
            parts = init.parent.relative_to(root).parts
            if "__pycache__" not in parts:
                found.add(".".join((name, *parts)))
    return found


def test_every_package_folder_is_listed_in_pyproject() -> None:
    assert package_folders() - listed_packages() == set()


def test_package_dir_maps_drivers_folder() -> None:
    config = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert config["tool"]["setuptools"]["package-dir"]["hamnhw_drivers"] == "drivers"
