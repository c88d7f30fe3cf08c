"""Interface classes named by import path and imported when first read; interfaces built
when first used.

Every command loads every installed driver class to detect the right one (the registry
reads their detection hints), so a driver class that imported its RAID or inventory
implementation where it is defined would make ``hamnhw power status`` import every
vendor's RAID code.  A driver names those classes instead::

    class AcmeDriver(GenericRedfishDriver):
        raid_class: ClassVar[type[RedfishRaid]] = deferred("acme_driver.raid:AcmeRaid")

and ``AcmeDriver.raid_class`` imports ``acme_driver.raid`` on first read and returns
``AcmeRaid``.  A plain class still works: ``raid_class = AcmeRaid``.  The driver builds
such an interface only when a command first uses it (:class:`OnFirstUse`).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any, Generic, Self, TypeVar, cast, overload

D = TypeVar("D")
T = TypeVar("T")


class _Deferred:
    """A class attribute that reads as the class found at ``module:name`` (a descriptor)."""

    def __init__(self, path: str) -> None:
        module, _, name = path.partition(":")
        if not module or not name:
            raise ValueError(f"not a 'module:Class' path: {path!r}")
        self.path = path
        self._module = module
        self._name = name

    def __get__(self, instance: object, owner: type | None = None) -> type[Any]:
        found = getattr(importlib.import_module(self._module), self._name)
        if not isinstance(found, type):
            raise TypeError(f"{self.path} is not a class")
        return found

    def __repr__(self) -> str:
        return f"deferred({self.path!r})"


def deferred(path: str) -> type[Any]:
    """A class attribute standing for the class at ``path`` (``"package.module:Class"``),
    imported the first time the attribute is read.

    Typed as the class it stands for: reading it, on the driver class or an instance,
    gives that class.
    """
    return cast("type[Any]", _Deferred(path))


class OnFirstUse(Generic[D, T]):
    """Decorates a driver method building an interface: the attribute of that name is built
    by it on first read and then kept, and can be assigned like a plain attribute.

    Like :func:`functools.cached_property`, which mypy would take for a read-only property
    where :class:`~hamnhw.driver.Driver` declares a plain attribute.
    """

    def __init__(self, build: Callable[[D], T]) -> None:
        self._build = build
        self._name = build.__name__
        self.__doc__ = build.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    @overload
    def __get__(self, instance: None, owner: type) -> Self: ...

    @overload
    def __get__(self, instance: D, owner: type) -> T: ...

    def __get__(self, instance: D | None, owner: type) -> T | Self:
        if instance is None:
            return self
        values = vars(instance)
        if self._name not in values:
            values[self._name] = self._build(instance)
        built: T = values[self._name]
        return built

    def __set__(self, instance: D, value: T) -> None:
        vars(instance)[self._name] = value
