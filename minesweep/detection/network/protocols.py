"""Mining protocols recognised from parsed JSON-RPC messages.

Covers Stratum v1 (``mining.*``), the Monero/XMRig dialect (``login``/``job``/``submit``/``keepalived``/``getjob``,
with or without ``agent``), Ethereum proxy methods (``eth_submitLogin``, ``eth_getWork``,
``eth_submitWork``, ``eth_submitHashrate``), getwork/getblocktemplate/submitblock over HTTP, and the
``{"type": "auth"|"job"|"submit", "params": …}`` messages of browser miners (Coinhive clones).

Recognition looks at the method *and* the shape of its parameters, so generic JSON-RPC traffic
(a wallet, a web API) with a ``login`` method is not taken for mining.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from typing import Any

#: Families reported in ``evidence.methods`` as ``<family>:<method>``.
STRATUM = "stratum"
XMRIG = "xmrig"
ETH_PROXY = "eth-proxy"
GETWORK = "getwork"
WEB_MINER = "web-miner"

#: Methods only a pool sends; they tell which side of a connection is the pool.
POOL_TO_MINER_METHODS = frozenset(
    {
        "mining.notify",
        "mining.set_difficulty",
        "mining.set_target",
        "mining.set_extranonce",
        "mining.set_version_mask",
        "client.reconnect",
        "client.show_message",
        "client.get_version",
        "job",
    }
)
SHARE_METHODS = frozenset({"mining.submit", "submit", "eth_submitWork", "submitblock"})
ETH_PROXY_METHODS = frozenset({"eth_submitLogin", "eth_getWork", "eth_submitWork", "eth_submitHashrate"})
GETWORK_METHODS = frozenset({"getwork", "getblocktemplate", "submitblock"})

WALLET_PATTERNS = {
    "bitcoin": re.compile(r"^(bc1[02-9ac-hj-np-z]{11,71}|[13][1-9A-HJ-NP-Za-km-z]{25,34})$"),
    "ethereum": re.compile(r"^0x[0-9a-fA-F]{40}$"),
    "monero": re.compile(r"^[48][1-9A-HJ-NP-Za-km-z]{94}([1-9A-HJ-NP-Za-km-z]{11})?$"),
    "zcash": re.compile(r"^t[13][1-9A-HJ-NP-Za-km-z]{33}$"),
    "litecoin": re.compile(r"^(ltc1[02-9ac-hj-np-z]{11,71}|[LM][1-9A-HJ-NP-Za-km-z]{26,33})$"),
}
ACCOUNT_SEPARATORS = re.compile(r"[./+:@,]")
PAYMENT_ID = re.compile(r"^(?:[0-9a-fA-F]{64}|[0-9a-fA-F]{16})(?:[./+:@,]|$)")


@dataclass(frozen=True)
class MiningMessage:
    """One recognised mining message.

    ``direction`` is ``"to_pool"`` or ``"to_miner"`` (the sender's role follows from the method).
    """

    family: str
    method: str
    direction: str
    software: str | None = None
    accounts: tuple[str, ...] = ()
    pool_names: tuple[str, ...] = ()
    is_share: bool = False
    worker: str | None = None

    @property
    def label(self) -> str:
        return f"{self.family}:{self.method}"


def parse_json_line(line: bytes) -> Any:
    """Decode one JSON text; raises ``ValueError`` on anything else (caller counts it)."""
    return json.loads(line)


def classify_message(message: Any) -> MiningMessage | None:
    """Recognise a decoded JSON-RPC request/notification as a mining message, else ``None``."""
    if not isinstance(message, dict):
        return None
    method = message.get("method")
    if not isinstance(method, str):
        return _web_miner_message(message.get("type"), message.get("params"))
    params = message.get("params")
    if method.startswith("mining."):
        return _stratum_message(method, params)
    if method in ETH_PROXY_METHODS:
        return _eth_proxy_message(method, params, message.get("worker"))
    if method in GETWORK_METHODS:
        return MiningMessage(GETWORK, method, "to_pool", is_share=method == "submitblock")
    return _xmrig_message(method, params)


def _stratum_message(method: str, params: Any) -> MiningMessage:
    direction = "to_miner" if method in POOL_TO_MINER_METHODS else "to_pool"
    items = params if isinstance(params, list) else []
    software = None
    pool_names: tuple[str, ...] = ()
    accounts: tuple[str, ...] = ()
    if method == "mining.subscribe" and items:
        software = _text(items[0])
        if len(items) >= 3 and _looks_like_host(items[2]):
            pool_names = (str(items[2]).lower(),)
    elif method in ("mining.authorize", "mining.submit") and items:
        account = _text(items[0])
        accounts = (account,) if account else ()
    return MiningMessage(
        STRATUM,
        method,
        direction,
        software=software,
        accounts=accounts,
        pool_names=pool_names,
        is_share=method in SHARE_METHODS,
    )


def _eth_proxy_message(method: str, params: Any, worker: Any) -> MiningMessage:
    accounts: tuple[str, ...] = ()
    if method == "eth_submitLogin" and isinstance(params, list) and params:
        account = _text(params[0])
        accounts = (account,) if account else ()
    return MiningMessage(
        ETH_PROXY,
        method,
        "to_pool",
        accounts=accounts,
        is_share=method in SHARE_METHODS,
        worker=_text(worker),
    )


def _xmrig_message(method: str, params: Any) -> MiningMessage | None:
    if not isinstance(params, dict):
        return None
    if method == "login" and isinstance(params.get("login"), str) and ("pass" in params or "agent" in params):
        return MiningMessage(
            XMRIG,
            method,
            "to_pool",
            software=_text(params.get("agent")),
            accounts=(params["login"],),
            pool_names=_rig_pool_hint(params),
            worker=_text(params.get("rigid")),
        )
    if method == "submit" and "job_id" in params and "nonce" in params:
        return MiningMessage(XMRIG, method, "to_pool", is_share=True)
    if method == "job" and "job_id" in params and "blob" in params:
        return MiningMessage(XMRIG, method, "to_miner")
    if method in ("keepalived", "getjob") and "id" in params:
        return MiningMessage(XMRIG, method, "to_pool")
    return None


def _web_miner_message(kind: Any, params: Any) -> MiningMessage | None:
    """Browser miners (Coinhive and its clones) speak ``{"type": …, "params": {…}}`` over WebSocket."""
    if not isinstance(kind, str) or not isinstance(params, dict):
        return None
    if kind == "auth" and isinstance(params.get("site_key"), str):
        user = _text(params.get("user"))
        return MiningMessage(WEB_MINER, kind, "to_pool", accounts=(params["site_key"],), worker=user)
    if kind == "submit" and "job_id" in params and "nonce" in params:
        return MiningMessage(WEB_MINER, kind, "to_pool", is_share=True)
    if kind == "job" and "job_id" in params and "blob" in params:
        return MiningMessage(WEB_MINER, kind, "to_miner")
    return None


def _rig_pool_hint(params: dict[str, Any]) -> tuple[str, ...]:
    """Some proxies pass the upstream pool host in the login; keep it when present."""
    host = params.get("host") or params.get("pool")
    return (str(host).lower(),) if _looks_like_host(host) else ()


def _text(value: Any, limit: int = 200) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()[:limit]
    return None


def _looks_like_host(value: Any) -> bool:
    return isinstance(value, str) and 3 < len(value) < 254 and "." in value and " " not in value


def wallets_in_account(account: str) -> list[tuple[str, str]]:
    """Wallet addresses inside an account string such as ``wallet.worker`` → ``[(coin, address)]``."""
    found = []
    for part in ACCOUNT_SEPARATORS.split(account):
        for coin, pattern in WALLET_PATTERNS.items():
            if pattern.match(part):
                found.append((coin, part))
                break
    return found


def worker_in_account(account: str) -> str | None:
    """The worker/rig part of ``wallet.worker`` (text after the first separator), if any.

    A Monero payment ID (16 or 64 hex digits) between wallet and worker is skipped:
    ``wallet.<payment id>.rig`` → ``rig``.
    """
    parts = [p for p in ACCOUNT_SEPARATORS.split(account, maxsplit=1) if p]
    if len(parts) != 2:
        return None
    rest = parts[1]
    payment_id = PAYMENT_ID.match(rest)
    if payment_id:
        rest = rest[payment_id.end() :]
    return rest or None


def basic_auth_user(authorization: str | None) -> str | None:
    """User name from an HTTP ``Authorization: Basic`` header (getwork miners log in this way)."""
    if not authorization or not authorization.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode("utf-8", "replace")
    except (binascii.Error, ValueError):
        return None
    user = decoded.split(":", 1)[0]
    return user or None


def is_mining_http_request(headers: dict[str, str]) -> bool:
    """getwork-era miners announce themselves with ``X-Mining-Extensions`` / ``X-Mining-Hashrate``."""
    return "x-mining-extensions" in headers or "x-mining-hashrate" in headers
