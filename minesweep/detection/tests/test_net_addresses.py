"""IPv4 addresses as numbers and back (network.addresses), checked against :mod:`ipaddress`."""

from __future__ import annotations

import ipaddress

import numpy as np
import pyarrow as pa
from hypothesis import given
from hypothesis import strategies as st

from minesweep.detection.network.addresses import address_texts, ipv4_numbers, ipv4_texts
from minesweep.detection.network.flows import normalise_flows


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


def test_normalised_flows_keep_a_dictionary_of_numbers_or_write_it_out() -> None:
    numbers = pa.array([167772161, 167772162], pa.uint32()).dictionary_encode()
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
    assert normalise_flows(raw)["src_ip"].to_pylist() == ["10.0.0.1", "10.0.0.2"]
