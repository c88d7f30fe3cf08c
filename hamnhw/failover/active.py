"""Which node is the active MN when the journal does not say (first use, lost journal).

Worked out from live state: powered on, holding the snapshot's RAID1 serials, and answering
``mn_addresses`` where configured; exactly one node must qualify, and the operator confirms
it by typing ``<name> is the active MN`` (journaled with who and when).
"""

from __future__ import annotations

from collections.abc import Callable

from hamnhw.config import Config
from hamnhw.errors import HamnhwError, OperationFailed
from hamnhw.failover.bmcanswer import answers, did, remedy
from hamnhw.failover.journal import Journal
from hamnhw.failover.operator import AckRequest, Operator
from hamnhw.failover.probes import answering
from hamnhw.models import PowerState
from hamnhw.pair import PAIR_NODES, connect_node
from hamnhw.pair.snapshot import PairSnapshot
from hamnhw.poll import PollPolicy


class ActiveNodeUnknown(OperationFailed):
    """No single node qualifies as the active MN, or the operator did not confirm it.

    :param needs: the phrase that confirms the candidate, when there is one.
    """

    def __init__(self, message: str, needs: AckRequest | None = None) -> None:
        super().__init__(message)
        self.needs = needs


def candidates(config: Config, snapshot: PairSnapshot, poll: PollPolicy,
               prompt: Callable[[str], str] | None = None) -> dict[str, str]:
    """Every pair node with why it is, or is not, the active MN (``"yes"`` when it is)."""
    serials = set(snapshot.mn_serials())
    settings = config.failover
    mn_live = (answering(settings.mn_addresses, settings.probe_timeout)
               if settings.mn_addresses else None)
    verdicts = {}
    for name in PAIR_NODES:
        try:
            with connect_node(config, name, poll=poll, prompt=prompt) as node:
                state = node.power.state()
                drives = node.raid.storage().drives or ()
        except HamnhwError as exc:
            verdicts[name] = (f"BMC does not answer ({exc})" if not answers(exc) else
                              f"BMC {did(exc)} ({exc}): {remedy(name, exc, config)}")
            continue
        held = serials & {d.serial for d in drives if d.serial}
        if state is not PowerState.ON:
            verdicts[name] = f"power {state.value}"
        elif not held:
            verdicts[name] = "does not hold the MN drives"
        elif mn_live is not None and not mn_live:
            verdicts[name] = "on with the MN drives, but no MN address answers"
        else:
            verdicts[name] = "yes"
    return verdicts


def determine_active(config: Config, journal: Journal, snapshot: PairSnapshot,
                     operator: Operator, poll: PollPolicy,
                     prompt: Callable[[str], str] | None = None) -> str:
    """The active node from live state, confirmed by the operator, then journaled.

    :raises ActiveNodeUnknown: none or both qualify, or no confirmation was typed.
    """
    verdicts = candidates(config, snapshot, poll, prompt)
    found = [name for name, verdict in verdicts.items() if verdict == "yes"]
    described = "; ".join(f"{n}: {v}" for n, v in verdicts.items())
    if len(found) != 1:
        raise ActiveNodeUnknown(f"the journal records no active node and live state does not "
                                f"tell which one it is ({described})")
    request = AckRequest("active_node", f"{found[0]} is the active MN",
                         f"the journal records no active node; live state says {found[0]} "
                         f"({described}): confirm by typing '{found[0]} is the active MN' "
                         "(--acknowledge on the command line)", "active_node")
    given = request.phrase in (getattr(operator, "acknowledgements", ()) or ())
    if not (given or operator.acknowledge(request)):
        raise ActiveNodeUnknown(request.reason, needs=request)
    journal.set_active_node(found[0], f"live state, confirmed by {operator.identity()}")
    journal.event(None, "ack", f"{request.phrase!r} typed by {operator.identity()}",
                  {"phrase": request.phrase, "kind": request.kind, "who": operator.identity()})
    return found[0]
