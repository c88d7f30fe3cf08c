"""Record, scrub and replay BMC exchanges as test fixtures.

- :mod:`~hamnhw.fixturetools.scrub`: deterministic replacement of secrets and identifiers;
- :mod:`~hamnhw.fixturetools.fixture`: the ``exchanges.json`` + ``meta.json`` format;
- :mod:`~hamnhw.fixturetools.record`: :class:`RecordingClient`, resource walk, saving;
- :mod:`~hamnhw.fixturetools.replay`: serve a recording through ``responses`` (tests);
- :mod:`~hamnhw.fixturetools.leaks`: find anything in fixtures that looks real.

``replay`` needs the test dependency ``responses`` and is therefore not imported here.
"""

from hamnhw.fixturetools.fixture import Exchange, load_exchanges, load_meta
from hamnhw.fixturetools.leaks import Leak, find_leaks
from hamnhw.fixturetools.scrub import Scrubber

__all__ = ["Exchange", "Leak", "Scrubber", "find_leaks", "load_exchanges", "load_meta"]
