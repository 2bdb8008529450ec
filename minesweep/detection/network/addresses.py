"""Source addresses as numbers beside their text (源地址的数值形式), vectorised both ways.

The collector stores each flow's source address twice: as text in ``src_ip`` (the flow files' schema,
what every reader reads) and as a number: an IPv4 address as 32 bits in ``src_ipv4``, an IPv6 address
as its 16 bytes in ``src_ipv6`` (each null where the other applies, and both null for any text that is
not the canonical form). Flow scoring reads the numbers where a row group has many distinct sources: a
Parquet reader hashes every distinct text of a dictionary column again, and a plain 32-bit column reads
in ~2 ns a record (bench/README.md, "Eighth round"); a group with IPv6 sources among IPv4 ones is read
as both columns side by side (:func:`source_pairs`, "Tenth round").

Only the canonical text gets a number — for IPv4 four decimal numbers 0–255 without leading zeros, for
IPv6 the RFC 5952 text :mod:`ipaddress` writes (lower case, first longest zero run compressed), neither
an IPv4-mapped address nor one with a zone — so number and text name the same host both ways: the text
of a number is exactly the text that was stored.
"""

from __future__ import annotations

import socket

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

#: The column of the source address as a number (uint32; null where there is none).
SOURCE_NUMBERS = "src_ipv4"
#: The column of an IPv6 source address as its 16 bytes (null where there is none).
SOURCE_IPV6 = "src_ipv6"
ADDRESS_BYTES = pa.binary(16)
_OCTET = r"(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
CANONICAL_IPV4 = rf"^{_OCTET}\.{_OCTET}\.{_OCTET}\.{_OCTET}$"
#: What a canonical IPv6 text is made of (a quick filter before parsing: lower-case hexadecimal and colons)
CANONICAL_IPV6_CHARACTERS = r"^[0-9a-f:]*:[0-9a-f:]*$"
_DIGITS = [str(value).encode() for value in range(256)]
_LENGTHS = np.array([len(digits) for digits in _DIGITS], np.int64)
_HEX = np.frombuffer(b"0123456789abcdef", np.uint8)
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


def ipv6_bytes(texts: pa.Array) -> pa.Array:
    """Per text: its IPv6 address as 16 bytes, null for null, IPv4, or any text that is not the
    canonical IPv6 form (:func:`ipv6_texts` does not write it back the same: upper case, an uncompressed
    zero run, a dotted IPv4 tail, a zone, …) or that is IPv4-mapped. Each text made of lower-case
    hexadecimal digits and colons is parsed by ``inet_pton`` (C; :mod:`ipaddress` took ~10 µs a text,
    which the aggregates pass paid for every IPv6 host it looks for), the canonical check is vectorised."""
    texts = pc.cast(texts, pa.string())
    maybe = pc.fill_null(pc.match_substring_regex(texts, CANONICAL_IPV6_CHARACTERS), False)
    rows = np.flatnonzero(maybe.to_numpy(zero_copy_only=False))
    candidates = texts.take(pa.array(rows, pa.int64()))
    packed, parsed = _inet_pton6(candidates.to_pylist())
    words = np.frombuffer(packed, "<u8").reshape(-1, 2)
    same = pc.equal(ipv6_texts(words), candidates).to_numpy(zero_copy_only=False)
    canonical = parsed & same & ~_ipv4_mapped(words)
    valid = np.zeros(len(texts), bool)
    valid[rows[canonical]] = True
    values = np.zeros((len(texts), 2), "<u8")
    values[rows[canonical]] = words[canonical]
    mask = pa.py_buffer(np.packbits(valid, bitorder="little"))
    return pa.Array.from_buffers(ADDRESS_BYTES, len(texts), [mask, pa.py_buffer(values)])


def _inet_pton6(texts: list[str]) -> tuple[bytes, np.ndarray]:
    """The 16 bytes of each text by ``inet_pton`` (zeros where it does not parse) and whether it parsed:
    all at once, and one by one only if one fails."""
    try:
        return b"".join([socket.inet_pton(socket.AF_INET6, text) for text in texts]), np.ones(
            len(texts), bool
        )
    except (OSError, ValueError):
        pass
    packed, parsed = bytearray(16 * len(texts)), np.zeros(len(texts), bool)
    for position, text in enumerate(texts):
        try:
            packed[16 * position : 16 * position + 16] = socket.inet_pton(socket.AF_INET6, text)
        except (OSError, ValueError):
            continue
        parsed[position] = True
    return bytes(packed), parsed


def _ipv4_mapped(words: np.ndarray) -> np.ndarray:
    """Per address: it is ``::ffff:a.b.c.d`` (as 16 bytes, the same as a.b.c.d's IPv4-mapped form)."""
    return (words[:, 0] == 0) & ((words[:, 1] & np.uint64(0xFFFFFFFF)) == np.uint64(0xFFFF0000))


def is_number_type(kind: pa.DataType) -> bool:
    """Addresses of this type are numbers (IPv4 as an integer, or :func:`source_pairs`), not text."""
    return pa.types.is_integer(kind) or pa.types.is_struct(kind)


def source_pairs(numbers: pa.Array, ipv6: pa.Array) -> pa.StructArray:
    """The two number columns side by side, one source a row: its IPv4 number or its IPv6 bytes (the
    caller checks that every row has exactly one: :func:`one_number_a_row`). No copy: building one
    16-byte form of every row cost ~8 ns a row more than reading the two columns (tenth round)."""
    return pa.StructArray.from_arrays([numbers, ipv6], names=[SOURCE_NUMBERS, SOURCE_IPV6])


def one_number_a_row(numbers: pa.Array, ipv6: pa.Array) -> bool:
    """Every row has an IPv4 number or IPv6 bytes, and none has both: the two validity bitmaps are
    each other's complement (compared a byte at a time where both start on a byte, as read from Parquet)."""
    rows = len(numbers)
    if numbers.null_count + ipv6.null_count != rows:
        return False
    if numbers.null_count == 0 or ipv6.null_count == 0:
        return True  # the counts say the other column is all null
    if numbers.offset or ipv6.offset:
        return bool((validity(numbers) ^ validity(ipv6)).all())
    size = (rows + 7) // 8
    first = np.frombuffer(numbers.buffers()[0], np.uint8, size)
    second = np.frombuffer(ipv6.buffers()[0], np.uint8, size)
    differ = first ^ second
    if not (differ[: rows // 8] == 0xFF).all():
        return False
    tail = np.unpackbits(differ[rows // 8 :], count=rows % 8, bitorder="little")
    return bool(tail.all())


def pair_parts(pairs: pa.StructArray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(per row: it is IPv4, every row's IPv4 number — meaningful where it is —, every row's IPv6 bytes
    as two words — meaningful where it is not) of :func:`source_pairs`."""
    numbers, ipv6 = pairs.flatten()
    return validity(numbers), number_values(numbers), address_words(ipv6)


def number_values(numbers: pa.Array) -> np.ndarray:
    """A uint32 array's values as numpy without a copy, nulls included (their values are undefined)."""
    values = numbers.buffers()[1]
    if values is None or len(numbers) == 0:
        return np.zeros(len(numbers), np.uint32)  # all null
    return np.frombuffer(values, np.uint32, len(numbers), numbers.offset * 4)


def address_words(addresses: pa.Array) -> np.ndarray:
    """16-byte addresses as two little-endian 64-bit words a row (a view of the array's values, shape
    ``(rows, 2)``; what a null row holds is undefined)."""
    values = addresses.buffers()[1]
    if values is None or len(addresses) == 0:
        return np.zeros((len(addresses), 2), "<u8")  # all null
    return np.frombuffer(values, "<u8", 2 * len(addresses), addresses.offset * 16).reshape(-1, 2)


def validity(array: pa.Array) -> np.ndarray:
    """Per row: not null (the validity bitmap unpacked; Arrow's ``is_valid`` builds a boolean array first)."""
    if array.null_count == 0:
        return np.ones(len(array), bool)
    if array.null_count == len(array):
        return np.zeros(len(array), bool)
    bitmap = np.frombuffer(array.buffers()[0], np.uint8)
    bits = np.unpackbits(bitmap, count=array.offset + len(array), bitorder="little")
    return bits[array.offset :].view(bool)


def pair_texts(pairs: pa.StructArray) -> pa.Array:
    """The text of each source of :func:`source_pairs` (every row has one number): its IPv4 text
    (:func:`ipv4_texts`) or its IPv6 text (:func:`ipv6_texts`) — for the few rows a scoring keeps."""
    is_ipv4, numbers, words = pair_parts(pairs)
    ipv4, ipv6 = np.flatnonzero(is_ipv4), np.flatnonzero(~is_ipv4)
    texts = pa.concat_arrays([ipv4_texts(numbers[ipv4]), ipv6_texts(words[ipv6])])
    order = np.empty(len(pairs), np.int64)
    order[ipv4] = np.arange(len(ipv4))
    order[ipv6] = np.arange(len(ipv4), len(pairs))
    return texts.take(pa.array(order))


def ipv6_texts(words: np.ndarray) -> pa.StringArray:
    """The RFC 5952 text of each address (two little-endian words a row), as :mod:`ipaddress` writes it
    — lower-case hexadecimal groups without leading zeros, the first longest run of two or more zero
    groups as ``::`` — built with numpy, not per address: every address gets a cell of five bytes per
    group (four digits, a colon), the digits and colons it does not write are zero, and the zeros are
    dropped at the end. The passes write the text of every IPv6 row they keep (P2P rows, session rows),
    and :func:`ipv6_bytes` of every IPv6 host (~10 µs an address through :mod:`ipaddress`)."""
    groups = np.ascontiguousarray(words, "<u8").view(np.uint8).reshape(-1, 16).view(">u2").astype(np.uint16)
    rows = len(groups)
    zero = groups == 0
    run = np.zeros((rows, 8), np.int8)  # length of the zero run ending at each group
    run[:, 0] = zero[:, 0]
    for column in range(1, 8):
        run[:, column] = (run[:, column - 1] + 1) * zero[:, column]
    end = run.argmax(axis=1) if rows else np.zeros(0, np.int64)
    longest = run[np.arange(rows), end].astype(np.int64)
    compressed = longest >= 2
    start = np.where(compressed, end - longest + 1, 8)
    column_index = np.arange(8)
    kept = (column_index < start[:, None]) | (column_index > np.where(compressed, end, -1)[:, None])
    digits = (
        (groups >= 0x10).view(np.int8) + (groups >= 0x100).view(np.int8) + (groups >= 0x1000).view(np.int8)
    )
    cells = np.zeros((rows, 8, 5), np.uint8)
    for digit in range(4):
        shown = kept & (digits >= 3 - digit)
        nibble = ((groups >> (4 * (3 - digit))) & 0xF).astype(np.uint8)
        cells[:, :, digit] = _HEX[nibble] * shown
    cells[:, :-1, 4] = (kept[:, :-1] & kept[:, 1:]) * np.uint8(ord(":"))
    runs = np.flatnonzero(compressed)
    cells[runs, start[runs], :2] = ord(":")
    flat = cells.reshape(rows, 40)
    written = flat != 0
    offsets = np.zeros(rows + 1, np.int32)
    np.cumsum(np.count_nonzero(written, axis=1), out=offsets[1:])
    return pa.StringArray.from_buffers(rows, pa.py_buffer(offsets), pa.py_buffer(flat[written]))


def address_texts(addresses: pa.Array) -> pa.Array:
    """Plain text of an address array: IPv4 numbers or :func:`source_pairs`, or a dictionary of them,
    written out (:func:`ipv4_texts`, :func:`pair_texts`); text, or a dictionary of text, cast."""
    if pa.types.is_dictionary(addresses.type) and is_number_type(addresses.type.value_type):
        return address_texts(addresses.dictionary.take(addresses.indices))
    if pa.types.is_integer(addresses.type):
        return ipv4_texts(addresses)
    if pa.types.is_struct(addresses.type):
        return pair_texts(addresses)
    return pc.cast(addresses, pa.string())
