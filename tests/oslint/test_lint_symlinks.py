"""lint-os under ``--root`` resolves symlinks inside the root, as a chroot would: an absolute
target is taken from the root again, ``..`` stops at it, symlinked directories are followed
there; a link that resolves to nothing there (dangling, a loop) is a note naming the file,
and nothing outside the root is read (review 6, item 6)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from roots import make_root
from test_lint_cli import lint

from hamnhw.oslint.lint import LintReport, lint_root
from hamnhw.oslint.rootfs import MAX_LINKS, Root

SCRIPTS = "/etc/sysconfig/network-scripts"
HOST_MAC = "HWADDR=02:00:00:00:00:99\n"
IMAGE_MAC = "HWADDR=02:00:00:00:00:01\n"


def link(root: Path, name: str, target: str | Path) -> None:
    path = root / name.lstrip("/")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(target)


def host_file(tmp_path: Path) -> Path:
    """A file on the host only, with a MAC match: never to be read."""
    path = tmp_path / "host" / "ifcfg-host"
    path.parent.mkdir(parents=True)
    path.write_text(HOST_MAC)
    return path


def matched(report: LintReport) -> set[tuple[str, int | None]]:
    return {(f.file, f.line) for f in report.findings if f.kind == "mac-match"}


def notes_on(report: LintReport, name: str) -> list[str]:
    return [n for n in report.notes if n.startswith(f"{name} not checked:")]


def test_an_absolute_link_is_read_inside_the_root_never_on_the_host(tmp_path: Path) -> None:
    host = host_file(tmp_path)
    root = make_root(tmp_path / "root", {"/srv/net/ifcfg-img": IMAGE_MAC,
                                         str(host) + ".img": IMAGE_MAC})
    link(root, f"{SCRIPTS}/ifcfg-eth8", "/srv/net/ifcfg-img")  # only inside the image
    link(root, f"{SCRIPTS}/ifcfg-eth9", host)  # only on the host
    link(root, f"{SCRIPTS}/ifcfg-eth7", str(host) + ".img")  # the host's path, in the image
    report = lint_root(root)
    assert matched(report) == {(f"{SCRIPTS}/ifcfg-eth8", 1), (f"{SCRIPTS}/ifcfg-eth7", 1)}
    [note] = notes_on(report, f"{SCRIPTS}/ifcfg-eth9")
    assert f"-> {host} points to nothing inside {root}" in note
    assert all(HOST_MAC.strip() not in (f.text or "") for f in report.findings)


def test_relative_links_and_dot_dot_stop_at_the_root(tmp_path: Path) -> None:
    host = host_file(tmp_path)
    root = make_root(tmp_path / "root", {"/etc/net/ifcfg-rel": IMAGE_MAC,
                                         "/etc/net/ifcfg-up": IMAGE_MAC})
    link(root, f"{SCRIPTS}/ifcfg-rel", "../../net/ifcfg-rel")
    climb = "../" * (len(root.parts) + 4)  # far more than enough to leave the root on the host
    link(root, f"{SCRIPTS}/ifcfg-up", climb + str(host).lstrip("/"))
    link(root, f"{SCRIPTS}/ifcfg-upimg", climb + "etc/net/ifcfg-up")  # .. stops at the root
    report = lint_root(root)
    assert matched(report) == {(f"{SCRIPTS}/ifcfg-rel", 1), (f"{SCRIPTS}/ifcfg-upimg", 1)}
    [note] = notes_on(report, f"{SCRIPTS}/ifcfg-up")
    assert "points to nothing inside" in note


def test_symlinked_directories_resolve_inside_the_root(tmp_path: Path) -> None:
    host_dir = tmp_path / "host" / "network-scripts"
    host_dir.mkdir(parents=True)
    (host_dir / "ifcfg-host").write_text(HOST_MAC)
    root = make_root(tmp_path / "root", {
        f"/opt/net{SCRIPTS}/ifcfg-eth0": IMAGE_MAC,
        "/usr/lib/systemd/network/10-mn.link": "[Match]\nMACAddress=02:00:00:00:00:01\n",
        "/boot/efi/EFI/BOOT/BOOTX64.EFI": "binary"})
    link(root, "/etc/sysconfig", f"/opt/net{SCRIPTS.rsplit('/', 1)[0]}")  # a directory link
    link(root, "/etc/sysconfig-host/network-scripts", host_dir)  # host: not read
    link(root, "/lib", "usr/lib")  # merged /usr: one file under two names, one finding
    report = lint_root(root)
    assert matched(report) == {(f"{SCRIPTS}/ifcfg-eth0", 1),
                               ("/usr/lib/systemd/network/10-mn.link", 2)}
    assert not any("EFI" in n for n in report.notes)


def test_an_esp_behind_a_link_is_found_inside_the_root(tmp_path: Path) -> None:
    root = make_root(tmp_path / "root", {"/esp/EFI/BOOT/BOOTX64.EFI": "binary"})
    link(root, "/boot/efi", "/esp")
    report = lint_root(root)
    assert report.findings == () and not any("EFI" in n for n in report.notes)


def test_loops_and_dangling_links_are_notes_naming_the_file(tmp_path: Path) -> None:
    root = make_root(tmp_path / "root", {"/etc/fstab": "UUID=1 / ext4 defaults 0 1\n"})
    link(root, f"{SCRIPTS}/ifcfg-loop", "ifcfg-loop2")
    link(root, f"{SCRIPTS}/ifcfg-loop2", "ifcfg-loop")
    link(root, f"{SCRIPTS}/ifcfg-gone", "/nowhere/ifcfg-gone")
    link(root, "/etc/netplan", "/etc/netplan")  # a directory that is a loop
    link(root, "/etc/crypttab", "crypttab.real")  # a fixed name, dangling
    link(root, "/etc/udev/rules.d/80-net-setup-link.rules", "/dev/null")  # masked: no note
    report = lint_root(root)
    assert report.findings == ()
    for name in ("ifcfg-loop", "ifcfg-loop2"):
        [note] = notes_on(report, f"{SCRIPTS}/{name}")
        assert f"a symlink loop at {SCRIPTS}/" in note and f"more than {MAX_LINKS}" in note
    [gone] = notes_on(report, f"{SCRIPTS}/ifcfg-gone")
    assert f"-> /nowhere/ifcfg-gone points to nothing inside {root}" in gone
    [netplan] = notes_on(report, "/etc/netplan")
    assert "a symlink loop at /etc/netplan" in netplan
    [crypttab] = notes_on(report, "/etc/crypttab")
    assert "/etc/crypttab -> crypttab.real points to nothing" in crypttab
    assert not any("udev" in n for n in report.notes)


def test_an_absent_file_behind_a_good_directory_link_is_no_note(tmp_path: Path) -> None:
    root = make_root(tmp_path / "root", {"/real/etc/hostname": "mn\n"})
    link(root, "/etc", "/real/etc")
    tree = Root(root)
    assert tree.read("/etc/fstab") is None and tree.read("/etc/hostname") == "mn\n"
    assert tree.read("/etc/../../../etc/hostname") == "mn\n"
    assert tree.notes == []


def test_a_host_link_in_the_cli_is_a_note_not_a_finding(tmp_path: Path) -> None:
    """The review's reproduction through the CLI: exit 0, the host file unread."""
    host = host_file(tmp_path)
    root = make_root(tmp_path / "root", {"/boot/efi/EFI/BOOT/BOOTX64.EFI": "binary"})
    link(root, f"{SCRIPTS}/ifcfg-eth9", host)
    done = lint("--json", "lint-os", "--root", str(root))
    payload = json.loads(done.stdout)
    assert done.returncode == 0 and payload["findings"] == []
    assert any(n.startswith(f"{SCRIPTS}/ifcfg-eth9 not checked:") for n in payload["notes"])


def test_over_slash_links_resolve_as_the_kernel_does(tmp_path: Path) -> None:
    """Over ``/`` (the running host) an absolute link is the host's path, as before."""
    target = host_file(tmp_path)
    link(tmp_path, "/etc/ifcfg-abs", target)
    tree = Root("/")
    name = str(tmp_path / "etc" / "ifcfg-abs")
    assert tree.read(name) == HOST_MAC
    assert tree.glob(str(tmp_path / "etc" / "ifcfg-*")) == [name]
    assert os.path.realpath(name) == str(target)
