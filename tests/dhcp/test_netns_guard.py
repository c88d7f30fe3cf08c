"""Where the kernel refuses network namespaces, the proof fails saying why, or skips with
HAMNHW_SKIP_NETNS=1."""

from __future__ import annotations

import subprocess

import netns
import pytest


def refused(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.CompletedProcess(["ip", *args], 1, "",
                                       "mount --make-shared /run/netns failed: Operation not "
                                       "permitted")


def test_refused_namespaces_fail_with_the_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(netns, "_ip", refused)
    monkeypatch.delenv(netns.SKIP_ENV, raising=False)
    with pytest.raises(pytest.fail.Exception, match=r"Operation not permitted.*CAP_SYS_ADMIN"):
        netns.require_netns()


def test_refused_namespaces_skip_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(netns, "_ip", refused)
    monkeypatch.setenv(netns.SKIP_ENV, "1")
    with pytest.raises(pytest.skip.Exception, match="HAMNHW_SKIP_NETNS=1"):
        netns.require_netns()
