"""Hand-written service documents in the shapes of issue 10 (DMTF schemas), shared by the
driver tests over them."""

from __future__ import annotations

from typing import Any

from driver_fakes import SYSTEM, FakeClient, make_driver, minimal_docs

ROOT = "/redfish/v1/"
CHASSIS = "/redfish/v1/Chassis"
C1 = f"{CHASSIS}/1"


def link(uri: str) -> dict[str, str]:
    return {"@odata.id": uri}


def links(*uris: str) -> list[dict[str, str]]:
    return [link(uri) for uri in uris]


def service(system: dict[str, Any], chassis: dict[str, dict[str, Any]] | None = None,
            **docs: Any) -> dict[str, Any]:
    """One system linking ``Links.Chassis`` [C1] (unless it says otherwise), the chassis
    given (by URI) in the Chassis collection, and more documents by URI."""
    base = minimal_docs({"Links": {"Chassis": links(C1)}, **system})
    base[ROOT] = {"Systems": link("/redfish/v1/Systems"), "Chassis": link(CHASSIS)}
    chassis = chassis if chassis is not None else {C1: {}}
    base[CHASSIS] = {"Members": links(*chassis)}
    base.update(chassis)
    base.update({uri.replace("__", "/"): doc for uri, doc in docs.items()})
    return base


def adapter(uri: str, *, functions: dict[str, dict[str, Any]] | None = None,
            ports: dict[str, dict[str, Any]] | None = None, kind: str = "Ports",
            **extra: Any) -> dict[str, Any]:
    """An adapter at ``uri`` with its collections and members, as documents by URI."""
    docs: dict[str, Any] = {uri: dict(extra)}
    for name, members in (("NetworkDeviceFunctions", functions), (kind, ports)):
        if members is None:
            continue
        docs[uri][name] = link(f"{uri}/{name}")
        docs[f"{uri}/{name}"] = {"Members": links(*(f"{uri}/{name}/{i}" for i in members))}
        docs.update({f"{uri}/{name}/{i}": {"Id": i, **doc} for i, doc in members.items()})
    return docs


def nics_of(docs: dict[str, Any]) -> tuple[Any, FakeClient]:
    client = FakeClient(docs)
    return make_driver(client).nics.view(), client


def drive(serial: str, **extra: Any) -> dict[str, Any]:
    return {"SerialNumber": serial, "Status": {"State": "Enabled", "Health": "OK"}, **extra}


def storage_docs(*storages: str) -> dict[str, Any]:
    """Storages each with drives ``0`` and ``1`` (the same ids on every controller)."""
    st = f"{SYSTEM}/Storage"
    docs = service({"Storage": link(st)}, {C1: {}})
    docs[st] = {"Members": links(*(f"{st}/{s}" for s in storages))}
    for s in storages:
        docs[f"{st}/{s}"] = {"Id": s, "Drives": links(f"{st}/{s}/Drives/0", f"{st}/{s}/Drives/1")}
        for i in ("0", "1"):
            docs[f"{st}/{s}/Drives/{i}"] = {"Id": i, **drive(f"{s}-SN{i}")}
    return docs
