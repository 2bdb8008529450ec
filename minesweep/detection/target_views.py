"""Analyst pages for the fused target list and the inspection outcomes that feed detection back."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from minesweep.accounts.access import staff_view
from minesweep.accounts.jurisdiction import Scope
from minesweep.accounts.roles import Role
from minesweep.cases.models import Lead
from minesweep.core.errors import DomainError
from minesweep.core.i18n import pick
from minesweep.detection import selectors
from minesweep.detection.forms import InspectionOutcomeForm
from minesweep.detection.services import inspection_outcome_record, target_promote
from minesweep.detection.targets import rank_targets
from minesweep.detection.views import STREAM_NAMES
from minesweep.registry.models import Division

analyst_view = staff_view(Role.ANALYST)


SHOWN_TARGETS = 200


@analyst_view
def targets(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    """The ranked targets; ``order=kw`` puts the largest expected load first, ``hide_cleared=1`` leaves out
    targets cleared at the desk (:func:`~minesweep.detection.targets.arrange_targets`, over every row
    before the first 200 are shown)."""
    order = "kw" if request.GET.get("order") == "kw" else "score"
    hide_cleared = request.GET.get("hide_cleared") == "1"
    ranked = rank_targets(
        scope=scope, limit=SHOWN_TARGETS, by_expected_kw=order == "kw", hide_cleared=hide_cleared
    )
    names = _division_names({row.division_code for row in ranked})
    rows = []
    for row in ranked:
        rows.append(
            {
                "key": row.key,
                "name": row.name,
                "division": names.get(row.division_code, row.division_code),
                "division_code": row.division_code,
                "score": row.score,
                "subject_id": row.subject_id,
                "streams": [
                    {
                        "name": pick(*STREAM_NAMES.get(s.stream, (s.stream, s.stream))),
                        "logit": s.logit,
                        "text": pick(s.zh, s.en),
                    }
                    for s in row.streams
                ],
                "missing": [pick(zh, en) for zh, en in row.missing],
                "next_step": row.next_step[0],
                "next_step_text": pick(*row.next_step[1:]),
                "promoted": bool(row.facts.get("promoted")),
                "desk_checked": "desk_check" in row.facts.get("meter", {}),
                "est_kw": row.facts.get("meter", {}).get("est_mining_kw"),
            }
        )
    return render(
        request,
        "detection/targets.html",
        {"rows": rows, "confirmations": _confirmations(scope), "order": order, "hide_cleared": hide_cleared},
    )


def _division_names(codes: set[str]) -> dict[str, str]:
    """GB/T 2260 code → the division's name (东胜区), as every other analytics page shows it."""
    return dict(Division.objects.filter(code__in=codes).values_list("code", "name"))


@require_POST
@analyst_view
def target_promote_view(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    try:
        lead = target_promote(actor=request.user, scope=scope, key=request.POST.get("key", "")[:80])  # type: ignore[arg-type]
    except DomainError as error:
        messages.error(request, pick(error.message_zh, error.message_en))
        return redirect("detection:targets")
    messages.success(request, pick(f"已转为线索 {lead.number}", f"Promoted to lead {lead.number}"))
    return redirect("cases:lead", pk=lead.pk)


@analyst_view
def outcomes(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    form = InspectionOutcomeForm(request.POST or None, initial={"lead_number": request.GET.get("lead", "")})
    error = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        lead = Lead.objects.filter(scope.q("division"), number=data["lead_number"].strip()).first()
        if lead is None:
            error = pick("找不到该线索（或不在您的辖区）", "No such lead in your jurisdiction")
        else:
            try:
                inspection_outcome_record(
                    actor=request.user,  # type: ignore[arg-type]
                    lead=lead,
                    outcome=data["outcome"],
                    inspected_on=data["inspected_on"],
                    rigs_found=data["rigs_found"],
                    kw_measured=data["kw_measured"],
                    notes=data["notes"],
                )
            except DomainError as failure:
                error = pick(failure.message_zh, failure.message_en)
            else:
                messages.success(request, pick("核查结果已记录", "Inspection outcome recorded"))
                return redirect("detection:outcomes")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "detection/outcomes.html",
        {
            "form": form,
            "error": error,
            "outcomes": selectors.inspection_outcomes(scope=scope)[:200],
            "confirmations": _confirmations(scope),
            "desk_table": selectors.desk_check_table(scope=scope),
            "desk_cleared": selectors.desk_cleared(scope=scope),
        },
        status=status,
    )


def _confirmations(scope: Scope) -> list[dict[str, object]]:
    names = dict(Lead.Source.choices)
    return [
        {**row, "source_name": names.get(str(row["source"]), row["source"])}
        for row in selectors.confirmation_table(scope=scope)
    ]
