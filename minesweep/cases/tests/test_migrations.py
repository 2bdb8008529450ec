"""Data migrations of the cases app, run on rows as they were stored before."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from minesweep.cases.models import Lead

pytestmark = pytest.mark.django_db

lead_summary_en = importlib.import_module("minesweep.cases.migrations.0012_lead_summary_en")


def test_platform_written_summaries_are_split_into_their_two_languages_and_typed_ones_are_not(make_lead):
    meter, typed = make_lead(), make_lead(title="举报核实")
    Lead.objects.filter(pk=meter.pk).update(
        source_ref="meter-suspect:7",
        summary="评分 0.990；估算挖矿负荷 320 kW，约 100 台矿机，始见 2025-03-31。 / Score 0.990; estimated "
        "mining load 320 kW, about 100 rigs, first seen 2025-03-31.",
    )
    Lead.objects.filter(pk=typed.pk).update(summary="矿机约 20 台 / Antminer S19，现场已断电")
    lead_summary_en.split_platform_summaries(apps, None)
    meter.refresh_from_db()
    typed.refresh_from_db()
    assert meter.summary == "评分 0.990；估算挖矿负荷 320 kW，约 100 台矿机，始见 2025-03-31。"
    assert (
        meter.summary_en
        == "Score 0.990; estimated mining load 320 kW, about 100 rigs, first seen 2025-03-31."
    )
    assert typed.summary == "矿机约 20 台 / Antminer S19，现场已断电" and typed.summary_en == ""
    lead_summary_en.join_platform_summaries(apps, None)
    meter.refresh_from_db()
    assert meter.summary.endswith(
        "。 / Score 0.990; estimated mining load 320 kW, about 100 rigs, first seen 2025-03-31."
    )
