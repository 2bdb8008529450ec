"""Legal tracks (程序轨道): each party's actions run by their own procedure, by the authority that holds the
power (issue 11). The steps are the table in ``minesweep.cases.transitions``; this module keeps the
``Track`` rows in line with the determination and moves the non-penalty tracks.

Interpretations of law (also in packs/README.md):

* 行政处罚法第五十七条 (collective discussion for "情节复杂或者重大违法行为"): required for every penalty that
  carries a hearing right under 第六十三条 — the law treats those penalties as the serious ones.
* 国务院令第310号第三条、第五条: a referral is proposed as soon as the facts that call for it are recorded
  (party added or facts set), whatever the stage; the head decides within 3 days. The same steps are used
  for the discipline organs, the financial regulator and accountability referrals (without the police
  documents of 第六条).
* 信用惩戒: the case's credit track ends when the listing is handed to the credit procedure (credit app:
  notice, objection, publication, repair), which runs for years on its own record.
* Another authority's power (电信条例, 互联网上网服务营业场所管理条例, tax, land, the grid company's supply
  contract): the platform sends a 建议函 and a task; the liaison's closing of the task records that
  authority's own answer and document number. Nothing is decided in the case authority's name.
* Internal work (1283号's weekly register of mining projects, a new project's energy counted double in the
  region's 能耗双控 assessment, the breach of a signed credit pledge entered in the credit record — 1283号
  "违反承诺的纳入信用记录", a public credit information record that 国办发〔2020〕49号 keeps apart from the
  失信主体名单, so never part of a credit track's listing): tasks to the departments and nothing served on
  the party. Such acts have
  no external legal effect on the party (最高人民法院关于适用《中华人民共和国行政诉讼法》的解释，法释〔2018〕1号，
  第一条第二款第（五）项、第（十）项), so putting them in a 处理决定书 with remedies would announce a decision
  the party cannot challenge and the authority does not make against it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from typing import Any

from django.db import transaction
from django.db.models import Q

from minesweep.cases.models import Case, CaseCalculation, CaseParty, Measure, Referral, Task, Track
from minesweep.cases.selectors import GROUND_KINDS, CreditGround, credit_ground
from minesweep.cases.services._common import (
    Actor,
    day_not_after_today,
    record,
    require_case_officer,
    require_credit_officer,
    require_penalty_officer,
    required_text,
    today,
    user_or_none,
    with_policy,
)
from minesweep.cases.transitions import (
    ENDED,
    FIRST_STEP,
    START_AFTER_APPROVAL,
    TransitionRefused,
    allowed_actions,
    next_step,
)
from minesweep.core.errors import DomainError, TransitionError
from minesweep.documents.numbering import act_number_issue
from minesweep.documents.wording import PENDING_BASIS, configured, decidable, pending_bases
from minesweep.policy.codes import ACTIONS, FACTS, ORGANISATION_CATEGORIES, TRACKS
from minesweep.policy.engine import Party, evaluate, hearing_right, presumed_holdings
from minesweep.policy.errors import PolicyError
from minesweep.policy.packs import (
    authority_for,
    available_packs,
    department_names,
    discipline_commission_name,
    load_pack,
    policy_document,
)
from minesweep.policy.workdays import add_period, police_referral_decision_deadline
from minesweep.registry.models import Preference
from minesweep.registry.uscc import is_administrative_organ

REFERRAL_KINDS = {
    "public_security": Referral.Kind.POLICE,
    "discipline_commission": Referral.Kind.DISCIPLINE,
    "financial_regulator": Referral.Kind.FINANCIAL,
}


NATIONAL_PACK = "national_1283"


def packs_for(case: Case) -> list[str]:
    """Packs a case is evaluated against: its own and, if different and shipped, the national notice."""
    packs = [case.pack]
    if case.pack != NATIONAL_PACK and NATIONAL_PACK in available_packs():
        packs.append(NATIONAL_PACK)
    return packs


def engine_party(party: CaseParty) -> Party:
    return Party(
        ref=str(party.pk),
        name=party.name,
        category=party.category,
        role=party.role,
        facts=frozenset(party.facts),
        holdings=party_holdings(party),
        organ=administrative_organ(party),
    )


def party_holdings(party: CaseParty) -> frozenset[str] | None:
    """What ``party`` holds for the engine (codes.HOLDINGS): what the officer recorded on it, or None for the
    engine's presumption from the category, plus what its registry subject has on record
    (:func:`registry_holdings`). A market participation or a preference is never presumed: without a
    record, market exit and the withdrawal of a preference are not proposed (1283号: "已参与电力市场交易的").
    """
    on_record = registry_holdings(party)
    if not on_record:
        return None if party.holdings is None else frozenset(party.holdings)
    stated = presumed_holdings(party.category) if party.holdings is None else frozenset(party.holdings)
    return stated | on_record


# The holding each kind of registry preference is (codes.HOLDINGS): the power-price preference is the case
# authority's own (cancel_preferences, stop_support); a tax or land preference, and fiscal or financial support,
# are asked of the organ granting them (cancel_tax_preferences, cancel_land_preferences, stop_fiscal_support,
# stop_financial_support).
PREFERENCE_HOLDINGS: dict[str, str] = {
    Preference.Kind.ELECTRICITY_PRICE: "own_preference",
    Preference.Kind.TAX: "tax_preference",
    Preference.Kind.LAND: "land_preference",
    Preference.Kind.FISCAL: "fiscal_support",
    Preference.Kind.FINANCIAL: "financial_support",
}


def registry_holdings(party: CaseParty) -> frozenset[str]:
    """Holdings the party's registry subject has on record today: an active participation in a power market
    (registry.MarketParticipation) and each kind of active preference (registry.Preference: 电价优惠, what the
    case authority grants and so may cancel; 税收优惠 and 土地优惠, which the tax and land authorities are asked to
    cancel; 财政补贴、资金支持 and 信贷等金融支持, which the finance department and the financial regulator are asked
    to stop). A party without a subject has only what the officer recorded."""
    subject = party.subject
    if subject is None:
        return frozenset()
    day = today()
    found = set()
    markets = subject.market_participations.filter(active=True)
    if markets.filter(Q(until__isnull=True) | Q(until__gte=day)).exists():
        found.add("market_participation")
    preferences = subject.preferences.filter(active=True, kind__in=PREFERENCE_HOLDINGS)
    current = preferences.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
    found |= {PREFERENCE_HOLDINGS[kind] for kind in current.values_list("kind", flat=True)}
    return frozenset(found)


def act_day(case: Case) -> dt.date:
    """The day whose rules apply: the end of the act when recorded, else the filing day (行政处罚法第三十七条:
    the rules in force when the act took place; its exception for a later, lighter rule is left to the
    legal reviewer)."""
    return case.act_ended_on or case.filed_on


def referrals_from_facts(*, actor: Actor, case: Case) -> None:
    """Facts were recorded: propose at once every referral and accountability referral they call for
    (国务院令第310号: never held back until a penalty decision), before any determination exists."""
    parties = list(case.parties.all())
    by_pk = {str(p.pk): p for p in parties}
    for pack_id in packs_for(case):
        evaluation = evaluate(load_pack(pack_id), [engine_party(p) for p in parties], on=act_day(case))
        for measure in evaluation.measures:
            for action in measure.actions:
                if action.track not in ("referral", "accountability"):
                    continue
                party = by_pk[measure.party.ref]
                track, _ = Track.objects.get_or_create(
                    case=case,
                    party=party,
                    kind=action.track,
                    authority=action.authority,
                    defaults={
                        "step": FIRST_STEP[action.track],
                        "authority_name": authority_name(case, action.authority)[:120],
                    },
                )
                if action.code not in track.action_codes():
                    track.actions = [*track.actions, action.as_dict()]
                    track.save()
                if track.referral_id is None:
                    _referral_for(actor, case, track)


# -- names -----------------------------------------------------------------------------------------------
def authority_name(case: Case, authority: str) -> str:
    """The full name of the authority of type ``authority`` for the case's division, from the case's pack;
    without an entry, the division's name plus the authority type (to be confirmed by the region). The
    discipline commission is the one of the case division's own level, never a higher level's
    (:func:`minesweep.policy.packs.discipline_commission_name`, 监察法第十六条)."""
    if authority == "discipline_commission":
        return discipline_commission_name(load_pack(case.pack), case.division_id, case.division.name)
    try:
        return authority_for(load_pack(case.pack), case.division_id, authority).name
    except PolicyError:
        names = department_names(load_pack(case.pack))
        kind = names[authority].zh.split("（")[0] if authority in names else authority
        return f"{case.division.name}{kind}（待配置）"


def authority_entry(case: Case, authority: str) -> dict[str, Any]:
    """The pack's full entry (review body, court, payment …) or only the derived name."""
    try:
        return authority_for(load_pack(case.pack), case.division_id, authority).as_dict()
    except PolicyError:
        return {"type": authority, "name": authority_name(case, authority), "verified": False}


def track_title(track: Track) -> str:
    return f"{TRACKS[track.kind].zh}·{track.authority_name or track.authority}"


# -- flags and guards ------------------------------------------------------------------------------------
def track_flags(track: Track, on: dt.date | None = None) -> set[str]:
    """The facts the transition table's guards read, computed from the records."""
    flags: set[str] = set()
    if track.hearing_right:
        flags.add("hearing_right")
    if track.discussion_required:
        flags.add("discussion_required")
    if track.kind == "penalty":
        from minesweep.cases.services.criminal import criminal_hold
        from minesweep.cases.services.procedure import active_notice, notice_blockers

        notice = active_notice(track.party)
        if notice is not None:
            if notice.rights_waived:
                flags.add("rights_waived")
            if notice.hearing_requested:
                flags.add("hearing_requested")
            if (on or today()) <= notice.hearing_request_deadline:
                flags.add("hearing_period_open")
            hearing = getattr(notice, "hearing", None)
            if hearing is not None:
                flags.add("hearing_scheduled")
                if hearing.status != hearing.Status.SCHEDULED:
                    flags.add("hearing_over")
            if not notice_blockers(notice, on or today()):
                flags.add("rights_settled")
        if track.step in ("notice", "decision") and criminal_hold(track.party, on or today()) is not None:
            flags.add("criminal_hold")
    if track.kind == "credit":
        flags |= _credit_flags(track, on or today())
    if track.pk and not track.tasks.filter(status=Task.Status.OPEN).exists() and track.tasks.exists():
        flags.add("tasks_done")
    return flags


def _credit_flags(track: Track, on: dt.date) -> set[str]:
    """The credit track's guards, read from its listing (credit app): stated, answered, waived, upheld, and
    whether the listing may now be decided (notice served and its period over, or heard, or waived)."""
    from minesweep.credit.models import ListingRecord
    from minesweep.credit.selectors import listing_for_party

    listing = listing_for_party(track.party)
    if listing is None or listing.notified_on is None:
        return set()
    flags = set()
    if listing.objection_text:
        flags.add("credit_stated")
    if listing.objection_reply:
        flags.add("credit_answered")
    if listing.rights_waived_on:
        flags.add("credit_waived")
    if listing.status == ListingRecord.Status.REMOVED and listing.objection_reply:
        flags.add("credit_objection_upheld")
    deadline = listing.objection_deadline
    over = deadline is not None and on > deadline and not listing.objection_text
    heard = bool(listing.objection_reply or listing.rights_waived_on)
    if listing.status == ListingRecord.Status.NOTIFIED and (over or heard):
        flags.add("credit_rights_settled")
    return flags


def case_allowed(case: Case) -> list[str]:
    """The case-level actions open now (transitions.CASE_FLOW with the case's flags)."""
    flags = set()
    if hasattr(case, "determination"):
        flags.add("determined")
    try:
        procedure = load_pack(case.pack).procedure
    except PolicyError:
        procedure = None
    if procedure is not None and procedure.decision_extension_days:
        flags.add("extension_rule")
    if case.decision_due_extended:
        flags.add("extended")
    if case.follow_ups.filter(status="scheduled").exists():
        flags.add("follow_up_due")
    return allowed_actions("case", case.stage, flags)


def track_allowed(track: Track) -> list[str]:
    return allowed_actions(track.kind, track.step, track_flags(track))


def advance(track: Track, action: str, *, flags: set[str] | None = None) -> str:
    """Move ``track`` by ``action`` per the table (saved); refused with the allowed actions named."""
    try:
        track.step = next_step(track.kind, track.step, action, track_flags(track) if flags is None else flags)
    except TransitionRefused as refused:
        raise TransitionError(
            "cases.track_wrong_step",
            f"“{track.party.name}”的{track_title(track)}轨道处于“{track.step}”，不能执行 {action}"
            f"（可执行：{'、'.join(refused.allowed) or '无'}）",
            f"the {track.kind} track of '{track.party.name}' is at '{track.step}'; cannot {action} "
            f"(allowed: {', '.join(refused.allowed) or 'none'})",
            step=track.step,
            allowed=refused.allowed,
        ) from None
    if track.step == ENDED and track.ended_on is None:
        track.ended_on = today()
    track.save()
    return track.step


def party_track(party: CaseParty, kind: str) -> Track | None:
    return party.tracks.filter(kind=kind).order_by("id").first()


def require_party_track(party: CaseParty, kind: str, doing_zh: str, doing_en: str) -> Track:
    track = party_track(party, kind)
    if track is None:
        raise TransitionError(
            "cases.no_such_track",
            f"“{party.name}”没有{TRACKS[kind].zh}轨道，不能{doing_zh}",
            f"'{party.name}' has no {kind} track; cannot {doing_en}",
        )
    return track


# -- keeping tracks in line with the determination -------------------------------------------------------
def _groups(case: Case) -> dict[tuple[int, str, str], dict[str, Any]]:
    groups: dict[tuple[int, str, str], dict[str, Any]] = defaultdict(lambda: {"actions": [], "measures": []})
    measures = sorted(
        Measure.objects.filter(determination__case=case, struck=False).select_related("party__subject"),
        key=lambda m: (m.pack != case.pack, m.pack, m.rule_id),  # the case's own pack first
    )
    for measure in measures:
        for action in (route_action(case, a, measure.party) for a in measure.actions):
            kind = str(action.get("track") or "measure")
            authority = str(action.get("authority") or action.get("department"))
            group = groups[(measure.party_id, kind, authority)]
            same = next((a for a in group["actions"] if a.get("code") == action.get("code")), None)
            if same is None:
                group["actions"].append({**action, "measure": measure.pk, "rule_id": measure.rule_id})
                continue
            # The same action from two packs (e.g. the regional and the national tariff): one action, both
            # bases cited. A key neither dict has stays absent (an older snapshot without violated_basis
            # keeps falling back to the pack, cases.selectors.violated_basis).
            for key in ("legal_basis", "policy_basis", "violated_basis"):
                if key not in action and key not in same:
                    continue
                extra = [b for b in action.get(key) or [] if not _already(b, same.get(key) or [], key)]
                same[key] = [*(same.get(key) or []), *extra]
            if measure.pk not in group["measures"]:
                group["measures"].append(measure.pk)
    return groups


def _already(basis: Any, present: list[Any], key: str) -> bool:
    """Whether ``basis`` is among ``present``: the same entry, or for policies the same document with
    another remark (1283号 and 1283号（按淘汰类执行差别电价） from the regional and the national pack)."""
    if key != "policy_basis":
        return basis in present
    return policy_document(str(basis)) in {policy_document(str(p)) for p in present}


def route_action(case: Case, action: dict[str, Any], party: CaseParty | None = None) -> dict[str, Any]:
    """The action as this case can carry it out: a measure (track ``measure``) or a penalty in the power of an organ
    that cannot issue acts here in its own name (:func:`documents.authority.issues_on_platform`: not the
    case authority, and the pack gives it no confirmed name and 文号 code at the case's division — e.g. a
    节能监察机构 the pack marks "待确认") becomes that organ's to decide: the case authority sends it a 建议函
    (track ``other_authority``) and records its answer, and ``routed_from`` says so.

    Otherwise the measure's 处理决定书 would be issued in the case authority's name (本机关作出如下处理决定：
    加大节能监察力度) for a power the pack gives another organ: an act beyond the issuer's powers, which
    行政诉讼法第七十条第（四）项 (超越职权) has annulled.

    A measure the case authority holds against an administrative organ (:func:`administrative_organ`: a park's
    管委会, a bureau) is work between administrations — track ``internal``, tasked, never a 处理决定书: the
    organ's energy budget is the government's own (节约能源法第六条), and a 处理决定书 offering an organ 行政复议
    and 行政诉讼 offers what those laws give 公民、法人或者其他组织 (行政诉讼法第二条, 行政复议法第二条; the
    interpretation relied on); its cadres answer to the discipline organs (the accountability track).

    A penalty (track ``penalty``) in the power of such an organ goes the same way: an unconfigured 电力管理部门
    (四川's, marked 待确认) had its 电力法第七十一条 fine announced and decided in the 发改委's name, and a
    penalty by an organ without the power is void (行政处罚法第十七条、第三十八条); the organ gets a 建议函 and
    decides it itself (``documents.authority.penalty_issuer`` refuses the penalty's documents on a track
    recorded before). Actions of other tracks are returned unchanged."""
    from minesweep.documents.authority import issues_on_platform

    authority = str(action.get("authority") or action.get("department") or "")
    track = action.get("track") or "measure"
    if track not in ("measure", "penalty") or not authority:
        return action
    if not issues_on_platform(case.pack, case.division, authority):
        return {**action, "track": "other_authority", "routed_from": track}
    if track == "penalty":
        return action
    if party is not None and administrative_organ(party):
        return {**action, "track": "internal", "routed_from": "measure"}
    return action


def administrative_organ(party: CaseParty) -> bool:
    """Whether ``party`` is an administrative organ (机关) by its unified social credit code, its own or its
    registry subject's (:func:`registry.uscc.is_administrative_organ`). A person is never one, and a party
    without a code is not presumed one."""
    if party.category not in ORGANISATION_CATEGORIES:
        return False
    code = (party.identifier or (party.subject.uscc if party.subject else "") or "").strip()
    return bool(code) and is_administrative_organ(code)


def tracks_sync(*, actor: Actor, case: Case) -> list[Track]:
    """Create or update one Track per (party, track kind, authority) of the non-struck measures.

    Tracks not yet started whose actions vanished are removed; a referral once proposed stays (it is
    declined with reasons, 310号令第五条). Referral and accountability tracks propose their referral now."""
    approved = case.stage not in (Case.Stage.INVESTIGATING, Case.Stage.LEGAL_REVIEW)
    groups = _groups(case)
    pack = load_pack(case.pack)
    kept: list[int] = []
    for (party_id, kind, authority), group in groups.items():
        party = CaseParty.objects.get(pk=party_id)
        track = Track.objects.filter(case=case, party=party, kind=kind, authority=authority).first()
        if track is None:
            step = START_AFTER_APPROVAL.get(kind, FIRST_STEP[kind]) if approved else FIRST_STEP[kind]
            track = Track(case=case, party=party, kind=kind, authority=authority, step=step)
        track.actions = group["actions"]
        track.measure_ids = group["measures"]
        if not track.letter_on:  # once a letter is out, the name it went to (perhaps the officer's) stays
            track.authority_name = authority_name(case, authority)[:120]
        if kind == "penalty":
            penalty_type = next(
                (str(a.get("penalty_type")) for a in group["actions"] if a.get("penalty_type")), "fine"
            )
            right, track.hearing_reason, track.hearing_reason_en = hearing_right(
                pack, penalty_type, organisation=party.category in ORGANISATION_CATEGORIES
            )
            track.hearing_right = right
            track.discussion_required = right
        new = track.pk is None
        track.save()
        kept.append(track.pk)
        if new:
            record(
                actor=actor,
                action="cases.track.open",
                target=track,
                case=case,
                after={"kind": kind, "authority": authority, "party": party.pk, "step": track.step},
                note=f"{party.name}：{track_title(track)}",
            )
        if kind in ("referral", "accountability") and track.referral_id is None:
            _referral_for(actor, case, track)
    stale = (
        Track.objects.filter(case=case).exclude(pk__in=kept).exclude(kind__in=["referral", "accountability"])
    )
    stale.filter(step="awaiting_approval").delete()
    return list(case.tracks.all())


def _referral_for(actor: Actor, case: Case, track: Track) -> Referral:
    if track.kind == "accountability":
        kind = Referral.Kind.ACCOUNTABILITY
    else:
        kind = REFERRAL_KINDS.get(track.authority, Referral.Kind.POLICE)
    codes = track.action_codes()
    grounds = "；".join(ACTIONS[c].zh for c in codes if c in ACTIONS) + f"（{track.party.name}）"
    day = today()
    referral = Referral.objects.create(
        case=case,
        party=track.party,
        kind=kind,
        action=codes[0][:40] if codes else "",
        grounds=grounds,
        reported_on=day,
        decision_due=with_policy(police_referral_decision_deadline, day),
        created_by=user_or_none(actor) or case.lead_officer,
    )
    track.referral = referral
    track.step = "proposed"
    track.save()
    record(
        actor=actor,
        action="cases.referral.propose",
        target=referral,
        case=case,
        after={"kind": kind, "decision_due": referral.decision_due.isoformat()},
        note=f"{track.party.name}：{referral.get_kind_display()}（3 日内决定）",
    )
    return referral


def referral_track_follow(referral: Referral) -> None:
    """After a referral service: the track's step mirrors the referral's status."""
    track = Track.objects.filter(referral=referral).first()
    if track is None:
        return
    step = {
        Referral.Status.PROPOSED: "proposed",
        Referral.Status.APPROVED: "approved",
        Referral.Status.TRANSFERRED: "transferred",
        Referral.Status.RECEIVED: "received",
        Referral.Status.DECLINED: ENDED,
        Referral.Status.ANSWERED: ENDED,
    }[Referral.Status(referral.status)]
    track.step = step
    if step == ENDED:
        track.ended_on = today()
        track.outcome = (
            f"不予移送：{referral.decision_reason}"
            if referral.status == Referral.Status.DECLINED
            else f"{referral.receiving_organ}答复：{referral.get_answer_display()}。{referral.answer_text}"
        )
    track.save()


def tracks_start(*, actor: Actor, case: Case) -> None:
    """The proposed handling is approved: every waiting track starts its own procedure."""
    for track in case.tracks.filter(step="awaiting_approval"):
        track.step = "filing" if needs_own_filing(track) else START_AFTER_APPROVAL[track.kind]
        track.save()
        record(
            actor=actor,
            action="cases.track.start",
            target=track,
            case=case,
            after={"step": track.step},
            note=f"{track.party.name}：{track_title(track)} 开始办理",
        )


def needs_own_filing(track: Track) -> bool:
    """A penalty track whose acts another authority issues than the one that filed the case.

    行政处罚法第五十四条第二款 has the administrative organ that will decide file the case (立案) and
    第二十二条 gives the penalty to the organ holding the power; 第六十条 counts the ninety days from that
    filing. The case authority (发改委, the crackdown's lead) files the case and may not fine under
    电力法第七十一条, which is the 电力管理部门's power: its filing cannot carry the 能源局's 告知书 and
    决定书, so that authority files its own case on the transferred matter first. Whether the region
    makes one organ both (pack ``case_authority``) is the region's choice; when the issuers coincide
    nothing changes."""
    if track.kind != "penalty":
        return False
    from minesweep.documents.authority import case_issuer

    return case_issuer(track.case, track.authority).name != case_issuer(track.case).name


@transaction.atomic
def track_penalty_file(
    *, actor: Actor, track: Track, officers: str, filed_on: dt.date | None = None
) -> Track:
    """The authority holding the penalty power files its own case on the transferred matter
    (:func:`needs_own_filing`), with its two or more officers (行政处罚法第四十二条第一款); its
    立案审批表 is the documents kind ``penalty_filing``, which states its own ninety days (第六十条).
    Filed on or after the case's filing, never after today; the penalty's notice may not come before it.
    The platform still holds every decision of the case to the case's ninety days, which end first:
    stricter than 第六十条 asks of this authority, never later."""
    track = Track.objects.select_for_update().select_related("case", "party").get(pk=track.pk)
    case = track.case
    require_penalty_officer(actor, case, track.party, "有权机关立案", "file the penalty authority's case")
    names = [n for n in re.split(r"[、，,；;\s]+", required_text(officers, "承办人", "The officers")) if n]
    if len(set(names)) < 2:
        raise DomainError(
            "cases.officers_two",
            "执法人员不得少于两人（行政处罚法第四十二条第一款），请填写两名以上承办人，以顿号分隔",
            "at least two officers (Art. 42(1)): name two or more, separated by 、",
        )
    filed = day_not_after_today(filed_on, "立案日期", "The filing date", not_before=case.filed_on)
    advance(track, "penalty_file")
    track.filed_on, track.filing_officers = filed, "、".join(dict.fromkeys(names))
    track.save(update_fields=["filed_on", "filing_officers", "updated_at"])
    record(
        actor=actor,
        action="cases.track.file",
        target=track,
        case=case,
        after={"step": track.step, "filed_on": filed.isoformat()},
        note=f"{track.party.name}：{track.authority_name or track.authority}立案（{filed.isoformat()}）",
    )
    return track


def tracks_open(case: Case) -> list[Track]:
    return [t for t in case.tracks.select_related("party") if not t.ended]


# Which stored calculation gives the figure a department needs for an action.
ACTION_FIGURES = {
    "energy_quota_cut": ("energy", "tce", "核减能耗（吨标准煤）"),
    "double_energy_count": ("energy", "tce", "计入考核能耗（吨标准煤）"),
    "recover_theft_charges": ("theft", "amount_yuan", "应追补电费及违约使用电费（元）"),
    "differential_tariff": ("surcharge", "amount_yuan", "差别电价加价电费（元）"),
}


def _figures_for(case: Case, party: CaseParty, action: str) -> str:
    """The latest stored calculation behind an action, quoted in the task (empty if none)."""
    wanted = ACTION_FIGURES.get(action)
    if wanted is None:
        return ""
    kind, field, label = wanted
    calc = (
        CaseCalculation.objects.filter(case=case, kind=kind)
        .filter(Q(party=party) | Q(party__isnull=True))
        .order_by("-id")
        .first()
    )
    value = getattr(calc, field, None) if calc else None
    return (
        f"\n{label}：{value}（计算记录 #{calc.pk}，见案件“计算”部分）" if calc and value is not None else ""
    )


# -- measure and other-authority letters -----------------------------------------------------------------
def _basis_text(track: Track) -> str:
    """The legal basis of a measure letter or a 建议函 (the measure's or the other authority's power to act:
    ``legal_basis``). Those tracks are not penalties: no ``violated_basis`` is involved."""
    actions = _decided(track)
    laws = [f"《{b['law']}》{b.get('article') or ''}" for a in actions for b in a.get("legal_basis") or []]
    policies = [p for a in actions for p in a.get("policy_basis") or []]
    text = "；".join(dict.fromkeys(laws)) or "（法律依据待法制审核确认）"
    if policies:
        text += "。政策背景：" + "；".join(dict.fromkeys(policies))
    return text


def _remedies(case: Case, track: Track) -> str:
    entry = authority_entry(case, track.authority)
    body = entry.get("review_body") or "（复议机关待配置）"
    court = entry.get("court") or "有管辖权的人民法院"
    return (
        f"如不服本决定，可自收到之日起六十日内向{body}申请行政复议，或者自收到之日起六个月内向{court}"
        "提起行政诉讼（行政复议法第二十条，行政诉讼法第四十六条）。"
    )


def _decided(track: Track) -> list[Any]:
    """The actions the track's act decides or asks: a measure's without a statute the pack marks pending
    (:func:`documents.wording.decidable`; those stay undecided, named in the audit), every other track's all."""
    return decidable(track.actions) if track.kind == "measure" else list(track.actions)


def _tasks_for(actor: Actor, track: Track, day: dt.date, instructions: str) -> list[Task]:
    tasks = []
    for action in _decided(track):
        code = str(action["code"])
        deadline = dict(action.get("deadline") or {})
        amount, unit = int(str(deadline.get("amount", 15))), str(deadline.get("unit", "working_days"))
        due = with_policy(add_period, day, amount, "calendar_days" if unit == "hours" else unit)
        department = str(action.get("department") or track.authority)
        if track.kind == "other_authority":
            department = track.authority  # the authority that holds the power answers
        name = ACTIONS[code].zh if code in ACTIONS else code
        measure = Measure.objects.filter(pk=action.get("measure")).first()
        task = Task.objects.create(
            case=track.case,
            measure=measure,
            party=track.party,
            track=track,
            division_id=track.case.division_id,
            department=department,
            action=code,
            title=f"{name}：{track.party.name}"[:300],
            instructions=instructions + _figures_for(track.case, track.party, code),
            due_on=due,
        )
        tasks.append(task)
        record(
            actor=actor,
            action="cases.task.create",
            target=task,
            case=track.case,
            after={"department": department, "action": code, "due_on": due.isoformat(), "track": track.pk},
        )
    return tasks


def _issue_letter(
    actor: Actor, track: Track, day: dt.date, step_action: str, text: str, audit_action: str, note: str
) -> Track:
    """Move the track, keep the letter's text and date, task the departments, audit — one place for the
    measure's decision letter and the other authority's 建议函."""
    advance(track, step_action)
    track.letter_on = day
    track.letter_text = text
    # The letter's one number, allocated by the documents service when it is issued (issue 12).
    kind = "measure_letter" if step_action == "letter_issue" else "proposal"
    track.letter_number = act_number_issue(
        actor=actor, case=track.case, kind=kind, target=f"track:{track.pk}", act_date=day
    ).number
    track.save()
    _tasks_for(actor, track, day, text)
    record(
        actor=actor,
        action=audit_action,
        target=track,
        case=track.case,
        after={"step": track.step, "letter_on": day.isoformat()},
        note=f"{track.party.name}：{note}",
    )
    return track


def _names(track: Track, actions: list[Any] | None = None) -> str:
    """The names of ``actions`` (default: those the track decides, :func:`_decided`)."""
    codes = [str(a["code"]) for a in (_decided(track) if actions is None else actions)]
    return "；".join(ACTIONS[c].zh for c in codes if c in ACTIONS)


@transaction.atomic
def track_letter_issue(*, actor: Actor, track: Track, issued_on: dt.date | None = None) -> Track:
    """Measure track: the authority's own decision letter (处理决定/通知) with the measures, their basis and
    the remedies; then one task per action to the department that executes it. No hearing: a measure
    that is not a penalty carries none unless a rule grants one (none of the packs does)."""
    track = Track.objects.select_for_update().get(pk=track.pk)
    require_case_officer(actor, track.case)
    pending = pending_bases(track.actions)
    if not _decided(track):
        laws = "、".join(f"《{law}》" for law in pending)
        raise DomainError(
            "cases.basis_pending",
            f"政策包注明{_names(track, track.actions)}的法律依据{laws}具体条款{PENDING_BASIS}，不能出具处理决定书：请法制审核机构"
            "确认条款并补入政策包后再出具，或者登记不作出处理决定及其理由",
            f"the policy pack marks the legal basis of this measure ({', '.join(pending)}) as awaiting the legal "
            "office's confirmation of the article: no decision letter can be issued until the article is confirmed "
            "and added to the pack; or record that no decision is made, with the reason",
            laws=pending,
        )
    day = day_not_after_today(issued_on, "出具日期", "The issue date")
    text = (
        f"{track.authority_name}对{track.party.name}作出处理决定：{_names(track)}。依据：{_basis_text(track)}。"
        + _remedies(track.case, track)
    )
    note = f"{track.authority_name} 处理决定（{_names(track)}）"
    if pending:
        decided = _decided(track)
        undecided = [a for a in track.actions if a not in decided]
        note += f"；未作决定（法律依据条款{PENDING_BASIS}）：{_names(track, undecided)}"
    return _issue_letter(actor, track, day, "letter_issue", text, "cases.track.letter", note)


@transaction.atomic
def track_letter_decline(
    *, actor: Actor, track: Track, reason: str, declined_on: dt.date | None = None
) -> Track:
    """Measure track: the authority makes no decision (e.g. the measure's legal basis is not confirmed, or the
    facts no longer call for it) — the track ends with the written reason, no letter, no number, no task."""
    track = Track.objects.select_for_update().get(pk=track.pk)
    require_case_officer(actor, track.case)
    why = required_text(reason, "不作出处理决定的理由", "The reason", min_length=6)
    day = day_not_after_today(declined_on, "日期", "The date")
    advance(track, "letter_decline")
    track.outcome, track.ended_on = f"不作出处理决定：{why}", day
    track.save(update_fields=["step", "outcome", "ended_on", "updated_at"])
    note = f"{track.authority_name} 不作出处理决定（{_names(track, track.actions)}）：{why}"
    _track_record(actor, track, "decline", note, ended_on=day.isoformat())
    return track


@transaction.atomic
def track_advice_send(
    *, actor: Actor, track: Track, sent_on: dt.date | None = None, addressee_name: str = ""
) -> Track:
    """Other authority's power: a 建议函 naming the facts and that authority's own legal basis, and a task
    for it; it decides in its own name and its answer (document number, proof) closes the task.

    A letter goes to an organ by its full name. Where the pack gives none at the case's division (a name still
    marked （待确认）), the officer gives it (``addressee_name``, kept as the track's authority name and
    audited); without it nothing is sent — a 建议函 to "节能监察机构" reaches nobody."""
    track = Track.objects.select_for_update().get(pk=track.pk)
    case = track.case
    require_case_officer(actor, case)
    given = (addressee_name or "").strip()
    if not configured(track.authority_name):
        if len(given) < 4 or not configured(given):
            raise DomainError(
                "cases.addressee_unconfirmed",
                f"政策包没有确认收函机关的全称（{track.authority_name}），请填写收函机关全称（如：××市节能监察支队）",
                f"the policy pack gives no confirmed full name for the addressee ({track.authority_name}): give the "
                "receiving organ's full name",
            )
        track.authority_name = given[:120]
    elif given and given != track.authority_name:
        raise DomainError(
            "cases.addressee_configured",
            f"收函机关已由政策包确认为“{track.authority_name}”，不能另行填写",
            f"the policy pack already names the addressee '{track.authority_name}'",
        )
    day = day_not_after_today(sent_on, "发函日期", "The date sent")
    sender = authority_name(case, load_pack(case.pack).case_authority)
    facts = "、".join(FACTS[f].zh for f in track.party.facts if f in FACTS) or "相关违法事实"
    text = (
        f"{sender}致{track.authority_name}建议函：经查，{track.party.name}存在{facts}（详见案件 {case.number}）。"
        f"依据{_basis_text(track)}，建议贵单位依法对其{_names(track)}，并将处理结果（含文书文号）函复。"
        "本函不代替贵单位依法作出的决定。"
    )
    note = f"建议函致{track.authority_name}（{_names(track)}）" + (
        "；收函机关全称由办案人员填写" if given else ""
    )
    return _issue_letter(actor, track, day, "advice_send", text, "cases.track.advice", note)


@transaction.atomic
def track_internal_assign(*, actor: Actor, track: Track, assigned_on: dt.date | None = None) -> Track:
    """Internal track: one task per action to the department that does it (the register, the energy
    assessment); no letter, no number, nothing served on the party (module docstring)."""
    track = Track.objects.select_for_update().get(pk=track.pk)
    require_case_officer(actor, track.case)
    day = day_not_after_today(assigned_on, "交办日期", "The date assigned")
    advance(track, "internal_assign")
    instructions = f"内部工作事项（不对当事人作出决定）：{_names(track)}（{track.party.name}，案件 {track.case.number}）。"
    _tasks_for(actor, track, day, instructions)
    _track_record(actor, track, "internal", f"交办内部工作（{_names(track)}）", assigned_on=day.isoformat())
    return track


def track_after_task(*, actor: Actor, task: Task) -> None:
    """A task closed or cancelled: a measure or other-authority track whose tasks are all done ends, with
    the answers (document numbers) as its outcome."""
    if task.track_id is None:
        return
    track = Track.objects.select_for_update().get(pk=task.track_id)
    action = {
        "measure": "execution_complete",
        "internal": "execution_complete",
        "other_authority": "answer_record",
    }.get(track.kind)
    if action is None or action not in track_allowed(track):
        return
    answers = [
        f"{t.get_status_display()} {t.document_number or t.cancel_reason}".strip() for t in track.tasks.all()
    ]
    advance(track, action)
    track.outcome = "；".join(answers)
    track.save()
    record(
        actor=actor,
        action="cases.track.end",
        target=track,
        case=track.case,
        after={"step": track.step},
        note=f"{track.party.name}：{track_title(track)} 办结（{track.outcome}）",
    )


def _credit_track(actor: Actor, track: Track) -> Track:
    track = Track.objects.select_for_update().get(pk=track.pk)
    require_credit_officer(actor, track.case)
    return track


def require_credit_ground(party: Any, on: dt.date) -> CreditGround:
    """The document the party's listing rests on (:func:`cases.selectors.credit_ground`); refuses without one."""
    ground = credit_ground(party, on)
    if ground is None:
        raise TransitionError(
            "cases.credit_no_ground",
            f"“{party.name}”尚无认定其失信行为的生效文书：列入失信主体名单须以生效的判决、仲裁裁决或者行政处罚决定书、"
            "处理决定书等行政行为决定文书为依据（国办发〔2020〕49号“严格规范失信行为认定依据”），案件调查结论本身"
            "不是认定依据。请先送达处罚决定书、出具处理决定书，或者登记本平台外作出的生效文书，告知书的送达日期"
            "不得早于该文书送达（出具、生效）之日",
            f"nothing with legal effect establishes the conduct of '{party.name}' yet: a listing rests on an "
            "effective judgment or award, or an administrative decision such as a penalty decision or a decision "
            "letter (State Council General Office doc. 49/2020, on the grounds for finding dishonesty); the case's "
            "findings alone are not one. Serve the penalty decision, issue the decision letter or record an "
            "effective document made outside the platform first; the notice cannot be dated before it",
        )
    return ground


def _credit_listing(track: Track) -> Any:
    from minesweep.credit.selectors import listing_for_party

    listing = listing_for_party(track.party)
    if listing is None:
        raise TransitionError(
            "cases.credit_no_listing",
            "尚未送达拟列入失信主体名单告知书",
            "the notice of intended listing has not been served",
        )
    return listing


def _track_record(actor: Actor, track: Track, action: str, note: str, **after: Any) -> None:
    """Audit a track's step (``cases.track.<action>``), its new step and ``after`` with it."""
    record(
        actor=actor,
        action=f"cases.track.{action}",
        target=track,
        case=track.case,
        after={"step": track.step, **after},
        note=f"{track.party.name}：{note}",
    )


@transaction.atomic
def track_credit_notice_issue(
    *, actor: Actor, track: Track, served_on: dt.date | None = None, severity: str | None = None
) -> Track:
    """Credit track, first act: the 拟列入失信主体名单告知书 (国办发〔2020〕49号: the grounds, basis and the
    party's rights before it is listed). Proposes the listing in the credit app, serves the notice (its
    number allocated now, the objection period counted in working days from service) and opens the
    objection period. Nothing is listed yet.

    Refused until a decision document with legal effect establishes the party's conduct — its penalty
    decision served, its measure's 处理决定书 issued, or a judgment or another organ's decision recorded on
    the track (:func:`track_credit_ground_record`; :func:`cases.selectors.credit_ground`, 49号's 认定依据):
    the notice and the listing decision cite it. ``severity`` defaults as
    :func:`credit.services.listing_severity` says (严重失信 only on a standard the pack names)."""
    from minesweep.credit.services import listing_from_track, listing_notify

    track = _credit_track(actor, track)
    day = day_not_after_today(served_on, "送达日期", "The service date", not_before=track.case.filed_on)
    advance(track, "credit_notice_issue")  # refused (with the allowed actions) before anything is written
    from minesweep.credit.models import ListingRecord
    from minesweep.credit.selectors import listing_for_party

    proposed = listing_for_party(track.party)  # proposed on the credit page from the decision, if so
    if proposed is None or proposed.status != ListingRecord.Status.PROPOSED:
        proposed = listing_from_track(actor=actor, track=track, severity=severity)
    # refused without a ground (require_credit_ground), and then nothing proposed here is kept (atomic)
    listing = listing_notify(actor=actor, listing=proposed, on=day)  # its basis names the ground
    track.letter_on, track.letter_number = day, listing.notice_number
    track.letter_text = (
        f"拟列入失信主体名单告知书 {listing.notice_number}（{listing.number}），"
        f"陈述申辩（异议）期至 {listing.objection_deadline}"
    )
    track.save()
    _track_record(
        actor, track, "credit_notice", track.letter_text, listing=listing.number, basis=listing.basis
    )
    return track


@transaction.atomic
def track_credit_ground_record(
    *,
    actor: Actor,
    track: Track,
    kind: str,
    number: str,
    organ: str,
    effective_on: dt.date | None = None,
) -> Track:
    """Credit track, before the notice: the document made outside the platform that established the party's
    conduct — an effective judgment or arbitral award, another organ's penalty decision or ruling
    (:data:`cases.selectors.GROUND_KINDS`) — on which its listing will rest (国办发〔2020〕49号). Recorded again
    to correct it while no notice has been served."""
    track = _credit_track(actor, track)
    if kind not in GROUND_KINDS:
        raise DomainError(
            "cases.ground_kind_invalid",
            "请选择文书种类：" + "、".join(zh for zh, _ in GROUND_KINDS.values()),
            "Choose the kind of document: " + ", ".join(en for _, en in GROUND_KINDS.values()),
        )
    number_text = required_text(number, "文书编号", "The document's number", min_length=4)[:60]
    organ_text = required_text(
        organ, "作出机关（法院、仲裁机构）", "The court, tribunal or organ", min_length=4
    )[:120]
    day = day_not_after_today(effective_on, "生效日期", "The date it took effect")
    before = {"kind": track.ground_kind, "number": track.ground_number, "organ": track.ground_organ}
    advance(track, "credit_ground_record")
    track.ground_kind, track.ground_number, track.ground_organ, track.ground_on = (
        kind,
        number_text,
        organ_text,
        day,
    )
    track.save(update_fields=["ground_kind", "ground_number", "ground_organ", "ground_on", "updated_at"])
    zh = GROUND_KINDS[kind][0]
    record(
        actor=actor,
        action="cases.track.credit_ground",
        target=track,
        case=track.case,
        before=before if any(before.values()) else None,
        after={"kind": kind, "number": number_text, "organ": organ_text, "effective_on": day.isoformat()},
        note=f"{track.party.name}：认定依据 {organ_text}作出的{number_text}{zh}（{day.isoformat()}生效）",
    )
    return track


@transaction.atomic
def track_credit_statement_record(
    *, actor: Actor, track: Track, statement: str, received_on: dt.date | None = None
) -> Track:
    """The party's statement (陈述申辩, 异议) against the intended listing, within the period."""
    from minesweep.credit.services import listing_object

    track = _credit_track(actor, track)
    day = day_not_after_today(received_on, "收到日期", "The date received")
    advance(track, "credit_statement_record", flags=track_flags(track, day))
    listing_object(actor=actor, listing=_credit_listing(track), text=statement, on=day)
    _track_record(actor, track, "credit_statement", f"陈述申辩（异议）{day.isoformat()}")
    return track


@transaction.atomic
def track_credit_statement_answer(
    *, actor: Actor, track: Track, upheld: bool, reply: str, on: dt.date | None = None
) -> Track:
    """The objection verified and answered (49号: 核实并反馈). Upheld → not listed, the track ends."""
    from minesweep.credit.services import listing_objection_decide

    track = _credit_track(actor, track)
    day = day_not_after_today(on, "答复日期", "The reply date")
    advance(track, "credit_statement_answer")
    listing_objection_decide(actor=actor, listing=_credit_listing(track), upheld=upheld, reply=reply, on=day)
    if upheld:
        advance(track, "credit_not_listed")
        track.outcome = f"异议成立，不予列入：{reply.strip()}"
        track.save()
    _track_record(actor, track, "credit_answer", "异议成立，不予列入" if upheld else "异议不成立，已答复")
    return track


@transaction.atomic
def track_credit_decline(
    *, actor: Actor, track: Track, reason: str, declined_on: dt.date | None = None
) -> Track:
    """Credit track, before the notice: the credit office does not list the party — e.g. only a 处理决定书
    established the conduct and the pack names no statute to list on (credit.services.
    require_listing_statute; 国办发〔2020〕49号), or the facts no longer call for it. The track ends with the
    written reason; nothing is proposed, numbered or published."""
    track = _credit_track(actor, track)
    why = required_text(reason, "不予列入的理由", "The reason", min_length=6)
    day = day_not_after_today(declined_on, "日期", "The date", not_before=track.case.filed_on)
    advance(track, "credit_decline")
    track.outcome, track.ended_on = f"不予列入：{why}", day
    track.save(update_fields=["step", "outcome", "ended_on", "updated_at"])
    _track_record(actor, track, "credit_decline", f"{track.party.name} 不予列入失信主体名单：{why}")
    return track


@transaction.atomic
def track_credit_rights_waive(*, actor: Actor, track: Track, on: dt.date | None = None) -> Track:
    """The party waived its statement in writing; the listing may be decided without waiting."""
    from minesweep.credit.services import listing_rights_waive

    track = _credit_track(actor, track)
    day = day_not_after_today(on, "放弃日期", "The waiver date")
    advance(track, "credit_rights_waive")
    listing_rights_waive(actor=actor, listing=_credit_listing(track), on=day)
    _track_record(actor, track, "credit_waive", f"书面放弃陈述申辩 {day.isoformat()}")
    return track


@transaction.atomic
def track_credit_listing_decide(*, actor: Actor, track: Track, decided_on: dt.date | None = None) -> Track:
    """The listing decision (列入决定书): refused while the objection period runs, unless the objection was
    answered or waived; the act's number, allocated now, is the listing's ``decision_number``."""
    from minesweep.credit.services import listing_publish

    track = _credit_track(actor, track)
    day = day_not_after_today(decided_on, "决定日期", "The decision date")
    flags = track_flags(track, day)
    if "credit_listing_decide" not in allowed_actions(track.kind, track.step, flags):
        listing = _credit_listing(track) if track.step == "credit_rights" else None
        if listing is not None and listing.objection_text and not listing.objection_reply:
            raise TransitionError(
                "cases.credit_objection_unanswered",
                "当事人已提出异议，须核实并答复后方可作出列入决定",
                "the party objected: verify and answer the objection before deciding",
            )
        if listing is not None and listing.objection_deadline and day <= listing.objection_deadline:
            raise TransitionError(
                "cases.credit_period_running",
                f"陈述申辩（异议）期至 {listing.objection_deadline.isoformat()} 届满，届满后方可作出列入决定",
                f"the objection period runs until {listing.objection_deadline.isoformat()}; decide after it",
            )
    advance(track, "credit_listing_decide", flags=flags)
    listing = listing_publish(actor=actor, listing=_credit_listing(track), on=day)
    track.outcome = f"已列入失信主体名单：{listing.number}，列入决定书 {listing.decision_number}"
    track.ended_on = day
    track.save()
    _track_record(actor, track, "credit", track.outcome, listing=listing.number)
    return track


@transaction.atomic
def track_enforcement_record(*, actor: Actor, track: Track, outcome: str, on: dt.date | None = None) -> Track:
    """Penalty track: how the decision was carried out (paid, enforced, applied to the court …)."""
    track = Track.objects.select_for_update().select_related("case", "party").get(pk=track.pk)
    if track.kind == "penalty":  # the decision's organ carries it out (行政处罚法第七十二条)
        require_penalty_officer(
            actor, track.case, track.party, "登记处罚决定执行情况", "record the enforcement"
        )
    else:
        require_case_officer(actor, track.case)
    text = required_text(outcome, "执行情况", "The enforcement outcome", min_length=2)
    day = day_not_after_today(on, "执行日期", "The date")
    advance(track, "enforcement_record")
    track.outcome = text
    track.ended_on = day
    track.save()
    record(
        actor=actor,
        action="cases.track.enforced",
        target=track,
        case=track.case,
        after={"step": track.step},
        note=f"{track.party.name}：{text}",
    )
    return track
