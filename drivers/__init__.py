"""Built-in hamnhw drivers, installed as ``hamnhw_drivers``.

Core never imports this package: each driver is registered under the
entry-point group ``hamnhw.drivers`` and found there, like a third-party one.
"""
