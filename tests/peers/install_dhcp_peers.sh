#!/usr/bin/env bash
# Install the DHCP servers and client the network tests use, from Debian, WITHOUT starting
# their services: the tests run their own checkers (`dhcpd -t`, `kea-dhcp4 -t`,
# `dnsmasq --test`) and start dnsmasq, Kea and busybox udhcpc inside network namespaces they
# create, stopping them by PID.  A distribution service bound to the host's interfaces would
# be a DHCP server on a real network: never wanted here.
#
# usage: install_dhcp_peers.sh        (called by install_peers.sh; idempotent)
#
#   isc-dhcp-server   dhcpd -t -cf FILE (syntax check of the ISC render)
#   kea-dhcp4-server  kea-dhcp4 -t FILE, and the server with the lease_cmds hook
#   dnsmasq           dnsmasq --test -C FILE, and the server
#   busybox           udhcpc (a DHCP client with a settable MAC and client id)
#   iproute2          ip netns / veth for the namespace proof
#   socat             sends the rendered lease4-del commands to Kea's control socket
#   openssh-server    sshd, which the failover's SSH host-key test starts on 127.0.0.1 with a
#                     key it generates (never the distribution's service either)
#
# Without root or apt-get it says so and returns 0: the tests needing these fail naming the
# missing program (or skip with HAMNHW_SKIP_NETNS=1 for the namespace proof).
set -euo pipefail

DHCP_PACKAGES=(isc-dhcp-server kea-dhcp4-server dnsmasq busybox iproute2 socat openssh-server)

log() { echo "peers-install: $*"; }

missing_dhcp_packages() {
    local pkg
    for pkg in "${DHCP_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || echo "$pkg"
    done
}

if ! command -v apt-get >/dev/null || ! command -v dpkg-query >/dev/null; then
    log "SKIP DHCP packages (${DHCP_PACKAGES[*]}): no apt-get on this machine"
    exit 0
fi
missing=$(missing_dhcp_packages | tr '\n' ' ')
if [ -z "${missing// /}" ]; then
    log "DHCP packages already installed"
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    log "SKIP DHCP packages ($missing): not root; run 'sudo make peers-install'"
    exit 0
fi

# policy-rc.d exiting 101 tells invoke-rc.d "action forbidden": the packages install but no
# service starts (Debian policy 9.3.3.1).  One already there is set aside and put back after.
POLICY=/usr/sbin/policy-rc.d
SAVED=$(mktemp)
had_policy=0
if [ -e "$POLICY" ]; then
    cp -p "$POLICY" "$SAVED"
    had_policy=1
fi
restore_policy() {
    if [ "$had_policy" = 1 ]; then cp -p "$SAVED" "$POLICY"; else rm -f "$POLICY"; fi
    rm -f "$SAVED"
}
trap restore_policy EXIT
printf '#!/bin/sh\n# hamnhw install_dhcp_peers.sh: no service starts during install\nexit 101\n' \
    > "$POLICY"
chmod 0755 "$POLICY"

log "apt-get install $missing (services not started: $POLICY exits 101)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086  # word splitting of the package list is intended
apt-get install -y -q --no-install-recommends $missing </dev/null
# On a systemd machine the units were enabled (not started): keep them from coming up at the
# next boot.
if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
    systemctl disable isc-dhcp-server kea-dhcp4-server dnsmasq ssh >/dev/null 2>&1 || true
fi
log "DHCP packages installed"
