"""IPMI peers on 127.0.0.1: OpenIPMI's ``ipmi_sim`` (Debian ``openipmi``) and hamnhw's
pyghmi-based test BMC (``hamnhw/sim/ipmi_bmc.py``, pyghmi's server-side ``Bmc`` class with
the SHA-1 workaround) run by the pyghmi venv of ``make peers-install``; and ``ipmitool``
(Debian) as the independent client that checks what hamnhw did.

Each peer gets a free UDP port and a fresh state directory, and is stopped by its PID.
Gotchas: ipmitool needs ``-C 3`` (cipher suite 3) against both; ipmi_sim persists users
under ``-s DIR`` (a fresh one each time), answers Set Power Restore Policy with 0xC1 and
reads boot flags back as invalid; pyghmi's ``Bmc.listen()`` never returns (SIGTERM it).
"""

from __future__ import annotations

import dataclasses
import select
import shutil
import socket
import subprocess
import time
from pathlib import Path

from peerdata import PASSWORD, USERNAME
from peerproc import LOOPBACK, PeerProcess, PeerStartError, child_env

PYGHMI_REQ = "pyghmi==1.6.19"
REPO = Path(__file__).resolve().parents[2]
PROJECT_BMC = REPO / "hamnhw" / "sim" / "ipmi_bmc.py"
"""hamnhw's pyghmi-based test BMC (standalone: stdlib and pyghmi only)."""
READY_SECONDS = 20.0
IPMI_SIM_MAC = "52:54:00:aa:bb:01"
PROJECT_BMC_MAC = "52:54:00:aa:bb:02"

# ipmi_sim's chassis_control helper: "<statedir> get|set ..." with the state in files.
CHASSIS_HELPER = r"""#!/bin/sh
dir=$1; shift; op=$1; shift
[ -f "$dir/power" ] || echo 0 > "$dir/power"
[ -f "$dir/boot" ] || echo default > "$dir/boot"
case $op in
  get) for p in "$@"; do case $p in
         power) echo "power:$(cat "$dir/power")" ;;
         boot) echo "boot:$(cat "$dir/boot")" ;;
         *) echo "Invalid parameter: $p"; exit 1 ;; esac; done ;;
  set) while [ $# -gt 0 ]; do p=$1; v=$2; shift 2; case $p in
         power) echo "$v" > "$dir/power" ;;
         shutdown) [ "$v" = 1 ] && echo 0 > "$dir/power" ;;
         reset) : ;;
         boot) echo "$v" > "$dir/boot" ;;
         identify) [ $# -gt 0 ] && shift ;;
         *) echo "Invalid parameter: $p"; exit 1 ;; esac; done ;;
  *) exit 1 ;;
esac
"""
# ipmi_sim's lan_config_program helper: a fixed BMC NIC.
LAN_HELPER = rf"""#!/bin/sh
dev=$1; shift; op=$1; shift
[ "$op" = get ] || exit 0
for p in "$@"; do case $p in
  ip_addr) v=127.0.0.1 ;; ip_addr_src) v=static ;; mac_addr) v={IPMI_SIM_MAC} ;;
  subnet_mask) v=255.0.0.0 ;; default_gw_ip_addr|backup_gw_ip_addr) v=0.0.0.0 ;;
  default_gw_mac_addr|backup_gw_mac_addr) v=00:00:00:00:00:00 ;;
  *) echo "Invalid parameter: $p"; exit 1 ;; esac; echo "$p:$v"; done
"""
EMU = """mc_setbmc 0x20
mc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02
sel_enable 0x20 50 0x0a
mc_enable 0x20
"""


@dataclasses.dataclass(frozen=True)
class IpmiPeer:
    """A started IPMI peer."""

    name: str
    process: PeerProcess
    port: int
    mac: str
    """The BMC NIC MAC it reports."""
    username: str = USERNAME
    password: str = PASSWORD

    @property
    def url(self) -> str:
        """``ipmi://127.0.0.1:PORT``."""
        return f"ipmi://{LOOPBACK}:{self.port}"

    def ipmitool(self, *args: str, password: str | None = None) -> subprocess.CompletedProcess[str]:
        """Run ``ipmitool -I lanplus -C 3`` against the peer (password through ``-E``)."""
        return ipmitool(self.port, *args, password=password or self.password)


def tools_missing() -> str | None:
    """Why the IPMI peers cannot run here, or None."""
    missing = [tool for tool in ("ipmi_sim", "ipmitool") if shutil.which(tool) is None]
    if missing:
        return (f"{', '.join(missing)} not installed (Debian openipmi, ipmitool): run "
                "`make peers-install` as root")
    return None


def free_udp_port() -> int:
    """A UDP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def ipmitool(port: int, *args: str, password: str = PASSWORD,
             timeout: float = 30.0) -> subprocess.CompletedProcess[str]:
    """``ipmitool -I lanplus -C 3 -H 127.0.0.1 -p PORT -U admin -E ARGS`` (one try, short
    timeout: the peers are local)."""
    env = {**child_env(), "IPMI_PASSWORD": password}
    argv = ["ipmitool", "-I", "lanplus", "-C", "3", "-N", "1", "-R", "2", "-H", LOOPBACK,
            "-p", str(port), "-U", USERNAME, "-E", *args]
    return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL, check=False)


def _spawn(name: str, argv: list[str], workdir: Path, stdin_text: str | None) -> PeerProcess:
    log_path = workdir / f"{name}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            argv, stdin=subprocess.PIPE if stdin_text is not None else subprocess.DEVNULL,
            stdout=log, stderr=subprocess.STDOUT, env=child_env(), start_new_session=True,
            cwd=workdir)
    if stdin_text is not None and process.stdin is not None:
        process.stdin.write(stdin_text.encode())
        process.stdin.close()
    (workdir / f"{name}.pid").write_text(f"{process.pid}\n")
    return PeerProcess(name, Path(argv[0]), process, log_path)


def wait_ipmi(peer: PeerProcess, port: int) -> None:
    """Wait until ``ipmitool chassis power status`` answers; stop the peer if it never does."""
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if peer.process.poll() is not None:
            break
        if ipmitool(port, "chassis", "power", "status", timeout=10).returncode == 0:
            return
        time.sleep(0.2)
    peer.stop()
    raise PeerStartError(f"{peer.name} did not answer IPMI on udp {port}:\n{peer.log_tail()}")


def start_ipmi_sim(workdir: Path) -> IpmiPeer:
    """OpenIPMI's simulator with admin/password on a free UDP port, power off."""
    (workdir / "state").mkdir(parents=True)
    (workdir / "persist").mkdir()
    chassis, lan = workdir / "chassis.sh", workdir / "lan.sh"
    chassis.write_text(CHASSIS_HELPER)
    lan.write_text(LAN_HELPER)
    for helper in (chassis, lan):
        helper.chmod(0o755)
    port = free_udp_port()
    config = workdir / "lan.conf"
    config.write_text(
        'name "hamnhwsim"\nset_working_mc 0x20\n  startlan 1\n'
        f"    addr {LOOPBACK} {port}\n    priv_limit admin\n"
        "    allowed_auths_callback none md2 md5 straight\n"
        "    allowed_auths_user none md2 md5 straight\n"
        "    allowed_auths_operator none md2 md5 straight\n"
        "    allowed_auths_admin none md2 md5 straight\n"
        "    guid a123456789abcdefa123456789abcdef\n"
        f'    lan_config_program "{lan} eth0"\n  endlan\n'
        f'  chassis_control "{chassis} {workdir / "state"}"\n'
        '  user 1 true  ""      "test"     user  10 none md2 md5 straight\n'
        f'  user 2 true  "{USERNAME}" "{PASSWORD}" admin 10 none md2 md5 straight\n')
    config.chmod(0o600)
    (workdir / "sim.emu").write_text(EMU)
    argv = [str(shutil.which("ipmi_sim")), "-c", str(config), "-f", str(workdir / "sim.emu"),
            "-s", str(workdir / "persist"), "-n"]
    process = _spawn("ipmi_sim", argv, workdir, None)
    wait_ipmi(process, port)
    return IpmiPeer("ipmi_sim", process, port, IPMI_SIM_MAC)


def start_project_bmc(python: Path, workdir: Path, *extra: str) -> IpmiPeer:
    """hamnhw's pyghmi test BMC under the peers' pyghmi venv, on a free UDP port.

    :param extra: more options (``--power-delay 8``, ``--restore-policy-mode ignore``).
    """
    workdir.mkdir(parents=True, exist_ok=True)
    argv = [str(python), str(PROJECT_BMC), "--port", "0", "--mac", PROJECT_BMC_MAC, *extra]
    process = _spawn("pyghmi-bmc", argv, workdir, f"{USERNAME}\t{PASSWORD}\n")
    port = _listening_port(process)
    wait_ipmi(process, port)
    return IpmiPeer("pyghmi-bmc", process, port, PROJECT_BMC_MAC)


def _listening_port(peer: PeerProcess) -> int:
    """The port from the BMC's "listening on 127.0.0.1:PORT/udp" line."""
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline and peer.process.poll() is None:
        for line in peer.log_path.read_text(errors="replace").splitlines():
            if line.startswith("listening on "):
                return int(line.rsplit(":", 1)[1].split("/")[0])
        select.select([], [], [], 0.1)
    peer.stop()
    raise PeerStartError(f"{peer.name} never said where it listens:\n{peer.log_tail()}")
