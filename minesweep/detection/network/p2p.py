"""Peer-to-peer crypto node traffic (Bitcoin, Ethereum devp2p): reported as ``crypto_p2p``, never mining.

A node relays blocks and transactions; it does not mine. 8333 and 30303 are the default ports but
recognition rests on message structure: the Bitcoin message header (network magic + ASCII command)
and the RLPx/discovery framing of Ethereum.
"""

from __future__ import annotations

import struct

BITCOIN = "bitcoin"
ETHEREUM = "ethereum"

#: Network magic of Bitcoin-family P2P messages (mainnet, testnet3, regtest, signet, testnet4).
BITCOIN_MAGICS = {
    b"\xf9\xbe\xb4\xd9": "bitcoin-mainnet",
    b"\x0b\x11\x09\x07": "bitcoin-testnet3",
    b"\xfa\xbf\xb5\xda": "bitcoin-regtest",
    b"\x0a\x03\xcf\x40": "bitcoin-signet",
    b"\x1c\x16\x3f\x28": "bitcoin-testnet4",
}
BITCOIN_HEADER_LEN = 24
BITCOIN_MAX_PAYLOAD = 32 * 1024 * 1024
BITCOIN_PORTS = frozenset({8333, 18333, 18444, 38333, 48333})
ETHEREUM_PORTS = frozenset({30303, 30304})

#: Size limits of an RLPx auth/ack handshake message (EIP-8 framing prefixes its length).
RLPX_PLAIN_AUTH_LEN = 307
RLPX_PLAIN_ACK_LEN = 210
RLPX_EIP8_MIN = 200
RLPX_EIP8_MAX = 2048
RLPX_MIN_SEGMENT = 536  # the smallest TCP MSS hosts must accept
DISCV4_HEADER_LEN = 97  # hash (32) + signature (65)
DISCV4_MAX_TYPE = 6


def bitcoin_message_command(data: bytes) -> str | None:
    """Command name (``version``, ``inv`` …) when ``data`` starts with a Bitcoin P2P message header."""
    if len(data) < BITCOIN_HEADER_LEN or data[:4] not in BITCOIN_MAGICS:
        return None
    command = data[4:16]
    name = command.rstrip(b"\x00")
    if not name or b"\x00" in name or not all(0x61 <= c <= 0x7A or 0x30 <= c <= 0x39 for c in name):
        return None
    if struct.unpack_from("<I", data, 16)[0] > BITCOIN_MAX_PAYLOAD:
        return None
    return name.decode("ascii")


def is_rlpx_handshake(data: bytes, ports: tuple[int, int]) -> bool:
    """First message of an Ethereum RLPx connection (ECIES auth/ack) on an Ethereum port.

    The handshake is encrypted, so only its framing can be checked: EIP-8 prefixes a 2-byte size
    equal to the rest of the message; the pre-EIP-8 form has a fixed size. Both are only accepted
    on the devp2p ports because encrypted bytes carry no other signature.
    """
    if not (ETHEREUM_PORTS & set(ports)):
        return False
    if len(data) in (RLPX_PLAIN_AUTH_LEN, RLPX_PLAIN_ACK_LEN):
        return True
    if len(data) < 2:
        return False
    size = struct.unpack_from("!H", data, 0)[0]
    if not RLPX_EIP8_MIN <= size <= RLPX_EIP8_MAX:
        return False
    # Whole message in the first segment, or a full-sized first segment of a longer one.
    return len(data) == size + 2 or RLPX_MIN_SEGMENT <= len(data) < size + 2


def is_discv4_packet(payload: bytes, ports: tuple[int, int]) -> bool:
    """An Ethereum node-discovery v4 UDP packet: hash, signature, packet type 1–6, then an RLP list."""
    if not (ETHEREUM_PORTS & set(ports)) or len(payload) < DISCV4_HEADER_LEN + 2:
        return False
    packet_type = payload[DISCV4_HEADER_LEN]
    return 1 <= packet_type <= DISCV4_MAX_TYPE and payload[DISCV4_HEADER_LEN + 1] >= 0xC0
