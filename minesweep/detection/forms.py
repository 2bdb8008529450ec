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
