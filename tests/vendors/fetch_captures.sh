#!/usr/bin/env bash
# Fetch the BMC captures others published, which tests/vendors parse at test time.  They are
# never copied into the repository: the pinned wheels are downloaded (`pip download
# --no-deps`) into a cache directory and their json_samples unpacked there.
#
#   sushy==5.14.0           Dell iDRAC samples (sushy/tests/oem/dell/unit/json_samples)
#   sushy-oem-idrac==6.0.0  the same Dell samples as published by sushy-oem-idrac
#   proliantutils==2.16.3   HPE iLO 5 Smart Array samples (tests/redfish/json_samples)
#
# usage: fetch_captures.sh CACHE_DIR      (tests read $HAMNHW_CAPTURES, default .peers/captures)
# Idempotent: a stamp file records what was fetched.  On failure the tests skip, saying why.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
DEST=${1:-$REPO/.peers/captures}
PINS=(sushy==5.14.0 sushy-oem-idrac==6.0.0 proliantutils==2.16.3)
STAMP="$DEST/.fetched"
PY="$REPO/.venv/bin/python"
[ -x "$PY" ] || PY=python3

log() { echo "captures: $*"; }

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "${PINS[*]}" ]; then
    log "up to date in $DEST (${PINS[*]})"
    exit 0
fi
mkdir -p "$DEST/wheels"
log "pip download --no-deps ${PINS[*]}"
"$PY" -m pip download --no-deps --quiet --disable-pip-version-check -d "$DEST/wheels" \
    "${PINS[@]}" 2> >(grep -v '^WARNING: Location' >&2)
"$PY" - "$DEST" <<'PYEOF'
import pathlib, sys, zipfile
dest = pathlib.Path(sys.argv[1])
for wheel in sorted((dest / "wheels").glob("*.whl")):
    name = wheel.name.split("-")[0].lower().replace("_", "-")
    version = wheel.name.split("-")[1]
    target = dest / f"{name}-{version}"
    with zipfile.ZipFile(wheel) as archive:
        members = [m for m in archive.namelist()
                   if "/json_samples/" in m and m.endswith(".json")]
        archive.extractall(target, members)
    print(f"captures: {wheel.name}: {len(members)} samples in {target}")
PYEOF
echo "${PINS[*]}" > "$STAMP"
