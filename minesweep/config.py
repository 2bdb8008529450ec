"""Typed readers of environment variables for settings.

Every reader fails loudly with :class:`ConfigError` naming the variable, so a bad value stops start-up
with a message an operator can act on, instead of a half-configured service.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from pathlib import Path


class ConfigError(Exception):
    """A setting in the environment is missing or malformed (配置错误)."""

    def __init__(self, variable: str, problem: str) -> None:
        self.variable = variable
        super().__init__(f"{variable}: {problem} / 环境变量 {variable} 配置错误：{problem}")


_TRUE = {"1", "true", "yes", "on"}
_THROWAWAY_SECRETS = False  # set only by the `minesweep` command answering --help, never by the environment


def allow_throwaway_secrets() -> None:
    """For ``--help`` only (in this process): missing secrets become random ones that are never stored."""
    global _THROWAWAY_SECRETS
    _THROWAWAY_SECRETS = True


def throwaway_secrets_allowed() -> bool:
    return _THROWAWAY_SECRETS


_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name)
    if value is None:
        if default is None:
            raise ConfigError(name, "required but not set")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    lowered = raw.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ConfigError(name, f"expected true/false, got {raw!r}")


def env_int(name: str, default: int, *, minimum: int | None = None, maximum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(name, f"expected a whole number, got {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ConfigError(name, f"must be at least {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ConfigError(name, f"must be at most {maximum}, got {value}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = os.environ.get(name, default)
    if value not in choices:
        raise ConfigError(name, f"expected one of {', '.join(choices)}, got {value!r}")
    return value


def env_key(name: str, *, demo_store: Path | None, length: int = 32, throwaway: bool = False) -> bytes:
    """A secret key given as URL-safe base64 of ``length`` bytes.

    In demo mode (``demo_store`` given) a missing key is generated once and kept in that file, so a
    demo keeps working across restarts without any secret in the repository. ``throwaway`` (help only)
    answers a missing key with random bytes that are never stored.
    """
    raw = os.environ.get(name)
    if raw is None:
        if throwaway:
            return secrets.token_bytes(length)
        if demo_store is None:
            raise ConfigError(name, f"required outside demo mode ({length} bytes, URL-safe base64)")
        return _demo_secret(demo_store, name, length)
    try:
        key = base64.urlsafe_b64decode(raw.encode() + b"=" * (-len(raw) % 4))
    except (ValueError, TypeError):
        raise ConfigError(name, "expected URL-safe base64") from None
    if len(key) != length:
        raise ConfigError(name, f"expected {length} bytes after base64 decoding, got {len(key)}")
    return key


def _demo_secret(store: Path, name: str, length: int) -> bytes:
    store.parent.mkdir(parents=True, exist_ok=True)
    known: dict[str, str] = json.loads(store.read_text()) if store.exists() else {}
    if name not in known:
        known[name] = base64.urlsafe_b64encode(secrets.token_bytes(length)).decode()
        tmp = store.with_suffix(".tmp")
        tmp.write_text(json.dumps(known, indent=2))
        tmp.chmod(0o600)
        tmp.replace(store)
    return base64.urlsafe_b64decode(known[name])


def require_distinct_secrets(**keys: bytes) -> None:
    """Refuse one secret reused for two purposes (e.g. the session-signing key as the master key)."""
    seen: dict[bytes, str] = {}
    for name, key in keys.items():
        if key in seen:
            raise ConfigError(name, f"must differ from {seen[key]} (one key per purpose)")
        seen[key] = name
