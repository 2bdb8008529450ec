"""Source addresses as numbers and back (network.addresses), checked against :mod:`ipaddress`."""

from __future__ import annotations

import ipaddress

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from minesweep.detection.network.addresses import (
    address_texts,
    ipv4_numbers,
    ipv4_texts,
    ipv6_bytes,
    ipv6_texts,
    one_number_a_row,
    source_pairs,
)
from minesweep.detection.network.flows import normalise_flows


def _not_ipv4_mapped(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is None


#: IPv6 addresses other than ``::ffff:a.b.c.d`` (those are IPv4 sources, never given IPv6 bytes)
IPV6_NOT_MAPPED = st.ip_addresses(v=6).filter(_not_ipv4_mapped)


def test_canonical_ipv4_texts_get_their_number_and_anything_else_none() -> None:
    texts = [
        "10.0.0.1",
        "0.0.0.0",
        "255.255.255.255",
        "203.0.113.200",
        "010.0.0.1",  # leading zero: not the canonical text, so no number (the text stays the identity)
        "256.1.1.1",
        "1.2.3",
        "1.2.3.4.5",
        " 1.2.3.4",
        "2001:db8::1",
        "::ffff:1.2.3.4",
        "",
        "host-a",
        None,
    ]
    numbers = ipv4_numbers(pa.array(texts, pa.string())).to_pylist()
    assert numbers[:4] == [int(ipaddress.IPv4Address(t)) for t in texts[:4]]
    assert numbers[4:] == [None] * 10


def test_a_dictionary_column_is_read_by_its_values() -> None:
    column = pa.array(["10.0.0.2", "2001:db8::2", "10.0.0.2"]).dictionary_encode()
    assert ipv4_numbers(column).to_pylist() == [167772162, None, 167772162]


@given(st.lists(st.integers(min_value=0, max_value=2**32 - 1), max_size=200))
def test_number_to_text_and_back_is_the_identity(values: list[int]) -> None:
    texts = ipv4_texts(np.array(values, np.uint32))
    assert texts.to_pylist() == [str(ipaddress.IPv4Address(v)) for v in values]
    assert ipv4_numbers(texts).to_pylist() == values


def test_texts_take_an_arrow_array_too() -> None:
    assert ipv4_texts(pa.array([1, 3232235777], pa.uint32())).to_pylist() == ["0.0.0.1", "192.168.1.1"]


def test_address_texts_write_out_numbers_and_cast_text_alike() -> None:
    numbers = pa.array([167772161, 3232235777, 167772161], pa.uint32())
    expected = ["10.0.0.1", "192.168.1.1", "10.0.0.1"]
    assert address_texts(numbers).to_pylist() == expected
    assert address_texts(numbers.dictionary_encode()).to_pylist() == expected
    assert address_texts(pa.array(expected).dictionary_encode()).to_pylist() == expected
    assert address_texts(pa.array(expected)).to_pylist() == expected


def test_canonical_ipv6_texts_get_their_bytes_and_anything_else_none() -> None:
    texts = [
        "2001:db8::1",
        "2408:8200:1:2:3:4:5:6",
        "::1",
        "fe80::1",
        "2001:DB8::1",  # upper case: not the text ipaddress writes
        "2001:db8:0:0:0:0:0:1",  # zero run not compressed
        "2001:0db8::1",  # leading zero
        "::ffff:1.2.3.4",  # IPv4-mapped: would be the same 16 bytes as 1.2.3.4 read as a number
        "fe80::1%eth0",  # a zone
        "10.0.0.1",
        "2001:db8::g",
        "",
        None,
    ]
    values = ipv6_bytes(pa.array(texts, pa.string())).to_pylist()
    assert values[:4] == [ipaddress.IPv6Address(t).packed for t in texts[:4]]
    assert values[4:] == [None] * 9


@given(st.lists(IPV6_NOT_MAPPED, max_size=200))
def test_ipv6_texts_are_those_ipaddress_writes(values: list[ipaddress.IPv6Address]) -> None:
    words = np.frombuffer(b"".join(v.packed for v in values), "<u8").reshape(-1, 2)
    assert ipv6_texts(words).to_pylist() == [str(v) for v in values]


def test_ipv6_texts_compress_the_first_longest_zero_run_and_no_single_zero() -> None:
    texts = [
        "::",
        "::1",
        "1::",
        "1:0:0:1::",
        "1::1:0:0:1",
        "1:0:1:0:1:0:1:0",
        "0:1:0:1:0:1:0:1",
        "ffff::abcd:0:0",
    ]
    words = np.frombuffer(b"".join(ipaddress.IPv6Address(t).packed for t in texts), "<u8").reshape(-1, 2)
    assert ipv6_texts(words).to_pylist() == texts


@given(
    st.lists(
        st.one_of(
            st.ip_addresses(v=4).map(str),
            IPV6_NOT_MAPPED.map(str),
        ),
        max_size=100,
    )
)
def test_source_pairs_name_each_row_by_its_ipv4_number_or_ipv6_bytes_and_read_back_as_the_text(
    texts: list[str],
) -> None:
    column = pa.array(texts, pa.string())
    numbers, ipv6 = ipv4_numbers(column), ipv6_bytes(column)
    assert one_number_a_row(numbers, ipv6)
    pairs = source_pairs(numbers, ipv6)
    assert address_texts(pairs).to_pylist() == texts
    rows = pa.array(np.arange(len(texts), dtype=np.int32)[::-1].copy())
    assert address_texts(pa.DictionaryArray.from_arrays(rows, pairs)).to_pylist() == texts[::-1]


def test_a_row_without_a_number_or_with_both_is_not_one_number_a_row() -> None:
    column = pa.array(["10.0.0.1", "2001:DB8::1", "2001:db8::1"], pa.string())
    numbers, ipv6 = ipv4_numbers(column), ipv6_bytes(column)
    assert not one_number_a_row(numbers, ipv6)  # the upper-case text has neither
    assert one_number_a_row(numbers.slice(2), ipv6.slice(2))
    both = pa.array([1, None, 3], pa.uint32())
    assert not one_number_a_row(both, ipv6)  # the last row has both


def _numbers_of(texts: list[str]) -> pa.DictionaryArray:
    """The sources as flow scoring reads them by number: IPv4 numbers where all are IPv4, else pairs."""
    column = pa.array(texts, pa.string())
    numbers = ipv4_numbers(column)
    values = numbers if numbers.null_count == 0 else source_pairs(numbers, ipv6_bytes(column))
    return pa.DictionaryArray.from_arrays(pa.array(np.arange(len(texts), dtype=np.int32)), values)


@pytest.mark.parametrize("texts", [["10.0.0.1", "10.0.0.2"], ["10.0.0.1", "2001:db8::1"]])
def test_normalised_flows_keep_a_dictionary_of_numbers_or_write_it_out(texts: list[str]) -> None:
    numbers = _numbers_of(texts)
    raw = pa.table(
        {
            "ts_start": [1.0, 2.0],
            "ts_end": [2.0, 3.0],
            "src_ip": numbers,
            "src_port": [1, 2],
            "dst_ip": ["198.51.100.7", "198.51.100.7"],
            "dst_port": [3333, 3333],
            "proto": [6, 6],
            "packets": [1, 1],
            "bytes": [60, 60],
        }
    )
    assert normalise_flows(raw, keep_dictionaries=True)["src_ip"].type == numbers.type
    assert normalise_flows(raw)["src_ip"].to_pylist() == texts


@pytest.mark.parametrize("rows", [8, 21, 64])
def test_one_number_a_row_checks_every_row_of_the_two_bitmaps(rows: int) -> None:
    """Whole bytes of the bitmaps and the bits past them: a row given both numbers and another given
    neither keep the null counts of one a row, and are found wherever they are."""
    texts = ["2001:db8::1" if row % 3 == 0 else "10.0.0.1" for row in range(rows)]
    column = pa.array(texts)
    numbers, ipv6 = ipv4_numbers(column), ipv6_bytes(column)
    assert one_number_a_row(numbers, ipv6)
    ipv6_rows = [row for row in range(rows) if row % 3 == 0]
    ipv4_rows = [row for row in range(rows) if row % 3]
    for both, neither in ((ipv6_rows[0], ipv4_rows[0]), (ipv6_rows[-1], ipv4_rows[-1])):
        changed = numbers.to_pylist()
        changed[both], changed[neither] = 1, None
        assert not one_number_a_row(pa.array(changed, pa.uint32()), ipv6)
