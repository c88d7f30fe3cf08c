"""What the fuzz targets found, kept as plain examples (each failed before its fix)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hamnhw.config import load_config
from hamnhw.errors import ConfigError


def test_a_config_file_that_is_not_utf8_is_a_config_error(tmp_path: Path) -> None:
    """Expected: a ConfigError naming the file, not a UnicodeDecodeError traceback."""
    path = tmp_path / "hamnhw.toml"
    path.write_bytes(b'\x80[primary]\nbmc = "redfish://10.0.0.5"\n')
    with pytest.raises(ConfigError, match="not UTF-8") as info:
        load_config(path)
    assert info.value.path == str(path)
