"""Signed checkpoints of the audit chain, exportable and verifiable offline.

A checkpoint names the chain's head (sequence number and keyed hash) at a moment and is signed with an
Ed25519 key derived from the audit key. Kept off the server (printed, mailed, stored by another office), it
proves later that events up to that point are unchanged, even against someone who has since obtained the
database and the key: they cannot make a different history end in the same hash. The file carries the
public key; compare it with the one escrowed at installation (`minesweep audit public-key`), or verify the
signature with `openssl pkeyutl -verify` alone (docs/deploy.md).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from minesweep.audit.chain import canonical_json

FORMAT = "minesweep-audit-checkpoint/1"


def signing_key(audit_key: bytes) -> Ed25519PrivateKey:
    seed = hmac.new(audit_key, b"minesweep audit checkpoint signing key", hashlib.sha256).digest()
    return Ed25519PrivateKey.from_private_bytes(seed)


def public_key_pem(audit_key: bytes) -> str:
    public = signing_key(audit_key).public_key()
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def checkpoint_sign(audit_key: bytes, *, seq: int, head_hash: str, at: str, events: int) -> dict[str, Any]:
    payload = {"format": FORMAT, "seq": seq, "hash": head_hash, "at": at, "events": events}
    signature = signing_key(audit_key).sign(canonical_json(payload))
    return {
        "payload": payload,
        "signature": base64.b64encode(signature).decode(),
        "public_key": public_key_pem(audit_key),
    }


@dataclass(frozen=True)
class CheckpointCheck:
    valid: bool
    reason: str = ""
    seq: int = 0
    head_hash: str = ""


def checkpoint_check(document: dict[str, Any], *, trusted_public_key_pem: str) -> CheckpointCheck:
    """Signature check only (no database): is this checkpoint signed by the trusted key, unaltered?"""
    try:
        payload = document["payload"]
        signature = base64.b64decode(document["signature"])
        if document.get("public_key", "").strip() != trusted_public_key_pem.strip():
            return CheckpointCheck(False, "signed by another key than the trusted one")
        public = serialization.load_pem_public_key(trusted_public_key_pem.encode())
        if not isinstance(public, Ed25519PublicKey) or payload.get("format") != FORMAT:
            return CheckpointCheck(False, "not a Minesweep audit checkpoint")
        public.verify(signature, canonical_json(payload))
        return CheckpointCheck(True, "", int(payload["seq"]), str(payload["hash"]))
    except InvalidSignature:
        return CheckpointCheck(False, "signature does not match (the checkpoint was altered)")
    except (KeyError, TypeError, ValueError) as exc:
        return CheckpointCheck(False, f"unreadable checkpoint: {exc}")


def checkpoint_load(text: str) -> dict[str, Any]:
    loaded = json.loads(text)
    if not isinstance(loaded, dict):
        raise ValueError("a checkpoint is a JSON object")
    return loaded
