"""The ``hamnhw`` command-line interface: a thin layer over the library.

See :mod:`hamnhw.cli.main` for the entry point and :mod:`hamnhw.cli.exit_codes`
for the exit codes.
"""
