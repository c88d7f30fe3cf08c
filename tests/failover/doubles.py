"""A test double of the operator: moves the simulated drives when asked, types what it is
told to type, and records everything it was asked."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from hamnhw.failover.operator import AckRequest, SerialsRequest, WorkOrder


class OperatorDouble:
    """``mover(order)`` moves the drives (None: it never does); ``types`` are the phrases it
    types whenever asked for one of them; ``serials`` what it reads on the disks' labels
    (None: it reads nothing)."""

    interactive = True

    def __init__(self, mover: Callable[[WorkOrder], None] | None = None,
                 types: Iterable[str] = (), serials: Iterable[str] | None = None) -> None:
        self.mover = mover
        self.types = set(types)
        self.serials = None if serials is None else tuple(serials)
        self.orders: list[WorkOrder] = []
        self.asked: list[AckRequest | SerialsRequest] = []
        self.said: list[str] = []

    def identity(self) -> str:
        return "tester@test (double)"

    def say(self, text: str) -> None:
        self.said.append(text)

    def confirm_start(self, plan: str) -> bool:
        return True

    def move_disks(self, order: WorkOrder) -> bool:
        self.orders.append(order)
        if self.mover is None:
            return False
        self.mover(order)
        return True

    def acknowledge(self, request: AckRequest) -> bool:
        self.asked.append(request)
        return request.phrase in self.types

    def read_serials(self, request: SerialsRequest) -> tuple[str, ...] | None:
        self.asked.append(request)
        return self.serials

    def asked_for(self, kind: str) -> list[AckRequest | SerialsRequest]:
        """The requests of one kind (``cords_pulled``, ``serials``...) it was asked."""
        return [r for r in self.asked if r.kind == kind]
