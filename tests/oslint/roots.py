"""Synthetic root trees for lint-os: one with every finding, one clean."""

from __future__ import annotations

from pathlib import Path

# (OS path, content); the line that must be reported carries a "<<" marker in DIRTY_EXPECT.
DIRTY = {
    "/etc/sysconfig/network-scripts/ifcfg-eth0":
        'DEVICE=eth0\nHWADDR="02:4e:00:00:01:01"\nMACADDR=02:4e:00:00:01:09\nBOOTPROTO=dhcp\n',
    "/etc/sysconfig/network-scripts/ifcfg-ib0":
        "DEVICE=ib0\nTYPE=InfiniBand\n"
        "HWADDR=80:00:00:48:fe:80:00:00:00:00:00:00:00:02:c9:03:00:aa:bb:01\n",
    "/etc/NetworkManager/system-connections/mn.nmconnection":
        "[connection]\nid=mn 100%\ninterface-name=enp3s0f0\ntype=ethernet\n\n[ethernet]\n"
        "mac-address=02:4E:00:00:01:01\ncloned-mac-address=02:4e:00:00:01:09\n\n[ipv4]\n"
        "method=auto\n",
    "/etc/netplan/01-mn.yaml":
        "network:\n  version: 2\n  ethernets:\n    mn0:\n      match:\n"
        "        macaddress: \"02:4e:00:00:01:01\"\n      set-name: mn0\n"
        "    eno1:\n      macaddress: \"02:4e:00:00:01:09\"\n      dhcp4: true\n",
    "/etc/systemd/network/10-mn.network":
        "[Match]\nMACAddress=02:4e:00:00:01:01\n\n[Network]\nDHCP=yes\nDNS=10.0.0.1\n"
        "DNS=10.0.0.2\n\n[Address]\nAddress=10.0.0.5/24\n\n[Address]\nAddress=10.0.0.6/24\n",
    "/etc/systemd/network/10-mn.link":
        "[Match]\nOriginalName=*\n\n[Link]\nMACAddress=02:4e:00:00:01:09\n",
    "/etc/udev/rules.d/70-persistent-net.rules":
        '# generated\nSUBSYSTEM=="net", ACTION=="add", ATTR{address}=="02:4e:00:00:01:01", '
        'NAME="eth0"\n',
    "/usr/lib/dracut/dracut.conf.d/01-dist.conf": 'hostonly="yes"\nhostonly_cmdline="no"\n',
    "/etc/initramfs-tools/initramfs.conf": "MODULES=dep\nBUSYBOX=auto\n",
    "/etc/fstab": "UUID=1234 / ext4 defaults 0 1\n"
                  "/dev/disk/by-path/pci-0000:3b:00.0-scsi-0:2:0:0-part1 /boot ext4 defaults 0 2\n",
    "/etc/default/grub": 'GRUB_CMDLINE_LINUX="root=/dev/disk/by-id/scsi-3600508b1001c0123 ro"\n',
    "/etc/crypttab": "# name device key options\n"
                     "cryptdata /dev/disk/by-id/wwn-0x5000c500a1b2c3d4 none "
                     "luks,tpm2-device=auto\n",
    "/boot/efi/EFI/debian/grubx64.efi": "binary",
}
DIRTY_EXPECT = {
    ("probe-order-name", "/etc/sysconfig/network-scripts/ifcfg-eth0", 1),
    ("mac-match", "/etc/sysconfig/network-scripts/ifcfg-eth0", 2),
    ("mac-set", "/etc/sysconfig/network-scripts/ifcfg-eth0", 3),
    ("mac-match", "/etc/sysconfig/network-scripts/ifcfg-ib0", 3),
    ("mac-match", "/etc/NetworkManager/system-connections/mn.nmconnection", 7),
    ("mac-set", "/etc/NetworkManager/system-connections/mn.nmconnection", 8),
    ("mac-match", "/etc/netplan/01-mn.yaml", 6),
    ("mac-set", "/etc/netplan/01-mn.yaml", 9),
    ("mac-match", "/etc/systemd/network/10-mn.network", 2),
    ("mac-set", "/etc/systemd/network/10-mn.link", 5),
    ("mac-match", "/etc/udev/rules.d/70-persistent-net.rules", 2),
    ("dracut-hostonly", "/usr/lib/dracut/dracut.conf.d/01-dist.conf", 1),
    ("initramfs-modules-dep", "/etc/initramfs-tools/initramfs.conf", 1),
    ("disk-by-path", "/etc/fstab", 2),
    ("disk-by-id", "/etc/default/grub", 1),
    ("disk-by-id", "/etc/crypttab", 2),
    ("luks-tpm", "/etc/crypttab", 2),
    ("efi-fallback-missing", "/boot/efi/EFI/BOOT/BOOTX64.EFI", None),
}
CLEAN = {  # eno1: a predictable name (slot-bound names are judged with a pair report only)
    "/etc/sysconfig/network-scripts/ifcfg-eno1": "DEVICE=eno1\nBOOTPROTO=dhcp\nONBOOT=yes\n",
    "/etc/NetworkManager/system-connections/mn.nmconnection":
        "[connection]\nid=mn\ninterface-name=eno1\ntype=ethernet\n\n[ethernet]\n"
        "cloned-mac-address=preserve\n\n[ipv4]\nmethod=auto\n",
    "/etc/netplan/01-mn.yaml":
        "network:\n  version: 2\n  ethernets:\n    eno1:\n      dhcp4: true\n",
    "/etc/systemd/network/10-mn.network": "[Match]\nName=eno1\n\n[Network]\nDHCP=yes\n",
    "/usr/lib/dracut/dracut.conf.d/01-dist.conf": 'hostonly="yes"\n',
    "/etc/dracut.conf.d/hamnhw.conf": 'hostonly="no"\n',
    "/etc/initramfs-tools/initramfs.conf": "MODULES=dep\n",
    "/etc/initramfs-tools/conf.d/hamnhw": "MODULES=most\n",
    "/etc/fstab": "UUID=1234 / ext4 defaults 0 1\n# /dev/disk/by-path/old /boot ext4\n",
    "/etc/default/grub": 'GRUB_CMDLINE_LINUX="root=UUID=1234 ro"\n',
    "/etc/crypttab": "cryptdata UUID=abcd none luks,discard\n"
                     "cryptlvm /dev/disk/by-id/dm-uuid-LVM-abc none luks\n",
    "/boot/efi/EFI/debian/grubx64.efi": "binary",
    "/boot/efi/EFI/BOOT/BOOTX64.EFI": "binary",
}


def make_root(base: Path, files: dict[str, str]) -> Path:
    """Write ``files`` under ``base`` and return it."""
    for name, content in files.items():
        path = base / name.lstrip("/")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    return base
