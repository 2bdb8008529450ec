"""Criminal proceedings first (刑事优先): no fine in place of a referral, and none before its outcome.

The provisions relied on:

* 行政处罚法（2021）第二十七条第一款: conduct suspected of being a crime is referred to the judicial organs
  without delay; 第八十二条: an authority that imposes an administrative penalty instead of referring a case
  it must refer (以行政处罚代替刑事处罚) is ordered to correct it and the persons responsible are disciplined.
* 国务院令第310号《行政执法机关移送涉嫌犯罪案件的规定》as amended by 国务院令第730号 (2020), 第十一条:
  第一款 an authority never replaces a referral with an administrative penalty; 第二款 where no penalty has
  been decided yet, the authority in principle decides whether to give one only after the police decide not
  to open a case or withdraw it, the procuratorate decides not to prosecute, or a court acquits or exempts
  from criminal punishment — except for warnings, 通报批评, restrictions of business activities, orders to
  suspend production or to close, bans from an occupation and the suspension or revocation of licences,
  which may be given at once (:data:`minesweep.policy.codes.PENALTY_TYPES_NOT_HELD_FOR_CRIMINAL_OUTCOME`).
  第三款 (a fine decided before the referral is offset against a criminal fine) needs nothing here.

How the platform reads them (an interpretation, stated so the legal reviewer can check it): a party is
*exposed* when one of its calculations (or a case-wide one) reaches a prosecution threshold, or when a police
referral names it (or the whole case). While exposed, a penalty of a held type (a fine, a confiscation, a
lowered qualification) can neither be announced (行政处罚事先告知书) nor decided until every such referral
is settled for it: declined by the head with the reasons on record (第五条 — the head answers for that under
第八十二条), answered "not accepted" by the police (第九条), or ended by one of the outcomes of 第十一条第二款.
A threshold reached with no referral at all, a referral still awaiting the head's decision or the police's
answer, a case the police opened and have not ended, and a conviction all hold it. The day the hold lifted
must not be later than the notice or decision it lets through.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from minesweep.cases.models import Case, CaseCalculation, CaseParty, Referral
from minesweep.cases.services._common import (
    Actor,
    day_not_after_today,
    record,
    require_case_officer,
    required_text,
)
from minesweep.core.errors import DomainError, TransitionError
from minesweep.policy.codes import PENALTY_TYPES, PENALTY_TYPES_NOT_HELD_FOR_CRIMINAL_OUTCOME
from minesweep.policy.errors import PolicyError
from minesweep.policy.packs import load_pack

#: outcomes after which the authority may decide whether to fine (310号令第十一条第二款)
CLEARING_OUTCOMES = frozenset(
    {
        Referral.Outcome.WITHDRAWN,
        Referral.Outcome.NOT_PROSECUTED,
        Referral.Outcome.ACQUITTED,
        Referral.Outcome.EXEMPTED,
    }
)
BASIS_ZH = "行政处罚法第二十七条第一款、第八十二条，国务院令第310号第十一条"
BASIS_EN = "Administrative Penalty Law Arts. 27(1) and 82; State Council Decree 310, Art. 11"


@dataclass(frozen=True)
class CriminalHold:
    """Why a party's held penalty must wait, in both languages (shown on the case page and in refusals)."""

    code: str
    reason_zh: str
    reason_en: str


def held_penalty_types(party: CaseParty) -> list[str]:
    """The party's penalty types that wait for the criminal outcome (a fine, a confiscation …)."""
    held: list[str] = []
    for track in party.tracks.filter(kind="penalty"):
        for action in track.actions:
            kind = action.get("penalty_type") if isinstance(action, dict) else None
            if kind and kind not in PENALTY_TYPES_NOT_HELD_FOR_CRIMINAL_OUTCOME and kind not in held:
                held.append(kind)
    return held


def _threshold_reached(calc: CaseCalculation) -> bool:
    result = calc.output.get("result", {}) if isinstance(calc.output, dict) else {}
    return bool(result.get("referral_proposed") or result.get("police_referral_proposed"))


def _concerning(party: CaseParty) -> Q:
    return Q(party=party) | Q(party__isnull=True)


def threshold_calculations(party: CaseParty) -> list[CaseCalculation]:
    """The party's (and the case-wide) calculations whose figures reach a prosecution threshold."""
    calcs = CaseCalculation.objects.filter(_concerning(party), case_id=party.case_id)
    return [c for c in calcs if _threshold_reached(c)]


def _settled_on(referral: Referral) -> dt.date | None:
    """The day a police referral stopped holding the party's fine, or None while it still does."""
    if referral.status == Referral.Status.DECLINED:
        return timezone.localtime(referral.decided_at).date() if referral.decided_at else referral.reported_on
    if referral.status != Referral.Status.ANSWERED:
        return None
    if referral.answer == Referral.Answer.NOT_ACCEPTED:
        return referral.answered_on
    if referral.outcome in CLEARING_OUTCOMES:
        return referral.outcome_on
    return None


def _waiting(referral: Referral) -> CriminalHold:
    status = referral.Status
    if referral.status == status.PROPOSED:
        return CriminalHold(
            "referral_undecided",
            f"移送公安机关待负责人决定（期限 {referral.decision_due.isoformat()}），须先作出移送决定",
            f"the police referral awaits the head's decision (due {referral.decision_due.isoformat()})",
        )
    if referral.status in (status.APPROVED, status.TRANSFERRED, status.RECEIVED):
        return CriminalHold(
            "awaiting_police",
            "已批准移送公安机关，待公安机关决定是否立案",
            "the referral is approved or transferred; the police have not yet decided whether to open a case",
        )
    if referral.outcome == Referral.Outcome.CONVICTED:
        return CriminalHold(
            "convicted",
            "人民法院已判处刑罚，不再另行决定罚款等处罚",
            "a court has sentenced the party: no fine or confiscation is decided on top",
        )
    return CriminalHold(
        "proceedings",
        "公安机关已立案，须待撤销案件、不起诉、无罪判决或免予刑事处罚后再决定是否给予行政处罚",
        "the police opened a case: decide on a fine only after it is withdrawn, not prosecuted, "
        "acquitted or exempted from criminal punishment",
    )


def criminal_hold(party: CaseParty, on: dt.date) -> CriminalHold | None:
    """Whether the party's held penalty must wait on ``on`` (see the module docstring), and why."""
    if not held_penalty_types(party):
        return None
    referrals = list(
        Referral.objects.filter(_concerning(party), case_id=party.case_id, kind=Referral.Kind.POLICE)
    )
    for referral in referrals:
        settled = _settled_on(referral)
        if settled is None:
            return _waiting(referral)
        if settled > on:
            return CriminalHold(
                "settled_later",
                f"移送于 {settled.isoformat()} 方有结果，不能早于该日告知或决定",
                f"the referral was settled on {settled.isoformat()}: nothing may be served or decided before",
            )
    if not referrals and threshold_calculations(party):
        return CriminalHold(
            "threshold_unreferred",
            "计算结果已达刑事追诉标准，须先提出并决定移送公安机关",
            "a calculation reaches a prosecution threshold: propose and decide a police referral first",
        )
    return None


@dataclass(frozen=True)
class DecisionPeriod:
    """The case's decision period on a given day, with the time its police referrals spent in criminal
    proceedings: ``due`` moves by ``criminal_days`` only when the pack names the rule that excludes them."""

    due: dt.date
    counted_due: dt.date
    criminal_days: int
    excluded_by: str

    @property
    def note_zh(self) -> str:
        """How the criminal proceedings bear on the ninety days, for the case page, deadlines and refusals."""
        if not self.criminal_days:
            return ""
        if self.excluded_by:
            return f"刑事程序{self.criminal_days}日不计入（{self.excluded_by}）"
        return (
            f"刑事程序已历{self.criminal_days}日，仍计入九十日（政策包未列明不计入期限的法律、法规或规章，"
            "行政处罚法第六十条），期满前须作出决定或依规定延长"
        )

    @property
    def note_en(self) -> str:
        if not self.criminal_days:
            return ""
        if self.excluded_by:
            return f"{self.criminal_days} days of criminal proceedings not counted ({self.excluded_by})"
        return (
            f"{self.criminal_days} days of criminal proceedings so far still count towards the ninety (the "
            "pack names no rule excluding them, Art. 60): decide or extend in time"
        )


def _with_police(referral: Referral, on: dt.date) -> tuple[dt.date, dt.date] | None:
    """The days a transferred police referral spent with the organs: from the transfer to the day the
    hold lifted (the police's refusal or a clearing outcome), or to ``on`` while it still runs."""
    if referral.transferred_at is None:
        return None
    start = timezone.localtime(referral.transferred_at).date()
    end = _settled_on(referral) or on
    return (start, min(end, on)) if start < on else None


def days_covered(spans: list[tuple[dt.date, dt.date]]) -> int:
    """Days inside at least one half-open span [start, end) (two referrals of one case overlap)."""
    total, reached = 0, dt.date.min
    for start, end in sorted(spans):
        start = max(start, reached)
        if end > start:
            total += (end - start).days
            reached = end
    return total


def decision_period(case: Case, on: dt.date) -> DecisionPeriod:
    """The decision deadline in force on ``on``. 行政处罚法第六十条 gives ninety days from filing, "法律、法规、
    规章另有规定的，从其规定": the time a police referral is with the organs (国务院令第310号第十一条第二款
    holds the fine meanwhile) is left out of the count only under a rule the pack names
    (``procedure.criminal_time_excluded``); without one the ninety days keep running, and the case page says
    how many of them the criminal proceedings took, so the officer can seek an extension in time."""
    spans = [
        span
        for referral in Referral.objects.filter(case=case, kind=Referral.Kind.POLICE)
        if (span := _with_police(referral, on)) is not None
    ]
    days = days_covered(spans)
    try:
        procedure = load_pack(case.pack).procedure
    except PolicyError:
        procedure = None
    rule = procedure.criminal_time_excluded_rule if procedure is not None else ""
    due = case.decision_due + dt.timedelta(days=days) if rule and days else case.decision_due
    return DecisionPeriod(due=due, counted_due=case.decision_due, criminal_days=days, excluded_by=rule)


def require_no_criminal_hold(party: CaseParty, on: dt.date, doing_zh: str, doing_en: str) -> None:
    """Refuse a held penalty's notice or decision for ``party`` while the criminal process comes first."""
    hold = criminal_hold(party, on)
    if hold is None:
        return
    kinds = "、".join(PENALTY_TYPES[k].zh for k in held_penalty_types(party))
    raise TransitionError(
        "cases.criminal_first",
        f"暂不能{doing_zh}（{party.name}，{kinds}）：{hold.reason_zh}。涉嫌犯罪的应当移送，不得以行政处罚代替移送（{BASIS_ZH}）",
        f"cannot {doing_en} for '{party.name}' yet: {hold.reason_en}. A suspected crime is referred, never "
        f"replaced by an administrative penalty ({BASIS_EN})",
        hold=hold.code,
    )


@transaction.atomic
def referral_outcome_record(
    *, actor: Actor, referral: Referral, outcome: str, text: str, outcome_on: dt.date | None = None
) -> Referral:
    """Record how the criminal proceedings on an accepted police referral ended (the organ's document)."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    require_case_officer(actor, referral.case)
    if (
        referral.kind != Referral.Kind.POLICE
        or referral.answer != Referral.Answer.ACCEPTED
        or referral.outcome
    ):
        raise TransitionError(
            "cases.referral_no_proceedings",
            "只有公安机关已立案且尚未登记结果的移送公安机关才能登记刑事程序结果",
            "only a police referral the police accepted, with no outcome yet, takes a criminal outcome",
        )
    if outcome not in Referral.Outcome.values:
        raise DomainError("cases.bad_referral_outcome", "请选择刑事程序结果", "choose the outcome")
    text = required_text(text, "文书及要点", "The document and its gist", min_length=4)
    assert referral.answered_on is not None
    day = day_not_after_today(outcome_on, "结果生效日期", "The outcome date", not_before=referral.answered_on)
    referral.outcome, referral.outcome_text, referral.outcome_on = outcome, text, day
    referral.save(update_fields=["outcome", "outcome_text", "outcome_on"])
    record(
        actor=actor,
        action="cases.referral.outcome",
        target=referral,
        case=referral.case,
        after={"outcome": outcome, "on": day.isoformat()},
        note=f"{referral.get_outcome_display()}：{text}",
    )
    return referral
