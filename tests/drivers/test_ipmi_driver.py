"""The IPMI driver over a stateful fake BMC: power rules (off read twice, refusals, lost
replies, cycle as off then on, soft-off escalation), restore policy and boot flags with read-back,
identify, BMC LAN channels, FRU host MACs and notes, inventory, RAID refused."""

from __future__ import annotations

import pytest
from ipmi_fake_bmc import MAC, FakeBmc, connect_fake
from pyghmi.exceptions import IpmiException

from hamnhw.errors import (
    BmcUnreachable,
    ConfigError,
    ConnectionDropped,
    OperationFailed,
    PowerStateTimeout,
    UnsupportedOperation,
)
from hamnhw.models import (
    BootOverrideMode,
    BootSource,
    LinkStatus,
    PowerRestorePolicy,
    PowerState,
)
from hamnhw.sim.clock import ManualClock
from hamnhw.transport.ipmi_errors import IpmiCommandError

LOST = {"netfn": 1, "command": 2, "code": 0xFFFF, "data": bytearray(), "error": "timeout"}


# -- power -------------------------------------------------------------------------------

def test_off_when_off_reads_twice_and_sends_nothing() -> None:
    bmc = FakeBmc(power="off")
    result = connect_fake(bmc).power.off()
    assert (result.power_state, result.changed, result.protocol) == (PowerState.OFF, False,
                                                                     "ipmi")
    assert bmc.controls == []


def test_off_is_believed_only_after_two_off_reads() -> None:
    bmc = FakeBmc(power="on", script=["on", "off", "on", "off", "off"])
    clock = ManualClock()
    result = connect_fake(bmc, clock).power.off()
    assert (result.power_state, result.changed, result.confirmed) == (PowerState.OFF, True,
                                                                     True)
    assert bmc.controls == [0]
    assert not bmc.script  # it read through the flapping off/on before believing off


def test_a_single_off_read_before_on_again_is_not_off() -> None:
    bmc = FakeBmc(power="on", script=["on"] + ["off", "on"] * 20)
    with pytest.raises(PowerStateTimeout, match="power state off not confirmed"):
        connect_fake(bmc, timeout=10).power.off()


def test_on_with_delay_waits_and_no_wait_is_unconfirmed() -> None:
    bmc = FakeBmc(power="off", delay_reads=3)
    node = connect_fake(bmc)
    assert node.power.on().power_state is PowerState.ON
    unconfirmed = node.power.off(wait=False)
    assert (unconfirmed.power_state, unconfirmed.changed, unconfirmed.confirmed) == (
        PowerState.ON, True, False)  # read once, before the change took effect
    assert unconfirmed.unconfirmed_reason == "no-wait"  # as the Redfish path says
    assert node.power.off().power_state is PowerState.OFF


def test_change_slower_than_the_timeout_is_a_power_state_timeout() -> None:
    bmc = FakeBmc(power="off", delay_reads=1000)
    with pytest.raises(PowerStateTimeout, match="last read: off"):
        connect_fake(bmc, timeout=5).power.on()


def test_refusal_when_already_there_is_unchanged() -> None:
    bmc = FakeBmc(power="off", script=["on", "off", "off"],
                  faults={(0x00, 0x02): [{"code": 0xD5, "error": "not in present state"}]})
    result = connect_fake(bmc).power.off()
    assert (result.power_state, result.changed) == (PowerState.OFF, False)
    assert not bmc.script  # both off reads were taken


def test_refusal_then_a_single_off_read_is_not_off() -> None:
    """Review 9-14 item 10: after a refused power down, off is believed only after two off
    reads, as after any power down; one off read followed by on is the refusal it was."""
    bmc = FakeBmc(power="on", script=["on", "off", "on"],
                  faults={(0x00, 0x02): [{"code": 0xD5, "error": "not in present state"}]})
    with pytest.raises(IpmiCommandError) as refused:
        connect_fake(bmc).power.off()
    assert refused.value.code == 0xD5


def test_lost_reply_counts_as_sent_only_when_the_node_shows_it() -> None:
    done = FakeBmc(power="on", script=["on", "off", "off", "off"],
                   faults={(0x00, 0x02): [LOST]})
    assert connect_fake(done).power.off().power_state is PowerState.OFF
    not_done = FakeBmc(power="on", faults={(0x00, 0x02): [LOST]})
    with pytest.raises(ConnectionDropped, match="not re-sent"):
        connect_fake(not_done).power.off()
    assert not_done.power == "on"


def test_cycle_is_refused_when_off_and_made_of_off_then_on_each_confirmed() -> None:
    """Review 7, item 7: IPMI shows no reset, so a cycle is a power down confirmed by two off
    reads, then a power up confirmed on (``off-on``), never a power cycle control."""
    with pytest.raises(OperationFailed, match="node is off"):
        connect_fake(FakeBmc(power="off")).power.cycle()
    bmc = FakeBmc(power="on", delay_reads=2)
    result = connect_fake(bmc).power.cycle()
    assert (result.power_state, result.changed, result.confirmed, result.method,
            result.protocol) == (PowerState.ON, True, True, "off-on", "ipmi")
    assert bmc.controls == [0, 1]  # power down, then power up: no power cycle (2)


def test_cycle_whose_node_reads_on_throughout_fails_and_sends_no_power_up() -> None:
    """The node ignores the power down (reads on throughout): the cycle is a timeout (exit
    1), not an unconfirmed success, and no power up is sent."""
    bmc = FakeBmc(power="on", script=["on"] * 100, faults={(0x00, 0x02): [
        {"code": 0, "data": bytearray()}]})
    with pytest.raises(PowerStateTimeout, match="power state off not confirmed"):
        connect_fake(bmc, timeout=5).power.cycle()
    assert bmc.controls == []  # the power down was "accepted" and ignored (a fault)


def test_cycle_off_and_never_on_again_times_out() -> None:
    bmc = FakeBmc(power="on", script=["on", "on"] + ["off"] * 200)  # power up ignored
    with pytest.raises(PowerStateTimeout, match="power state on not confirmed"):
        connect_fake(bmc, timeout=10).power.cycle()
    assert bmc.controls == [0, 1]


def test_cycle_without_wait_confirms_the_off_and_not_the_on() -> None:
    bmc = FakeBmc(power="on")
    result = connect_fake(bmc).power.cycle(wait=False)
    assert (result.changed, result.confirmed, result.unconfirmed_reason, result.method) == (
        True, False, "no-wait", "off-on")
    assert bmc.controls == [0, 1]


def test_soft_off_escalates_to_power_down() -> None:
    bmc = FakeBmc(power="on", faults={(0x00, 0x02): [{"code": 0, "data": bytearray()}]})
    result = connect_fake(bmc, timeout=20).power.soft_off(escalate_after=5)
    assert (result.power_state, result.changed) == (PowerState.OFF, True)
    assert bmc.controls == [0]  # the soft shutdown was "accepted" and ignored (a fault)


def test_soft_off_escalation_must_be_shorter_than_the_timeout() -> None:
    with pytest.raises(ConfigError, match="escalate_after"):
        connect_fake(FakeBmc(power="on"), timeout=5).power.soft_off(escalate_after=5)


# -- restore policy, boot, identify ------------------------------------------------------

def test_restore_policy_set_and_read_back() -> None:
    bmc = FakeBmc()
    power = connect_fake(bmc).power
    assert power.set_restore_policy(PowerRestorePolicy.LAST_STATE) is (
        PowerRestorePolicy.LAST_STATE)
    assert bmc.restore == 1
    assert power.get_restore_policy() is PowerRestorePolicy.LAST_STATE


def test_restore_policy_accepted_not_applied_fails() -> None:
    with pytest.raises(OperationFailed, match="set to AlwaysOn but reads back AlwaysOff"):
        connect_fake(FakeBmc(restore_mode="ignore")).power.set_restore_policy(
            PowerRestorePolicy.ALWAYS_ON)


def test_restore_policy_unsupported_and_unknown() -> None:
    with pytest.raises(UnsupportedOperation, match="Set Power Restore Policy"):
        connect_fake(FakeBmc(restore_mode="unsupported")).power.set_restore_policy(
            PowerRestorePolicy.ALWAYS_ON)
    with pytest.raises(UnsupportedOperation, match="unknown"):
        connect_fake(FakeBmc(restore=3)).power.get_restore_policy()


@pytest.mark.parametrize(("flags_now", "expected_data1"), [(0xA0, 0xA0), (0x80, 0x80)])
def test_boot_override_keeps_the_mode_of_valid_flags(flags_now: int, expected_data1: int) -> None:
    bmc = FakeBmc(boot=[flags_now, 0x08, 0, 0, 0])
    override = connect_fake(bmc).management.set_boot_override(BootSource.PXE)
    assert (override.target, override.mode) == (BootSource.PXE, BootOverrideMode.ONCE)
    assert bmc.boot[:2] == [expected_data1, 0x04]


@pytest.mark.parametrize("stale_bit", [0x00, 0x20])
def test_invalid_flags_without_a_configured_mode_are_refused_sending_nothing(
        stale_bit: int) -> None:
    """Review 9-14 item 1: the UEFI bit of invalid flags means nothing (a fresh BMC's are
    all zero): no legacy guess, no set."""
    bmc = FakeBmc(boot=[stale_bit, 0, 0, 0, 0])
    with pytest.raises(ConfigError, match='boot_mode = "UEFI" or "Legacy"'):
        connect_fake(bmc).management.set_boot_override(BootSource.HDD)
    assert bmc.boot == [stale_bit, 0, 0, 0, 0]


@pytest.mark.parametrize(("configured", "flags_now", "expected_data1"),
                         [("UEFI", 0x00, 0xA0), ("Legacy", 0x20, 0x80), ("UEFI", 0x80, 0xA0)])
def test_the_configured_boot_mode_is_used(configured: str, flags_now: int,
                                          expected_data1: int) -> None:
    bmc = FakeBmc(boot=[flags_now, 0x08, 0, 0, 0])
    node = connect_fake(bmc, boot_mode=configured)
    assert node.management.set_boot_override(BootSource.HDD).target is BootSource.HDD
    assert bmc.boot[:2] == [expected_data1, 0x08]


def test_boot_override_persistent_disk_and_bios_and_clear() -> None:
    bmc = FakeBmc()
    management = connect_fake(bmc, boot_mode="UEFI").management
    disk = management.set_boot_override(BootSource.HDD, persistent=True)
    assert (disk.target, disk.mode) == (BootSource.HDD, BootOverrideMode.CONTINUOUS)
    assert bmc.boot[:2] == [0xE0, 0x08]
    assert management.set_boot_override(BootSource.BIOS_SETUP).target is BootSource.BIOS_SETUP
    assert management.set_boot_override(BootSource.PXE, uefi=False).target is BootSource.PXE
    assert bmc.boot[0] == 0x80
    cleared = management.set_boot_override(BootSource.NONE)
    assert cleared.mode is BootOverrideMode.DISABLED


def test_clearing_the_override_needs_no_mode() -> None:
    bmc = FakeBmc(boot=[0xA0, 0x04, 0, 0, 0])
    assert connect_fake(bmc).management.set_boot_override(BootSource.NONE).mode is (
        BootOverrideMode.DISABLED)
    assert bmc.boot[0] & 0x80 == 0


def test_boot_override_read_back_mismatch_fails() -> None:
    with pytest.raises(OperationFailed, match="reads back no override"):
        connect_fake(FakeBmc(boot_apply=False), boot_mode="UEFI").management.set_boot_override(
            BootSource.PXE)


def test_boot_flags_marked_invalid_are_no_override() -> None:
    bmc = FakeBmc(boot=[0xA0, 0x04, 0, 0, 0])
    bmc.faults[(0x00, 0x09)] = [{"code": 0, "data": bytearray([1, 0x85, 0xA0, 0x04, 0, 0, 0])}]
    assert connect_fake(bmc).management.get_boot_override().mode is BootOverrideMode.DISABLED


def test_boot_marks_power_and_uefi_mode_only_from_valid_flags() -> None:
    marks = connect_fake(FakeBmc(power="on", boot=[0xA0, 4, 0, 0, 0])).management.boot_marks()
    assert (marks.power_state, marks.boot_mode, marks.boot_stage, marks.last_reset_time) == (
        PowerState.ON, "UEFI", None, None)
    legacy = connect_fake(FakeBmc(boot=[0x80, 4, 0, 0, 0])).management.boot_marks()
    assert (legacy.power_state, legacy.boot_mode) == (PowerState.OFF, None)
    stale = connect_fake(FakeBmc(boot=[0x20, 0, 0, 0, 0])).management.boot_marks()
    assert stale.boot_mode is None


def test_identify_on_off_read_back() -> None:
    bmc = FakeBmc()
    management = connect_fake(bmc).management
    assert management.set_identify(True) is True and bmc.identify
    assert management.get_identify() is True
    assert management.set_identify(False) is False


# -- NICs, inventory, RAID ---------------------------------------------------------------

def test_bmc_lan_per_channel_and_bmc_nic() -> None:
    bmc = FakeBmc()
    bmc.lan[3] = {5: bytes(6), 3: bytes(4), 4: b"\x01"}  # all-zero MAC: none usable
    nics = connect_fake(bmc).nics
    lan1, lan3 = nics.bmc_lan()
    assert (lan1.channel, lan1.mac, lan1.ip_source, lan1.ip, lan1.netmask, lan1.gateway,
            lan1.vlan) == (1, MAC, "dhcp", "10.0.0.5", "255.255.255.0", "10.0.0.1", 100)
    assert (lan3.channel, lan3.mac, lan3.netmask, lan3.vlan) == (3, None, None, None)
    [nic1, nic3] = nics.bmc_nics()
    assert (nic1.id, nic1.mac, nic1.link) == ("lan1", MAC, LinkStatus.UNKNOWN)
    assert "VLAN 100" in (nic1.name or "")
    assert nic3.mac is None


def test_host_nics_from_fru_records() -> None:
    bmc = FakeBmc(inventory=[
        ("System", {"Manufacturer": "Contoso", "MAC Address 1": b"00:1a:2b:3c:4d:5e",
                    "MAC Address 2": "00:1A:2B:3C:4D:5F", "Serial Number": "SN1"}),
        ("Riser", {"board_extra": ["MAC: 00-1a-2b-3c-4d-60", "rev B", "001a2b3c4d5e"]}),
        ("PSU", {"product_extra": ["00:1a:2b:3c:4d:5e"]}),  # the same MAC once only
    ])
    node = connect_fake(bmc)
    macs = [nic.mac for nic in node.nics.list() or ()]
    assert macs == ["00:1a:2b:3c:4d:5e", "00:1a:2b:3c:4d:5f", "00:1a:2b:3c:4d:60"]
    assert node.nics.notes() == ()


@pytest.mark.parametrize("inventory", [
    [("System", {"Manufacturer": "Contoso", "Serial Number": "SN1"})],
    [IpmiException("Invalid command", 0xC1)],
])
def test_no_fru_mac_means_unknown_with_a_note(inventory: list[object]) -> None:
    node = connect_fake(FakeBmc(inventory=inventory))
    assert node.nics.list() is None
    [note] = node.nics.notes()
    assert "host NICs: IPMI cannot tell" in note and "redfish://" in note


def test_losing_the_bmc_during_the_fru_read_raises() -> None:
    node = connect_fake(FakeBmc(inventory=[IpmiException("Session no longer connected")]))
    with pytest.raises(BmcUnreachable):
        node.nics.list()


def test_inventory_from_fru_and_device_id_storage_unknown_with_notes() -> None:
    bmc = FakeBmc(power="on", inventory=[
        ("System", {"Manufacturer": "", "Product name": "PowerEdge R640",
                    "Chassis serial number": "CH123", "UUID": "4c4c4544-0000-1111"})])
    node = connect_fake(bmc)
    inventory = node.inventory.inventory()
    system, manager = inventory.system, inventory.manager
    assert (system.manufacturer, system.model, system.serial, system.uuid) == (
        "Dell", "PowerEdge R640", "CH123", "4c4c4544-0000-1111")
    assert system.power_state is PowerState.ON
    assert manager is not None
    assert (manager.model, manager.firmware) == ("Dell BMC (product 0x0100)", "2.15")
    assert (inventory.controllers, inventory.drives, inventory.volumes) == (None, None, None)
    assert any("drives" in note and "redfish://" in note for note in node.inventory.notes())


def test_raid_and_drive_serials_are_refused_naming_redfish() -> None:
    node = connect_fake(FakeBmc())
    raid = node.raid
    for call in (raid.volumes, raid.drives, raid.storage, raid.status, raid.foreign,
                 raid.import_foreign, raid.foreign_import_state, raid.plan_import_foreign,
                 lambda: raid.plan_delete("V1"), lambda: raid.rebuild_job("V1"),
                 lambda: raid.plan_rebuild("V1", "D1", "S1"), lambda: raid.plan_spare("D1")):
        # every plan_* too: each write's --dry-run meets the write's own refusal
        with pytest.raises(UnsupportedOperation, match=r"IPMI has no RAID.*redfish://HOST"):
            call()


def test_placeholder_fru_identity_gives_way_to_real_fields_or_is_unknown() -> None:
    """Placeholders are unknown over IPMI too (hamnhw.placeholders, shared by all drivers): a
    placeholder product serial gives way to the board serial; an all-zero UUID is None."""
    bmc = FakeBmc(inventory=[("System", {
        "Serial Number": "To Be Filled By O.E.M.", "Board serial number": "ABC123",
        "UUID": "00000000-0000-0000-0000-000000000000", "Product name": "Default string"})])
    system = connect_fake(bmc).inventory.system()
    assert (system.serial, system.uuid, system.model) == ("ABC123", None, None)
    assert system.placeholders == {"uuid": "00000000-0000-0000-0000-000000000000"}

    only = FakeBmc(inventory=[("System", {"Serial Number": "To Be Filled By O.E.M."})])
    system = connect_fake(only).inventory.system()
    assert (system.serial, system.placeholders) == (None, {"serial": "To Be Filled By O.E.M."})


def test_every_fru_serial_is_kept_by_its_ipmitool_name_placeholders_left_out() -> None:
    """One machine's FRU serials may differ (an Intel board's product serial is not its
    board serial): the old-node guard compares them all, so ``serials`` keeps each."""
    bmc = FakeBmc(inventory=[("System", {
        "Serial Number": "BQWT80400118", "Chassis serial number": "To Be Filled By O.E.M.",
        "Board serial number": "BQWF80100215"})])
    system = connect_fake(bmc).inventory.system()
    assert system.serial == "BQWT80400118"
    assert dict(system.serials) == {"FRU Product Serial": "BQWT80400118",
                                    "FRU Board Serial": "BQWF80100215"}
    none = connect_fake(FakeBmc(inventory=[("System", {"Product name": "X"})])).inventory
    assert (none.system().serial, dict(none.system().serials)) == (None, {})
