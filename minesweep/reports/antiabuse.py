"""Anti-abuse without third-party services: quotas, a proof-of-work challenge that hardens under flood,
and throttling of wrong receipt codes.

Everything keyed by a client is keyed by ``request.client_fingerprint`` (an in-memory, hourly-salted hash
from :mod:`minesweep.core.privacy`) and lives only in this process's memory, never in the database or logs.

**Challenge.** The server hands out a signed token ``{nonce, bits, issued}``; the client must find an
``answer`` such that SHA-256(``nonce:answer``) starts with ``bits`` zero bits (about 2**bits hashes; the
page solves it in the background). ``bits`` grows with the number of reports received in the last ten
minutes across all workers (read from the database), so a flood makes every further submission cost more
while a normal reporter waits well under a second. Tokens expire and are single-use per process.

Tuning (operations, read from the environment at start-up; defaults suit production):
``MINESWEEP_REPORTS_POW_BASE_BITS`` (default 12), ``MINESWEEP_REPORTS_POW_MAX_BITS`` (22),
``MINESWEEP_REPORTS_QUOTA_PER_HOUR`` (per client fingerprint, default 6).
"""

from __future__ import annotations

import hashlib
import math
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.utils import timezone

from minesweep.core.errors import DomainError

CHALLENGE_SALT = "minesweep.reports.challenge"
CHALLENGE_MAX_AGE = 30 * 60
FLOOD_WINDOW = timedelta(minutes=10)
FLOOD_STEP = 30  # every doubling of this many reports per window adds two bits


# Read from the environment by minesweep.settings (a bad value stops start-up naming the variable).
POW_BASE_BITS = settings.REPORTS_POW_BASE_BITS
POW_MAX_BITS = settings.REPORTS_POW_MAX_BITS
QUOTA_PER_HOUR = settings.REPORTS_QUOTA_PER_HOUR
RECEIPT_FAILURES_ALLOWED = 8  # per fingerprint per window
RECEIPT_WINDOW_SECONDS = 15 * 60
RECEIPT_FAILURE_DELAY = 1.0  # seconds added to every wrong receipt (tests may set 0)


class AbuseError(DomainError):
    status = 429


class _Windows:
    """Sliding windows of event times per key, in memory only; old keys are dropped as they expire."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._events: dict[str, deque[float]] = {}

    def count(self, key: str, window: float) -> int:
        now = time.monotonic()
        with self._lock:
            events = self._events.get(key)
            if not events:
                return 0
            while events and now - events[0] > window:
                events.popleft()
            if not events:
                del self._events[key]
                return 0
            return len(events)

    def add(self, key: str) -> None:
        with self._lock:
            self._events.setdefault(key, deque()).append(time.monotonic())
            if len(self._events) > 100_000:  # bound memory under a spray of fingerprints
                oldest = sorted(self._events, key=lambda k: self._events[k][-1])[:50_000]
                for k in oldest:
                    del self._events[k]

    def clear(self) -> None:
        with self._lock:
            self._events.clear()


SUBMISSIONS = _Windows()
RECEIPT_FAILURES = _Windows()
_USED_CHALLENGES = _Windows()


def reset() -> None:
    """Forget all in-memory counters (tests)."""
    SUBMISSIONS.clear()
    RECEIPT_FAILURES.clear()
    _USED_CHALLENGES.clear()


def quota_check(fingerprint: str) -> None:
    if SUBMISSIONS.count(fingerprint, 3600) >= QUOTA_PER_HOUR:
        raise AbuseError(
            "reports.quota",
            "提交过于频繁，请一小时后再试；紧急情况请拨打 12345 热线",
            "Too many reports from here; please try again in an hour, or call the 12345 hotline if urgent",
        )


def quota_count(fingerprint: str) -> None:
    SUBMISSIONS.add(fingerprint)


def recent_submission_count() -> int:
    from minesweep.reports.models import Report

    return Report.objects.filter(created_at__gte=timezone.now() - FLOOD_WINDOW).count()


def current_difficulty(recent: int | None = None) -> int:
    """Leading zero bits required now: the base, plus two bits per doubling of recent reports past FLOOD_STEP."""
    recent = recent_submission_count() if recent is None else recent
    extra = 0 if recent < FLOOD_STEP else 2 * (int(math.log2(recent / FLOOD_STEP)) + 1)
    return min(POW_MAX_BITS, POW_BASE_BITS + extra)


@dataclass(frozen=True)
class Challenge:
    token: str
    bits: int


def challenge_issue() -> Challenge:
    bits = current_difficulty()
    token = signing.dumps({"n": secrets.token_hex(12), "b": bits}, salt=CHALLENGE_SALT, compress=False)
    return Challenge(token, bits)


def leading_zero_bits(digest: bytes) -> int:
    bits = 0
    for byte in digest:
        if byte == 0:
            bits += 8
            continue
        return bits + 8 - byte.bit_length()
    return bits


def challenge_solve(token: str) -> str:
    """Find an answer (used by tests, the benchmark and any client written in Python)."""
    payload = signing.loads(token, salt=CHALLENGE_SALT)
    nonce, bits = payload["n"], payload["b"]
    counter = 0
    while leading_zero_bits(hashlib.sha256(f"{nonce}:{counter}".encode()).digest()) < bits:
        counter += 1
    return str(counter)


def challenge_verify(token: str, answer: str) -> None:
    refused = AbuseError(
        "reports.challenge",
        "防刷验证未通过或已过期，请刷新页面后重新提交",
        "The anti-flood check failed or expired; reload the page and submit again",
    )
    if not token or not answer or len(str(answer)) > 20:
        raise refused
    try:
        payload = signing.loads(str(token), salt=CHALLENGE_SALT, max_age=CHALLENGE_MAX_AGE)
        nonce, bits = str(payload["n"]), int(payload["b"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise refused from None
    digest = hashlib.sha256(f"{nonce}:{answer}".encode()).digest()
    if leading_zero_bits(digest) < bits or _USED_CHALLENGES.count(nonce, CHALLENGE_MAX_AGE):
        raise refused
    _USED_CHALLENGES.add(nonce)


def receipt_throttle_check(fingerprint: str) -> None:
    if RECEIPT_FAILURES.count(fingerprint, RECEIPT_WINDOW_SECONDS) >= RECEIPT_FAILURES_ALLOWED:
        raise AbuseError(
            "reports.receipt_locked",
            "错误次数过多，请 15 分钟后再试",
            "Too many wrong attempts; please try again in 15 minutes",
        )


def receipt_failed(fingerprint: str) -> None:
    RECEIPT_FAILURES.add(fingerprint)
    # Slow down guessing; grows with repeated failures from the same client.
    failures = RECEIPT_FAILURES.count(fingerprint, RECEIPT_WINDOW_SECONDS)
    if RECEIPT_FAILURE_DELAY:
        time.sleep(min(5.0, RECEIPT_FAILURE_DELAY * failures))
