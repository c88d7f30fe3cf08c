"""A stateful Redfish BMC simulator on loopback, for tests, demos and development.

Credentials default to ``admin`` / :data:`SIM_PASSWORD` (``sim-only-K7q2x``): simulator-only
values, never use them on a real BMC.

Example::

    from hamnhw.sim import ServerSpec, SimCluster

    with SimCluster([ServerSpec(name="primary"), ServerSpec(name="standby")]) as cluster:
        primary = cluster["primary"]                 # a SimServer
        primary.url                                  # "redfish+http://127.0.0.1:<port>"
        primary.inject("error_5xx", count=2)         # fault injection
        serial = primary.drives[0].serial
        cluster.move_drive(serial, "primary", "standby")
        cluster.fail_drive(standby_serial)           # RAID: the volume degrades
        primary.requests                             # [RequestRecord(...)]

Fault kinds: see :data:`FAULT_KINDS`. The control API over HTTP is described in
:mod:`hamnhw.sim.control`.
"""

from hamnhw.sim.bays import BayError, DriveBays, VolumeSpec
from hamnhw.sim.clock import ManualClock
from hamnhw.sim.cluster import SimCluster
from hamnhw.sim.faults import FAULT_KINDS, Fault, FaultError
from hamnhw.sim.power import RESET_TYPES
from hamnhw.sim.raidspec import RaidSpec
from hamnhw.sim.server import RequestRecord, SimServer
from hamnhw.sim.spec import SIM_PASSWORD, SIM_USERNAME, DriveSpec, HcaPortSpec, NicSpec, ServerSpec
from hamnhw.sim.state import ServerState
from hamnhw.sim.tls import SelfSignedCert, TlsSetupError

__all__ = [
    "FAULT_KINDS",
    "RESET_TYPES",
    "SIM_PASSWORD",
    "SIM_USERNAME",
    "BayError",
    "DriveBays",
    "DriveSpec",
    "Fault",
    "FaultError",
    "HcaPortSpec",
    "ManualClock",
    "NicSpec",
    "RaidSpec",
    "RequestRecord",
    "SelfSignedCert",
    "ServerSpec",
    "ServerState",
    "SimCluster",
    "SimServer",
    "TlsSetupError",
    "VolumeSpec",
]
