"""Compressed answers over real loopback HTTP: exactly ``Accept-Encoding: gzip, deflate`` is
asked for; gzip and deflate are decoded (gzip also when the header is missing); any other
coding and broken streams are MalformedResponse; the size cap applies to the decoded body."""

from __future__ import annotations

import gzip
import json
import zlib

import pytest
from transport_loopback import make_transport

from hamnhw import errors
from hamnhw.transport.decode import ACCEPT_ENCODING, decode, decoded

DOC = {"@odata.id": "/redfish/v1/Systems/1", "PowerState": "On", "Name": "x" * 300}
RAW = json.dumps(DOC).encode()
PATH = "/redfish/v1/Systems/1"


def raw_deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


@pytest.fixture
def opened(bmc):
    bmc.standard()
    transport = make_transport(bmc.url).open()
    yield transport
    transport.close()


def test_every_request_asks_for_exactly_gzip_and_deflate(bmc, opened) -> None:
    bmc.reply("GET", PATH, body=DOC)
    opened.get(PATH)
    assert {r.headers.get("Accept-Encoding") for r in bmc.requests} == {ACCEPT_ENCODING}
    assert ACCEPT_ENCODING == "gzip, deflate"


@pytest.mark.parametrize(("encoding", "payload"), [
    ("gzip", gzip.compress(RAW)),
    ("x-gzip", gzip.compress(RAW)),
    ("deflate", zlib.compress(RAW)),
    ("deflate", raw_deflate(RAW)),
    ("GZIP", gzip.compress(RAW)),
    ("identity", RAW),
    ("gzip, identity", gzip.compress(RAW)),
], ids=["gzip", "x-gzip", "deflate-zlib", "deflate-raw", "upper-case", "identity", "listed"])
def test_compressed_answer_is_decoded(bmc, opened, encoding, payload) -> None:
    bmc.reply("GET", PATH, raw=payload, headers={"Content-Type": "application/json",
                                                 "Content-Encoding": encoding})
    assert opened.get(PATH) == DOC


def test_gzip_without_content_encoding_is_sniffed(bmc, opened) -> None:
    # iLO 5 gzips parts of its tree even unasked, not always saying so.
    bmc.reply("GET", PATH, raw=gzip.compress(RAW), headers={"Content-Type": "application/json"})
    assert opened.get(PATH) == DOC


def test_gzip_on_a_post_answer_is_decoded(bmc, opened) -> None:
    bmc.reply("POST", "/redfish/v1/Actions/X", raw=gzip.compress(RAW),
              headers={"Content-Type": "application/json", "Content-Encoding": "gzip"})
    assert opened.post("/redfish/v1/Actions/X", {}).body == DOC


@pytest.mark.parametrize("encoding", ["br", "zstd", "compress", "gzip, br"])
def test_other_content_encoding_is_malformed_response_naming_it(bmc, opened, encoding) -> None:
    bmc.reply("GET", PATH, raw=b"\x00\x01garbage", headers={"Content-Encoding": encoding})
    with pytest.raises(errors.MalformedResponse) as info:
        opened.get(PATH)
    assert encoding.split(", ")[-1] in str(info.value)
    assert info.value.uri == PATH
    assert info.value.host == opened.host


@pytest.mark.parametrize("payload", [gzip.compress(RAW)[:40], b"\x1f\x8b not gzip at all"],
                         ids=["truncated", "garbage"])
def test_broken_gzip_is_malformed_response(bmc, opened, payload) -> None:
    bmc.reply("GET", PATH, raw=payload, headers={"Content-Encoding": "gzip"})
    with pytest.raises(errors.MalformedResponse, match="gzip"):
        opened.get(PATH)


def test_gzip_bomb_hits_the_size_cap_of_the_decoded_body(bmc) -> None:
    bomb = gzip.compress(b"0" * 5_000_000)
    assert len(bomb) < 10_000
    bmc.standard()
    bmc.reply("GET", PATH, raw=bomb, headers={"Content-Encoding": "gzip"})
    transport = make_transport(bmc.url, max_body=100_000).open()
    with pytest.raises(errors.MalformedResponse, match=r"decoded \(gzip\) response body larger "
                                                       r"than 100000 bytes"):
        transport.get(PATH)
    transport.close()


def test_decoding_never_produces_more_than_the_cap() -> None:
    bomb = gzip.compress(b"0" * 5_000_000)
    with pytest.raises(Exception, match="larger than 1000 bytes"):
        decoded(bomb, {"Content-Encoding": "gzip"}, 1000)


def test_empty_body_with_content_encoding_is_empty() -> None:
    assert decoded(b"", {"Content-Encoding": "gzip"}, 1000) == b""


def test_multi_member_gzip_is_decoded_whole(bmc, opened) -> None:
    # RFC 1952: a gzip file is a series of members; urllib3 and gzip(1) decode them all.
    half = len(RAW) // 2
    payload = gzip.compress(RAW[:half]) + gzip.compress(RAW[half:])
    bmc.reply("GET", PATH, raw=payload, headers={"Content-Type": "application/json",
                                                 "Content-Encoding": "gzip"})
    assert opened.get(PATH) == DOC


def test_members_split_across_chunks_are_decoded_whole() -> None:
    half = len(RAW) // 2
    payload = gzip.compress(RAW[:half]) + gzip.compress(RAW[half:])
    for cut in range(1, len(payload)):
        assert b"".join(decode([payload[:cut], payload[cut:]], "gzip", 10**6)) == RAW


@pytest.mark.parametrize(("encoding", "payload"), [
    ("gzip", gzip.compress(RAW) + b"trailing junk"),
    ("deflate", zlib.compress(RAW) + zlib.compress(b"{}")),
    ("gzip", gzip.compress(RAW) + gzip.compress(b"x")[:12]),
], ids=["gzip-junk", "deflate-second-stream", "gzip-truncated-member"])
def test_bytes_after_the_stream_are_malformed_not_dropped(bmc, opened, encoding,
                                                           payload) -> None:
    bmc.reply("GET", PATH, raw=payload, headers={"Content-Type": "application/json",
                                                 "Content-Encoding": encoding})
    with pytest.raises(errors.MalformedResponse) as info:
        opened.get(PATH)
    assert encoding in str(info.value)
