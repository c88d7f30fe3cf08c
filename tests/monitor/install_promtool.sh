#!/usr/bin/env bash
# Unpack Debian's `prometheus` package (for its promtool) into a cache directory, without
# installing it: installing the package would start a Prometheus server.
#
# usage: install_promtool.sh CACHE_DIR      -> CACHE_DIR/usr/bin/promtool
#
# Idempotent: nothing is done when CACHE_DIR/usr/bin/promtool runs.  Uses `apt-get download`
# (as any user) and `dpkg-deb -x`; runs `apt-get update` first only when apt knows no
# `prometheus` package and we are root.  apt is serialised through /tmp/apt.lock.
set -euo pipefail

CACHE=${1:?usage: install_promtool.sh CACHE_DIR}
PROMTOOL="$CACHE/usr/bin/promtool"
log() { echo "promtool-install: $*"; }

if "$PROMTOOL" --version >/dev/null 2>&1; then
    log "up to date ($PROMTOOL)"
    exit 0
fi
if ! command -v apt-get >/dev/null || ! command -v dpkg-deb >/dev/null; then
    log "SKIP: no apt-get/dpkg-deb on this machine; the promtool test will fail saying so"
    exit 0
fi
locked() { if command -v flock >/dev/null; then flock /tmp/apt.lock "$@"; else "$@"; fi; }
if ! apt-cache show prometheus >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ]; then
        log "apt-get update (apt knows no prometheus package yet)"
        locked apt-get update -q >/dev/null
    fi
fi
work=$(mktemp -d)
chmod 755 "$work"   # apt-get download runs as _apt where it can
trap 'rm -rf "$work"' EXIT
log "apt-get download prometheus"
(cd "$work" && locked apt-get download -q prometheus >/dev/null)
deb=$(ls "$work"/prometheus_*.deb)
mkdir -p "$CACHE"
dpkg-deb -x "$deb" "$work/root"
mkdir -p "$CACHE/usr/bin"
cp "$work/root/usr/bin/promtool" "$PROMTOOL"
"$PROMTOOL" --version >/dev/null
log "done: $PROMTOOL"
