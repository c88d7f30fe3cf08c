"""The ``xcc`` personality: a Lenovo ThinkSystem with XClarity Controller and a Broadcom
(ThinkSystem RAID 940) controller.

Shapes from Lenovo's XCC REST API documentation (pubs.lenovo.com ``xcc-restapi`` /
``xcc2-restapi``: "POST - Create a Volume", "GET - Drives managed by storage controller",
"GET - Storage controller properties"): Storage ``RAID_Slot4``, drives ``Disk.<n>``, volumes
numbered; a create names ``RAIDType`` and a non-empty ``Name`` (at most 15 characters on an
XCC2, whose Manager ``Model`` names XClarity Controller 2), its members in ``Links.Drives``,
and is answered 201 with the volume; ``HotspareType`` is ``None`` or ``Global`` (no dedicated
spares).  The defaults are an XCC (not XCC2) as a public capture shows one (ThinkSystem
SR670 V2, Manager ``Model`` ``Lenovo XClarity Controller``, firmware ``TGBT42S 2.83``: the
libredfish mockups).  Unverified (no public capture here): the exact error bodies; the
refusal of a top-level ``Drives`` key (no page says XCC refuses it); the Model an XCC2
reports; a moved array stays a foreign configuration until imported from the controller's
setup utility (no Redfish action is documented), :meth:`XccPersonality.import_foreign` stands
for that manual step.
"""

from __future__ import annotations

from typing import Any, ClassVar

from hamnhw.sim.actions import Response
from hamnhw.sim.bays import VolumeSpec
from hamnhw.sim.documents import Json
from hamnhw.sim.personalities.base import StandardStorage, bay_number
from hamnhw.sim.raid_actions import bad
from hamnhw.sim.spec import DriveSpec

SPEC_DEFAULTS = {
    "manager_id": "1", "chassis_id": "1",
    "vendor": "Lenovo", "manufacturer": "Lenovo", "model": "ThinkSystem SR650 V2",
    "manager_model": "Lenovo XClarity Controller", "firmware": "AFBT30Y 3.20",
    "controller_model": "ThinkSystem RAID 940-8i 4GB Flash PCIe Gen4 12Gb Adapter",
    "controller_firmware": "52.20.0-4341",
    "oem": {"Lenovo": {"@odata.type": "#LenovoServiceRoot.v1_0_0.LenovoServiceRoot"}},
}
NAME_MAX = 15


class XccPersonality(StandardStorage):
    """XCC with one Broadcom RAID adapter in slot 4."""

    tracks_foreign: ClassVar[bool] = True
    storage_id: ClassVar[str] = "RAID_Slot4"
    volume_type = "#Volume.v1_10_0.Volume"
    create_keys: ClassVar[frozenset[str]] = StandardStorage.create_keys | {"Oem"}

    def drive_id(self, drive: DriveSpec) -> str:
        """``Disk.<n>``, bays from 0."""
        return f"Disk.{bay_number(drive.bay) - 1}"

    def volume_doc(self, volume: VolumeSpec, present: tuple[DriveSpec, ...]) -> Json:
        """XCC's volume: no ``DedicatedSpareDrives`` (global spares only)."""
        doc = super().volume_doc(volume, present)
        doc["Links"].pop("DedicatedSpareDrives", None)
        doc["Oem"] = {"Lenovo": {"AccessPolicy": "ReadWrite", "IOPolicy": "DirectIO"}}
        return doc

    def refuse_keys(self, body: dict[str, Any]) -> Response | None:
        """A top-level ``Drives`` is refused; ``Name`` is required (XCC2: at most 15
        characters)."""
        if "Drives" in body:
            return bad("PropertyUnknown", "The property Drives is not in the list of valid "
                       "properties for the resource.", "Drives")
        name = body.get("Name")
        limit = NAME_MAX if "XClarity Controller 2" in self.spec.manager_model else None
        if not isinstance(name, str) or not name or (limit and len(name) > limit):
            return bad("PropertyValueFormatError", f"The value {name} for the property Name "
                       f"is of a different format (a non-empty name of at most {NAME_MAX} "
                       "characters is required).", str(name), "Name")
        return super().refuse_keys(body)

    def patch_volume(self, volume: VolumeSpec, body: Any) -> Response:
        """Dedicated spares are not offered."""
        return bad("PropertyNotWritable", "The property Links/DedicatedSpareDrives is a read "
                   "only property and cannot be assigned a value.", "DedicatedSpareDrives")


PERSONALITY = XccPersonality
