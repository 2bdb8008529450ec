"""Rate limits and single-use records in shared storage (:class:`minesweep.core.models.Counter`).

``counter_hit`` counts an event in a fixed window that starts with the first event; ``counter_state``
reads it; ``counter_first_use`` records a one-time token (a proof-of-work nonce) and says whether it was
new. Expired rows are ignored at once and deleted now and then, so nothing outlives its window for long.
"""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from minesweep.core.models import Counter

PURGE_ONE_IN = 200


@dataclass(frozen=True)
class CounterState:
    hits: int
    last_hit_at: datetime | None
    expires_at: datetime | None

    def seconds_left(self, now: datetime | None = None) -> int:
        if self.expires_at is None:
            return 0
        return max(1, math.ceil((self.expires_at - (now or timezone.now())).total_seconds()))


EMPTY = CounterState(0, None, None)


def counter_state(key: str) -> CounterState:
    row = Counter.objects.filter(key=key, expires_at__gt=timezone.now()).first()
    return CounterState(row.hits, row.last_hit_at, row.expires_at) if row else EMPTY


@transaction.atomic
def counter_hit(key: str, *, window: timedelta) -> CounterState:
    """Count one event under ``key`` (atomic across processes) and return the new state."""
    now = timezone.now()
    Counter.objects.bulk_create(
        [Counter(key=key, hits=0, window_started=now, expires_at=now + window)], ignore_conflicts=True
    )
    row = Counter.objects.select_for_update().get(key=key)
    if row.expires_at <= now:
        row.hits, row.window_started, row.expires_at = 0, now, now + window
    row.hits += 1
    row.last_hit_at = now
    row.save()
    if secrets.randbelow(PURGE_ONE_IN) == 0:
        counters_purge()
    return CounterState(row.hits, row.last_hit_at, row.expires_at)


def counter_first_use(key: str, *, lifetime: timedelta) -> bool:
    """Record ``key`` as used; True the first time within ``lifetime``, False on every reuse."""
    return counter_hit(key, window=lifetime).hits == 1


def counter_clear(*keys: str) -> int:
    return Counter.objects.filter(key__in=keys).delete()[0]


def counter_clear_prefix(prefix: str) -> int:
    return Counter.objects.filter(key__startswith=prefix).delete()[0]


def counters_purge() -> int:
    """Delete expired rows (also done by every job worker once a minute)."""
    return Counter.objects.filter(expires_at__lte=timezone.now()).delete()[0]
