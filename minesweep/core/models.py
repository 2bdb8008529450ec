"""Shared counters for rate limits and single-use records, in the database so every server process and
every machine sees the same budget (SQLite and PostgreSQL alike). Keys never contain a client address:
clients appear only as the hourly keyed fingerprint of ADR 0002, and rows are deleted when they expire."""

from __future__ import annotations

from django.db import models


class Counter(models.Model):
    key = models.CharField(max_length=160, primary_key=True)
    hits = models.PositiveIntegerField(default=0)
    window_started = models.DateTimeField()
    last_hit_at = models.DateTimeField(null=True)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.key}: {self.hits}"
