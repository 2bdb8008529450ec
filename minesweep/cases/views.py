"""Staff pages for leads, cases and department tasks. Thin: parse, authorise (scope), call one service,
render or redirect. A refused action comes back as a bilingual message on the same page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from minesweep.accounts.access import staff_view
from minesweep.accounts.duties import is_legal_reviewer
from minesweep.accounts.jurisdiction import Scope
from minesweep.accounts.models import StaffProfile
from minesweep.accounts.roles import Role
from minesweep.audit.services import audit_record
from minesweep.cases import forms, panels, selectors, services
from minesweep.cases.checklist import CHECKLIST_ANSWERS, CHECKLIST_ITEMS, RIG_NAMEPLATE_W
from minesweep.cases.models import (
    Case,
    CaseCalculation,
    CaseParty,
    Decision,
    EvidenceItem,
    FollowUpCheck,
    Hearing,
    Lead,
    Measure,
    Notice,
    Referral,
    Task,
)
from minesweep.cases.transitions import ACTION_NAMES, STEP_NAMES, allowed_actions
from minesweep.core.errors import DomainError, NotFoundError
from minesweep.core.i18n import pick
from minesweep.credit.models import ListingRecord
from minesweep.credit.selectors import listing_for_party
from minesweep.documents.authority import case_issuer
from minesweep.documents.context import listing_grounding_statutes, listing_statutes
from minesweep.documents.wording import configured, decidable, pending_bases
from minesweep.policy.codes import (
    ACTIONS,
    CASE_WIDE_FACTS,
    FACTS,
    HOLDINGS,
    POLICE_REFERRAL_CRIMES,
    PRESUMED_HOLDINGS,
    ROLES,
    SUBJECT_CATEGORIES,
    TRACKS,
)
from minesweep.policy.engine import presumed_holdings
from minesweep.policy.packs import available_packs, department_names, deployment_pack_id, load_pack
from minesweep.registry.resident_id import mask_resident_id
from minesweep.reports.selectors import content_readable, report_get
from minesweep.reports.services import report_content_read

READERS = (Role.INVESTIGATOR, Role.INTAKE_OFFICER, Role.LEADERSHIP, Role.ANALYST)


def _investigators(case_division: str) -> list[User]:
    """Investigators whose jurisdiction contains the division (candidates for a second officer)."""
    profiles = (
        StaffProfile.objects.filter(role=Role.INVESTIGATOR)
        .exclude(legal_reviewer=True)
        .select_related("user", "jurisdiction")
    )
    return [
        p.user for p in profiles if p.user.is_active and case_division.startswith(p.jurisdiction.scope_prefix)
    ]


def _can_act(request: HttpRequest) -> bool:
    """Investigators (and administrators) act; intake, analysts and leadership read (forms hidden)."""
    role = getattr(getattr(request.user, "staff", None), "role", "")
    return role in (Role.INVESTIGATOR, Role.ADMINISTRATOR)


# -- leads ------------------------------------------------------------------------------------------
@staff_view(*READERS)
def leads(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    status = request.GET.get("status", "")[:12]
    q = forms.clean(request.GET.get("q", ""))[:100]
    rows = selectors.leads_for(scope)
    if status in Lead.Status.values:
        rows = rows.filter(status=status)
    if q:
        rows = rows.filter(Q(number__icontains=q) | Q(title__icontains=q))
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    today = timezone.localdate()
    items: list[dict[str, Any]] = []
    for lead in page:
        due = selectors.lead_due(lead)
        open_ = lead.status in (Lead.Status.OPEN, Lead.Status.VERIFYING)
        received = lead.received_on or timezone.localtime(lead.created_at).date()
        items.append(
            {
                "lead": lead,
                "due": due,
                "overdue": open_ and due is not None and due < today,
                "age": (today - received).days,
            }
        )
    return render(
        request,
        "cases/leads.html",
        {"page": page, "items": items, "status": status, "statuses": Lead.Status.choices, "q": q},
    )


def _source_link(lead: Lead) -> dict[str, str] | None:
    """The finding or report a lead came from, as a label and a link (never the raw reference)."""
    ref = lead.source_ref or ""
    kind, _, pk = ref.partition(":")
    if kind == "meter-suspect" and pk.isdigit():
        return {
            "label": pick("用电数据疑点", "Meter-data finding"),
            "url": reverse("detection:meter_suspect", args=[int(pk)]),
        }
    if kind == "net-host" and pk.isdigit():
        return {
            "label": pick("网络数据疑点主机", "Network-data host"),
            "url": reverse("detection:net_host", args=[int(pk)]),
        }
    report = lead.reports.first() if hasattr(lead, "reports") else None
    if report is not None:
        return {
            "label": pick(f"举报 {report.number}", f"Report {report.number}"),
            "url": reverse("reports:detail", args=[report.number]),
        }
    return None


def _subject_history(lead: Lead) -> dict[str, Any]:
    """Open cases, earlier decisions and blacklist entries about the lead's subject (by registry record or
    by the USCC/name a report gave), so the officer sees them before verifying or filing."""
    report = lead.reports.first() if hasattr(lead, "reports") else None
    identifiers = {v for v in (getattr(lead.subject, "uscc", ""), getattr(report, "uscc", "")) if v}
    names = {v for v in (getattr(lead.subject, "name", ""), getattr(report, "subject_name", "")) if v}
    if not identifiers and not names and lead.subject_id is None:
        return {"cases": [], "decisions": [], "listings": []}
    party_match = Q(identifier__in=identifiers) | Q(name__in=names)
    if lead.subject_id:
        party_match |= Q(subject_id=lead.subject_id)
    parties = CaseParty.objects.filter(party_match).exclude(case__lead=lead)
    cases = Case.objects.filter(parties__in=parties).distinct().order_by("-filed_on")
    open_cases = [c for c in cases if c.stage != Case.Stage.CLOSED]
    decisions = Decision.objects.filter(party__in=parties).select_related("case").order_by("-decided_on")
    listing_match = Q(subject__uscc__in=identifiers) | Q(subject__name__in=names)
    if lead.subject_id:
        listing_match |= Q(subject_id=lead.subject_id)
    listings = ListingRecord.objects.filter(listing_match).select_related("subject")
    return {"cases": open_cases, "decisions": list(decisions), "listings": list(listings)}


def _report_text(request: HttpRequest, scope: Scope, reports: list[Any]) -> dict[str, Any] | None:
    """The reporter's own words for ``?report_text=<number>``: only for roles that may read reports, decrypted
    and audited by the reports read service (the lead keeps no copy). Other roles get nothing."""
    number = request.GET.get("report_text", "")[:40]
    if not number or not content_readable(scope) or number not in {r.number for r in reports}:
        return None
    report = report_get(scope=scope, number=number)  # the report's own jurisdiction rule applies too
    return {"number": number, "content": report_content_read(actor=request.user, report=report)}  # type: ignore[arg-type]


@staff_view(*READERS)
def lead_detail(request: HttpRequest, pk: int, *, scope: Scope) -> HttpResponse:
    lead = selectors.lead_get(scope, pk)
    case = Case.objects.filter(lead=lead).first()
    due = selectors.lead_due(lead)
    reports = list(lead.reports.all()) if hasattr(lead, "reports") else []
    return render(
        request,
        "cases/lead_detail.html",
        {
            "lead": lead,
            "case": case,
            "due": due,
            "overdue": due is not None and due < timezone.localdate(),
            "investigators": [u for u in _investigators(lead.division_id) if u.pk != request.user.pk],
            "packs": [
                (p, pick(load_pack(p).title_zh, load_pack(p).title_en))
                for p in (deployment_pack_id(), *[p for p in available_packs() if p != deployment_pack_id()])
            ],
            "attachments": lead.attachments.all(),
            "suggestion": selectors.lead_suggestion(lead),
            "can_act": _can_act(request),
            "source": _source_link(lead),
            "reports": reports,
            "can_read_reports": content_readable(scope),
            "report_text": _report_text(request, scope, reports),
            "history": _subject_history(lead),
            "field_errors": _field_errors(request),
        },
    )


@staff_view(*READERS)
def lead_attachment(request: HttpRequest, pk: int, item: int, *, scope: Scope) -> HttpResponse:
    lead = selectors.lead_get(scope, pk)
    attachment = lead.attachments.filter(pk=item).first()
    if attachment is None:
        raise NotFoundError()
    audit_record(  # every read of a lead's files is audited, like case evidence (issue 14)
        actor=request.user,
        action="cases.lead.attachment_download",
        target=attachment,
        division_code=lead.division_id,
        detail={"lead": lead.number},
    )
    return _download(bytes(attachment.content), attachment.name, attachment.content_type)


@require_POST
@staff_view(Role.INVESTIGATOR)
def lead_act(request: HttpRequest, pk: int, action: str, *, scope: Scope) -> HttpResponse:
    lead = selectors.lead_get(scope, pk)
    data, user = request.POST, request.user
    target = reverse("cases:lead", args=[lead.pk])
    try:
        if action == "verify":
            services.lead_verification_start(actor=user, lead=lead, notes=forms.text(data, "notes"))
            done = pick("已开始核查", "Verification started")
        elif action == "extend":
            services.lead_check_extend(actor=user, lead=lead, reason=forms.text(data, "reason"))
            done = pick("核查期限已延长", "Check period extended")
        elif action == "file":
            chosen = forms.pk(data, "second_officer", *NO_SECOND_OFFICER)
            second = User.objects.filter(pk=chosen, is_active=True).first()
            if second is None:
                raise DomainError("cases.choice_required", *NO_SECOND_OFFICER, field="second_officer")
            if is_legal_reviewer(second) or is_legal_reviewer(user):  # type: ignore[arg-type]
                raise DomainError(
                    "cases.officer_is_legal_reviewer",
                    "法制审核人员不能担任本案办案人员",
                    "A legal reviewer cannot be an investigating officer of the case",
                    field="second_officer" if is_legal_reviewer(second) else "",  # type: ignore[arg-type]
                )
            case = services.lead_file(
                actor=user,
                lead=lead,
                reason=forms.text(data, "reason"),
                second_officer=second,
                title=forms.text(data, "title", 200),
                pack=forms.text(data, "pack", 60) or None,
                act_ended_on=forms.date(data, "act_ended_on", "违法行为终了日", "The day the act ended"),
                limitation_years=5 if forms.text(data, "limitation_years", 2) == "5" else 2,
                late_reason=forms.text(data, "late_reason"),
            )
            messages.success(request, pick(f"已立案：{case.number}", f"Case filed: {case.number}"))
            return HttpResponseRedirect(reverse("cases:case", args=[case.pk]))
        elif action == "not_file":
            services.lead_not_file(
                actor=user,
                lead=lead,
                reason=forms.text(data, "reason"),
                late_reason=forms.text(data, "late_reason"),
            )
            done = pick("已作出不予立案决定", "Closed without filing")
        else:
            raise NotFoundError()
        messages.success(request, done)
    except DomainError as error:
        if isinstance(error, NotFoundError):
            raise
        messages.error(request, error.shown, extra_tags=_field_tag(error))
    return HttpResponseRedirect(target)


NO_SECOND_OFFICER = ("请选择第二名办案人员", "choose the second officer")
FIELD_TAG = "field-"


def _field_tag(error: DomainError) -> str:
    """The refused field, carried with the message across the redirect so the page marks it there."""
    field = error.extra.get("field")
    return f"{FIELD_TAG}{field}" if field else ""


def _field_errors(request: HttpRequest) -> dict[str, str]:
    """Field name → its refusal, from this request's messages (the banner still shows them too)."""
    return {
        tag.removeprefix(FIELD_TAG): str(message)
        for message in messages.get_messages(request)
        for tag in (message.extra_tags or "").split()
        if tag.startswith(FIELD_TAG)
    }


# -- cases ------------------------------------------------------------------------------------------
@staff_view(*READERS)
def cases(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    stage = request.GET.get("stage", "")[:16]
    q = forms.clean(request.GET.get("q", ""))[:100]
    rows = selectors.cases_for(scope)
    if stage in Case.Stage.values:
        rows = rows.filter(stage=stage)
    if q:
        rows = rows.filter(
            Q(number__icontains=q) | Q(title__icontains=q) | Q(parties__name__icontains=q)
        ).distinct()
    if request.GET.get("mine"):
        rows = rows.filter(Q(lead_officer_id=request.user.pk) | Q(second_officer_id=request.user.pk))
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    today = timezone.localdate()
    items = []
    for case in page:
        deadlines = selectors.case_deadlines(case, today)
        overdue = [d for d in deadlines if d.overdue]
        upcoming = [d for d in deadlines if not d.done and not d.overdue]
        items.append(
            {
                "case": case,
                "overdue": overdue,
                "next": upcoming[0] if upcoming else None,
                "age": (today - case.filed_on).days,
            }
        )
    return render(
        request,
        "cases/cases.html",
        {
            "page": page,
            "items": items,
            "stage": stage,
            "q": q,
            "stages": Case.Stage.choices,
            "by_stage": selectors.cases_by_stage(scope),
            "totals": selectors.totals(scope, today),
        },
    )


#: A penalty's steps that only the officers of the organ holding the power record (require_penalty_officer);
#: its legal review is that organ's reviewer's, and is refused on its own terms.
PENALTY_OFFICER_STEPS = frozenset(
    {
        "penalty_file",
        "notice_issue",
        "rights_waive",
        "hearing_request",
        "statement_record",
        "hearing_schedule",
        "hearing_conclude",
        "discussion_record",
        "decision_issue",
        "decision_serve",
        "enforcement_record",
    }
)


def _track_rows(case: Case, viewer: Any = None) -> dict[int, list[dict[str, Any]]]:
    """Each party's tracks as the panel shows them to ``viewer``: a penalty another organ decides shows that
    organ's name in place of the forms for the steps its own officers record, and so does a listing (the
    credit office's); to staff of another organ than the case authority's (the 能源局's, the region's credit
    office) only that organ's penalty or credit steps are open. ``allowed`` is already narrowed to the
    viewer's organ, so the template asks only for the role."""
    rows: dict[int, list[dict[str, Any]]] = {}
    not_ours = bool(services.case_organ_elsewhere(viewer, case))
    credit_elsewhere = services.credit_organ_elsewhere(viewer, case)
    for track in case.tracks.select_related("party__case", "referral"):
        pending = services.track_allowed(track)  # what the track waits for, whoever may record it
        ground = (
            selectors.credit_ground(track.party, timezone.localdate())
            if track.kind == "credit" and "credit_notice_issue" in pending
            else None
        )
        # the statute a listing would rest on: none for a ground that is no penalty decision while the pack
        # names no listing standard (credit.services.require_listing_statute)
        statute = listing_grounding_statutes(track.party, ground.kind_zh) if ground is not None else ""
        if track.kind == "credit":  # the listing organ's staff only (require_credit_officer)
            allowed = [] if credit_elsewhere else pending
        else:
            allowed = pending if track.kind == "penalty" or not not_ours else []
        elsewhere = (
            services.penalty_organ_elsewhere(viewer, track.party)
            if track.kind == "penalty" and PENALTY_OFFICER_STEPS.intersection(allowed)
            else ""
        )
        if elsewhere:
            allowed = [a for a in allowed if a not in PENALTY_OFFICER_STEPS]
        rows.setdefault(track.party_id, []).append(
            {
                "track": track,
                "kind": TRACKS.get(track.kind),
                "step": STEP_NAMES.get(track.step, (track.step, track.step)),
                "allowed": allowed,
                "penalty_organ_elsewhere": elsewhere,
                "credit_organ_elsewhere": credit_elsewhere if track.kind == "credit" and pending else "",
                "allowed_names": _next_steps(pending, ground, statute),
                "actions": selectors.track_actions_shown(track),
                "fine_range": selectors.fine_range(track.party) if track.kind == "penalty" else None,
                "criminal_hold": (
                    services.criminal_hold(track.party, timezone.localdate())
                    if track.kind == "penalty"
                    and track.step in ("notice", "rights", "discussion", "decision")
                    else None
                ),
                "listing": listing_for_party(track.party) if track.kind == "credit" else None,
                "credit_ground": ground if "credit_notice_issue" in allowed else None,
                "serious_standard": listing_statutes(track.party)
                if track.kind == "credit" and "credit_notice_issue" in allowed
                else "",
                "listing_statute": statute if "credit_notice_issue" in allowed else "",
                "pending_bases": pending_bases(track.actions) if track.kind == "measure" else [],
                "undecidable": track.kind == "measure" and not decidable(track.actions),
                "addressee_unconfirmed": track.kind == "other_authority"
                and not configured(track.authority_name),
            }
        )
    return rows


#: What a credit track waits for while no decision with legal effect establishes the conduct
#: (国办发〔2020〕49号; ``selectors.credit_ground``): the notice is refused until one exists.
AWAITING_GROUND = (
    "认定失信行为的生效文书：本案处罚决定书送达、处理决定书作出，或登记本平台外作出的生效文书",
    "A document establishing the conduct: this case's penalty decision served, its decision letter "
    "issued, or one made outside the platform recorded",
)


#: What a credit track whose ground is no penalty decision waits for while the pack names no listing statute
#: (credit.services.require_listing_statute): a penalty decision, or the credit office's decision not to list.
AWAITING_STATUTE = (
    "行政处罚决定书送达（列入依据），或者记明理由不予列入",
    "A penalty decision served (the ground to list on), or a decision not to list, with the reason",
)


def _next_steps(pending: list[str], ground: Any, statute: str) -> list[tuple[str, str]]:
    """The names of what a track waits for. On a credit track, recording a document made outside the
    platform is optional once a decision grounds the listing, and the notice cannot be served before
    one does: the panel names the one step that applies, not both."""
    if "credit_notice_issue" not in pending:
        return [ACTION_NAMES.get(a, (a, a)) for a in pending]
    first = ("credit_ground_record", "credit_notice_issue", "credit_decline")  # alternatives, not awaited
    rest = [ACTION_NAMES.get(a, (a, a)) for a in pending if a not in first]
    if ground is None:
        return [AWAITING_GROUND, *rest]
    if not statute:
        return [AWAITING_STATUTE, *rest]
    return [ACTION_NAMES["credit_notice_issue"], *rest]


def _rule_text_en(pack_id: str, rule_id: int) -> str:
    """A pack rule's wording in English (``text_en``), or "" when the pack or the rule is gone or has none."""
    try:
        pack = load_pack(pack_id)
    except Exception:  # a broken pack must not break the page; the engine reports it on use
        return ""
    return next((r.text_en for r in pack.rules if r.id == rule_id), "")


def _case_context(case: Case, request: HttpRequest) -> dict[str, Any]:
    today = timezone.localdate()
    determination = getattr(case, "determination", None)
    case_allowed = services.case_allowed(case)
    tracks_by_party = _track_rows(case, request.user)
    case_elsewhere = services.case_organ_elsewhere(request.user, case)
    measures = list(
        Measure.objects.filter(determination__case=case)
        .select_related("party")
        .order_by("party_id", "pack", "rule_id")
    )
    for measure in measures:  # the English page shows the rule's English wording; its clause stays Chinese
        measure.rule_text_en = _rule_text_en(measure.pack, measure.rule_id)  # type: ignore[attr-defined]
    parties = list(case.parties.all())
    notices = {n.party_id: n for n in case.notices.filter(superseded=False).select_related("party")}
    party_rows = []
    for party in parties:
        notice = notices.get(party.pk)
        decision = notice.decisions.first() if notice else None
        tracks = tracks_by_party.get(party.pk, [])
        penalty = next((t for t in tracks if t["track"].kind == "penalty"), None)
        party_rows.append(
            {
                "party": party,
                "identifier": mask_resident_id(party.identifier)
                if party.category in ("individual", "public_official")
                else party.identifier,
                "category": SUBJECT_CATEGORIES.get(party.category),
                "role": ROLES.get(party.role),
                "facts": [FACTS[f] for f in party.facts if f in FACTS],
                "measures": [m for m in measures if m.party_id == party.pk],
                "notice": notice,
                "hearing": getattr(notice, "hearing", None) if notice else None,
                "blockers": services.notice_blockers(notice, today) if notice and not decision else [],
                "decision": decision,
                "tracks": tracks,
                "penalty": penalty,
                "penalty_allowed": penalty["allowed"] if penalty else [],
            }
        )
    # The measure picker: one group per pack, named by its title in the page's language (the pack id is
    # only the option's value).
    rule_groups = []
    for pack_id in services.packs_for(case):
        try:
            pack = load_pack(pack_id)
        except Exception:  # a broken pack must not break the page; the engine reports it on use
            continue
        rules = [
            {"pack": pack_id, "id": r.id, "title": r.title_zh, "title_en": r.title_en} for r in pack.rules
        ]
        rule_groups.append({"title": pick(pack.title_zh, pack.title_en), "rules": rules})
    return {
        "case": case,
        "today": today,
        "lead": case.lead,
        "deadlines": selectors.case_deadlines(case, today),
        "decision_period": services.decision_period(case, today),
        # Once every decision is made, how the criminal days bear on the ninety is history, not a warning.
        "decision_pending": case.stage not in (Case.Stage.DECIDED, Case.Stage.CLOSED),
        "party_rows": party_rows,
        "case_authority_name": case_issuer(case).name,  # who filed the case (a penalty may need its own)
        "parties": parties,
        "inspections": case.inspections.all(),
        "evidence": case.evidence_items.all(),
        "rigs": case.seized_rigs.all(),
        "calculations": case.calculations.select_related("party"),
        "determination": determination,
        "measures": measures,
        "reviews": case.legal_reviews.select_related("reviewer"),
        "decisions": case.decisions.select_related("party"),
        "tasks": case.tasks.select_related("party"),
        "referrals": [
            {
                "referral": r,
                "allowed": services.track_allowed(r.track) if hasattr(r, "track") else _referral_allowed(r),
                "crime": POLICE_REFERRAL_CRIMES.get(r.action),
            }
            for r in case.referrals.select_related("party")
        ],
        "case_allowed": case_allowed,
        "track_count": case.tracks.count(),
        "open_tracks": [t for t in case.tracks.select_related("party") if not t.ended],
        "successors": case.successors.all(),
        "follow_ups": case.follow_ups.all(),
        "log": case.log.select_related("actor").order_by("-at", "-id")[:50],
        "categories": SUBJECT_CATEGORIES,
        "roles": ROLES,
        "facts": FACTS,
        "case_wide_facts": {code: FACTS[code] for code in sorted(CASE_WIDE_FACTS)},
        "holdings": HOLDINGS,
        "recorded_holdings": {c: h for c, h in HOLDINGS.items() if c not in PRESUMED_HOLDINGS},
        "ground_kinds": selectors.GROUND_KINDS,
        "suggestion": selectors.lead_suggestion(case.lead) if not parties else None,
        "actions": ACTIONS,
        "departments": department_names(),
        "checklist": CHECKLIST_ITEMS,
        "answers": CHECKLIST_ANSWERS,
        "evidence_kinds": EvidenceItem.Kind.choices,
        "rig_models": RIG_NAMEPLATE_W,
        "calc_kinds": CaseCalculation.Kind.choices,
        "rule_groups": rule_groups,
        "referral_kinds": Referral.Kind.choices,
        "police_crimes": list(POLICE_REFERRAL_CRIMES.values()),
        "referral_outcomes": Referral.Outcome.choices,
        "referral_documents": services.REFERRAL_DOCUMENTS,
        "stages": Case.Stage.choices,
        "case_facts": determination.case_facts if determination else [],
        # Staff of another organ act only on its penalties (require_case_officer / require_penalty_officer).
        "can_act": _can_act(request) and not case_elsewhere,
        "can_act_organ": _can_act(request),  # the forms of one's own organ's acts on another's case
        "case_organ_elsewhere": case_elsewhere,
    }


def _referral_allowed(referral: Referral) -> list[str]:
    """A referral proposed by hand (no track): the same steps as a referral track."""
    step = {"declined": "ended", "answered": "ended"}.get(referral.status, referral.status)
    return allowed_actions("referral", step)


@staff_view(*READERS)
def case_detail(request: HttpRequest, pk: int, *, scope: Scope) -> HttpResponse:
    case = selectors.case_get(scope, pk)
    context = _case_context(case, request)
    context.update(
        panels.stage_context(
            stage=case.stage,
            context=context,
            requested=request.GET.get("p", ""),
            party=request.GET.get("party", "")[:12],
        )
    )
    return render(request, "cases/case_detail.html", context)


@staff_view(*READERS)
def evidence_file(request: HttpRequest, pk: int, item: int, *, scope: Scope) -> HttpResponse:
    case = selectors.case_get(scope, pk)
    exhibit = EvidenceItem.objects.filter(case=case, pk=item).exclude(size=0).first()
    if exhibit is None:
        raise NotFoundError()
    audit_record(  # every read of case evidence is audited (issue 14)
        actor=request.user, action="cases.evidence.download", target=exhibit, division_code=case.division_id
    )
    return _download(bytes(exhibit.content), exhibit.file_name, exhibit.content_type)


def _download(content: bytes, name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type or "application/octet-stream")
    safe = "".join(ch for ch in name if ch.isalnum() or ch in "._-") or "file"
    response["Content-Disposition"] = f"attachment; filename=\"{safe}\"; filename*=UTF-8''{_quote(name)}"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


def _party(case: Case, data: Any, name: str = "party") -> CaseParty:
    party = case.parties.filter(pk=forms.pk(data, name)).first()
    if party is None:
        raise DomainError("cases.choice_required", "请选择当事人", "choose a party")
    return party


def _one(queryset: Any, data: Any, name: str) -> Any:
    found = queryset.filter(pk=forms.pk(data, name)).first()
    if found is None:
        raise NotFoundError()
    return found


CaseAction = Callable[[HttpRequest, Case], str]


def _act_party_add(request: HttpRequest, case: Case) -> str:
    d = request.POST
    services.party_add(
        actor=request.user,
        case=case,
        name=forms.text(d, "name", 200),
        category=forms.text(d, "category", 40),
        role=forms.text(d, "role", 20) or "operator",
        facts=d.getlist("facts"),
        identifier=forms.text(d, "identifier", 18),
        legal_representative=forms.text(d, "legal_representative", 100),
        address=forms.text(d, "address", 300),
        holdings=_holdings(
            forms.text(d, "holdings", 40), d.getlist("records"), forms.text(d, "category", 40)
        ),
    )
    return "parties"


def _holdings(raw: str, records: list[str], category: str) -> list[str] | None:
    """ "" → presumed by the engine; "none" → none; else the comma-separated codes. The boxes ``records``
    (a market participation, a preference: never presumed) add to either."""
    found = {h for h in records if h in HOLDINGS and h not in PRESUMED_HOLDINGS}
    if not raw:
        return sorted(presumed_holdings(category) | found) if found else None
    stated = set() if raw == "none" else {h for h in raw.split(",") if h in HOLDINGS}
    return sorted(stated | found)


def _act_party_facts(request: HttpRequest, case: Case) -> str:
    services.party_facts_set(
        actor=request.user, party=_party(case, request.POST), facts=request.POST.getlist("facts")
    )
    return "parties"


def _act_party_particulars(request: HttpRequest, case: Case) -> str:
    d = request.POST
    services.party_particulars_set(
        actor=request.user,
        party=_party(case, d),
        identifier=forms.text(d, "identifier", 18),
        legal_representative=forms.text(d, "legal_representative", 100),
        address=forms.text(d, "address", 300),
        reason=forms.text(d, "reason"),
    )
    return "parties"


def _act_party_remove(request: HttpRequest, case: Case) -> str:
    services.party_remove(
        actor=request.user, party=_party(case, request.POST), reason=forms.text(request.POST, "reason")
    )
    return "parties"


def _act_inspection(request: HttpRequest, case: Case) -> str:
    d = request.POST
    checklist = {
        code: {"result": d.get(f"check_{code}") or "na", "note": forms.text(d, f"note_{code}", 300)}
        for code, _, _ in CHECKLIST_ITEMS
    }
    services.inspection_record(
        actor=request.user,
        case=case,
        inspected_on=forms.date(d, "inspected_on", "检查日期", "The inspection date", required=True),  # type: ignore[arg-type]
        place=forms.text(d, "place", 300),
        officers=forms.text(d, "officers", 200),
        checklist=checklist,
        findings=forms.text(d, "findings"),
    )
    return "investigation"


def _act_evidence(request: HttpRequest, case: Case) -> str:
    d = request.POST
    services.evidence_add(
        actor=request.user,
        case=case,
        kind=forms.text(d, "kind", 12),
        description=forms.text(d, "description", 300),
        collected_on=forms.date(d, "collected_on", "取证日期", "The collection date", required=True),  # type: ignore[arg-type]
        file=forms.upload(request, "file", required=False),
    )
    return "investigation"


def _act_rigs(request: HttpRequest, case: Case) -> str:
    d = request.POST
    party = _party(case, d) if d.get("party") else None
    services.rigs_seize(
        actor=request.user,
        case=case,
        model=forms.text(d, "model", 80),
        count=forms.integer(d, "count", "台数", "The count"),  # type: ignore[arg-type]
        unit_power_w=forms.integer(d, "unit_power_w", "单台功率", "The power per rig", required=False),
        seized_on=forms.date(d, "seized_on", "查扣日期", "The seizure date", required=True),  # type: ignore[arg-type]
        custody=forms.text(d, "custody", 200),
        party=party,
    )
    return "investigation"


CALC_FIELDS = {
    "energy": ("kwh", "coefficient", "year", "new_project"),
    "theft": ("capacity_kw", "hours_per_day", "days", "unknown_duration", "lighting", "tariff_yuan_per_kwh"),
    "tariff_change": ("monthly_kwh", "tariff_paid_yuan_per_kwh", "tariff_due_yuan_per_kwh", "months"),
    "surcharge": ("kwh", "cycle_kwh", "cycle_days", "mining_days"),
    "criminal_threshold": (
        "theft_value_yuan",
        "fundraising_amount_yuan",
        "fundraising_persons",
        "fundraising_loss_yuan",
        "fraud_amount_yuan",
    ),
}
CALC_FLAGS = {"new_project", "unknown_duration", "lighting"}
CALC_INTS = {"year", "fundraising_persons"}


def _act_calc(request: HttpRequest, case: Case) -> str:
    d = request.POST
    kind = forms.text(d, "kind", 20)
    if kind not in CALC_FIELDS:
        raise DomainError("cases.unknown_calculation", "请选择计算类型", "choose a calculation")
    inputs: dict[str, Any] = {}
    for name in CALC_FIELDS[kind]:
        if name in CALC_FLAGS:
            if forms.flag(d, name):
                inputs[name] = True
        elif name in CALC_INTS:
            value = forms.integer(d, name, name, name, required=False)
            if value is not None:
                inputs[name] = value
        elif forms.text(d, name, 40):
            inputs[name] = forms.text(d, name, 40)
    party = _party(case, d) if d.get("party") else None
    services.calculation_run(actor=request.user, case=case, kind=kind, inputs=inputs, party=party)
    return "calculations"


def _act_evaluate(request: HttpRequest, case: Case) -> str:
    d = request.POST
    services.determination_evaluate(
        actor=request.user,
        case=case,
        case_facts=d.getlist("case_facts"),
        findings=forms.text(d, "findings"),
        party_findings={
            party.pk: forms.text(d, f"findings_party_{party.pk}")
            for party in case.parties.all()
            if f"findings_party_{party.pk}" in d
        },
    )
    return "determination"


def _measure(case: Case, data: Any) -> Measure:
    return _one(Measure.objects.filter(determination__case=case), data, "measure")


def _act_strike(request: HttpRequest, case: Case) -> str:
    services.measure_strike(
        actor=request.user, measure=_measure(case, request.POST), reason=forms.text(request.POST, "reason")
    )
    return "determination"


def _act_restore(request: HttpRequest, case: Case) -> str:
    services.measure_restore(
        actor=request.user, measure=_measure(case, request.POST), reason=forms.text(request.POST, "reason")
    )
    return "determination"


def _act_measure_add(request: HttpRequest, case: Case) -> str:
    d = request.POST
    raw = forms.text(d, "rule", 80)
    pack_id, _, rule = raw.partition(":")
    if not rule.isdigit():
        raise DomainError("cases.choice_required", "请选择要添加的措施", "choose the measure to add")
    services.measure_add(
        actor=request.user,
        case=case,
        party=_party(case, d),
        rule_id=int(rule),
        reason=forms.text(d, "reason"),
        pack=pack_id,
    )
    return "determination"


def _act_submit(request: HttpRequest, case: Case) -> str:
    services.determination_submit(actor=request.user, case=case)
    return "determination"


def _act_review(request: HttpRequest, case: Case) -> str:
    d = request.POST
    decision = forms.text(d, "outcome", 10)
    if decision not in ("approved", "returned"):
        raise DomainError("cases.choice_required", "请选择审核结论", "choose the review outcome")
    services.legal_review_record(
        actor=request.user, case=case, approve=decision == "approved", opinion=forms.text(d, "opinion")
    )
    return "review"


def _act_extend(request: HttpRequest, case: Case) -> str:
    services.case_decision_extend(actor=request.user, case=case, reason=forms.text(request.POST, "reason"))
    return "deadlines"


def _act_notice(request: HttpRequest, case: Case) -> str:
    d = request.POST
    services.notice_issue(
        actor=request.user,
        case=case,
        party=_party(case, d),
        intended_penalty=forms.text(d, "intended_penalty"),
        served_on=forms.date(d, "served_on", "送达日期", "The service date"),
        service_method=forms.text(d, "service_method", 40) or "direct",
        intended_fine_yuan=forms.text(d, "intended_fine_yuan", 20) or None,
        paper_number=forms.text(d, "paper_number", 60),
        paper_scan=forms.upload(request, "paper_scan", required=False),
    )
    return "notices"


def _notice(case: Case, data: Any) -> Notice:
    return _one(case.notices.filter(superseded=False), data, "notice")


def _act_statement(request: HttpRequest, case: Case) -> str:
    d = request.POST
    services.notice_statement_record(
        actor=request.user,
        notice=_notice(case, d),
        statement=forms.text(d, "statement"),
        received_on=forms.date(d, "received_on", "收到日期", "The date received"),
    )
    return "notices"


def _act_hearing_request(request: HttpRequest, case: Case) -> str:
    d = request.POST
    services.notice_hearing_request(
        actor=request.user,
        notice=_notice(case, d),
        requested_on=forms.date(d, "requested_on", "申请日期", "The request date"),
    )
    return "notices"


def _act_waive(request: HttpRequest, case: Case) -> str:
    services.notice_rights_waive(
        actor=request.user, notice=_notice(case, request.POST), note=forms.text(request.POST, "note")
    )
    return "notices"


def _act_hearing_schedule(request: HttpRequest, case: Case) -> str:
    d = request.POST
    services.hearing_schedule(
        actor=request.user,
        notice=_notice(case, d),
        scheduled_on=forms.date(d, "scheduled_on", "听证日期", "The hearing date", required=True),  # type: ignore[arg-type]
        notified_on=forms.date(d, "notified_on", "通知日期", "The notification date"),
        place=forms.text(d, "place", 200),
        presiding_officer=forms.text(d, "presiding_officer", 60),
    )
    return "notices"


def _act_hearing_conclude(request: HttpRequest, case: Case) -> str:
    d = request.POST
    hearing = _one(Hearing.objects.filter(notice__case=case), d, "hearing")
    services.hearing_conclude(
        actor=request.user,
        hearing=hearing,
        held=forms.text(d, "outcome", 10) != "withdrawn",
        record_text=forms.text(d, "record"),
        held_on=forms.date(d, "held_on", "举行日期", "The hearing date"),
    )
    return "notices"


def _act_decision(request: HttpRequest, case: Case) -> str:
    d = request.POST
    services.decision_issue(
        actor=request.user,
        case=case,
        party=_party(case, d),
        facts_and_evidence=forms.text(d, "facts_and_evidence"),
        penalty_and_basis=forms.text(d, "penalty_and_basis"),
        fine_yuan=forms.text(d, "fine_yuan", 20) or None,
        fine_change_reason=forms.text(d, "fine_change_reason"),
        compliance=forms.text(d, "compliance"),
        appeal_route=forms.text(d, "appeal_route"),
        decided_on=forms.date(d, "decided_on", "决定日期", "The decision date"),
        paper_number=forms.text(d, "paper_number", 60),
        paper_scan=forms.upload(request, "paper_scan", required=False),
    )
    return "tracks"


def _track(case: Case, data: Any) -> Any:
    return _one(case.tracks.all(), data, "track")


def _act_penalty_review(request: HttpRequest, case: Case) -> str:
    d = request.POST
    outcome = forms.text(d, "outcome", 10)
    if outcome not in ("approved", "returned"):
        raise DomainError("cases.choice_required", "请选择审核结论", "choose the review outcome")
    services.penalty_review_record(
        actor=request.user,
        party=_party(case, d),
        approve=outcome == "approved",
        opinion=forms.text(d, "opinion"),
    )
    return "tracks"


def _act_discussion(request: HttpRequest, case: Case) -> str:
    d = request.POST
    services.discussion_record(
        actor=request.user,
        party=_party(case, d),
        participants=forms.text(d, "participants", 300),
        minutes=forms.text(d, "minutes"),
        conclusion=forms.text(d, "conclusion"),
        held_on=forms.date(d, "held_on", "讨论日期", "The date"),
    )
    return "tracks"


def _track_and_day(case: Case, data: Any) -> tuple[Any, Any]:
    """The posted track of the case and the posted day of its act ("on"; empty: today)."""
    return _track(case, data), forms.date(data, "on", "日期", "The date")


def _act_track_letter(request: HttpRequest, case: Case) -> str:
    track, day = _track_and_day(case, request.POST)
    services.track_letter_issue(actor=request.user, track=track, issued_on=day)
    return "tracks"


def _act_track_decline(request: HttpRequest, case: Case) -> str:
    track, day = _track_and_day(case, request.POST)
    services.track_letter_decline(
        actor=request.user, track=track, reason=forms.text(request.POST, "reason", 500), declined_on=day
    )
    return "tracks"


def _act_track_file(request: HttpRequest, case: Case) -> str:
    services.track_penalty_file(
        actor=request.user,
        track=_track(case, request.POST),
        officers=forms.text(request.POST, "officers", 120),
        filed_on=forms.date(request.POST, "on", "立案日期", "The filing date"),
    )
    return "tracks"


def _act_track_internal(request: HttpRequest, case: Case) -> str:
    track, day = _track_and_day(case, request.POST)
    services.track_internal_assign(actor=request.user, track=track, assigned_on=day)
    return "tracks"


def _act_track_advice(request: HttpRequest, case: Case) -> str:
    track, day = _track_and_day(case, request.POST)
    services.track_advice_send(
        actor=request.user,
        track=track,
        sent_on=day,
        addressee_name=forms.text(request.POST, "addressee_name", 120),
    )
    return "tracks"


def _act_track_credit(request: HttpRequest, case: Case) -> str:
    """The credit track's steps (国办发〔2020〕49号): the ground from outside, notice, objection, answer, waiver,
    listing decision."""
    d = request.POST
    track = _track(case, d)
    step = forms.text(d, "step", 20)
    day = forms.date(d, "on", "日期", "The date")
    if step == "notice":
        severity = forms.text(d, "severity", 10) or None
        services.track_credit_notice_issue(actor=request.user, track=track, served_on=day, severity=severity)
    elif step == "statement":
        services.track_credit_statement_record(
            actor=request.user, track=track, statement=forms.text(d, "statement"), received_on=day
        )
    elif step == "answer":
        outcome = forms.text(d, "outcome", 10)
        if outcome not in ("upheld", "rejected"):
            raise DomainError("cases.choice_required", "请选择核实结论", "choose the outcome of the check")
        services.track_credit_statement_answer(
            actor=request.user, track=track, upheld=outcome == "upheld", reply=forms.text(d, "reply"), on=day
        )
    elif step == "ground":
        services.track_credit_ground_record(
            actor=request.user,
            track=track,
            kind=forms.text(d, "kind", 30),
            number=forms.text(d, "number", 60),
            organ=forms.text(d, "organ", 120),
            effective_on=day,
        )
    elif step == "waive":
        services.track_credit_rights_waive(actor=request.user, track=track, on=day)
    elif step == "decline":
        services.track_credit_decline(
            actor=request.user, track=track, reason=forms.text(d, "reason", 500), declined_on=day
        )
    elif step == "decide":
        services.track_credit_listing_decide(actor=request.user, track=track, decided_on=day)
    else:
        raise DomainError("cases.choice_required", "未知的信用惩戒步骤", "unknown credit step")
    return "tracks"


def _act_enforcement(request: HttpRequest, case: Case) -> str:
    services.track_enforcement_record(
        actor=request.user,
        track=_track(case, request.POST),
        outcome=forms.text(request.POST, "outcome"),
        on=forms.date(request.POST, "on", "日期", "The date"),
    )
    return "tracks"


def _act_serve(request: HttpRequest, case: Case) -> str:
    d = request.POST
    services.decision_serve(
        actor=request.user,
        decision=_one(case.decisions.all(), d, "decision"),
        served_on=forms.date(d, "served_on", "送达日期", "The service date"),
    )
    return "tracks"


def _act_task_cancel(request: HttpRequest, case: Case) -> str:
    services.task_cancel(
        actor=request.user,
        task=_one(case.tasks.all(), request.POST, "task"),
        reason=forms.text(request.POST, "reason"),
    )
    return "tasks"


def _act_referral_propose(request: HttpRequest, case: Case) -> str:
    d = request.POST
    services.referral_propose(
        actor=request.user,
        case=case,
        kind=forms.text(d, "kind", 16),
        grounds=forms.text(d, "grounds"),
        party=_party(case, d) if d.get("party") else None,
        action=forms.text(d, "crime", 40),
    )
    return "referrals"


def _referral(case: Case, data: Any) -> Referral:
    return _one(case.referrals.all(), data, "referral")


def _act_referral_decide(request: HttpRequest, case: Case) -> str:
    d = request.POST
    services.referral_decide(
        actor=request.user,
        referral=_referral(case, d),
        approve=forms.text(d, "outcome", 10) == "approve",
        reason=forms.text(d, "reason"),
    )
    return "referrals"


def _act_referral_transfer(request: HttpRequest, case: Case) -> str:
    d = request.POST
    services.referral_transfer(
        actor=request.user,
        referral=_referral(case, d),
        receiving_organ=forms.text(d, "receiving_organ", 120),
        documents=d.getlist("documents"),
    )
    return "referrals"


def _act_referral_receipt(request: HttpRequest, case: Case) -> str:
    d = request.POST
    services.referral_receipt(
        actor=request.user,
        referral=_referral(case, d),
        receipt_number=forms.text(d, "receipt_number", 60),
        received_on=forms.date(d, "received_on", "接收日期", "The receipt date"),
    )
    return "referrals"


def _act_referral_answer(request: HttpRequest, case: Case) -> str:
    d = request.POST
    services.referral_answer(
        actor=request.user,
        referral=_referral(case, d),
        accepted=forms.text(d, "answer", 14) == "accepted",
        text=forms.text(d, "text"),
        answered_on=forms.date(d, "answered_on", "答复日期", "The answer date"),
    )
    return "referrals"


def _act_referral_outcome(request: HttpRequest, case: Case) -> str:
    d = request.POST
    services.referral_outcome_record(
        actor=request.user,
        referral=_referral(case, d),
        outcome=forms.text(d, "outcome", 16),
        text=forms.text(d, "text"),
        outcome_on=forms.date(d, "outcome_on", "结果生效日期", "The outcome date"),
    )
    return "referrals"


def _act_referral_exhibits(request: HttpRequest, case: Case) -> str:
    d = request.POST
    services.referral_exhibits_handover(
        actor=request.user,
        referral=_referral(case, d),
        note=forms.text(d, "note"),
        handed_over_on=forms.date(d, "handed_over_on", "移交日期", "The hand-over date"),
    )
    return "referrals"


def _act_close(request: HttpRequest, case: Case) -> str:
    services.case_close(actor=request.user, case=case, summary=forms.text(request.POST, "summary"))
    return "follow-ups"


def _act_follow_up(request: HttpRequest, case: Case) -> str:
    d = request.POST
    outcome = forms.text(d, "outcome", 10)
    if outcome not in ("passed", "relapse"):
        raise DomainError("cases.choice_required", "请选择检查结论", "choose the outcome")
    services.follow_up_record(
        actor=request.user,
        check=_one(FollowUpCheck.objects.filter(case=case), d, "check"),
        relapse=outcome == "relapse",
        findings=forms.text(d, "findings"),
        checked_on=forms.date(d, "checked_on", "检查日期", "The check date"),
    )
    return "follow-ups"


CASE_ACTIONS: dict[str, CaseAction] = {
    "party_add": _act_party_add,
    "party_facts": _act_party_facts,
    "party_particulars": _act_party_particulars,
    "party_remove": _act_party_remove,
    "inspection": _act_inspection,
    "evidence": _act_evidence,
    "rigs": _act_rigs,
    "calc": _act_calc,
    "evaluate": _act_evaluate,
    "strike": _act_strike,
    "restore": _act_restore,
    "measure_add": _act_measure_add,
    "submit": _act_submit,
    "review": _act_review,
    "extend": _act_extend,
    "notice": _act_notice,
    "statement": _act_statement,
    "hearing_request": _act_hearing_request,
    "waive": _act_waive,
    "hearing_schedule": _act_hearing_schedule,
    "hearing_conclude": _act_hearing_conclude,
    "decision": _act_decision,
    "serve": _act_serve,
    "penalty_review": _act_penalty_review,
    "discussion": _act_discussion,
    "track_letter": _act_track_letter,
    "track_decline": _act_track_decline,
    "track_file": _act_track_file,
    "track_advice": _act_track_advice,
    "track_internal": _act_track_internal,
    "track_credit": _act_track_credit,
    "enforcement": _act_enforcement,
    "task_cancel": _act_task_cancel,
    "referral_propose": _act_referral_propose,
    "referral_decide": _act_referral_decide,
    "referral_transfer": _act_referral_transfer,
    "referral_receipt": _act_referral_receipt,
    "referral_answer": _act_referral_answer,
    "referral_outcome": _act_referral_outcome,
    "referral_exhibits": _act_referral_exhibits,
    "close": _act_close,
    "follow_up": _act_follow_up,
}


@require_POST
@staff_view(Role.INVESTIGATOR)
def case_act(request: HttpRequest, pk: int, action: str, *, scope: Scope) -> HttpResponse:
    case = selectors.case_get(scope, pk)
    handler = CASE_ACTIONS.get(action)
    if handler is None:
        raise NotFoundError()
    anchor = ""
    try:
        anchor = handler(request, case)
        messages.success(request, pick("已保存", "Saved"))
    except NotFoundError:
        raise
    except DomainError as error:
        messages.error(request, error.shown)
    url = reverse("cases:case", args=[case.pk])
    query = panels.return_query(anchor or "", request.META.get("HTTP_REFERER", ""))
    url = f"{url}?{query}" if query else url
    return HttpResponseRedirect(f"{url}#{anchor}" if anchor else url)


# -- department tasks ---------------------------------------------------------------------------------
TASK_READERS = (Role.DEPARTMENT_LIAISON, *READERS)


@staff_view(*TASK_READERS)
def tasks(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    status = request.GET.get("status", "open")[:10]
    q = forms.clean(request.GET.get("q", ""))[:100]
    rows = selectors.tasks_for(scope)
    if status in Task.Status.values:
        rows = rows.filter(status=status)
    if q:
        rows = rows.filter(Q(title__icontains=q) | Q(case__number__icontains=q))
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    today = timezone.localdate()
    return render(
        request,
        "cases/tasks.html",
        {
            "page": page,
            "status": status,
            "q": q,
            "statuses": Task.Status.choices,
            "today": today,
            "can_open_cases": scope.role != Role.DEPARTMENT_LIAISON,
            "overdue_count": selectors.overdue_tasks(scope, today).count(),
            "departments": department_names(),
            "actions": ACTIONS,
            "department": department_names().get(scope.department) if scope.department else None,
        },
    )


@staff_view(*TASK_READERS)
def task_detail(request: HttpRequest, pk: int, *, scope: Scope) -> HttpResponse:
    task = selectors.task_get(scope, pk)
    return render(
        request,
        "cases/task_detail.html",
        {
            "task": task,
            "today": timezone.localdate(),
            "departments": department_names(),
            "actions": ACTIONS,
            "decision": task.decision,
            "can_close": task.status == Task.Status.OPEN
            and (
                scope.role == Role.ADMINISTRATOR
                or (scope.role == Role.DEPARTMENT_LIAISON and scope.department == task.department)
            ),
        },
    )


@require_POST
@staff_view(Role.DEPARTMENT_LIAISON)
def task_close(request: HttpRequest, pk: int, *, scope: Scope) -> HttpResponse:
    task = selectors.task_get(scope, pk)
    try:
        services.task_close(
            actor=request.user,
            task=task,
            document_number=forms.text(request.POST, "document_number", 60),
            proof=forms.upload(request, "proof", required=True),
            note=forms.text(request.POST, "note"),
        )
        messages.success(request, pick("任务已办结", "Task closed"))
    except NotFoundError:
        raise
    except DomainError as error:
        messages.error(request, error.shown)
    return HttpResponseRedirect(reverse("cases:task", args=[task.pk]))


@staff_view(*TASK_READERS)
def task_proof(request: HttpRequest, pk: int, *, scope: Scope) -> HttpResponse:
    task = selectors.task_get(scope, pk)
    if not task.proof_sha256:
        raise NotFoundError()
    audit_record(  # issue 14
        actor=request.user, action="cases.task.proof_download", target=task, division_code=task.division_id
    )
    return _download(bytes(task.proof_content), task.proof_name, task.proof_content_type)


@staff_view(*READERS)
def digest(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    return render(request, "cases/digest.html", {"digest": selectors.officer_digest(request.user)})  # type: ignore[arg-type]
