"""The benchmark task written the obvious way with each client library.

Task per BMC: log in (a Redfish session), read the power state, every host NIC MAC,
every drive serial and every volume's RAID type, log out.  Each client returns the
comparable answer of :func:`tree.answer`; the runner checks it against the BMC's tree.

A client is ``run(urls, workers, ca_file) -> list of answers or error strings``, in the
order of ``urls``.  Synchronous clients share :func:`pooled`: the same
``ThreadPoolExecutor(workers)``; the asyncio client bounds its tasks with a semaphore
of the same size.  Each client imports its library when it is built (``CLIENTS[name](ca_file)``),
with the modules its first task would otherwise import late, so that the worker times them
as import, not as the first BMC's CPU (the worker reports any it missed: ``late_imports``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

import tree as mock

SESSIONS = "/redfish/v1/SessionService/Sessions"
Task = Callable[[str], dict[str, Any]]
Getter = Callable[[str], dict[str, Any]]
Runner = Callable[..., list[Any]]
"""``run(urls, workers, unbounded=False)``: one answer (or error text) per URL."""


def pooled(task: Task, urls: list[str], workers: int) -> list[Any]:
    """``task`` over ``urls`` in one thread pool; an exception becomes its text."""
    def guarded(url: str) -> Any:
        try:
            return task(url)
        except Exception as exc:  # reported per BMC, never stopping the others
            return f"{type(exc).__name__}: {exc}"

    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(urls)))) as pool:
        return list(pool.map(guarded, urls))


def walk(get: Getter) -> dict[str, Any]:
    """The task's reads through ``get(path) -> JSON object`` (the plain walk: one GET per
    resource, as a client without ``$expand`` does it)."""
    systems = get("/redfish/v1/Systems")
    system = get(systems["Members"][0]["@odata.id"])
    nics = get(system["EthernetInterfaces"]["@odata.id"])
    macs = [get(m["@odata.id"])["MACAddress"] for m in nics["Members"]]
    serials: list[str] = []
    raid: list[str] = []
    for member in get(system["Storage"]["@odata.id"])["Members"]:
        storage = get(member["@odata.id"])
        serials += [get(d["@odata.id"])["SerialNumber"] for d in storage.get("Drives", ())]
        volumes = get(storage["Volumes"]["@odata.id"])
        raid += [get(v["@odata.id"])["RAIDType"] for v in volumes["Members"]]
    return mock.answer(system["PowerState"], macs, serials, raid)


# -- stdlib http.client: the lean floor --------------------------------------------------

def lean(ca_file: str | None) -> Runner:
    import encodings.idna  # noqa: F401 - the first connection's host name: import, not CPU
    import http.client
    import ssl

    context = ssl.create_default_context(cafile=ca_file) if ca_file else None

    def task(url: str) -> dict[str, Any]:
        split = urlsplit(url)
        host, port = split.hostname or "", split.port
        conn: http.client.HTTPConnection = (
            http.client.HTTPSConnection(host, port, context=context, timeout=60)
            if split.scheme == "https" else http.client.HTTPConnection(host, port, timeout=60))
        headers = {"Accept": "application/json"}

        def call(method: str, path: str, body: Any = None) -> http.client.HTTPResponse:
            data = None if body is None else json.dumps(body).encode()
            conn.request(method, path, body=data, headers={
                **headers, **({"Content-Type": "application/json"} if data else {})})
            response = conn.getresponse()
            if response.status >= 300:
                raise RuntimeError(f"{method} {path}: HTTP {response.status}")
            return response

        try:
            login = call("POST", SESSIONS, {"UserName": mock.USERNAME,
                                            "Password": mock.PASSWORD})
            login.read()
            headers["X-Auth-Token"] = login.headers["X-Auth-Token"]
            try:
                return walk(lambda path: json.loads(call("GET", path).read()))
            finally:
                call("DELETE", login.headers["Location"]).read()
        finally:
            conn.close()

    return lambda urls, workers, unbounded=False: pooled(task, urls, workers)


# -- requests.Session ----------------------------------------------------------------------

def _requests_late_imports() -> None:
    """What ``requests`` imports on its first request (``get_netrc_auth``): ``requests``,
    python-redfish-library and sushy send through it."""
    import netrc  # noqa: F401
    import shlex  # noqa: F401


def requests_session(ca_file: str | None) -> Runner:
    import requests

    _requests_late_imports()

    def task(url: str) -> dict[str, Any]:
        verify = ca_file or True
        with requests.Session() as session:
            login = session.post(url + SESSIONS, json={"UserName": mock.USERNAME,
                                                       "Password": mock.PASSWORD},
                                 verify=verify, timeout=60)
            login.raise_for_status()
            session.headers["X-Auth-Token"] = login.headers["X-Auth-Token"]

            def get(path: str) -> dict[str, Any]:
                response = session.get(url + path, verify=verify, timeout=60)
                response.raise_for_status()
                return response.json()  # type: ignore[no-any-return]

            try:
                return walk(get)
            finally:
                session.delete(url + login.headers["Location"], verify=verify, timeout=60)

    return lambda urls, workers, unbounded=False: pooled(task, urls, workers)


# -- python-redfish-library, synchronous ---------------------------------------------------

def redfish_sync(ca_file: str | None) -> Runner:
    import redfish

    _requests_late_imports()

    def task(url: str) -> dict[str, Any]:
        client = redfish.redfish_client(base_url=url, username=mock.USERNAME,
                                        password=mock.PASSWORD, cafile=ca_file, timeout=60)
        client.login(auth="session")

        def get(path: str) -> dict[str, Any]:
            response = client.get(path)
            if response.status >= 300:
                raise RuntimeError(f"GET {path}: HTTP {response.status}")
            return response.dict  # type: ignore[no-any-return]

        try:
            return walk(get)
        finally:
            client.logout()

    return lambda urls, workers, unbounded=False: pooled(task, urls, workers)


# -- python-redfish-library, redfish.aio (aiohttp) ----------------------------------------

def redfish_aio(ca_file: str | None) -> Runner:
    import asyncio
    import ssl

    import aiohttp
    from redfish.aio import AsyncRedfishClient

    async def task(http: aiohttp.ClientSession, url: str) -> dict[str, Any]:
        async with AsyncRedfishClient(url, mock.USERNAME, mock.PASSWORD, session=http,
                                      timeout=60) as client:
            async def get(path: str) -> dict[str, Any]:
                response = await client.get(path)
                if response.status >= 300:
                    raise RuntimeError(f"GET {path}: HTTP {response.status}")
                return response.dict  # type: ignore[no-any-return]

            systems = await get("/redfish/v1/Systems")
            system = await get(systems["Members"][0]["@odata.id"])
            nics = await get(system["EthernetInterfaces"]["@odata.id"])
            macs = [(await get(m["@odata.id"]))["MACAddress"] for m in nics["Members"]]
            serials: list[str] = []
            raid: list[str] = []
            for member in (await get(system["Storage"]["@odata.id"]))["Members"]:
                storage = await get(member["@odata.id"])
                serials += [(await get(d["@odata.id"]))["SerialNumber"]
                            for d in storage.get("Drives", ())]
                volumes = await get(storage["Volumes"]["@odata.id"])
                raid += [(await get(v["@odata.id"]))["RAIDType"] for v in volumes["Members"]]
            return mock.answer(system["PowerState"], macs, serials, raid)

    async def run_all(urls: list[str], workers: int) -> list[Any]:
        context = ssl.create_default_context(cafile=ca_file) if ca_file else None
        limit = asyncio.Semaphore(workers)
        connector = aiohttp.TCPConnector(ssl=context or True, limit=0)
        async with aiohttp.ClientSession(connector=connector) as http:
            async def guarded(url: str) -> Any:
                async with limit:
                    try:
                        return await task(http, url)
                    except Exception as exc:
                        return f"{type(exc).__name__}: {exc}"

            return list(await asyncio.gather(*(guarded(url) for url in urls)))

    return lambda urls, workers, unbounded=False: asyncio.run(run_all(urls, workers))


# -- sushy -------------------------------------------------------------------------------------

def sushy_client(ca_file: str | None) -> Runner:
    import sushy
    from sushy import auth

    _requests_late_imports()

    def task(url: str) -> dict[str, Any]:
        with auth.SessionAuth(mock.USERNAME, mock.PASSWORD) as session:
            root = sushy.Sushy(url, auth=session, verify=ca_file or True)
            system = root.get_system()
            macs = [nic.mac_address for nic in system.ethernet_interfaces.get_members()]
            serials: list[str] = []
            raid: list[str] = []
            for storage in system.storage.get_members():
                serials += [drive.serial_number for drive in storage.drives]
                raid += [volume.raid_type for volume in storage.volumes.get_members()]
            return mock.answer(system.power_state, macs, serials, raid)

    return lambda urls, workers, unbounded=False: pooled(task, urls, workers)


# -- hamnhw ----------------------------------------------------------------------------------

def hamnhw_answer(node: Any) -> dict[str, Any]:
    """The task's answer from a connected :class:`hamnhw.Node`."""
    power = node.power.state()
    nics = node.nics.list()
    storage = node.raid.storage()
    return mock.answer(power.value, [nic.mac for nic in nics or ()],
                       [drive.serial for drive in storage.drives or ()],
                       [volume.raid_type.value for volume in storage.volumes or ()])


def load_hamnhw() -> Any:
    """Import what connecting needs (``import hamnhw`` itself is lazy), so that the
    import is timed as import, not as the first BMC's CPU."""
    import hamnhw
    import hamnhw.fleet
    import hamnhw.node
    import hamnhw.transport.redfish
    from hamnhw import registry

    registry.load_drivers()
    # The task reads NICs and storage, whose interfaces a driver imports on first use
    # (hamnhw_drivers.generic.deferred): import them here too, timed as import.
    from hamnhw_drivers.generic.driver import GenericRedfishDriver

    for interface in (GenericRedfishDriver.nics_class, GenericRedfishDriver.raid_class,
                      GenericRedfishDriver.inventory_class):
        assert isinstance(interface, type)
    # The rest of what the first task imported (the worker's ``late_imports``): the
    # detection cache (imported even with HAMNHW_DETECT_CACHE unset), the codec the
    # first connection's host name is encoded with, and the fan-out's greenlets.
    import encodings.idna  # noqa: F401

    import greenlet  # noqa: F401 - the fan-out's cooperative tasks (hamnhw.coop)

    import hamnhw.detectcache
    return hamnhw


def hamnhw_library(ca_file: str | None, *, with_inventory: bool = False) -> Runner:
    """``connect`` then one ``node.operation()`` block per BMC; ``with_inventory``: the
    inventory read after the task (:func:`hamnhw_warming`)."""
    hamnhw = load_hamnhw()

    def task(url: str) -> dict[str, Any]:
        with hamnhw.connect(_hamnhw_url(url), username=mock.USERNAME,
                            password=mock.PASSWORD, ca_file=ca_file) as node, node.operation():
            answer = hamnhw_answer(node)
            if with_inventory:
                node.inventory.inventory()
            return answer

    return lambda urls, workers, unbounded=False: pooled(task, urls, workers)


def hamnhw_warming(ca_file: str | None) -> Runner:
    """The warm-up's walk (``compare.warm_up``), unmeasured: the library's task, then the
    inventory the ``hamnhw inventory`` command reads as well (the Manager, which the task
    does not read), so that every query a measured row sends is asked once before."""
    return hamnhw_library(ca_file, with_inventory=True)


def hamnhw_fanout(ca_file: str | None) -> Runner:
    """``hamnhw.fanout`` with ``workers`` as its concurrency (its own default when the
    worker runs ``--unbounded``)."""
    hamnhw = load_hamnhw()

    def run(urls: list[str], workers: int, unbounded: bool = False) -> list[Any]:
        by_node: dict[str, Any] = {}
        results = hamnhw.fanout(
            [_hamnhw_url(url) for url in urls], hamnhw_answer,
            concurrency=None if unbounded else workers, username=mock.USERNAME,
            password=mock.PASSWORD, ca_file=ca_file, cooperative=True)
        for result in results:
            by_node[result.node] = (result.value if result.ok
                                    else f"{type(result.error).__name__}: {result.error}")
        return [by_node[_hamnhw_url(url)] for url in urls]

    return run


def hamnhw_cli(ca_file: str | None) -> Runner:
    """The ``hamnhw`` command as an administrator runs it over a nodes file: ``inventory``
    (power state, drives, volumes), then ``nics``; two commands, two sessions per BMC."""
    import os
    import subprocess
    import sys
    import tempfile
    from pathlib import Path

    command = str(Path(sys.executable).with_name("hamnhw"))

    def fan_out(name: str, listing: str, secret: str, workers: int | None) -> dict[str, Any]:
        argv = [command, "--json", name, "--nodes-file", listing, "--username", mock.USERNAME,
                "--password-file", secret, *(["--ca-file", ca_file] if ca_file else []),
                *(["--fanout", str(workers)] if workers else [])]
        done = subprocess.run(argv, capture_output=True, text=True, check=False)
        lines = [json.loads(line) for line in done.stdout.splitlines()]
        return {line["node"]: line for line in lines if "node" in line}

    def run(urls: list[str], workers: int, unbounded: bool = False) -> list[Any]:
        nodes = [_hamnhw_url(url) for url in urls]
        with tempfile.TemporaryDirectory() as scratch:
            listing, secret = os.path.join(scratch, "nodes"), os.path.join(scratch, "pw")
            Path(listing).write_text("\n".join(nodes))
            Path(secret).write_text(mock.PASSWORD)
            os.chmod(secret, 0o600)
            limit = None if unbounded else workers
            inventory = fan_out("inventory", listing, secret, limit)
            nics = fan_out("nics", listing, secret, limit)
        return [_cli_answer(inventory.get(node), nics.get(node)) for node in nodes]

    return run


def _cli_answer(inventory: Any, nics: Any) -> Any:
    if not inventory or not nics or "error" in inventory or "error" in nics:
        return f"CLI error: {inventory!r} {nics!r}"[:500]
    return mock.answer(inventory["system"]["power_state"],
                       [nic["mac"] for nic in nics["nics"] or ()],
                       [drive["serial"] for drive in inventory["drives"] or ()],
                       [volume["raid_type"] for volume in inventory["volumes"] or ()])


def _hamnhw_url(url: str) -> str:
    """hamnhw's URL scheme for an http(s) BMC URL."""
    scheme, rest = url.split("://", 1)
    return f"{'redfish' if scheme == 'https' else 'redfish+http'}://{rest}"


CLIENTS: dict[str, Callable[[str | None], Runner]] = {
    "http.client": lean,
    "requests": requests_session,
    "redfish": redfish_sync,
    "redfish.aio": redfish_aio,
    "sushy": sushy_client,
    "hamnhw": hamnhw_library,
    "hamnhw-fanout": hamnhw_fanout,
    "hamnhw-cli": hamnhw_cli,
    "hamnhw-warm": hamnhw_warming,
}
"""Every client by the name the table shows."""
