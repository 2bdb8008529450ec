"""The mining-pool endpoint list and matching of host names and addresses against it.

Two files in ``data/`` are loaded: ``mining_pool_domains.csv`` (AdamYoung71/mining-pool-domain-intel,
Apache-2.0; replaced by ``minesweep net pools update FILE``) and ``known_mining_domains.csv`` (pool
operators and browser-mining services kept by this project). Names match exactly, as a subdomain of
a listed host (``eu1.pool.example`` under ``pool.example``), or — weaker — on the operator's
registered domain shared with listed hosts (``xmr.2miners.com`` via ``2miners.com``).
"""

from __future__ import annotations

import csv
import ipaddress
import shutil
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
POOL_LIST_FILE = DATA_DIR / "mining_pool_domains.csv"
KNOWN_DOMAINS_FILE = DATA_DIR / "known_mining_domains.csv"
REQUIRED_COLUMNS = ("domain", "port")

EXACT = "exact"
SUBDOMAIN = "subdomain"
OPERATOR_DOMAIN = "operator_domain"
ENDPOINT = "endpoint"

#: Second-level labels under which the registered domain has three labels (``example.com.cn``).
MULTI_LABEL_SUFFIXES = frozenset({"com", "net", "org", "co", "ac", "gov", "edu", "or", "ne", "go"})
#: First labels of web sites: visiting a pool's site is not connecting a miner to it.
WEBSITE_LABELS = frozenset({"www", "m", "api", "blog", "help", "support", "static", "cdn", "docs"})
#: distinct names a pool list remembers its answer for
NAME_CACHE_SIZE = 1 << 20
#: Registered domains shared by unrelated users; a listed host under them says nothing about siblings.
SHARED_DOMAINS = frozenset(
    {
        "ddns.net",
        "my.id",
        "duckdns.org",
        "no-ip.org",
        "no-ip.com",
        "hopto.org",
        "zapto.org",
        "dyndns.org",
        "github.io",
        "herokuapp.com",
        "amazonaws.com",
        "cloudfront.net",
        "azurewebsites.net",
        "cloudflare.com",
        "workers.dev",
        "ngrok.io",
        "onion",
    }
)


class PoolListError(ValueError):
    """A pool list file that cannot be used. 矿池清单文件无法使用。"""


@dataclass(frozen=True)
class PoolEndpoint:
    """One listed endpoint (``host`` is a lower-case name or an IP address)."""

    host: str
    port: int | None
    scheme: str
    pool_name: str
    coin: str
    confidence: str


@dataclass(frozen=True)
class PoolMatch:
    """Why a name or address is considered a pool endpoint."""

    name: str
    listed_host: str
    how: str
    pool_name: str
    coin: str
    confirmed: bool

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "listed_host": self.listed_host,
            "match": self.how,
            "pool": self.pool_name,
            "coin": self.coin,
            "confirmed": self.confirmed,
        }


def registered_domain(name: str) -> str:
    """Registered domain of a host name (``a.b.example.com.cn`` → ``example.com.cn``)."""
    labels = name.split(".")
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in MULTI_LABEL_SUFFIXES:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


class PoolList:
    """Lookup structure over pool endpoints."""

    def __init__(self, endpoints: list[PoolEndpoint]) -> None:
        self.endpoints = endpoints
        self.by_host: dict[str, list[PoolEndpoint]] = {}
        self.ip_ports: set[tuple[str, int | None]] = set()
        for endpoint in endpoints:
            if _is_ip(endpoint.host):
                self.ip_ports.add((endpoint.host, endpoint.port))
            else:
                self.by_host.setdefault(endpoint.host, []).append(endpoint)
        self.operators = self._operator_domains()
        #: each distinct name is matched once per list (partitions of one file share most names)
        self._name_matches: dict[str, PoolMatch | None] = {}
        self._text_matches: dict[str, PoolMatch | None] = {}

    def _operator_domains(self) -> dict[str, PoolEndpoint]:
        operators: dict[str, PoolEndpoint] = {}
        for host, endpoints in self.by_host.items():
            domain = registered_domain(host)
            if domain in SHARED_DOMAINS or "." not in domain or domain.split(".")[-1] == "onion":
                continue
            best = max(endpoints, key=lambda e: e.confidence == "confirmed")
            if domain not in operators or best.confidence == "confirmed":
                operators[domain] = best
        return operators

    def match_name(self, name: str) -> PoolMatch | None:
        """Match a host name (already normalised) exactly, as a subdomain, or by operator domain.

        ``www.``/``api.``… names only match when listed exactly: a pool's web site is not an endpoint.
        Answers are remembered (at most ``NAME_CACHE_SIZE`` names, then the memory starts afresh).
        """
        try:
            return self._name_matches[name]
        except KeyError:
            pass
        if len(self._name_matches) >= NAME_CACHE_SIZE:
            self._name_matches.clear()
        match = self._name_matches[name] = self._match_name(name)
        return match

    def match_text(self, text: str) -> PoolMatch | None:
        """:meth:`match_name` of a name as written in the data (spaces, case, a final dot), remembered
        under that spelling so a name seen again is neither normalised nor matched again."""
        try:
            return self._text_matches[text]
        except KeyError:
            pass
        if len(self._text_matches) >= NAME_CACHE_SIZE:
            self._text_matches.clear()
        match = self._text_matches[text] = self.match_name(text.strip().lower().rstrip("."))
        return match

    def _match_name(self, name: str) -> PoolMatch | None:
        if not name or "." not in name:
            return None
        labels = name.split(".")
        website = labels[0] in WEBSITE_LABELS
        for start in range(1 if website else len(labels) - 1):
            candidate = ".".join(labels[start:])
            endpoints = self.by_host.get(candidate)
            if endpoints:
                endpoint = _most_confident(endpoints)
                how = EXACT if start == 0 else SUBDOMAIN
                return _match(name, candidate, how, endpoint)
        if website:
            return None  # the operator's website, not a mining endpoint
        domain = registered_domain(name)
        operator = self.operators.get(domain)
        if operator is not None:
            return _match(name, domain, OPERATOR_DOMAIN, operator)
        return None

    def match_endpoint(self, address: str, port: int) -> PoolMatch | None:
        """Match an address:port listed as an IP endpoint (listed IPs are rare and change)."""
        if (address, port) in self.ip_ports or (address, None) in self.ip_ports:
            return PoolMatch(f"{address}:{port}", address, ENDPOINT, address, "", False)
        return None


def _most_confident(endpoints: list[PoolEndpoint]) -> PoolEndpoint:
    return max(endpoints, key=lambda e: e.confidence == "confirmed")


def _match(name: str, listed: str, how: str, endpoint: PoolEndpoint) -> PoolMatch:
    return PoolMatch(name, listed, how, endpoint.pool_name, endpoint.coin, endpoint.confidence == "confirmed")


def read_pool_file(path: Path | str) -> list[PoolEndpoint]:
    """Read a pool CSV (at least ``domain`` and ``port`` columns); raises :class:`PoolListError`."""
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            columns = reader.fieldnames or []
            missing = [c for c in REQUIRED_COLUMNS if c not in columns]
            if missing:
                raise PoolListError(
                    f"矿池清单缺少列 {missing} / pool list is missing columns {missing}: {path}"
                )
            return [e for e in (_endpoint(row) for row in reader) if e is not None]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise PoolListError(f"无法读取矿池清单 / cannot read pool list {path}: {exc}") from exc


def _endpoint(row: dict[str, str]) -> PoolEndpoint | None:
    host = (row.get("domain") or "").strip().lower().rstrip(".")
    if not host:
        return None
    port_text = (row.get("port") or "").strip()
    return PoolEndpoint(
        host=host,
        port=int(port_text) if port_text.isdigit() else None,
        scheme=(row.get("scheme") or "").strip(),
        pool_name=(row.get("pool_name") or host).strip(),
        coin=(row.get("coin") or "").strip(),
        confidence=(row.get("confidence") or "candidate").strip().lower(),
    )


@lru_cache(maxsize=1)
def default_pool_list() -> PoolList:
    """The installed list plus the project's known mining domains (cached; see :func:`reload`)."""
    endpoints = read_pool_file(POOL_LIST_FILE)
    if KNOWN_DOMAINS_FILE.exists():
        endpoints += read_pool_file(KNOWN_DOMAINS_FILE)
    return PoolList(endpoints)


def update_pool_file(source: Path | str, target: Path | None = None) -> int:
    """Validate ``source`` and atomically replace the installed pool list; returns endpoint count."""
    target = target or POOL_LIST_FILE
    endpoints = read_pool_file(source)
    if not endpoints:
        raise PoolListError(f"矿池清单为空 / pool list has no endpoints: {source}")
    with (
        open(source, "rb") as handle,
        tempfile.NamedTemporaryFile("wb", dir=target.parent, delete=False, suffix=".tmp") as tmp,
    ):
        shutil.copyfileobj(handle, tmp)
    Path(tmp.name).replace(target)
    default_pool_list.cache_clear()
    return len(endpoints)
