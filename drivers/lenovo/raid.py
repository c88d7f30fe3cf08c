"""Lenovo XClarity Controller RAID: the generic hooks overridden where XCC differs.

Lenovo, XCC/XCC2 (ThinkSystem V1/V2/V3), public source: the XCC REST API documentation
(pubs.lenovo.com ``xcc-restapi`` / ``xcc2-restapi``, "POST - Create a Volume" and "GET -
Drives managed by storage controller"):

* a create names ``RAIDType`` and a mandatory, non-empty ``Name`` (both pages); only the
  ``xcc2-restapi`` page limits it to 15 characters, so the limit is applied when the Manager
  ``Model`` names XClarity Controller 2 (the ``Model`` XCC2 reports is unverified; an XCC
  capture, ThinkSystem SR670 V2 ``TGBT42S 2.83``, reports ``Lenovo XClarity Controller``);
* members go in ``Links.Drives``, as the ``xcc2-restapi`` example does (unverified: that XCC
  rejects a top-level ``Drives`` key, which older iDRAC examples use; no page says so);
* drives report ``HotspareType`` ``None`` or ``Global`` only: a rebuild onto a replacement
  makes it a global hot spare, which the controller rebuilds onto;
* no Redfish action imports a foreign configuration: it is done from the controller's setup.
"""

from __future__ import annotations

from collections.abc import Sequence

from hamnhw_drivers.generic.raid import RedfishRaid
from hamnhw_drivers.generic.raid_dialect import Dialect
from hamnhw_drivers.generic.raid_layout import RaidLayout, StorageInfo

from hamnhw.errors import UnsupportedOperation
from hamnhw.models import Drive, Volume
from hamnhw.raid import ApplyTime, CreateRequest, PlannedRequest, RaidPlan

NAME_MAX = 15
"""XCC2's limit on a volume name (xcc2-restapi "POST - Create a Volume")."""
XCC2_MODELS = ("XClarity Controller 2", "XCC2")
"""What an XCC2's Manager ``Model`` holds (unverified: no public XCC2 capture here)."""
DEFAULT_NAME = "hamnhw_raid"
MANUAL_IMPORT = ("import it from the controller's setup: UEFI System Setup > System Settings "
                 "> Storage > the RAID adapter > Configure > Manage Foreign Configuration > "
                 "Import Foreign Configuration (or LSI Storage Authority / `storcli /c0/fall "
                 "import` from the OS)")


class LenovoRaid(RedfishRaid):
    """RAID through XCC."""

    def create_problems(self, request: CreateRequest, drives: Sequence[Drive],
                        layout: RaidLayout, storage: StorageInfo) -> list[str]:
        """The generic checks, a name that is not empty, and XCC2's name limit."""
        problems = super().create_problems(request, drives, layout, storage)
        if request.name == "":
            problems.append("XCC requires a non-empty volume name")
        if request.name and len(request.name) > NAME_MAX and self.is_xcc2():
            problems.append(f"XCC2 takes a volume name of 1 to {NAME_MAX} characters, "
                            f"{request.name!r} has {len(request.name)}")
        return problems

    def is_xcc2(self) -> bool:
        """Whether the Manager ``Model`` names an XClarity Controller 2."""
        uri = self.context.locator.manager_uri()
        model = (self.reader.read(uri).get("Model", str) if uri else None) or ""
        return any(name.lower() in model.lower() for name in XCC2_MODELS)

    def build_volume_payload(self, request: CreateRequest, drives: Sequence[Drive],
                             dialect: Dialect, apply_time: ApplyTime, capacity_bytes: int,
                             storage: StorageInfo) -> dict[str, object] | None:
        """The generic body (members in ``Links.Drives``, never top level), always with a
        ``Name``."""
        body = super().build_volume_payload(request, drives, dialect, apply_time,
                                            capacity_bytes, storage)
        if body is not None and "Name" not in body:
            body["Name"] = DEFAULT_NAME
        return body

    def start_rebuild(self, volume: Volume, drive: Drive,
                      layout: RaidLayout) -> tuple[PlannedRequest, ...]:
        """XCC offers no dedicated spare: the replacement becomes a global hot spare."""
        return self.assign_spare(drive, None, layout)

    def notes(self) -> list[str]:
        """Why ``foreign`` is null."""
        return ["XCC does not report foreign RAID configurations; " + MANUAL_IMPORT]

    def plan_import_foreign(self) -> RaidPlan:
        """No Redfish action: :class:`~hamnhw.errors.UnsupportedOperation` naming the
        manual step (the import, planned or not, raises it)."""
        raise UnsupportedOperation(self.driver_name, "raid.import_foreign", host=self.host,
                                   detail=f"XCC has no Redfish action for it; {MANUAL_IMPORT}")
