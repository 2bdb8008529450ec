"""Pure hashing of audit events: canonical JSON → HMAC-SHA-256 under the audit key. No Django import.

The key (MINESWEEP_AUDIT_KEY) lives outside the database, so someone who can write to the database but
does not hold the key cannot rewrite events and recompute a chain that verifies (issue 14).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any


def canonical_json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def digest(value: Any) -> str:
    """SHA-256 of a value's canonical JSON; empty string for ``None`` (no before/after state)."""
    if value is None:
        return ""
    return hashlib.sha256(canonical_json(value)).hexdigest()


def event_hash(key: bytes, prev_hash: str, fields: Mapping[str, Any]) -> str:
    message = prev_hash.encode() + b"\n" + canonical_json(dict(fields))
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def legacy_event_hash(prev_hash: str, fields: Mapping[str, Any]) -> str:
    """The unkeyed SHA-256 of chains written before the audit key (checked once, when re-keying)."""
    return hashlib.sha256(prev_hash.encode() + b"\n" + canonical_json(dict(fields))).hexdigest()
