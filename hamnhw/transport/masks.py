"""The secrets one transport registered for log redaction (password, basic key, tokens),
so that it can forget exactly its own (:class:`SecretMasks`)."""

from __future__ import annotations

from hamnhw.log import forget_secret, register_secret


class SecretMasks:
    """The values one transport registered for log redaction (password, basic key, tokens)."""

    def __init__(self) -> None:
        self._masked: set[str] = set()

    def add(self, value: str | None) -> None:
        """Register ``value`` once for this transport."""
        if value and value not in self._masked:
            register_secret(value)
            self._masked.add(value)

    def remove(self, value: str | None) -> None:
        """Undo this transport's registration of ``value`` (other holders keep theirs)."""
        if value and value in self._masked:
            forget_secret(value)
            self._masked.discard(value)

    def clear(self) -> None:
        """Forget every value registered here."""
        for value in list(self._masked):
            self.remove(value)
