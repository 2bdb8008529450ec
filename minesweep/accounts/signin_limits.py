"""Limits on staff sign-in attempts, without letting anyone lock an account for everyone.

* **Per account and client** (user name + the client's hourly fingerprint): the first 3 failures are free,
  then each further attempt must wait 1, 2, 4 … seconds (at most 5 minutes) after the last failure.
  Someone guessing from elsewhere does not slow the real user down.
* **Per client**: 30 failures in 15 minutes, whatever the user names, and that client waits out the window.
* **Per account** (distributed guessing): past 20 failures an hour, every client waits up to 60 s after the
  last failure: slower guessing, never a lock-out.
* An administrator clears all of it at once: `minesweep staff unlock USER` (audited).

Counters live in the database (:mod:`minesweep.core.ratelimit`) and are keyed by a hash of the user name and
the fingerprint, never the address. A refused attempt is answered at once (429 with Retry-After).
"""

from __future__ import annotations

import hashlib
import math
from datetime import timedelta

from django.utils import timezone

from minesweep.core.ratelimit import (
    CounterState,
    counter_clear,
    counter_clear_prefix,
    counter_hit,
    counter_state,
)

PAIR_FREE_FAILURES = 3
PAIR_MAX_DELAY = 300
CLIENT_FAILURES_ALLOWED = 30
ACCOUNT_FREE_FAILURES = 20
ACCOUNT_MAX_DELAY = 60
WINDOW = timedelta(minutes=15)
ACCOUNT_WINDOW = timedelta(hours=1)


def _account(username: str) -> str:
    return hashlib.sha256(username.strip().lower().encode()).hexdigest()[:24]


def _keys(username: str, fingerprint: str) -> tuple[str, str, str]:
    account = _account(username)
    return f"signin-pair:{account}:{fingerprint}", f"signin-client:{fingerprint}", f"signin-account:{account}"


def _delay_left(state: CounterState, delay: float) -> int:
    if state.last_hit_at is None or delay <= 0:
        return 0
    left = delay - (timezone.now() - state.last_hit_at).total_seconds()
    return math.ceil(left) if left > 0 else 0


def signin_wait(username: str, fingerprint: str) -> int:
    """Seconds before this attempt may be checked (0: go ahead)."""
    pair_key, client_key, account_key = _keys(username, fingerprint)
    client = counter_state(client_key)
    if client.hits >= CLIENT_FAILURES_ALLOWED:
        return client.seconds_left()
    pair = counter_state(pair_key)
    pair_delay = (
        0 if pair.hits < PAIR_FREE_FAILURES else min(PAIR_MAX_DELAY, 2 ** (pair.hits - PAIR_FREE_FAILURES))
    )
    account = counter_state(account_key)
    account_delay = (
        0
        if account.hits < ACCOUNT_FREE_FAILURES
        else min(ACCOUNT_MAX_DELAY, account.hits - ACCOUNT_FREE_FAILURES + 1)
    )
    return max(_delay_left(pair, pair_delay), _delay_left(account, account_delay))


def signin_failed(username: str, fingerprint: str) -> None:
    pair_key, client_key, account_key = _keys(username, fingerprint)
    counter_hit(pair_key, window=WINDOW)
    counter_hit(client_key, window=WINDOW)
    counter_hit(account_key, window=ACCOUNT_WINDOW)


def signin_succeeded(username: str, fingerprint: str) -> None:
    pair_key, _, _ = _keys(username, fingerprint)
    counter_clear(pair_key)


def signin_limits_clear(username: str) -> int:
    """Forget every failure counted against this account, from any client (administrator unlock)."""
    account = _account(username)
    return counter_clear_prefix(f"signin-pair:{account}:") + counter_clear(f"signin-account:{account}")
