"""The idle-connection check of hamnhw.transport.reuse past 1024 descriptors: a fan-out
over many BMCs holds more sockets than ``select()`` can watch (FD_SETSIZE); an idle
connection there is judged as one below it (kept when open, dropped when the BMC closed
it), not taken for closed and replaced by a new connection (a TLS handshake) each time."""

from __future__ import annotations

import os
import resource
import socket
from collections.abc import Iterator

import pytest

from hamnhw.transport.reuse import dropped

PAST_FD_SETSIZE = 1100


@pytest.fixture
def high_pair() -> Iterator[tuple[socket.socket, socket.socket]]:
    """A connected socket pair whose descriptors are above FD_SETSIZE (1024)."""
    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < PAST_FD_SETSIZE + 16:
        pytest.skip(f"RLIMIT_NOFILE {soft}: too few descriptors for this test")
    filler = socket.socket()
    copies = []
    try:
        while not copies or copies[-1] < PAST_FD_SETSIZE:
            copies.append(os.dup(filler.fileno()))
        left, right = socket.socketpair()
        assert left.fileno() >= 1024
        try:
            yield left, right
        finally:
            left.close()
            right.close()
    finally:
        for fd in copies:
            os.close(fd)
        filler.close()


def test_an_open_idle_connection_past_fd_setsize_is_kept(high_pair) -> None:
    left, _right = high_pair
    assert not dropped(left)


def test_a_closed_idle_connection_past_fd_setsize_is_dropped(high_pair) -> None:
    left, right = high_pair
    right.close()
    assert dropped(left)


def test_stray_bytes_past_fd_setsize_drop_the_connection(high_pair) -> None:
    left, right = high_pair
    right.send(b"\r\n")
    assert dropped(left)
