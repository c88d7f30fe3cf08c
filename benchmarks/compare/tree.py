"""The Redfish tree the comparison's BMCs serve, and the answers each BMC must give.

The tree is a DMTF public mockup (``public-localstorage`` by default: one system, two
NICs, one RAID controller with four drives, a RAID1 and two RAID0 volumes), made
different on every BMC so that an answer read from the wrong BMC is caught: drive serials,
NIC MACs, the ServiceRoot UUID and the power state depend on the BMC's index.

``$expand`` follows DMTF DSP0266 (7.3.4): ``$expand=.`` expands the navigation
references that are not under ``Links`` (collection ``Members`` included), ``~`` only
those under ``Links``, ``*`` both; ``($levels=n)`` (or a separate ``$levels=n``) says how
deep; references to a fragment (``...#/StorageControllers/0``) stay references.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
_MOCKUP = Path("shared", "mockups", "public-localstorage")
DEFAULT_MOCKUP = next((folder / _MOCKUP for folder in HERE.parents[1].parents
                       if (folder / _MOCKUP / "index.json").is_file()),
                      HERE.parents[1].parent / _MOCKUP)
"""``shared/mockups/public-localstorage`` in the nearest folder above the work tree that has
it (``../shared`` beside a checkout, ``../../shared`` beside a ``git worktree`` under
``wt/``)."""
ROOT = "/redfish/v1"
USERNAME = "bench"
PASSWORD = "bench-pass-not-secret"
MAX_LEVELS = 6

Tree = dict[str, dict[str, Any]]


def load_mockup(directory: Path = DEFAULT_MOCKUP) -> Tree:
    """Every ``index.json`` under ``directory`` by its Redfish path (no trailing slash)."""
    if not (directory / "index.json").is_file():
        raise SystemExit(f"no Redfish mockup at {directory} (expected the DMTF "
                         "public-localstorage mockup under ../shared/mockups)")
    tree: Tree = {}
    for file in directory.rglob("index.json"):
        relative = file.parent.relative_to(directory).as_posix()
        path = ROOT if relative == "." else f"{ROOT}/{relative}"
        tree[path] = json.loads(file.read_text())
    # Sessions are the server's own: the mockup's sample one is not served.
    tree.pop(f"{ROOT}/SessionService/Sessions/1234567890ABCDEF", None)
    return tree


def _mac(index: int, nic: int) -> str:
    return f"02:b0:{index >> 8 & 0xff:02x}:{index & 0xff:02x}:{index >> 16 & 0xff:02x}:{nic:02x}"


def personalised(base: Tree, index: int) -> Tree:
    """``base`` as BMC number ``index`` shows it (the documents that differ are copies,
    the others are shared with ``base``: a thousand BMCs share one tree)."""
    tree = dict(base)
    for path, doc in base.items():
        kind = str(doc.get("@odata.type", ""))
        if path == ROOT or kind.startswith(("#ComputerSystem.", "#EthernetInterface.",
                                            "#Drive.")):
            tree[path] = copy.deepcopy(doc)
    root = tree[ROOT]
    root["UUID"] = f"92384634-2938-2342-8820-{index:012d}"
    nic = 0
    for path, doc in sorted(tree.items()):
        kind = str(doc.get("@odata.type", ""))
        if kind.startswith("#ComputerSystem."):
            doc["PowerState"] = "On" if index % 2 == 0 else "Off"
            doc["SerialNumber"] = f"SYS{index:06d}"
        elif kind.startswith("#EthernetInterface.") and "/Systems/" in path:
            mac = _mac(index, nic)
            nic += 1
            doc["MACAddress"] = doc["PermanentMACAddress"] = mac.upper()
        elif kind.startswith("#Drive.") and "SerialNumber" in doc:
            doc["SerialNumber"] = f"{doc['SerialNumber']}-{index:06d}"
    return tree


def expected_answer(tree: Tree) -> dict[str, Any]:
    """What a correct client reports for this BMC: power state, host NIC MACs, the
    serials of the drives the storage controllers list, the volumes' RAID types."""
    system = next(doc for doc in tree.values()
                  if str(doc.get("@odata.type", "")).startswith("#ComputerSystem."))
    system_path = system["@odata.id"]
    nic_collection = tree[system["EthernetInterfaces"]["@odata.id"]]
    macs = [tree[m["@odata.id"]]["MACAddress"] for m in nic_collection["Members"]]
    serials: list[str] = []
    raid: list[str] = []
    for member in tree[f"{system_path}/Storage"]["Members"]:
        storage = tree[member["@odata.id"]]
        serials += [tree[d["@odata.id"]]["SerialNumber"] for d in storage.get("Drives", ())]
        volumes = tree[storage["Volumes"]["@odata.id"]]
        raid += [tree[v["@odata.id"]]["RAIDType"] for v in volumes["Members"]]
    return answer(system["PowerState"], macs, serials, raid)


def answer(power: Any, macs: Any, serials: Any, raid: Any) -> dict[str, Any]:
    """The comparable form of one BMC's answer (case-folded, sorted; enums by value)."""
    return {"power": _text(power).lower(),
            "macs": sorted(_text(m).lower().replace("-", ":") for m in macs),
            "serials": sorted(_text(s) for s in serials),
            "raid": sorted(_text(r).upper() for r in raid)}


def _text(value: Any) -> str:
    return str(getattr(value, "value", value))


# -- $expand --------------------------------------------------------------------------

def parse_expand(query: Mapping[str, str]) -> tuple[str, int] | None:
    """``(kind, levels)`` of a ``$expand`` query (kind ``.``, ``~`` or ``*``), or None."""
    raw = query.get("$expand")
    if raw is None:
        return None
    kind, _, rest = raw.partition("(")
    levels = 1
    if rest.startswith("$levels="):
        levels = int(rest.removeprefix("$levels=").rstrip(")"))
    elif "$levels" in query:
        levels = int(query["$levels"])
    if kind not in (".", "~", "*") or not 1 <= levels <= MAX_LEVELS:
        raise ValueError(f"unsupported $expand={raw!r}")
    return kind, levels


def expanded(tree: Tree, doc: dict[str, Any], kind: str, levels: int) -> dict[str, Any]:
    """``doc`` with its references expanded ``levels`` deep (a new object)."""
    return _expand_value(tree, doc, kind, levels, under_links=False)  # type: ignore[no-any-return]


def _expand_value(tree: Tree, value: Any, kind: str, levels: int, under_links: bool) -> Any:
    if isinstance(value, list):
        return [_expand_value(tree, item, kind, levels, under_links) for item in value]
    if not isinstance(value, dict):
        return value
    target = value.get("@odata.id")
    if len(value) == 1 and isinstance(target, str) and "#" not in target:
        wanted = {"*": True, ".": not under_links, "~": under_links}[kind]
        if wanted and levels > 0 and target.rstrip("/") in tree:
            return _expand_value(tree, tree[target.rstrip("/")], kind, levels - 1, False)
        return value
    return {key: _expand_value(tree, item, kind, levels, under_links or key == "Links")
            for key, item in value.items()}
