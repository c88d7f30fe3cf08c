#!/usr/bin/env bash
# Install the third-party BMC peers the test suite starts (it does not start them).
#
# usage: install_peers.sh [PEERS_DIR]      (default: <repo>/.peers)
#
#   apt (root only):  openipmi ipmitool python3-libvirt python3-venv openssl curl
#   PEERS_DIR/v-sushy      sushy-tools on python3              (sushy-emulator fake driver, sushy-static)
#   PEERS_DIR/v-sushy-lv   sushy-tools on /usr/bin/python3 with system site-packages (libvirt driver)
#   PEERS_DIR/v-pyghmi     pyghmi                              (runs hamnhw/sim/ipmi_bmc.py, the IPMI test BMC)
#   PEERS_DIR/promtool     Debian prometheus unpacked          (promtool check metrics)
#   PEERS_DIR/captures     sushy/sushy-oem-idrac/proliantutils json_samples (tests/vendors)
#
# Idempotent: apt runs only when a package is missing; a venv is rebuilt only when its
# requirement changed (stamp file) or it is broken.  Without root or apt-get the apt part is
# skipped with a message and the tests that need those packages skip saying why.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
PEERS=${1:-$REPO/.peers}
APT_PACKAGES=(openipmi ipmitool python3-libvirt python3-venv openssl curl)
SUSHY_REQ=sushy-tools==2.2.0
PYGHMI_REQ=pyghmi==1.6.19

log() { echo "peers-install: $*"; }

missing_apt_packages() {
    local pkg
    for pkg in "${APT_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || echo "$pkg"
    done
}

install_apt_packages() {
    if ! command -v apt-get >/dev/null || ! command -v dpkg-query >/dev/null; then
        log "SKIP apt packages (${APT_PACKAGES[*]}): no apt-get on this machine;" \
            "libvirt and IPMI peer tests will skip"
        return 0
    fi
    local missing
    missing=$(missing_apt_packages | tr '\n' ' ')
    if [ -z "${missing// /}" ]; then
        log "apt packages already installed"
        return 0
    fi
    if [ "$(id -u)" -ne 0 ]; then
        log "SKIP apt packages ($missing): not root; run 'sudo make peers-install' to get them;" \
            "libvirt and IPMI peer tests will skip"
        return 0
    fi
    log "apt-get install $missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    # shellcheck disable=SC2086  # word splitting of the package list is intended
    apt-get install -y -q --no-install-recommends $missing </dev/null
}

# make_venv DIR PYTHON REQUIREMENT [venv options...]
make_venv() {
    local dir=$1 python=$2 req=$3
    shift 3
    local stamp="$dir/.hamnhw-installed"
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$req $*" ] && "$dir/bin/python" -c '' 2>/dev/null; then
        log "$(basename "$dir") up to date ($req)"
        return 0
    fi
    if ! command -v "$python" >/dev/null; then
        log "SKIP $(basename "$dir"): $python not found"
        return 0
    fi
    log "creating $(basename "$dir") with $python: $req"
    rm -rf "$dir"
    "$python" -m venv "$@" "$dir"
    # this machine's pip config lists extra local indexes; drop pip's noise about missing ones
    "$dir/bin/pip" install -q "$req" 2> >(grep -v '^WARNING: Location' >&2)
    echo "$req $*" > "$stamp"
}

install_apt_packages
# DHCP servers and client for the network tests (services never started)
bash "$HERE/install_dhcp_peers.sh"
mkdir -p "$PEERS"
make_venv "$PEERS/v-sushy" python3 "$SUSHY_REQ"
if /usr/bin/python3 -c 'import libvirt' 2>/dev/null; then
    make_venv "$PEERS/v-sushy-lv" /usr/bin/python3 "$SUSHY_REQ" --system-site-packages
else
    log "SKIP v-sushy-lv: /usr/bin/python3 cannot import libvirt (Debian python3-libvirt missing);" \
        "libvirt peer tests will skip"
fi
make_venv "$PEERS/v-pyghmi" python3 "$PYGHMI_REQ"
# promtool (Debian prometheus, unpacked, never installed) for the exporter's exposition test
bash "$REPO/tests/monitor/install_promtool.sh" "$PEERS/promtool"
# published BMC captures (sushy, sushy-oem-idrac, proliantutils samples) for tests/vendors
bash "$REPO/tests/vendors/fetch_captures.sh" "$PEERS/captures" || \
    log "SKIP captures: download failed; the capture tests of tests/vendors will skip"
log "done: $PEERS"
