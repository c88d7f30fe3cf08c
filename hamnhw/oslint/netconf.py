"""Network configuration tied to the old hardware: MAC matches, MAC sets, and the interface
names each profile uses (for the PCI-name check in :mod:`hamnhw.oslint.pcinames`).

Readers: ifcfg files (shell assignments; the backup names initscripts and NetworkManager's
ifcfg-rh plugin skip, ``*.bak``, ``*.rpmsave``..., are skipped too), NetworkManager keyfiles
(configparser with ``interpolation=None`` and case-preserving keys), netplan (PyYAML node
tree, for line numbers), systemd ``.link``/``.network``/``.netdev``
(:mod:`hamnhw.oslint.units`), Debian ifupdown ``/etc/network/interfaces``, udev rules.  An
interface name derived from the MAC (systemd's ``enx<MAC>``) is a MAC match wherever a
profile uses it.
"""

from __future__ import annotations

import configparser
import dataclasses
import re
from collections.abc import Iterator

import yaml

from hamnhw.oslint import overrides
from hamnhw.oslint.findings import MAC_MATCH, MAC_SET, UNREADABLE, Finding
from hamnhw.oslint.overrides import in_force
from hamnhw.oslint.rootfs import Root
from hamnhw.oslint.units import parse_unit

IFCFG = ("/etc/sysconfig/network-scripts/ifcfg-*", "/etc/sysconfig/network/ifcfg-*")
IFCFG_IGNORED = ("~", ".bak", ".old", ".orig", ".rpmnew", ".rpmorig", ".rpmsave")
"""Suffixes of files network-scripts skips (initscripts ``is_ignored_file``)."""
IFCFG_BY_FILE_NAME = "/etc/sysconfig/network/"
"""SUSE's ifcfg files (wicked, ifup): ``ifcfg-<interface>``, the file's name names the
interface (Red Hat's ``network-scripts`` name it by ``DEVICE=``)."""
NM_KEYFILES = ("/etc/NetworkManager/system-connections/*",
               "/usr/lib/NetworkManager/system-connections/*",
               "/run/NetworkManager/system-connections/*")
SYSTEMD_NETWORK_FILES = ("*.link", "*.network", "*.netdev")
"""systemd-networkd's and udev's files, in the directories of
:data:`hamnhw.oslint.overrides.SYSTEMD_NETWORK` (a name in ``/etc`` overrides or masks it
below)."""
IFUPDOWN = ("/etc/network/interfaces", "/etc/network/interfaces.d/*")
MAC_NAME = re.compile(r"^(?:en|sl|wl|ww)x[0-9a-f]{12}$")
"""systemd's MAC-based interface names (``ID_NET_NAME_MAC``, ``NamePolicy=mac``)."""

_MAC_VALUE = re.compile(r"^[0-9A-Fa-f]{2}([:-][0-9A-Fa-f]{2}){5,19}$")
_SHELL_ASSIGN = re.compile(r"""^\s*(?:export\s+)?([A-Z_][A-Z0-9_]*)=(["']?)(.*?)\2\s*(?:#.*)?$""")

MATCH_FIX = ("remove it (and match by interface name, or nothing): the standby's NICs have "
             "other MACs, so this configuration would not apply after the disk move")
SET_FIX = ("remove it: the standby would take the primary's MAC, and both nodes would use it "
           "when the primary comes back")


@dataclasses.dataclass(frozen=True)
class NameUse:
    """An interface name a profile binds to."""

    name: str
    file: str
    line: int | None
    text: str | None


def is_mac(value: str) -> bool:
    """A MAC (6 bytes) or an InfiniBand hardware address (20 bytes)."""
    return bool(_MAC_VALUE.match(value.strip().strip('"')))


def _match(file: str, line: int, text: str, what: str) -> Finding:
    return Finding(MAC_MATCH, file, line, f"{what} matches a NIC by MAC address", MATCH_FIX,
                   text.strip())


def _set(file: str, line: int, text: str, what: str) -> Finding:
    return Finding(MAC_SET, file, line, f"{what} sets the interface's MAC address", SET_FIX,
                   text.strip())


# -- ifcfg -------------------------------------------------------------------------------

def lint_ifcfg(root: Root, names: list[NameUse]) -> Iterator[Finding]:
    """``HWADDR=`` (match, ib too), ``MACADDR=``/``LLADDR=`` (set); DEVICE= names, and on
    SUSE (:data:`IFCFG_BY_FILE_NAME`) the interface the file's name gives."""
    for file in root.glob(*IFCFG):
        if file.endswith(IFCFG_IGNORED):
            continue
        if file.startswith(IFCFG_BY_FILE_NAME):
            names.append(NameUse(file.rsplit("/", 1)[1].removeprefix("ifcfg-"), file, None, None))
        for number, text in root.lines(file):
            found = _SHELL_ASSIGN.match(text)
            if not found or not found.group(3):
                continue
            key, value = found.group(1), found.group(3)
            if key == "HWADDR":
                yield _match(file, number, text, "HWADDR")
            elif key in ("MACADDR", "LLADDR") and is_mac(value):
                yield _set(file, number, text, key)
            elif key == "DEVICE":
                names.append(NameUse(value, file, number, text.strip()))


# -- NetworkManager keyfiles -------------------------------------------------------------

def _keyfile(text: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys keep their case
    parser.read_string(text)
    return parser


def _line_of(lines: list[tuple[int, str]], section: str, key: str) -> tuple[int, str]:
    current = None
    for number, text in lines:
        stripped = text.strip()
        if stripped.startswith("[") and stripped.endswith("]"):
            current = stripped[1:-1].strip()
        elif current == section and re.match(rf"^\s*{re.escape(key)}\s*=", text):
            return number, text
    return 0, f"{key}="


def lint_keyfiles(root: Root, names: list[NameUse]) -> Iterator[Finding]:
    """``mac-address=`` (match), ``cloned-mac-address=<MAC>`` (set); interface-name."""
    for file in root.glob(*NM_KEYFILES):
        text = root.read(file) or ""
        try:
            parser = _keyfile(text)
        except configparser.Error as exc:
            yield Finding(UNREADABLE, file, getattr(exc, "lineno", None),
                          f"not a readable NetworkManager keyfile: {exc.message}",
                          "fix the syntax, then lint again", None)
            continue
        lines = root.lines(file)
        for section in parser.sections():
            for key, value in parser.items(section):
                if key == "mac-address" and value.strip():
                    yield _match(file, *_line_of(lines, section, key), f"[{section}] {key}")
                elif key == "cloned-mac-address" and is_mac(value):
                    yield _set(file, *_line_of(lines, section, key), f"[{section}] {key}")
                elif section == "connection" and key == "interface-name" and value.strip():
                    number, line = _line_of(lines, section, key)
                    names.append(NameUse(value.strip(), file, number, line.strip()))


# -- netplan -----------------------------------------------------------------------------

def _mapping(node: yaml.Node | None) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {str(k.value): (k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode)}


def _netplan_devices(document: yaml.Node | None) -> Iterator[tuple[str, yaml.Node, yaml.Node]]:
    network = _mapping(document).get("network")
    for kind, (_, devices) in _mapping(network[1] if network else None).items():
        if kind in ("version", "renderer"):
            continue
        for device, (key, body) in _mapping(devices).items():
            yield device, key, body


def lint_netplan(root: Root, names: list[NameUse]) -> Iterator[Finding]:
    """``match: macaddress`` (match), ``macaddress`` outside match (set); device names.
    Only the files netplan reads: a name in ``/run/netplan`` shadows it in ``/etc/netplan``,
    which shadows it in ``/lib/netplan`` (:data:`hamnhw.oslint.overrides.NETPLAN`)."""
    for file in in_force(root, overrides.NETPLAN, ("*.yaml",)):
        text = root.read(file) or ""
        lines = text.splitlines()
        try:
            document = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            yield Finding(UNREADABLE, file, mark.line + 1 if mark else None,
                          f"not readable YAML: {exc}", "fix the syntax, then lint again", None)
            continue
        for device, key, body in _netplan_devices(document):
            fields = _mapping(body)
            match = _mapping(fields["match"][1] if "match" in fields else None)
            for where, table, make in (("match: macaddress", match, _match),
                                       ("macaddress", fields, _set)):
                if "macaddress" in table:
                    node = table["macaddress"][0]
                    yield make(file, node.start_mark.line + 1, lines[node.start_mark.line],
                               f"netplan {device}: {where}")
            name_node = match.get("name") or fields.get("set-name")
            named = name_node[1] if name_node else key
            if isinstance(named, yaml.ScalarNode):
                names.append(NameUse(str(named.value), file, named.start_mark.line + 1,
                                     lines[named.start_mark.line].strip()))


# -- systemd-networkd / udev -------------------------------------------------------------

def lint_systemd(root: Root, names: list[NameUse]) -> Iterator[Finding]:
    """``[Match] MACAddress=``/``PermanentMACAddress=`` (match), ``[Link] MACAddress=`` and
    ``.netdev`` ``[NetDev] MACAddress=`` (set); ``[Match] Name=`` and ``.link`` ``[Link]
    Name=`` names.  Only the files systemd reads: a name's file in ``/etc/systemd/network``
    overrides the same name in ``/run``, ``/usr/local/lib``, ``/usr/lib`` and ``/lib``, and
    masks it there as a symlink to ``/dev/null`` or an empty file
    (:mod:`hamnhw.oslint.overrides`)."""
    for file in in_force(root, overrides.SYSTEMD_NETWORK, SYSTEMD_NETWORK_FILES):
        lines = dict(root.lines(file))
        for item in parse_unit(root.read(file) or ""):
            text = lines.get(item.line, f"{item.key}={item.value}")
            if item.section == "Match" and item.key in ("MACAddress", "PermanentMACAddress") \
                    and item.value:
                yield _match(file, item.line, text, f"[Match] {item.key}")
            elif item.section in ("Link", "NetDev") and item.key == "MACAddress" \
                    and is_mac(item.value):
                yield _set(file, item.line, text, f"[{item.section}] MACAddress")
            elif item.key == "Name" and item.section in ("Match", "Link"):
                for name in item.value.split():
                    names.append(NameUse(name.lstrip("!"), file, item.line, text.strip()))


_IFUPDOWN_IFACE = re.compile(r"^\s*iface\s+(\S+)")
_IFUPDOWN_HWADDRESS = re.compile(r"^\s*hwaddress\s+(?:ether\s+)?(\S+)")


def lint_ifupdown(root: Root, names: list[NameUse]) -> Iterator[Finding]:
    """Debian ifupdown: ``hwaddress [ether] <MAC>`` (set); ``iface`` names."""
    for file in root.glob(*IFUPDOWN):
        for number, text in root.lines(file):
            iface = _IFUPDOWN_IFACE.match(text)
            hwaddress = _IFUPDOWN_HWADDRESS.match(text)
            if iface:
                names.append(NameUse(iface.group(1), file, number, text.strip()))
            elif hwaddress and is_mac(hwaddress.group(1)):
                yield _set(file, number, text, "ifupdown hwaddress")


def lint_mac_names(names: list[NameUse]) -> Iterator[Finding]:
    """Profiles bound to a MAC-derived interface name (``enx<MAC>``)."""
    for use in names:
        if MAC_NAME.match(use.name):
            yield Finding(MAC_MATCH, use.file, use.line,
                          f"interface name {use.name!r} is derived from the NIC's MAC "
                          "(systemd NamePolicy mac): the standby's NIC gets another name, so "
                          "this profile matches nothing after the disk move",
                          "bind the profile to a name that does not carry the MAC (an "
                          "ID_NET_NAME_PATH/ONBOARD name the same on both nodes, or one set by "
                          "a .link file on each node)", use.text)


_UDEV_ADDRESS = re.compile(r"ATTRS?\{address\}\s*==\s*\"([^\"]+)\"")
_UDEV_NAME = re.compile(r"(?<![A-Za-z_{])NAME\s*:?=(?!=)")
"""A ``NAME=`` or ``NAME:=`` assignment (not ``ENV{INTERFACE_NAME}``, not a ``NAME==`` match)."""


def lint_udev(root: Root, names: list[NameUse]) -> Iterator[Finding]:
    """Persistent-net rules: ``ATTR{address}=="<MAC>"`` naming a NIC (``NAME=``) by its MAC.
    Only the rules files udev reads: a name in ``/etc/udev/rules.d`` replaces or (a symlink
    to ``/dev/null``) disables it in ``/run`` and ``/usr/lib``
    (:data:`hamnhw.oslint.overrides.UDEV_RULES`); a glob as the address
    (``"?[2367abef]:*"``) names no NIC."""
    for file in in_force(root, overrides.UDEV_RULES, ("*.rules",)):
        for number, text in root.lines(file):
            if text.lstrip().startswith("#"):
                continue
            address = _UDEV_ADDRESS.search(text)
            if address and is_mac(address.group(1)) and _UDEV_NAME.search(text):
                yield _match(file, number, text, "a udev persistent-net rule")


LINTERS = (lint_ifcfg, lint_keyfiles, lint_netplan, lint_systemd, lint_ifupdown, lint_udev)


def lint_network(root: Root) -> tuple[list[Finding], list[NameUse]]:
    """Every MAC finding, and every interface name a profile binds to."""
    findings: list[Finding] = []
    names: list[NameUse] = []
    for linter in LINTERS:
        findings += linter(root, names)
    findings += lint_mac_names(names)
    return findings, names
