"""Registry models: defaults that come from the region's configuration, not from code."""

from __future__ import annotations

import pytest

from minesweep.registry.models import Division, MarketParticipation, Subject

pytestmark = pytest.mark.django_db


def test_it_defaults_the_market_to_the_deployment_packs_power_market(monkeypatch):
    monkeypatch.setenv("MINESWEEP_POLICY_PACK", "sichuan_2022")
    subject = Subject.objects.create(
        kind=Subject.Kind.ENTERPRISE,
        name="某数据中心有限公司",
        uscc="91150200MA0000000X",
        division=Division.objects.get(code="150200"),
    )
    assert MarketParticipation.objects.create(subject=subject).market == "四川电力交易市场"
    monkeypatch.delenv("MINESWEEP_POLICY_PACK")
    assert MarketParticipation(subject=subject).market == "内蒙古电力多边交易市场"
