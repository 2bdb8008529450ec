"""Forms of the detection pages: the inspection outcome an inspector records against a lead."""

from __future__ import annotations

from django import forms

from minesweep.core.i18n import bi
from minesweep.detection.models import InspectionOutcome


class InspectionOutcomeForm(forms.Form):
    lead_number = forms.CharField(label=bi("线索编号", "Lead number"), max_length=24)
    outcome = forms.ChoiceField(label=bi("核查结论", "Outcome"), choices=InspectionOutcome.Outcome.choices)
    inspected_on = forms.DateField(
        label=bi("核查日期", "Inspected on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    rigs_found = forms.IntegerField(label=bi("现场矿机台数", "Rigs found"), required=False, min_value=0)
    kw_measured = forms.FloatField(
        label=bi("实测挖矿功率 kW", "Mining kW measured"), required=False, min_value=0
    )
    notes = forms.CharField(label=bi("备注", "Notes"), max_length=500, required=False)


class DeskCheckForm(forms.Form):
    """A plant's production record for a period, balanced against its meter (生产用电平衡核查)."""

    period_start = forms.DateField(
        label=bi("起始日", "First day"), widget=forms.DateInput(attrs={"type": "date"})
    )
    period_end = forms.DateField(
        label=bi("截止日", "Last day"), widget=forms.DateInput(attrs={"type": "date"})
    )
    product = forms.CharField(label=bi("产品", "Product"), max_length=100)
    output = forms.FloatField(label=bi("产量", "Output"), min_value=0)
    unit = forms.CharField(label=bi("计量单位", "Unit"), max_length=20)
    kwh_per_unit = forms.FloatField(
        label=bi("单位产品电耗 kWh", "kWh per unit of output"), min_value=0, required=False
    )
    other_kwh = forms.FloatField(
        label=bi("其他有据用电 kWh（办公、辅助）", "Other documented use, kWh (offices, auxiliaries)"),
        min_value=0,
        required=False,
    )
    source = forms.CharField(
        label=bi("数据来源", "Records used"),
        max_length=300,
        help_text=bi(
            "如：2025年1—6月统计报表、2024年度能源利用状况报告",
            "e.g. statistical returns for January–June 2025, the 2024 energy use report",
        ),
    )
    notes = forms.CharField(label=bi("备注", "Notes"), max_length=500, required=False)
