# Copyright: hamnhw developers
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""The ``hamnhw.bmc.in_cwd`` filter: a relative path made absolute against the directory
``ansible-playbook`` runs in.

Ansible runs a task of the ``local`` connection (every hamnhw.bmc host, and
``delegate_to: localhost``) in the playbook's directory, so a relative ``dest`` lands beside
the playbook: for a playbook of an installed collection, inside the collection.  A filter is
templated in the controller's process, whose working directory is the one the user started
``ansible-playbook`` in (``PWD`` may be stale when a program started it)."""

from __future__ import annotations

import os


def in_cwd(path):
    """``path`` with ``~`` expanded; a relative one joined to the controller's working
    directory."""
    path = os.path.expanduser(str(path))
    return path if os.path.isabs(path) else os.path.join(os.getcwd(), path)


class FilterModule:
    """The collection's filters."""

    def filters(self):
        return {"in_cwd": in_cwd}
