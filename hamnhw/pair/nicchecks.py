"""The NIC parity checks of ``pair check``, judged from the NIC map.

==============  ======  ==================================================================
check           worst   when
==============  ======  ==================================================================
``nic_count``   fail    a NIC of one node has no counterpart on the other
``nic_speed``   warn    a pair negotiates different speeds (a slower NIC works, slower)
``nic_order``   warn    a pair sits at a different PCI location, or at a different place in
                        the BMC's listing: names bound to the slot or probe order may
                        change after the move (``hamnhw lint-os --pair-report``); or a pair
                        was matched by listing order only (a guess to verify at the rack)
``nic_link``    warn    link differs while both hosts are powered alike (unknown otherwise,
                        and unknown when a BMC does not tell a paired NIC's link)
``nic_mac``     warn    a NIC shows no usable MAC (DHCP cannot reserve for it), or the
                        same MAC as its counterpart
==============  ======  ==================================================================
"""

from __future__ import annotations

from collections.abc import Sequence

from hamnhw.models import LinkStatus, PowerState
from hamnhw.pair.nicmap import NicPair
from hamnhw.pair.nodefacts import NodeFacts
from hamnhw.pair.results import CheckResult, Status, result


def _label(pair: NicPair) -> str:
    return f"{pair.primary.id if pair.primary else '-'}/{pair.standby.id if pair.standby else '-'}"


def _with(pairs: Sequence[NicPair], prefix: str) -> dict[str, list[str]]:
    """Pairs having an issue starting with ``prefix``, with those issues."""
    found: dict[str, list[str]] = {}
    for pair in pairs:
        hits = [i for i in pair.issues if i.startswith(prefix)]
        if hits:
            found[_label(pair)] = hits
    return found


def check_count(pairs: Sequence[NicPair]) -> CheckResult:
    """Every NIC has a counterpart."""
    primary = sum(1 for p in pairs if p.primary)
    standby = sum(1 for p in pairs if p.standby)
    missing = _with(pairs, "missing")
    if missing:
        return result("nic_count", Status.FAIL,
                      f"NIC count differs ({primary} vs {standby}): "
                      + "; ".join(f"{k} {v[0]}" for k, v in missing.items()),
                      primary=primary, standby=standby, unmatched=missing)
    return result("nic_count", Status.PASS, f"{primary} NICs on each node, all paired",
                  primary=primary, standby=standby)


def check_speed(pairs: Sequence[NicPair]) -> CheckResult:
    """Each pair negotiates the same speed."""
    differ = _with(pairs, "speed")
    speeds = {_label(p): [p.primary.speed_mbps if p.primary else None,
                          p.standby.speed_mbps if p.standby else None]
              for p in pairs if p.primary and p.standby}
    if differ:
        return result("nic_speed", Status.WARN,
                      "; ".join(f"{k}: {v[0]}" for k, v in differ.items()), speeds_mbps=speeds)
    if any(None in v for v in speeds.values()):
        return result("nic_speed", Status.UNKNOWN, "a BMC does not tell a NIC's speed",
                      speeds_mbps=speeds)
    return result("nic_speed", Status.PASS, "paired NICs at the same speed", speeds_mbps=speeds)


def check_order(pairs: Sequence[NicPair]) -> CheckResult:
    """Each pair sits at the same location and place in the listing, and was paired by
    something the BMCs show (location, Redfish Id): a pair matched by listing order alone is
    a guess to verify (warn)."""
    moved = {**_with(pairs, "location"), **_with(pairs, "listed")}
    methods = {_label(p): p.matched_by for p in pairs if p.matched_by}
    guessed = [label for label, method in methods.items() if method == "order"]
    parts = []
    if moved:
        parts.append("NIC order differs between the nodes ("
                     + "; ".join(f"{k}: {', '.join(v)}" for k, v in moved.items())
                     + "): interface names tied to PCI slot or probe order may change after "
                       "the move; run `hamnhw lint-os --pair-report`")
    if guessed:
        parts.append(f"{', '.join(guessed)} paired by listing order only (no location or "
                     "Redfish Id in common): the map is a guess; confirm on the standby "
                     "which port has each row's standby MAC (link LEDs, `ethtool -p <if>`, the "
                     "switch's MAC table) and cable it to that row's primary NIC's network")
    if parts:
        return result("nic_order", Status.WARN, "; ".join(parts), differences=moved,
                      matched_by=methods, by_order=guessed)
    return result("nic_order", Status.PASS, "NICs in the same order on both nodes",
                  matched_by=methods)


def check_link(pairs: Sequence[NicPair], primary: NodeFacts, standby: NodeFacts) -> CheckResult:
    """Link state compared only when both hosts are powered alike."""
    powers = {primary.name: primary.power_state.value, standby.name: standby.power_state.value}
    if primary.power_state is not standby.power_state or primary.power_state is \
            PowerState.UNKNOWN:
        return result("nic_link", Status.UNKNOWN,
                      "hosts not powered alike: link state not comparable", power=powers)
    differ = _with(pairs, "link")
    if differ:
        return result("nic_link", Status.WARN,
                      "; ".join(f"{k}: {v[0]}" for k, v in differ.items()), power=powers,
                      differences=differ)
    untold = [_label(p) for p in pairs if p.primary and p.standby
              and LinkStatus.UNKNOWN in (p.primary.link, p.standby.link)]
    if untold:
        return result("nic_link", Status.UNKNOWN,
                      f"a BMC does not tell the link of {', '.join(untold)}", power=powers,
                      unknown=untold)
    return result("nic_link", Status.PASS, "same link state on paired NICs", power=powers)


def check_macs(pairs: Sequence[NicPair]) -> CheckResult:
    """Every paired NIC has a usable MAC of its own."""
    missing = _with(pairs, "no usable MAC")
    shared = _with(pairs, "same MAC")
    if missing or shared:
        parts = ([f"no usable MAC for {', '.join(missing)}: no DHCP reservation can be "
                  "rendered for it"] if missing else [])
        parts += [f"{k}: {v[0]}" for k, v in shared.items()]
        return result("nic_mac", Status.WARN, "; ".join(parts), missing=missing,
                      shared=shared)
    return result("nic_mac", Status.PASS, "every paired NIC shows a MAC of its own")


def judge_nics(pairs: Sequence[NicPair], primary: NodeFacts,
               standby: NodeFacts) -> list[CheckResult]:
    """All NIC checks from one NIC map; with no NIC paired, the checks comparing pairs are
    unknown (nothing compared), not passed."""
    compared = [check_speed(pairs), check_order(pairs), check_link(pairs, primary, standby),
                check_macs(pairs)]
    if not any(p.primary and p.standby for p in pairs):
        compared = [result(c.name, Status.UNKNOWN, "no NIC paired (see nic_count): nothing "
                           "to compare") for c in compared]
    return [check_count(pairs), *compared]
