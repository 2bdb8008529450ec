"""Anti-abuse without third-party services: quotas, a proof-of-work challenge that hardens under flood,
and throttling of wrong receipt codes.

Everything keyed by a client is keyed by ``request.client_fingerprint`` (an hourly keyed hash from
:mod:`minesweep.core.privacy`, never the address) and counted in shared storage (:mod:`minesweep.core.ratelimit`),
so several server processes share one budget; rows expire with their window.

**Challenge.** The server hands out a signed token ``{nonce, bits, issued}``; the client must find an
``answer`` such that SHA-256(``nonce:answer``) starts with ``bits`` zero bits (about 2**bits hashes; the
page solves it in the background). ``bits`` grows with the number of reports received in the last ten
minutes across all workers (read from the database), so a flood makes every further submission cost more
while a normal reporter waits well under a second. Tokens expire and are single-use across all processes.

Tuning (operations, read from the environment at start-up; defaults suit production):
``MINESWEEP_REPORTS_POW_BASE_BITS`` (default 12), ``MINESWEEP_REPORTS_POW_MAX_BITS`` (22),
``MINESWEEP_REPORTS_QUOTA_PER_HOUR`` (per client fingerprint, default 6).
"""

from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import OperationalError
from django.utils import timezone

from minesweep.core.busy import busy_error
from minesweep.core.errors import DomainError
from minesweep.core.ratelimit import counter_clear_prefix, counter_first_use, counter_hit, counter_state

CHALLENGE_SALT = "minesweep.reports.challenge"
CHALLENGE_MAX_AGE = 30 * 60
FLOOD_WINDOW = timedelta(minutes=10)
FLOOD_STEP = 30  # every doubling of this many reports per window adds two bits


# Read from the environment by minesweep.settings (a bad value stops start-up naming the variable).
POW_BASE_BITS = settings.REPORTS_POW_BASE_BITS
POW_MAX_BITS = settings.REPORTS_POW_MAX_BITS
QUOTA_PER_HOUR = settings.REPORTS_QUOTA_PER_HOUR
RECEIPT_FAILURES_ALLOWED = 8  # per fingerprint per window
RECEIPT_WINDOW = timedelta(minutes=15)
SUBMISSION_WINDOW = timedelta(hours=1)
FOLLOW_UP_WINDOW = timedelta(hours=1)
FOLLOW_UP_PER_WINDOW = settings.REPORTS_FOLLOW_UP_MESSAGES_PER_HOUR


class AbuseError(DomainError):
    status = 429

    def __init__(
        self, code: str, message_zh: str, message_en: str, *, retry_after: int = 60, **extra: object
    ):
        super().__init__(code, message_zh, message_en, retry_after=retry_after, **extra)
        self.retry_after = retry_after

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


def reset() -> None:
    """Forget every anti-abuse counter (tests)."""
    for prefix in ("submit:", "receipt:", "challenge:", "follow-up:"):
        counter_clear_prefix(prefix)


def quota_check(fingerprint: str) -> None:
    state = counter_state(f"submit:{fingerprint}")
    if state.hits >= QUOTA_PER_HOUR:
        raise AbuseError(
            "reports.quota",
            "提交过于频繁，请一小时后再试；紧急情况请拨打 12345 热线",
            "Too many reports from here; please try again in an hour, or call the 12345 hotline if urgent",
            retry_after=state.seconds_left(),
        )


def quota_count(fingerprint: str) -> None:
    """Count a filed report against the client's quota. It runs after the report is filed, whose receipt
    must then be shown: a busy database here loses one count of the rate limit, never the receipt."""
    try:
        counter_hit(f"submit:{fingerprint}", window=SUBMISSION_WINDOW)
    except OperationalError as exc:
        busy_error(exc)  # logged for the operator


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
    if leading_zero_bits(digest) < bits:
        raise refused
    if not counter_first_use(f"challenge:{nonce}", lifetime=timedelta(seconds=CHALLENGE_MAX_AGE)):
        raise refused


def receipt_throttled(fingerprint: str) -> int:
    """Seconds this client must wait before its wrong receipts are checked again (0: not throttled)."""
    state = counter_state(f"receipt:{fingerprint}")
    return state.seconds_left() if state.hits >= RECEIPT_FAILURES_ALLOWED else 0


def receipt_refused(retry_after: int) -> AbuseError:
    return AbuseError(
        "reports.receipt_throttled",
        f"错误次数过多，请 {max(1, retry_after // 60)} 分钟后再试",
        f"Too many wrong attempts; please try again in {max(1, retry_after // 60)} minutes",
        retry_after=retry_after,
    )


def receipt_failed(fingerprint: str) -> None:
    """Count a wrong receipt (answered at once: no request thread ever sleeps)."""
    counter_hit(f"receipt:{fingerprint}", window=RECEIPT_WINDOW)


def follow_up_allowed(report_id: int) -> None:
    """At most FOLLOW_UP_PER_WINDOW reporter messages per report and hour, whoever holds the receipt."""
    state = counter_hit(f"follow-up:{report_id}", window=FOLLOW_UP_WINDOW)
    if state.hits > FOLLOW_UP_PER_WINDOW:
        raise AbuseError(
            "reports.follow_up_limit",
            f"每小时最多补充 {FOLLOW_UP_PER_WINDOW} 条留言，请稍后再试",
            f"At most {FOLLOW_UP_PER_WINDOW} messages per hour; please try again later",
            retry_after=state.seconds_left(),
        )
