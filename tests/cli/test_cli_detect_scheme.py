"""``hamnhw detect`` with a vendor URL scheme on a BMC that names another maker: the
scheme wins (the user's explicit choice) and the output says the BMC disagrees."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from cli_helpers import json_out, run

from hamnhw.sim import ServerSpec, SimCluster, SimServer


@pytest.fixture(scope="module")
def idrac() -> Iterator[SimServer]:
    with SimCluster([ServerSpec(name="idrac", personality="idrac", power="On",
                                post_time=0.0)]) as cluster:
        yield cluster["idrac"]


def env_of(server: SimServer) -> dict[str, str]:
    return {"HAMNHW_USERNAME": server.username, "HAMNHW_PASSWORD": server.password}


def test_ilo_scheme_on_an_idrac_keeps_hpe_and_warns(idrac: SimServer) -> None:
    url = idrac.url.replace("redfish+", "ilo5-redfish+")
    result = run("--json", "detect", url, env=env_of(idrac))
    assert result.exit_code == 0, result.output
    found = json_out(result)
    assert found["driver"] == "hpe" and "URL scheme" in found["reason"]
    assert "dell" in found["warning"] and "ilo5-redfish" in found["warning"]


def test_plain_scheme_detection_has_no_warning(idrac: SimServer) -> None:
    result = run("--json", "detect", idrac.url, env=env_of(idrac))
    found = json_out(result)
    assert found["driver"] == "dell" and found["warning"] is None


def test_the_text_line_carries_the_warning(idrac: SimServer) -> None:
    result = run("detect", idrac.url.replace("redfish+", "ilo5-redfish+"), env=env_of(idrac))
    assert result.exit_code == 0, result.output
    assert "driver hpe (URL scheme" in result.stdout and "; warning: " in result.stdout
