"""The suite's loopback guard (tests/conftest.py) bites: nothing leaves the machine."""

import socket

import pytest


def test_name_lookup_off_loopback_is_refused():
    with pytest.raises(AssertionError, match="tests stay on loopback"):
        socket.getaddrinfo("bmc.example.invalid", 443)


def test_connect_off_loopback_is_refused_before_any_packet():
    with socket.socket() as sock, pytest.raises(AssertionError, match="tests stay on loopback"):
        sock.connect(("192.0.2.10", 443))


def test_loopback_is_allowed():
    assert socket.getaddrinfo("127.0.0.1", 80)
    assert socket.getaddrinfo("localhost", 80)
