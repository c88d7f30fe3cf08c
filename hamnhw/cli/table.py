"""The table of ``hamnhw`` subcommands: name, module, summary (as pip keeps its own).

``hamnhw --help`` is printed from this table alone, so it imports no command module;
a command's module is imported when the command runs.  Adding a command is adding a
row here and a module exposing a Click object named ``command``
(``tests/cli/test_command_table.py`` checks that every row's module exists and that its
summary matches the command's own help).
"""

from __future__ import annotations

from typing import NamedTuple


class CommandInfo(NamedTuple):
    """One subcommand."""

    name: str
    """What the user types."""
    module: str
    """Module exposing ``command``."""
    summary: str
    """One line for ``--help``."""


COMMANDS: tuple[CommandInfo, ...] = (
    CommandInfo("power", "hamnhw.cli.commands.power",
                "Read or change the host power state."),
    CommandInfo("boot", "hamnhw.cli.commands.boot",
                "Show or set where the host boots next: pxe, hdd, cd, usb, bios-setup, or none."),
    CommandInfo("restore-policy", "hamnhw.cli.commands.restore_policy",
                "Show or set what the host does when AC power returns: always-on, always-off, "
                "last-state."),
    CommandInfo("nics", "hamnhw.cli.commands.nics",
                "List the host's NIC ports with MACs, link and speed, and the BMC's NICs."),
    CommandInfo("inventory", "hamnhw.cli.commands.inventory",
                "Show system identity, BMC firmware, storage controllers, drives and volumes."),
    CommandInfo("raid", "hamnhw.cli.commands.raid",
                "Hardware RAID: show, create, delete, rebuild, spares, foreign import."),
    CommandInfo("pair", "hamnhw.cli.commands.pair",
                "The MN pair: snapshot, status and preflight check."),
    CommandInfo("dhcp", "hamnhw.cli.commands.dhcp",
                "DHCP reservations for both nodes' NICs (ISC, Kea, dnsmasq, xCAT)."),
    CommandInfo("lint-os", "hamnhw.cli.commands.lint_os",
                "Find OS settings that break when the disks boot in the other node."),
    CommandInfo("detect", "hamnhw.cli.commands.detect",
                "Print the driver chosen for NODE and the reason."),
    CommandInfo("sim", "hamnhw.cli.commands.sim",
                "Run simulated Redfish BMCs on 127.0.0.1 until SIGINT or SIGTERM."),
    CommandInfo("demo", "hamnhw.cli.commands.demo",
                "Run the main job on a simulated primary/standby pair."),
    CommandInfo("record", "hamnhw.cli.commands.record",
                "Record NODE's exchanges as scrubbed fixtures under OUT_DIR."),
    CommandInfo("failover", "hamnhw.cli.commands.failover",
                "Fail the MN over to the other node: fence, disk move, verified boot "
                "(docs/runbook.md)."),
    CommandInfo("drill", "hamnhw.cli.commands.drill",
                "The initial failover test: fail over, then back, with a pass/fail report."),
    CommandInfo("check", "hamnhw.cli.commands.check",
                "Health checks for Nagios/Icinga and scripts: RAID of nodes, the pair."),
    CommandInfo("exporter", "hamnhw.cli.commands.exporter",
                "Prometheus metrics of the nodes' BMCs (every node in the config by default)."),
    CommandInfo("events", "hamnhw.cli.commands.events",
                "Follow the BMCs' Redfish events: report RAID changes as they happen."),
)
"""Every built-in subcommand, in the order ``--help`` lists them."""

BY_NAME: dict[str, CommandInfo] = {info.name: info for info in COMMANDS}
"""The rows by command name."""
