"""Checks shared by the configuration file's tables (:mod:`hamnhw.config`): a table's keys
against its schema, unknown keys, and the type names the messages use."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from hamnhw.errors import ConfigError


def subtable(data: Mapping[str, Any], key: str, source: str | None,
             prefix: str = "") -> Mapping[str, Any]:
    """``data[key]`` as a table (empty when absent).

    :raises ConfigError: when it is something else, naming ``prefix + key``."""
    value = data.get(key, {})
    if not isinstance(value, Mapping):
        raise ConfigError(f"must be a table, got {type_name(value)}", key=f"{prefix}{key}",
                          path=source)
    return value


def check_keys(table: Mapping[str, Any], schema: Mapping[str, tuple[type, ...]], prefix: str,
               source: str | None, tables: tuple[str, ...] = ()) -> None:
    """Every key of ``table`` is in ``schema`` and of one of its types (a boolean is no
    number).

    :param tables: sub-tables the table may also have (checked by their caller), named in
        the allowed keys of a message.
    :raises ConfigError: naming the first unknown or mistyped key (``prefix + key``)."""
    reject_unknown(table, (*schema, *tables), prefix, source)
    for key, value in table.items():
        if key in tables:
            continue
        expected = schema[key]
        # bool is an int in Python; a boolean timeout is a type error all the same.
        if not isinstance(value, expected) or (bool not in expected and isinstance(value, bool)):
            wanted = " or ".join(dict.fromkeys(TYPE_NAMES[t] for t in expected))
            raise ConfigError(f"must be {wanted}, got {type_name(value)}", key=f"{prefix}{key}",
                              path=source)


def reject_unknown(table: Mapping[str, Any], allowed: tuple[str, ...], prefix: str,
                   source: str | None) -> None:
    """:raises ConfigError: for the first key of ``table`` not in ``allowed``."""
    for key in table:
        if key not in allowed:
            near = difflib.get_close_matches(key, allowed, n=1, cutoff=0.75)
            hint = f"did you mean {near[0]}? " if near else ""
            raise ConfigError(f"unknown key ({hint}allowed: {', '.join(allowed)})",
                              key=f"{prefix}{key}", path=source)


TYPE_NAMES = {str: "a string", bool: "a boolean", int: "a number", float: "a number",
               dict: "a table", list: "an array"}


def type_name(value: object) -> str:
    """How a message names ``value``'s TOML type ("a string", "a table"...)."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, list):
        return "an array"
    return TYPE_NAMES.get(type(value), type(value).__name__)
