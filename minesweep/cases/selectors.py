"""Scoped reads of leads, cases and tasks, plus deadline lists, the officer digest and the totals the
oversight dashboard shows. Every function takes the caller's :class:`Scope` (``None`` → nothing).

Department liaisons see only their department's tasks (inside their jurisdiction) and no case files.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone

from minesweep.accounts.jurisdiction import Scope, get_scoped, scope_of, scoped
from minesweep.accounts.roles import Role
from minesweep.cases.models import (
    Case,
    CaseCalculation,
    Decision,
    FollowUpCheck,
    Lead,
    Notice,
    Referral,
    SeizedRigs,
    Task,
)
from minesweep.core.errors import NotFoundError
from minesweep.policy.errors import PolicyError
from minesweep.policy.packs import lead_check_period, load_pack
from minesweep.policy.workdays import lead_check_deadline

CASE_ROLES = (Role.INVESTIGATOR, Role.ADMINISTRATOR, Role.LEADERSHIP, Role.INTAKE_OFFICER, Role.ANALYST)


def _case_reader(scope: Scope | None) -> bool:
    return scope is not None and scope.role in CASE_ROLES


# -- leads and cases -------------------------------------------------------------------------------
def leads_for(scope: Scope | None) -> QuerySet[Lead]:
    if not _case_reader(scope):
        return Lead.objects.none()
    return scoped(Lead.objects.select_related("division", "case"), scope)


def lead_get(scope: Scope | None, pk: int) -> Lead:
    if not _case_reader(scope):
        raise NotFoundError()
    return get_scoped(Lead.objects.select_related("division"), scope, pk=pk)


def cases_for(scope: Scope | None) -> QuerySet[Case]:
    if not _case_reader(scope):
        return Case.objects.none()
    return scoped(Case.objects.select_related("division", "lead_officer", "lead"), scope)


def case_get(scope: Scope | None, pk: int) -> Case:
    if not _case_reader(scope):
        raise NotFoundError()
    return get_scoped(
        Case.objects.select_related("division", "lead", "lead_officer", "second_officer"), scope, pk=pk
    )


# -- tasks -----------------------------------------------------------------------------------------
def tasks_for(scope: Scope | None) -> QuerySet[Task]:
    """Liaisons: their department's tasks in their jurisdiction. Case readers: all tasks in scope."""
    if scope is None:
        return Task.objects.none()
    qs = scoped(Task.objects.select_related("case", "party", "division"), scope)
    if scope.role == Role.DEPARTMENT_LIAISON:
        return qs.filter(department=scope.department) if scope.department else qs.none()
    if scope.role in CASE_ROLES:
        return qs
    return qs.none()


def task_get(scope: Scope | None, pk: int) -> Task:
    found = tasks_for(scope).filter(pk=pk).first()
    if found is None:
        raise NotFoundError()
    return found


def overdue_tasks(scope: Scope | None, on: dt.date | None = None) -> QuerySet[Task]:
    day = on or timezone.localdate()
    return tasks_for(scope).filter(status=Task.Status.OPEN, due_on__lt=day)


# -- deadlines ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Deadline:
    """One date to watch. ``overdue``: passed and not done; ``soon``: within 3 days."""

    label_zh: str
    label_en: str
    due: dt.date
    done: bool
    on: dt.date
    case_id: int | None = None
    case_number: str = ""
    url: str = ""

    @property
    def overdue(self) -> bool:
        return not self.done and self.due < self.on

    @property
    def soon(self) -> bool:
        return not self.done and self.on <= self.due <= self.on + dt.timedelta(days=3)

    def as_dict(self) -> dict[str, Any]:
        return {
            "label": self.label_zh,
            "label_en": self.label_en,
            "due": self.due.isoformat(),
            "done": self.done,
            "overdue": self.overdue,
            "case": self.case_number,
        }


def lead_due(lead: Lead) -> dt.date | None:
    received = lead.received_on or timezone.localtime(lead.created_at).date()
    try:
        period = lead_check_period()
        return lead_check_deadline(
            received, extended=lead.check_extended, days=period.days, extension_days=period.extension_days
        )
    except PolicyError:
        return None


def case_deadlines(case: Case, on: dt.date | None = None) -> list[Deadline]:
    """Every statutory and task deadline of one case, in date order."""
    from minesweep.cases.services.criminal import decision_period

    day = on or timezone.localdate()
    n = case.number
    period = decision_period(case, day)
    label_zh, label_en = "作出处罚决定（立案起90日）", "Decide (90 days from filing)"
    decided = case.stage in (Case.Stage.DECIDED, Case.Stage.CLOSED)
    if period.criminal_days and not decided:
        label_zh = f"作出处罚决定（立案起90日；{period.note_zh}）"
        label_en = f"Decide (90 days from filing; {period.note_en})"
    items = [
        Deadline(
            label_zh,
            label_en,
            period.due,
            decided,
            day,
            case.pk,
            n,
        )
    ]
    for notice in case.notices.filter(superseded=False).select_related("party"):
        decided = notice.decisions.exists()
        items.append(
            Deadline(
                f"{notice.party.name}：陈述申辩/听证申请期限",
                f"{notice.party.name}: statement / hearing request",
                notice.hearing_request_deadline,
                True,  # the party's deadline, never "overdue" for the officer
                day,
                case.pk,
                n,
            )
        )
        hearing = getattr(notice, "hearing", None)
        if hearing is not None:
            items.append(
                Deadline(
                    f"{notice.party.name}：听证",
                    f"{notice.party.name}: hearing",
                    hearing.scheduled_on,
                    hearing.status != hearing.Status.SCHEDULED or decided,
                    day,
                    case.pk,
                    n,
                )
            )
    for decision in case.decisions.select_related("party"):
        items.append(
            Deadline(
                f"{decision.party.name}：送达决定书",
                f"{decision.party.name}: serve the decision",
                decision.service_deadline,
                decision.served_on is not None,
                day,
                case.pk,
                n,
            )
        )
        if decision.payment_deadline:
            items.append(
                Deadline(
                    f"{decision.party.name}：缴纳罚款期限",
                    f"{decision.party.name}: payment due",
                    decision.payment_deadline,
                    True,
                    day,
                    case.pk,
                    n,
                )
            )
    for referral in case.referrals.all():
        items.append(
            Deadline(
                f"{referral.get_kind_display()}：作出移送决定（3日）",
                f"{referral.kind} referral: decide (3 days)",
                referral.decision_due,
                referral.status != Referral.Status.PROPOSED,
                day,
                case.pk,
                n,
            )
        )
        if referral.transfer_due:
            items.append(
                Deadline(
                    f"{referral.get_kind_display()}：24小时内移送",
                    f"{referral.kind} referral: transfer within 24 h",
                    timezone.localtime(referral.transfer_due).date(),
                    referral.transferred_at is not None,
                    day,
                    case.pk,
                    n,
                )
            )
        if referral.answer_due:
            items.append(
                Deadline(
                    f"{referral.receiving_organ}：审查答复（3日）",
                    f"{referral.receiving_organ}: answer (3 days)",
                    referral.answer_due,
                    referral.answered_on is not None,
                    day,
                    case.pk,
                    n,
                )
            )
        if referral.exhibits_due:
            items.append(
                Deadline(
                    f"{referral.get_kind_display()}：移交涉案物品（立案通知后3日）",
                    f"{referral.kind} referral: hand the exhibits over (3 days)",
                    referral.exhibits_due,
                    referral.exhibits_handed_over_on is not None,
                    day,
                    case.pk,
                    n,
                )
            )
    for task in case.tasks.all():
        items.append(
            Deadline(
                f"部门任务：{task.title}",
                f"Task: {task.title}",
                task.due_on,
                task.status != Task.Status.OPEN,
                day,
                case.pk,
                n,
            )
        )
    for check in case.follow_ups.all():
        items.append(
            Deadline(
                f"{check.months}个月回头看",
                f"{check.months}-month follow-up check",
                check.due_on,
                check.status != FollowUpCheck.Status.SCHEDULED,
                day,
                case.pk,
                n,
            )
        )
    return sorted(items, key=lambda d: (d.due, d.label_zh))


def officer_digest(
    user: AbstractBaseUser, on: dt.date | None = None, *, horizon_days: int = 7
) -> dict[str, Any]:
    """The daily digest for one officer: overdue items and what falls due within ``horizon_days``.

    Investigators: leads they verify and cases they lead or assist. Liaisons: their department's tasks.
    """
    day = on or timezone.localdate()
    scope = scope_of(user)
    horizon = day + dt.timedelta(days=horizon_days)
    items: list[Deadline] = []
    if scope is not None and scope.role == Role.DEPARTMENT_LIAISON:
        for task in (
            tasks_for(scope).filter(status=Task.Status.OPEN, due_on__lte=horizon).select_related("case")
        ):
            items.append(
                Deadline(task.title, task.title, task.due_on, False, day, task.case_id, task.case.number)
            )
    elif scope is not None:
        for lead in leads_for(scope).filter(verifier_id=user.pk, status=Lead.Status.VERIFYING):
            due = lead_due(lead)
            if due is not None and due <= horizon:
                items.append(
                    Deadline(
                        f"线索核查：{lead.title}",
                        f"Check lead: {lead.title}",
                        due,
                        False,
                        day,
                        None,
                        lead.number,
                    )
                )
        mine = cases_for(scope).filter(Q(lead_officer_id=user.pk) | Q(second_officer_id=user.pk))
        for case in mine:
            items += [d for d in case_deadlines(case, day) if not d.done and d.due <= horizon]
    items.sort(key=lambda d: (d.due, d.case_number))
    return {
        "user": user.get_username(),
        "date": day.isoformat(),
        "overdue": [d for d in items if d.overdue],
        "upcoming": [d for d in items if not d.overdue],
    }


# -- dashboard figures ----------------------------------------------------------------------------------
def league_code(division_code: str) -> str:
    """A county's league/city is its first four digits + 00 (DOMAIN.md §1); the region stays itself."""
    return division_code if division_code.endswith("0000") else division_code[:4] + "00"


def cases_by_stage(scope: Scope | None) -> dict[str, dict[str, int]]:
    """{league code: {stage: count}} within the scope."""
    out: dict[str, dict[str, int]] = {}
    rows = cases_for(scope).values("division_id", "stage").annotate(n=Count("id")).order_by()
    for row in rows:
        league = out.setdefault(league_code(row["division_id"]), {s: 0 for s in Case.Stage.values})
        league[row["stage"]] += row["n"]
    return out


def leads_by_status(scope: Scope | None) -> dict[str, int]:
    rows = leads_for(scope).values("status").annotate(n=Count("id")).order_by()
    return {row["status"]: row["n"] for row in rows}


def totals(scope: Scope | None, on: dt.date | None = None) -> dict[str, Any]:
    """Headline figures within the scope: rigs seized, MW shut (nameplate), kWh and tce from the
    stored calculations, fines decided, referrals by kind and status, tasks open/overdue."""
    day = on or timezone.localdate()
    case_ids = cases_for(scope).values("id")
    rigs = SeizedRigs.objects.filter(case_id__in=case_ids).aggregate(
        rigs=Sum("count"), watts=Sum(F("count") * F("unit_power_w"))
    )
    energy = CaseCalculation.objects.filter(case_id__in=case_ids, kind=CaseCalculation.Kind.ENERGY).aggregate(
        kwh=Sum("kwh"), tce=Sum("tce")
    )
    theft = CaseCalculation.objects.filter(case_id__in=case_ids, kind=CaseCalculation.Kind.THEFT).aggregate(
        kwh=Sum("kwh"), yuan=Sum("amount_yuan")
    )
    fines = Decision.objects.filter(case_id__in=case_ids).aggregate(yuan=Sum("fine_yuan"))
    referrals: dict[str, dict[str, int]] = {}
    for row in (
        Referral.objects.filter(case_id__in=case_ids)
        .values("kind", "status")
        .annotate(n=Count("id"))
        .order_by()
    ):
        referrals.setdefault(row["kind"], {})[row["status"]] = row["n"]
    tasks = Task.objects.filter(case_id__in=case_ids)
    watts = rigs["watts"] or 0
    return {
        "cases": cases_for(scope).count(),
        "rigs_seized": rigs["rigs"] or 0,
        "mw_shut": (Decimal(watts) / Decimal(1_000_000)).quantize(Decimal("0.001")),
        "kwh": energy["kwh"] or Decimal(0),
        "tce": energy["tce"] or Decimal(0),
        "theft_kwh": theft["kwh"] or Decimal(0),
        "theft_payable_yuan": theft["yuan"] or Decimal(0),
        "fines_yuan": fines["yuan"] or Decimal(0),
        "referrals": referrals,
        "tasks_open": tasks.filter(status=Task.Status.OPEN).count(),
        "tasks_overdue": tasks.filter(status=Task.Status.OPEN, due_on__lt=day).count(),
    }


def notices_waiting(scope: Scope | None) -> QuerySet[Notice]:
    return Notice.objects.filter(case__in=cases_for(scope), superseded=False, decisions__isnull=True)


# A public report's category suggests the first party's category and facts (to be verified, never applied
# silently): a "data centre" that mines for preferences is a 数据中心 that mines — measure 2 (issue 11 §2).
REPORT_SUGGESTIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "disguised_data_center": ("data_center", ("mining_confirmed",)),
    "mining_enterprise": ("enterprise", ("mining_confirmed",)),
    "illegal_power": ("unapproved_power_project", ("mining_confirmed", "unapproved_power_connection")),
    "site_or_service_provider": ("industrial_park", ("provided_site_or_power",)),
}


def lead_suggestion(lead: Lead) -> dict[str, Any] | None:
    """The category and facts a lead's report suggests, or None."""
    found = REPORT_SUGGESTIONS.get(str((lead.evidence or {}).get("category") or ""))
    if found is None:
        return None
    category, facts = found
    return {"category": category, "facts": list(facts)}


# -- the statutory range of a fine ---------------------------------------------------------------------
@dataclass(frozen=True)
class FineRange:
    """The range the law gives a party's fine, as the case records it: 电力法第七十一条 "应交电费五倍以下"
    is ``multiple`` × ``base_yuan`` (the back charge of the party's theft calculation); a fixed range has
    no base. ``ceiling`` is None when the law's range cannot be computed from the records."""

    citation: str  # 《中华人民共和国电力法》第七十一条
    ceiling: Decimal | None
    floor: Decimal | None = None
    base_yuan: Decimal | None = None
    multiple: Decimal | None = None


def violated_basis(party: Any, action: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The provisions a penalty action's conduct violated (违法依据), as ``{law, article, …}`` dicts — what a
    notice and a decision state apart from the penalty basis (行政处罚法第四十四条、第五十九条): for theft,
    电力法第四条第二款 and 电力供应与使用条例第三十一条 (unverified), while ``legal_basis`` is 电力法第七十一条 and
    条例第四十一条 (unverified).

    The action's own ``violated_basis`` when its dict has the key. A dict stored before the key existed (the
    snapshot of an evaluation made before this field) has none: the pack's entry for the same action code
    stands in, the version in force on the case's act day, from the case's own pack first then the national
    one. When no pack has the code the answer is [] — the documents then name no violated provision and
    the document checker reports the gap."""
    if "violated_basis" in action:
        return [b for b in action.get("violated_basis") or [] if isinstance(b, dict)]
    from minesweep.cases.services.tracks import act_day, packs_for

    case = party.case
    for pack_id in packs_for(case):
        for rule in load_pack(pack_id).rules:
            for found in rule.actions:
                if found.code == action.get("code") and found.violated_basis:
                    try:
                        return [b.as_dict() for b in found.violated_on(act_day(case))]
                    except PolicyError:
                        return []
    return []


def track_actions_shown(track: Any) -> list[dict[str, Any]]:
    """A track's action dicts as the case page shows them: a penalty with its provisions violated
    (``violated_basis``) beside its penalty basis (``legal_basis``), both labelled. An action stored before
    ``violated_basis`` existed shows the pack's provisions for its code (see ``violated_basis``), or none."""
    return [
        {**a, "violated_basis": violated_basis(track.party, a)} if a.get("track") == "penalty" else a
        for a in track.actions
        if isinstance(a, dict)
    ]


def _penalty_fine_action(party: Any) -> dict[str, Any] | None:
    for track in party.tracks.filter(kind="penalty"):
        for action in track.actions:
            if isinstance(action, dict) and action.get("penalty_type") == "fine":
                return action
    return None


def penalty_is_fine(party: Any) -> bool:
    """The party's penalty track carries a fine (行政处罚法第九条第二项)."""
    return _penalty_fine_action(party) is not None


def _decimal(value: Any) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


def fine_range(party: Any) -> FineRange | None:
    """The statutory range of the party's fine from its penalty action's ``amount`` (the pack) and, for a
    range tied to the charges owed, the party's latest theft calculation (else the case-wide one)."""
    action = _penalty_fine_action(party)
    if action is None:
        return None
    citation = "、".join(
        f"《{b['law']}》{b.get('article') or ''}" for b in action.get("legal_basis") or [] if b.get("law")
    )
    amount = action.get("amount") or {}
    low, high = _decimal(amount.get("min")), _decimal(amount.get("max"))
    if amount.get("base") == "fixed":
        return FineRange(citation, high, low)
    if amount.get("base") != "charges_owed" or high is None:
        return FineRange(citation, None)
    calcs = CaseCalculation.objects.filter(case_id=party.case_id, kind=CaseCalculation.Kind.THEFT)
    calc = calcs.filter(party=party).order_by("-id").first() or calcs.filter(party__isnull=True).last()
    result = ((calc.output or {}).get("result") or {}) if calc is not None else {}
    base = _decimal(result.get("back_charge_yuan"))
    if base is None:
        return FineRange(citation, None, multiple=high)
    ceiling = (base * high).quantize(Decimal("0.01"))
    return FineRange(citation, ceiling, low and (base * low).quantize(Decimal("0.01")), base, high)


# -- what a credit listing rests on ----------------------------------------------------------------
#: CreditGround.kind_zh of a penalty decision, the platform's own or recorded from outside.
PENALTY_GROUND = "行政处罚决定书"

#: Documents made outside the platform that 国办发〔2020〕49号 accepts as the ground of a finding of dishonesty:
#: effective court judgments and arbitral awards, and administrative decisions such as penalties and rulings
#: (another organ's). Code → (中文, English).
GROUND_KINDS: Mapping[str, tuple[str, str]] = {
    "criminal_judgment": ("刑事判决书", "criminal judgment"),
    "administrative_judgment": ("行政判决书", "administrative-litigation judgment"),
    "civil_judgment": ("民事判决书", "civil judgment"),
    "arbitral_award": ("仲裁裁决书", "arbitral award"),
    "penalty_decision": (PENALTY_GROUND, "administrative penalty decision"),
    "administrative_ruling": ("行政裁决书", "administrative ruling"),
}


@dataclass(frozen=True)
class CreditGround:
    """The decision document that established a party's conduct, on which its credit listing rests."""

    kind_zh: str  # 行政处罚决定书 / 处理决定书 / 刑事判决书 …
    kind_en: str
    number: str  # its 文号
    on: dt.date  # served (a penalty decision), issued (a measure's 处理决定书) or effective (from outside)
    organ: str = ""  # who made it, for a document from outside the platform

    @property
    def cited(self) -> str:
        """As an act cites it: 鄂能源罚〔2026〕1号行政处罚决定书; 包头市九原区人民法院作出的（2026）内0207刑初15号
        刑事判决书 (a document from outside the platform names who made it)."""
        made_by = f"{self.organ}作出的" if self.organ else ""
        return f"{made_by}{self.number}{self.kind_zh}"


def credit_ground(party: Any, on: dt.date) -> CreditGround | None:
    """The document a listing of ``party`` rests on, as it stood on ``on``; None when there is none yet.

    国办发〔2020〕49号 (part 二, 严格规范失信行为认定依据): an administrative organ finds conduct dishonest only on a
    document with legal effect — an effective court judgment or arbitral award, or an administrative decision
    such as a penalty or an administrative ruling (行政处罚和行政裁决等行政行为决定文书). A case's investigation
    findings, however well proved, are none of these. So, in this order: the party's penalty decision once
    served (an administrative decision takes effect on service), else another organ's penalty decision
    recorded on the party's credit track, from the day it took effect (a penalty decision first: only it
    gives a statute to publish the listing on, 行政处罚法第四十八条第一款 — credit.services.
    require_listing_statute); else the 处理决定书 of its measure track once issued (the platform records when
    a measure's decision letter is issued, not when it is served; the date shown is the issue date); else
    another document from outside the platform recorded on the credit track (:data:`GROUND_KINDS`). The
    interpretation relied on: a 处理决定书 finding the conduct is a 行政行为决定文书 in 49号's sense."""
    decision = (
        Decision.objects.filter(party=party, served_on__isnull=False, served_on__lte=on)
        .exclude(number="")
        .order_by("served_on", "pk")
        .first()
    )
    if decision is not None and decision.served_on is not None:
        return CreditGround(PENALTY_GROUND, "penalty decision", decision.number, decision.served_on)
    outside = _outside_ground(party, on)
    if outside is not None and outside.kind_zh == PENALTY_GROUND:
        return outside
    letter = (
        party.tracks.filter(kind="measure", letter_on__isnull=False, letter_on__lte=on)
        .exclude(letter_number="")
        .order_by("letter_on", "pk")
        .first()
    )
    if letter is not None and letter.letter_on is not None:
        return CreditGround("处理决定书", "decision letter", letter.letter_number, letter.letter_on)
    return outside


def _outside_ground(party: Any, on: dt.date) -> CreditGround | None:
    """The document from outside the platform recorded on the party's credit track, from the day it took effect."""
    outside = party.tracks.filter(kind="credit", ground_on__isnull=False, ground_on__lte=on).first()
    if outside is None or outside.ground_on is None or outside.ground_kind not in GROUND_KINDS:
        return None
    zh, en = GROUND_KINDS[outside.ground_kind]
    return CreditGround(zh, en, outside.ground_number, outside.ground_on, outside.ground_organ)
