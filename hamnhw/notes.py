"""Notes: what a driver could not tell, and what to use instead.

An interface that cannot tell something (an IPMI node's host NICs, its drives) reports it
as ``None`` and may say why through a ``notes()`` method; views and the CLI show those
notes next to the ``null`` (``"notes": [...]`` in JSON).  An interface without the method
has no notes.
"""

from __future__ import annotations


def notes_of(interface: object) -> list[str]:
    """The notes of ``interface``'s last read (``interface.notes()``), or ``[]``."""
    notes = getattr(interface, "notes", None)
    return [str(note) for note in notes()] if callable(notes) else []
