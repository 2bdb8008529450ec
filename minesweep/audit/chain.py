"""Pure hashing of audit events: canonical JSON → SHA-256. No Django import."""

from __future__ import annotations

import hashlib
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


def event_hash(prev_hash: str, fields: Mapping[str, Any]) -> str:
    return hashlib.sha256(prev_hash.encode() + b"\n" + canonical_json(dict(fields))).hexdigest()
