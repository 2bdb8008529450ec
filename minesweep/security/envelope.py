"""Envelope encryption (信封加密): AES-256-GCM per record, data keys wrapped by a master key.

Each record gets its own random 256-bit data key (DEK). The DEK encrypts the record's fields and files
with AES-256-GCM; the DEK itself is stored only wrapped (AES-256-GCM) by the master key named in
``settings.MASTER_KEY_ID``. The key id is stored beside the wrapped key, so a rotation can re-wrap DEKs
without touching the (possibly large) ciphertexts, and older master keys listed in
``settings.OLD_MASTER_KEYS`` (``"id:base64,id:base64"``) keep unwrapping until everything is re-wrapped.

Associated data binds a ciphertext to its purpose (e.g. ``b"reports.report:12:content"``) so a blob copied
into another row or field fails to decrypt instead of silently showing the wrong content.

Wire layout of a sealed value: ``nonce (12 bytes) || ciphertext+tag``. Wrapped key: the same layout over
the 32-byte DEK, with associated data ``b"dek:" + key_id``.
"""

from __future__ import annotations

import base64
import binascii
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

from minesweep.core.errors import DomainError

NONCE_BYTES = 12
DEK_BYTES = 32


class EnvelopeError(DomainError):
    """A wrapped key or ciphertext that cannot be opened (unknown key id, wrong key, tampering)."""

    status = 500


def _bad(code: str, zh: str, en: str) -> EnvelopeError:
    return EnvelopeError(f"security.{code}", zh, en)


def keyring() -> dict[str, bytes]:
    """Every master key this process can unwrap with: the current one plus ``OLD_MASTER_KEYS``."""
    keys: dict[str, bytes] = {}
    for item in settings.OLD_MASTER_KEYS:
        key_id, sep, encoded = str(item).partition(":")
        if not sep or not key_id.strip():
            raise _bad("old_key_format", "旧主密钥格式应为 id:base64", "Old master keys must be id:base64")
        try:
            raw = base64.urlsafe_b64decode(encoded.strip() + "=" * (-len(encoded.strip()) % 4))
        except (binascii.Error, ValueError):
            raise _bad(
                "old_key_format", "旧主密钥不是合法的 base64", "Old master key is not base64"
            ) from None
        if len(raw) != 32:
            raise _bad("old_key_length", "旧主密钥长度应为 32 字节", "Old master keys must be 32 bytes")
        keys[key_id.strip()] = raw
    keys[current_key_id()] = bytes(settings.MASTER_KEY)
    return keys


def current_key_id() -> str:
    return str(settings.MASTER_KEY_ID)


@dataclass(frozen=True)
class WrappedKey:
    key_id: str
    wrapped: bytes


def new_data_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def wrap_key(dek: bytes) -> WrappedKey:
    """Wrap a data key under the current master key."""
    key_id = current_key_id()
    nonce = os.urandom(NONCE_BYTES)
    wrapped = nonce + AESGCM(bytes(settings.MASTER_KEY)).encrypt(nonce, dek, b"dek:" + key_id.encode())
    return WrappedKey(key_id, wrapped)


def unwrap_key(key_id: str, wrapped: bytes) -> bytes:
    master = keyring().get(key_id)
    if master is None:
        raise _bad(
            "unknown_key",
            f"找不到主密钥 {key_id}（请在 OLD_MASTER_KEYS 中提供）",
            f"Master key {key_id} is not available (add it to OLD_MASTER_KEYS)",
        )
    try:
        return AESGCM(master).decrypt(
            bytes(wrapped[:NONCE_BYTES]), bytes(wrapped[NONCE_BYTES:]), b"dek:" + key_id.encode()
        )
    except InvalidTag:
        raise _bad("unwrap_failed", "数据密钥无法解开", "The data key cannot be unwrapped") from None


def rewrap_key(key_id: str, wrapped: bytes) -> WrappedKey:
    """Unwrap with whichever master key ``key_id`` names and wrap again under the current one."""
    return wrap_key(unwrap_key(key_id, wrapped))


def seal(dek: bytes, plaintext: bytes, aad: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(dek).encrypt(nonce, plaintext, aad)


def open_sealed(dek: bytes, sealed: bytes, aad: bytes) -> bytes:
    sealed = bytes(sealed)
    try:
        return AESGCM(dek).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], aad)
    except InvalidTag:
        raise _bad(
            "decrypt_failed", "密文已损坏或不属于此记录", "Ciphertext damaged or not for this record"
        ) from None


def generate_master_key() -> str:
    """A fresh master key as URL-safe base64 (what ``MINESWEEP_MASTER_KEY`` expects)."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")
