"""IPv4 addresses as 32-bit numbers beside their text (IPv4 地址的数值形式), vectorised both ways.

The collector stores each flow's source address twice: as text in ``src_ip`` (the flow files' schema,
what every reader reads) and, for IPv4, as a number in ``src_ipv4`` (null for IPv6 and for any text that
is not the canonical dotted form). Flow scoring reads the number where a row group has many distinct
sources: a Parquet reader hashes every distinct text of a dictionary column again, and a plain 32-bit
column reads in ~2 ns a record (bench/README.md, "Eighth round").

Only the canonical text (four decimal numbers 0–255 without leading zeros, as :mod:`ipaddress` writes
them) gets a number, so number and text name the same host both ways: the text of a number is exactly
the text that was stored.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

#: The column of the source address as a number (uint32; null where there is none).
SOURCE_NUMBERS = "src_ipv4"
_OCTET = r"(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
CANONICAL_IPV4 = rf"^{_OCTET}\.{_OCTET}\.{_OCTET}\.{_OCTET}$"
_DIGITS = [str(value).encode() for value in range(256)]
_LENGTHS = np.array([len(digits) for digits in _DIGITS], np.int64)
_DIGIT_TABLE = np.zeros((256, 3), np.uint8)
for _value, _digits in enumerate(_DIGITS):
    _DIGIT_TABLE[_value, : len(_digits)] = list(_digits)


def ipv4_numbers(texts: pa.Array) -> pa.Array:
    """Per text: its IPv4 address as a uint32, null for null, IPv6, or any non-canonical text."""
    texts = pc.cast(texts, pa.string())
    canonical = pc.fill_null(pc.match_substring_regex(texts, CANONICAL_IPV4), False)
    numbers = np.zeros(len(texts), np.uint32)
    rows = np.flatnonzero(canonical.to_numpy(zero_copy_only=False))
    if rows.size:
        parts = pc.list_flatten(pc.split_pattern(texts.take(pa.array(rows)), "."))
        octets = pc.cast(parts, pa.uint32()).to_numpy().reshape(-1, 4)
        numbers[rows] = (octets[:, 0] << 24) | (octets[:, 1] << 16) | (octets[:, 2] << 8) | octets[:, 3]
    return pa.array(numbers, pa.uint32(), mask=~canonical.to_numpy(zero_copy_only=False))


def ipv4_texts(numbers: pa.Array | np.ndarray) -> pa.StringArray:
    """The canonical dotted text of each number (no nulls), built with numpy (digits looked up per octet)
    rather than a Python loop: for the few addresses a scoring reports or lists."""
    values = np.asarray(numbers.to_numpy(zero_copy_only=False) if isinstance(numbers, pa.Array) else numbers)
    values = values.astype(np.uint32, copy=False)
    octets = np.stack([(values >> shift) & 255 for shift in (24, 16, 8, 0)], axis=1).astype(np.intp)
    offsets = np.zeros(len(values) + 1, np.int32)
    np.cumsum(_LENGTHS[octets].sum(axis=1) + 3, out=offsets[1:])
    data = np.empty(int(offsets[-1]), np.uint8)
    position = offsets[:-1].astype(np.int64)
    for part in range(4):
        octet = octets[:, part]
        length = _LENGTHS[octet]
        for digit in range(3):
            has = length > digit
            data[position[has] + digit] = _DIGIT_TABLE[octet[has], digit]
        position = position + length
        if part < 3:
            data[position] = ord(".")
            position = position + 1
    return pa.StringArray.from_buffers(len(values), pa.py_buffer(offsets), pa.py_buffer(data))


def address_texts(addresses: pa.Array) -> pa.Array:
    """Plain text of an address array: IPv4 numbers, or a dictionary of them, written out
    (:func:`ipv4_texts`); text, or a dictionary of text, cast."""
    if pa.types.is_dictionary(addresses.type) and pa.types.is_integer(addresses.type.value_type):
        return ipv4_texts(addresses.dictionary.take(addresses.indices))
    if pa.types.is_integer(addresses.type):
        return ipv4_texts(addresses)
    return pc.cast(addresses, pa.string())
