"""Boot chain tied to the old hardware: host-only initramfs, disks named by hardware path or
id, no UEFI fallback loader, LUKS unlocked by this machine's TPM."""

from __future__ import annotations

import re
from collections.abc import Iterator

from hamnhw.oslint.findings import (
    BY_ID,
    BY_PATH,
    EFI_FALLBACK,
    HOSTONLY,
    LUKS_TPM,
    MODULES_DEP,
    Finding,
)
from hamnhw.oslint.overrides import DRACUT_CONF_D, in_force
from hamnhw.oslint.rootfs import Root

_DRACUT_CONF = "/etc/dracut.conf"
_INITRAMFS_TOOLS = ("/etc/initramfs-tools/initramfs.conf", "/etc/initramfs-tools/conf.d/*")
_HOSTONLY = re.compile(r"""^\s*hostonly\s*=\s*["']?([a-z]+)["']?""")
_MODULES = re.compile(r"""^\s*MODULES\s*=\s*["']?([a-z]+)["']?""")
DISK_FILES = ("/etc/fstab", "/etc/crypttab", "/etc/default/grub", "/etc/kernel/cmdline",
              "/boot/grub/grub.cfg", "/boot/grub2/grub.cfg", "/boot/efi/EFI/*/grub.cfg",
              "/boot/loader/entries/*.conf")
_BY_PATH = re.compile(r"/dev/disk/by-path/\S+")
_BY_ID = re.compile(r"/dev/disk/by-id/(?!dm-|lvm-|md-|raid-)\S+")
_ESP_DIRS = ("/boot/efi/EFI", "/efi/EFI", "/boot/EFI")


def _dracut_files(root: Root) -> list[str]:
    """dracut's reading order: dracut.conf, then conf.d files by name (/etc over /usr/lib,
    a /dev/null link in /etc masking the name: :mod:`hamnhw.oslint.overrides`)."""
    return root.glob(_DRACUT_CONF) + in_force(root, DRACUT_CONF_D, ("*.conf",))


def _last_setting(root: Root, files: list[str],
                  pattern: re.Pattern[str]) -> tuple[str, int, str, str] | None:
    """The effective (last) assignment: (file, line, text, value)."""
    last = None
    for file in files:
        for number, text in root.lines(file):
            found = pattern.match(text)
            if found:
                last = (file, number, text.strip(), found.group(1))
    return last


def lint_initramfs(root: Root) -> Iterator[Finding]:
    """dracut ``hostonly="yes"`` and initramfs-tools ``MODULES=dep``, as finally in force."""
    hostonly = _last_setting(root, _dracut_files(root), _HOSTONLY)
    if hostonly and hostonly[3] == "yes":
        yield Finding(HOSTONLY, hostonly[0], hostonly[1],
                      "dracut builds a host-only initramfs (RHEL's default): only the drivers "
                      "of THIS node's storage and NICs are in it, so the other node may not "
                      "find its root disk",
                      'add /etc/dracut.conf.d/hamnhw.conf with hostonly="no" and rebuild '
                      "(dracut -f --regenerate-all), or include both nodes' drivers with "
                      "add_drivers+=", hostonly[2])
    modules = _last_setting(root, root.glob(_INITRAMFS_TOOLS[0]) + root.glob(_INITRAMFS_TOOLS[1]),
                            _MODULES)
    if modules and modules[3] == "dep":
        yield Finding(MODULES_DEP, modules[0], modules[1],
                      "initramfs-tools MODULES=dep includes only the modules this node needs: "
                      "the other node's storage or NIC driver may be missing",
                      "set MODULES=most and run update-initramfs -u -k all", modules[2])


def lint_disk_names(root: Root) -> Iterator[Finding]:
    """fstab, crypttab, grub and boot entries naming disks by PCI path or hardware id."""
    for file in root.glob(*DISK_FILES):
        for number, text in root.lines(file):
            if text.lstrip().startswith("#"):
                continue
            if _BY_PATH.search(text):
                yield Finding(BY_PATH, file, number,
                              "a disk named by its PCI path: the controller sits at another "
                              "path in the other node",
                              "use UUID= (or LABEL=) from blkid instead", text.strip())
            elif _BY_ID.search(text):
                yield Finding(BY_ID, file, number,
                              "a disk named by a hardware id (model/serial/WWN): the other "
                              "node's controller may present the moved volume under another id",
                              "use UUID= (or LABEL=) from blkid instead", text.strip())


def lint_efi_fallback(root: Root) -> Iterator[Finding]:
    """An EFI system partition without ``EFI/BOOT/BOOT<arch>.EFI``."""
    for esp in _ESP_DIRS:
        if not root.is_dir(esp):
            continue
        loaders = [f for f in root.glob(f"{esp}/*/*")
                   if f.rsplit("/", 2)[1].upper() == "BOOT"
                   and re.fullmatch(r"BOOT[A-Z0-9]+\.EFI", f.rsplit("/", 1)[1].upper())]
        if not loaders:
            yield Finding(EFI_FALLBACK, f"{esp}/BOOT/BOOTX64.EFI", None,
                          "no UEFI fallback loader: the other node's NVRAM has no boot entry "
                          "for these disks, and without the fallback path its firmware finds "
                          "nothing to boot",
                          "install one (grub2-install --removable, or shim's fallback: copy "
                          "shimx64.efi to EFI/BOOT/BOOTX64.EFI with fbx64.efi and BOOTX64.CSV)")
        return


_ESP_MOUNT = re.compile(r"^\s*\S+\s+(/boot/efi|/efi|/boot)\s+(vfat|msdos|fat)\b")


def efi_note(root: Root) -> str | None:
    """Why the UEFI fallback loader could not be checked: no EFI system partition under the
    root (not mounted there, as with ``--root`` over an image whose ESP is separate, or a
    legacy-BIOS install); None when one was checked."""
    if any(root.is_dir(esp) for esp in _ESP_DIRS):
        return None
    mounts = [m.group(1) for _, text in root.lines("/etc/fstab")
              if (m := _ESP_MOUNT.match(text)) and not text.lstrip().startswith("#")]
    if mounts:
        return (f"UEFI fallback loader not checked: /etc/fstab mounts the EFI system "
                f"partition at {mounts[0]}, but it is not mounted under {root.path}; mount it "
                f"there (e.g. at {root.path / mounts[0].lstrip('/')}) and lint again")
    return ("UEFI fallback loader not checked: no EFI system partition under "
            f"{root.path} ({', '.join(_ESP_DIRS)}); fine for a legacy-BIOS install, else "
            "mount the ESP there and lint again")


_TPM_OPTION = re.compile(r"(?:^|,)(tpm2-device=|tpm2-pcrs=|tpm2-signature=|keyscript=\S*tpm)")


def lint_luks_tpm(root: Root) -> Iterator[Finding]:
    """crypttab entries unlocked by the TPM (systemd-cryptenroll / TPM keyscripts)."""
    for number, text in root.lines("/etc/crypttab"):
        fields = text.split()
        if text.lstrip().startswith("#") or len(fields) < 4:
            continue
        if _TPM_OPTION.search(fields[3]):
            yield Finding(LUKS_TPM, "/etc/crypttab", number,
                          f"LUKS volume {fields[0]} is unlocked by this node's TPM: the other "
                          "node's TPM holds no key for it, so the standby stops at boot",
                          "keep a passphrase or network (Tang/clevis) key slot, and enroll the "
                          "standby's TPM too (systemd-cryptenroll --tpm2-device=auto) after the "
                          "initial failover test", text.strip())


LINTERS = (lint_initramfs, lint_disk_names, lint_efi_fallback, lint_luks_tpm)
