"""How a simulated BMC behaves for RAID writes (``ServerSpec(raid=RaidSpec(...))``)."""

from __future__ import annotations

import dataclasses
from typing import Literal

#: What POST on a Volumes collection accepts (see :class:`RaidSpec`).
DIALECTS = ("RAIDType", "VolumeType", "both")
#: How an immediate create is answered.
CREATE_ANSWERS = ("created", "task")
#: ``@Redfish.OperationApplyTime`` values the simulator can honour.
APPLY_TIMES = ("Immediate", "OnReset")


@dataclasses.dataclass(frozen=True)
class RaidSpec:
    """RAID behaviour of one simulated BMC.

    :param dialect: ``RAIDType`` (Volume v1.9 documents; a POST naming ``VolumeType`` is a
        400 ``PropertyUnknown``), ``VolumeType`` (Volume v1.0.3 documents, older BMCs;
        ``RAIDType`` is unknown) or ``both`` accepted.
    :param create_answer: an immediate create answered ``created`` (201 + Location) or
        ``task`` (202 + task monitor; the volume appears after ``task_seconds``).
    :param task_seconds: simulated seconds a create task runs, progress growing linearly.
    :param apply_times: ``@Redfish.OperationApplyTimeSupport`` ``SupportedValues`` of the
        Volumes collection; None hides the annotation (and refuses the request annotation).
    :param capabilities: advertise ``@Redfish.CollectionCapabilities`` (``VolumeCreation``)
        with a capabilities object annotating the dialect's property.
    :param json_schemas: publish ``JsonSchemas`` with the Volume schema version.
    :param rebuild_seconds: simulated seconds a rebuild takes.
    :param auto_rebuild_on_insert: a drive inserted into the bay of a lost member is rebuilt
        onto by the controller itself, without a request.
    """

    dialect: Literal["RAIDType", "VolumeType", "both"] = "both"
    create_answer: Literal["created", "task"] = "created"
    task_seconds: float = 10.0
    apply_times: tuple[str, ...] | None = APPLY_TIMES
    capabilities: bool = True
    json_schemas: bool = False
    rebuild_seconds: float = 60.0
    auto_rebuild_on_insert: bool = False

    def __post_init__(self) -> None:
        if self.dialect not in DIALECTS:
            raise ValueError(f"dialect must be one of {', '.join(DIALECTS)}, got {self.dialect!r}")
        if self.create_answer not in CREATE_ANSWERS:
            raise ValueError(f"create_answer must be created or task, got {self.create_answer!r}")
        unknown = set(self.apply_times or ()) - set(APPLY_TIMES)
        if unknown:
            raise ValueError(f"apply_times: unknown {sorted(unknown)}")
        if self.task_seconds <= 0 or self.rebuild_seconds <= 0:
            raise ValueError("task_seconds and rebuild_seconds must be > 0")

    @property
    def volume_property(self) -> str:
        """The property volume documents carry: ``VolumeType`` for that dialect, else
        ``RAIDType``."""
        return "VolumeType" if self.dialect == "VolumeType" else "RAIDType"

    @property
    def volume_type(self) -> str:
        """``@odata.type`` of volume documents."""
        return ("#Volume.v1_0_3.Volume" if self.dialect == "VolumeType"
                else "#Volume.v1_9_0.Volume")
