"""Who issues a case's acts, from the case's policy pack (``authorities``): the issuing authority's full
name and 文号 abbreviation, its review body (复议机关), court and payment channel; and the organs a referral
goes to (police, procuratorate, discipline commission) for the case's division.

A penalty is issued by the authority type its action names (电力法第七十一条: the 电力管理部门); every other
act of the case by the pack's case authority. A county without its own entry uses its city's, then the
region's (packs.authority_for).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from minesweep.cases.models import Case, CaseParty, Decision, Notice
from minesweep.core.errors import DomainError
from minesweep.policy.errors import PolicyError
from minesweep.policy.packs import Authority, authority_for, load_pack
from minesweep.registry.models import Division


@dataclass(frozen=True)
class Issuer:
    name: str  # 包头市发展和改革委员会
    code: str  # 文号 abbreviation: 包发改
    review_body: str = ""
    court: str = ""
    address: str = ""
    contact: str = ""
    payment: dict[str, str] = field(default_factory=dict)


def league_of(case: Case) -> Division:
    return _league(case.division)


def _league(division: Division) -> Division:
    while division.level == Division.Level.COUNTY and division.parent is not None:
        division = division.parent
    return division


def organ(case: Case, authority_type: str) -> Authority | None:
    """The pack's authority of ``authority_type`` for the case's division, or None when not configured."""
    return _organ_at(case.pack, case.division_id, authority_type)


def _organ_at(pack_name: str, division_code: str, authority_type: str) -> Authority | None:
    try:
        return authority_for(load_pack(pack_name), division_code, authority_type)
    except (PolicyError, KeyError, FileNotFoundError):
        return None


def _issuer(found: Authority, fallback_code: str) -> Issuer:
    return Issuer(
        name=_bare_name(found),  # a remark after the name is not part of it
        code=found.abbreviation or fallback_code,
        review_body=found.review_body,
        court=found.court,
        address=found.address,
        contact=found.contact,
        payment=dict(found.payment),
    )


def case_issuer(case: Case, authority_type: str = "") -> Issuer:
    """The issuer of the case's acts (or of ``authority_type``'s acts), from the pack."""
    return issuer_at(case.pack, case.division, authority_type)


def issuer_at(pack_name: str, division: Division, authority_type: str = "") -> Issuer:
    """The issuer of ``authority_type``'s acts (blank: the pack's case authority) at ``division``."""
    league = _league(division)
    fallback = Issuer(f"{league.name}发展和改革委员会", league.name[:1] + "发改")
    try:
        pack = load_pack(pack_name)
    except (PolicyError, FileNotFoundError):
        return fallback
    found = _organ_at(pack_name, division.code, authority_type or pack.case_authority)
    if authority_type and not _signs(pack.case_authority, found, authority_type):
        # An authority the pack gives no 文号 abbreviation cannot number an act: the case authority issues
        # the case's own acts about it (a 建议函 to it, a referral); a measure or a penalty in that authority's
        # power is never decided in the case authority's name (cases.services.tracks.route_action,
        # penalty_issuer).
        found = _organ_at(pack_name, division.code, pack.case_authority)
    return _issuer(found, fallback.code) if found is not None else fallback


def issues_on_platform(pack_name: str, division: Division, authority_type: str) -> bool:
    """Whether acts of ``authority_type`` can be issued here in its own name at ``division``: it is the
    pack's case authority, or the pack configures that organ with its name and 文号 abbreviation (a
    document number needs the code; a name marked 待确认 is not yet an organ that signs), or the organ it
    names there is the case authority itself in another capacity (the 自治区发改委 as price authority, in a
    case of the 自治区发改委)."""
    try:
        pack = load_pack(pack_name)
    except (PolicyError, FileNotFoundError):
        return False
    found = _organ_at(pack_name, division.code, authority_type)
    if _signs(pack.case_authority, found, authority_type):
        return True
    own = _organ_at(pack_name, division.code, pack.case_authority)
    return found is not None and own is not None and _bare_name(found) == _bare_name(own)


def _bare_name(found: Authority) -> str:
    """An organ's name without the remark after it (（社会信用体系建设牵头部门）), as acts print it."""
    return re.sub(r"（[^）]*）$", "", found.name)


def _signs(case_authority: str, found: Authority | None, authority_type: str) -> bool:
    if authority_type == case_authority:
        return True
    return found is not None and bool(found.abbreviation) and "待确认" not in found.name


def staff_organ(pack_name: str, jurisdiction: Division, department: str) -> Issuer | None:
    """The organ a staff member works for under ``pack_name``: their department's authority at their
    jurisdiction, or the case authority when they name no department; ``None`` when the pack configures
    no authority of that department there (a grid company is not an organ that issues acts). Never the
    case authority in place of a department's own organ, unlike :func:`issuer_at`: whose act a person
    may review is a question of where they work, not of who numbers a letter."""
    if not department:
        return issuer_at(pack_name, jurisdiction)
    found = _organ_at(pack_name, jurisdiction.code, department)
    return _issuer(found, "") if found is not None else None


def track_actions(party: CaseParty | None, track: str) -> list[dict[str, Any]]:
    """The actions of one track (policy.codes.TRACKS) among a party's measures, as the engine recorded them."""
    if party is None:
        return []
    return [
        action
        for measure in party.measures.filter(struck=False).order_by("rule_id")
        for action in measure.actions
        if isinstance(action, dict) and action.get("track") == track
    ]


def penalty_actions(party: CaseParty | None) -> list[dict[str, Any]]:
    return track_actions(party, "penalty")


def penalty_authority(party: CaseParty | None) -> str:
    """The authority type holding the party's penalty power (the first penalty action's), or ""."""
    return next((str(a["authority"]) for a in penalty_actions(party) if a.get("authority")), "")


def penalty_issued_here(case: Case, party: CaseParty | None) -> bool:
    """Whether the party's penalty acts can be issued on the platform in the name of the organ holding the
    power (:func:`issues_on_platform`); True when the party has no penalty held by another authority type."""
    authority = penalty_authority(party)
    return not authority or issues_on_platform(case.pack, case.division, authority)


def penalty_holder_name(case: Case, party: CaseParty | None) -> str:
    """The name the pack gives the organ holding the party's penalty power, remarks and all (成都市经济和信息化局
    （电力管理部门，待确认）); the authority type when the pack names none."""
    return _holder_name(case, penalty_authority(party))


def _holder_name(case: Case, authority: str) -> str:
    holder = _organ_at(case.pack, case.division.code, authority)
    return holder.name if holder is not None else authority


def penalty_issuer(case: Case, party: CaseParty | None) -> Issuer:
    """The authority that holds the penalty power for this party (the first penalty action's authority), in
    whose name its 告知书, 决定书, 法制审核, 集体讨论, 听证 and 送达 are issued and recorded.

    Refused (``documents.not_this_organs_power``) when that organ does not issue acts on the platform (no
    confirmed name and 文号 code for the case's division, e.g. a 电力管理部门 the pack marks 待确认): a penalty is
    imposed by the organ that holds the power, within its competence (行政处罚法第十七条), and one imposed by an
    organ without it is void (第三十八条第一款), so the case authority is never put in its place — as
    :func:`issuer_at` does for the case's own acts about that organ. New cases route such a penalty to a
    建议函 to the organ (``cases.services.tracks.route_action``), as they do a measure; this refusal covers
    penalty tracks recorded before that."""
    authority = penalty_authority(party)
    if not authority:
        return case_issuer(case)
    if not issues_on_platform(case.pack, case.division, authority):
        name = _holder_name(case, authority)
        raise DomainError(
            "documents.not_this_organs_power",
            f"该项行政处罚由{name}依法作出，本平台未确认该机关的发文机关信息（名称待确认或者没有文号代字），不能以"
            f"{case_issuer(case).name}或者其他机关的名义出具或者办理该行政处罚的文书（行政处罚法第十七条；不具有"
            "行政主体资格的机关实施的行政处罚无效，第三十八条）；请以建议函将该事项告知该机关，或者由地区在政策包中确认该机关",
            f"this penalty is {name}'s to impose and that organ issues no acts on this platform (its name is "
            f"unconfirmed or it has no document code): no penalty document can be issued or recorded in the "
            f"name of {case_issuer(case).name} or any other organ (Administrative Penalty Law Art. 17; a penalty "
            "by an organ without the power is void, Art. 38); send that organ a letter of advice, or have the "
            "region confirm the organ in the policy pack",
        )
    return case_issuer(case, authority)


def issuer_for(case: Case, kind: str, target: str) -> Issuer:
    """The issuer of the act ``kind``/``target``: a notice or decision by the penalty authority, any other
    act by the case authority."""
    record, _, pk = target.partition(":")
    if record == "track" and pk.isdigit():
        from minesweep.cases.models import Track

        track = Track.objects.filter(pk=int(pk)).first()
        if track is not None and kind in ("measure_letter", "penalty_filing"):
            # the authority that holds the measure's power, or the penalty's (its own 立案审批表)
            return case_issuer(case, track.authority)
        return case_issuer(case)
    if record == "listing":  # 拟列入告知书 and 列入决定书: the credit authority (国办发〔2020〕49号)
        return case_issuer(case, "credit_office")
    party = None
    if record == "notice" and pk.isdigit():
        party = (
            Notice.objects.filter(pk=int(pk)).select_related("party").values_list("party", flat=True).first()
        )
    elif record == "decision" and pk.isdigit():
        party = Decision.objects.filter(pk=int(pk)).values_list("party", flat=True).first()
    if party is None:
        return case_issuer(case)
    return penalty_issuer(case, CaseParty.objects.get(pk=party))
