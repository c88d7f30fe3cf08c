"""``hamnhw lint-os``: what in an installed OS breaks when its disks boot in the other node.

:func:`~hamnhw.oslint.lint.lint_root` walks a root tree (``/`` or a mounted image) and
returns :class:`~hamnhw.oslint.findings.Finding` objects, each with file, line, why and fix.
"""
