"""lint-os judges only the files the OS reads: a file in ``/etc`` overrides the same name in
``/run``, ``/usr/local/lib``, ``/usr/lib`` and ``/lib`` (systemd's ``.network``, ``.link`` and
``.netdev``; dracut's ``conf.d``), and masks it as a symlink to ``/dev/null`` (or, for
systemd, an empty file): a masked file's MAC match is no finding, an override's is, on a
``--root`` image through the CLI (review: the rule was not applied)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from roots import make_root
from test_lint_cli import lint
from test_lint_symlinks import link

MAC_NETWORK = "[Match]\nMACAddress=02:4e:00:00:01:01\n\n[Network]\nDHCP=yes\n"
NAME_NETWORK = "[Match]\nName=eth0\n\n[Network]\nDHCP=yes\n"
MAC_LINK = "[Match]\nOriginalName=*\n\n[Link]\nMACAddress=02:4e:00:00:01:09\n"


def lint_json(root: Path) -> tuple[int, dict]:
    done = lint("--json", "lint-os", "--root", str(root))
    return done.returncode, json.loads(done.stdout)


def findings(payload: dict) -> set[tuple[str, str]]:
    return {(f["kind"], f["file"]) for f in payload["findings"]}


@pytest.mark.parametrize("below", ["/usr/lib/systemd/network", "/lib/systemd/network",
                                   "/usr/local/lib/systemd/network", "/run/systemd/network"])
@pytest.mark.parametrize("mask", ["dev-null", "empty"])
def test_a_unit_masked_in_etc_is_not_read_below(tmp_path: Path, below: str, mask: str) -> None:
    root = make_root(tmp_path / "root", {f"{below}/10-mn.network": MAC_NETWORK,
                                         f"{below}/20-mn.link": MAC_LINK})
    if mask == "dev-null":
        link(root, "/etc/systemd/network/10-mn.network", "/dev/null")
    else:
        make_root(root, {"/etc/systemd/network/10-mn.network": ""})
    code, payload = lint_json(root)
    assert findings(payload) == {("mac-set", f"{below}/20-mn.link")}, payload  # not masked
    assert code == 5 and not any("systemd" in note for note in payload["notes"]), payload


def test_a_unit_in_etc_overrides_the_same_name_below_and_is_the_one_judged(
        tmp_path: Path) -> None:
    root = make_root(tmp_path / "root", {
        "/usr/lib/systemd/network/10-mn.network": MAC_NETWORK,
        "/etc/systemd/network/10-mn.network": NAME_NETWORK,
        "/usr/lib/systemd/network/30-other.network": MAC_NETWORK,
        "/run/systemd/network/20-mn.link": MAC_LINK,
        "/lib/systemd/network/20-mn.link": NAME_NETWORK})
    code, payload = lint_json(root)
    assert code == 5
    assert findings(payload) == {("mac-match", "/usr/lib/systemd/network/30-other.network"),
                                 ("mac-set", "/run/systemd/network/20-mn.link"),
                                 ("probe-order-name", "/etc/systemd/network/10-mn.network")}


def test_the_override_of_an_etc_unit_over_a_masked_one_is_still_judged(tmp_path: Path) -> None:
    """Masking is the first directory's word: a mask below /etc hides nothing /etc has."""
    root = make_root(tmp_path / "root", {"/etc/systemd/network/10-mn.network": MAC_NETWORK})
    link(root, "/usr/lib/systemd/network/10-mn.network", "/dev/null")
    code, payload = lint_json(root)
    assert code == 5
    assert findings(payload) == {("mac-match", "/etc/systemd/network/10-mn.network")}


def test_a_dangling_unit_in_etc_takes_the_name_and_is_a_note(tmp_path: Path) -> None:
    root = make_root(tmp_path / "root", {"/usr/lib/systemd/network/10-mn.network": MAC_NETWORK})
    link(root, "/etc/systemd/network/10-mn.network", "/nowhere/10-mn.network")
    code, payload = lint_json(root)
    assert code == 0 and payload["findings"] == []
    assert any(n.startswith("/etc/systemd/network/10-mn.network not checked: the symlink")
               for n in payload["notes"]), payload["notes"]


def test_a_dracut_conf_masked_in_etc_is_not_read(tmp_path: Path) -> None:
    root = make_root(tmp_path / "root", {
        "/usr/lib/dracut/dracut.conf.d/01-dist.conf": 'hostonly="yes"\n',
        "/usr/lib/dracut/dracut.conf.d/02-more.conf": 'hostonly_cmdline="no"\n'})
    code, payload = lint_json(root)
    assert ("dracut-hostonly", "/usr/lib/dracut/dracut.conf.d/01-dist.conf") in findings(payload)
    link(root, "/etc/dracut.conf.d/01-dist.conf", "/dev/null")
    code, payload = lint_json(root)
    assert code == 0 and payload["findings"] == [], payload


NETPLAN_MAC = ("network:\n  version: 2\n  ethernets:\n    mn0:\n      match:\n"
               "        macaddress: \"02:4e:00:00:01:01\"\n      dhcp4: true\n")
NETPLAN_NAME = "network:\n  version: 2\n  ethernets:\n    eno1:\n      dhcp4: true\n"
UDEV_MAC = ('SUBSYSTEM=="net", ACTION=="add", ATTR{address}=="02:4e:00:00:01:01", '
            'NAME="eth0"\n')


def test_netplan_judges_the_file_it_reads_run_over_etc_over_lib(tmp_path: Path) -> None:
    """netplan-generate(8): a name in /run shadows /etc, which shadows /lib (review: every
    copy was judged, so a MAC match /etc shadowed in /run was reported and a /run one was
    never looked at)."""
    root = make_root(tmp_path / "root", {
        "/etc/netplan/01-mn.yaml": NETPLAN_MAC,
        "/run/netplan/01-mn.yaml": NETPLAN_NAME,
        "/lib/netplan/02-mn.yaml": NETPLAN_MAC,
        "/etc/netplan/02-mn.yaml": NETPLAN_NAME,
        "/run/netplan/03-mn.yaml": NETPLAN_MAC})
    code, payload = lint_json(root)
    assert code == 5
    assert findings(payload) == {("mac-match", "/run/netplan/03-mn.yaml")}, payload


@pytest.mark.parametrize("mask", ["dev-null", "empty"])
def test_a_netplan_file_emptied_in_run_hides_the_one_in_etc(tmp_path: Path, mask: str) -> None:
    root = make_root(tmp_path / "root", {"/etc/netplan/01-mn.yaml": NETPLAN_MAC})
    if mask == "dev-null":
        link(root, "/run/netplan/01-mn.yaml", "/dev/null")
    else:
        make_root(root, {"/run/netplan/01-mn.yaml": ""})
    code, payload = lint_json(root)
    assert code == 0 and payload["findings"] == [], payload


@pytest.mark.parametrize("below", ["/usr/lib/udev/rules.d", "/lib/udev/rules.d",
                                   "/run/udev/rules.d", "/usr/local/lib/udev/rules.d"])
def test_udev_rules_below_etc_are_judged_and_masked_from_etc(tmp_path: Path, below: str) -> None:
    """udev(7): the rules of /run and /usr/lib are read too (review: only /etc was), a
    same-named file in /etc replaces them and a /dev/null symlink there disables them."""
    root = make_root(tmp_path / "root", {f"{below}/70-persistent-net.rules": UDEV_MAC})
    code, payload = lint_json(root)
    assert code == 5
    assert findings(payload) == {("mac-match", f"{below}/70-persistent-net.rules")}, payload
    link(root, "/etc/udev/rules.d/70-persistent-net.rules", "/dev/null")
    code, payload = lint_json(root)
    assert code == 0 and payload["findings"] == [], payload


def test_udev_address_globs_and_env_names_are_no_mac_naming(tmp_path: Path) -> None:
    """A glob as the address, or INTERFACE_NAME instead of a NAME= assignment, names no NIC
    by its MAC (the old persistent-net generator's own lines)."""
    root = make_root(tmp_path / "root", {"/usr/lib/udev/rules.d/75-net.rules":
        'ATTR{address}=="?[2367abef]:*", ENV{MATCHADDR}=""\n'
        'ATTR{address}=="02:4e:00:00:01:01", ENV{INTERFACE_NAME}="eth0"\n'
        'ATTR{address}=="02:4e:00:00:01:01", NAME=="eth0", GOTO="end"\n'})
    code, payload = lint_json(root)
    assert code == 0 and payload["findings"] == [], payload
