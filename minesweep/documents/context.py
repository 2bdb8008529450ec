"""What goes into each document: reads the case records (cases, credit, policy) and returns the fields a
template fills. No writes. Resident ID numbers are masked in every document (个人信息保护法): a document
names a person by name and address, which is what 行政处罚法第五十九条 requires.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone

from minesweep.cases.models import Case, CaseCalculation, CaseParty, Decision, Notice, Referral
from minesweep.core.errors import DomainError
from minesweep.credit.models import ListingRecord
from minesweep.documents.kinds import AUTHORITY_SHORT, KINDS
from minesweep.registry.models import Division
from minesweep.registry.resident_id import mask_resident_id


class DocumentError(DomainError):
    pass


@dataclass
class Prepared:
    """One document ready to render: its target (for versioning), party, authority and fields."""

    target: str
    party: CaseParty | None
    authority: str
    authority_code: str
    fields: dict[str, str]
    tables: dict[str, dict[str, Any]] = field(default_factory=dict)


def cn_date(day: dt.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else "（未定）"


def _league(case: Case) -> Division:
    division = case.division
    while division.level == Division.Level.COUNTY and division.parent is not None:
        division = division.parent
    return division


def default_authority(case: Case) -> str:
    league = _league(case)
    if league.level == Division.Level.REGION:
        return "内蒙古自治区发展和改革委员会"
    return f"{league.name}发展和改革委员会"


def authority_code(case: Case) -> str:
    """发文机关代字 + 发改, e.g. 包发改 for Baotou's DRC."""
    league = _league(case)
    return AUTHORITY_SHORT.get(league.code, league.name[:1]) + "发改"


def party_identifier(party: CaseParty) -> str:
    value = (party.identifier or (party.subject.uscc if party.subject else "") or "").strip()
    if len(value) == 18 and value[:17].isdigit():  # a resident ID: never printed in full
        return mask_resident_id(value)
    return value


def _party_fields(party: CaseParty) -> dict[str, str]:
    address = party.address or (party.subject.address if party.subject else "") or "（住所不详）"
    return {
        "party_name": party.name,
        "party_identifier": party_identifier(party) or "—",
        "party_address": address,
        "legal_representative": party.legal_representative
        or (party.subject.legal_representative if party.subject else "")
        or "—",
    }


def _case_fields(case: Case) -> dict[str, str]:
    determination = getattr(case, "determination", None)
    officers = [case.lead_officer] + ([case.second_officer] if case.second_officer else [])
    return {
        "case_number": case.number,
        "case_title": case.title,
        "division": case.division.name,
        "filed_on": cn_date(case.filed_on),
        "decision_due": cn_date(case.decision_due),
        "officers": "、".join(_person(u) for u in officers),
        "findings": (determination.findings if determination else "") or case.filing_reason or "（见案卷）",
    }


def _person(user: Any) -> str:
    profile = getattr(user, "staff", None)
    return profile.display_name if profile else user.get_username()


def _basis(case: Case, party: CaseParty | None = None, rule_ids: tuple[int, ...] = ()) -> str:
    determination = getattr(case, "determination", None)
    if determination is None:
        return "《关于坚决打击惩戒虚拟货币“挖矿”行为八项措施》"
    items: list[str] = []
    measures = determination.measures.filter(struck=False)
    if party is not None:
        measures = measures.filter(party=party)
    if rule_ids:
        measures = measures.filter(rule_id__in=rule_ids)
    for measure in measures:
        items.append(f"{measure.source_clause or measure.title_zh}")
        items.extend(str(b) for b in measure.basis)
    return "；".join(dict.fromkeys(i for i in items if i)) or "《关于坚决打击惩戒虚拟货币“挖矿”行为八项措施》"


def _exhibits(case: Case) -> dict[str, Any]:
    rows = [
        [
            str(i),
            item.description,
            item.get_kind_display(),
            item.collected_on.isoformat(),
            item.file_name or "—",
            item.sha256 or "—",
        ]
        for i, item in enumerate(case.evidence_items.all(), start=1)
    ]
    for rig in case.seized_rigs.all():
        rows.append(
            [
                str(len(rows) + 1),
                f"查扣矿机 {rig.model} × {rig.count} 台（铭牌 {rig.unit_power_w} W/台）",
                "物证",
                rig.seized_on.isoformat(),
                rig.custody or "—",
                "—",
            ]
        )
    return {"columns": ["序号", "名称", "种类", "收集/查扣日期", "文件/保管", "SHA-256"], "rows": rows}


def _pick(items: list[Any], party: CaseParty | None, what_zh: str, what_en: str) -> Any:
    if party is not None:
        items = [i for i in items if getattr(i, "party_id", None) == party.pk]
    if not items:
        raise DocumentError(
            "documents.source_missing",
            f"案件中尚无可生成该文书的{what_zh}",
            f"The case has no {what_en} to render this document from",
        )
    return items[0]


def prepare(case: Case, kind: str, party: CaseParty | None = None) -> Prepared:
    """Collect the fields of ``kind`` for ``case`` (and ``party`` where a document is per party)."""
    if kind not in KINDS:
        raise DocumentError(
            "documents.kind_unknown",
            f"未知文书种类“{kind}”，可选：{'、'.join(KINDS)}",
            f"Unknown document kind '{kind}'; choose one of {', '.join(KINDS)}",
        )
    builder = {
        "filing": _filing,
        "notice": _notice,
        "decision": _decision,
        "police_referral": _referral,
        "discipline_referral": _referral,
        "credit_listing": _credit_listing,
        "energy_cut": _energy_cut,
        "suspension": _suspension,
    }[kind]
    prepared = builder(case, kind, party)
    prepared.fields = {
        **_case_fields(case),
        **prepared.fields,
        "authority": prepared.authority,
        "kind_title": KINDS[kind].zh,
    }
    return prepared


def _filing(case: Case, kind: str, party: CaseParty | None) -> Prepared:
    lead = case.lead
    parties = list(case.parties.all())
    return Prepared(
        "case",
        None,
        default_authority(case),
        authority_code(case),
        {
            "lead_number": lead.number,
            "lead_source": lead.get_source_display(),
            "received_on": cn_date(lead.received_on or lead.created_at.date()),
            "lead_summary": lead.summary or lead.title,
            "filing_reason": case.filing_reason or "—",
            "basis": "《中华人民共和国行政处罚法》第五十四条；" + _basis(case),
            "parties": "；".join(f"{p.name}（{party_identifier(p) or '—'}）" for p in parties)
            or "（待查明）",
            "lead_officer": _person(case.lead_officer),
            "second_officer": _person(case.second_officer) if case.second_officer else "—",
        },
        {
            "parties": {
                "columns": ["当事人", "证照号码", "住所", "主体类别"],
                "rows": [[p.name, party_identifier(p) or "—", p.address or "—", p.category] for p in parties],
            }
        },
    )


def _notice(case: Case, kind: str, party: CaseParty | None) -> Prepared:
    notice: Notice = _pick(
        list(case.notices.filter(superseded=False).select_related("party__subject")),
        party,
        "告知记录",
        "notice",
    )
    decision_authority = next((d.authority for d in case.decisions.all()), "") or default_authority(case)
    return Prepared(
        f"notice:{notice.pk}",
        notice.party,
        decision_authority,
        authority_code(case),
        {
            **_party_fields(notice.party),
            "intended_penalty": notice.intended_penalty,
            "basis": _basis(case, notice.party),
            "served_on": cn_date(notice.served_on),
            "defence_deadline": cn_date(notice.defence_deadline),
            "hearing_request_deadline": cn_date(notice.hearing_request_deadline),
            "hearing_right": (
                f"根据《中华人民共和国行政处罚法》第六十三条、第六十四条，你（单位）有权要求举行听证，"
                f"要求听证的，应当在{cn_date(notice.hearing_request_deadline)}前（收到本告知书之日起五个工作日内）提出"
                if notice.hearing_eligible
                else "本案拟作出的处罚不属于听证范围"
            ),
        },
    )


def _decision(case: Case, kind: str, party: CaseParty | None) -> Prepared:
    decision: Decision = _pick(
        list(case.decisions.select_related("party__subject")), party, "处罚决定", "decision"
    )
    fine = f"{decision.fine_yuan:,.2f} 元" if decision.fine_yuan is not None else "无"
    return Prepared(
        f"decision:{decision.pk}",
        decision.party,
        decision.authority or default_authority(case),
        authority_code(case),
        {
            **_party_fields(decision.party),
            "facts_and_evidence": decision.facts_and_evidence,
            "penalty_and_basis": decision.penalty_and_basis,
            "fine": fine,
            "compliance": decision.compliance,
            "payment_deadline": cn_date(decision.payment_deadline)
            if decision.payment_deadline
            else "自收到本决定书之日起十五日内",
            "appeal_route": decision.appeal_route,
            "appeal_deadline": cn_date(decision.appeal_deadline)
            if decision.appeal_deadline
            else "自收到本决定书之日起六十日内",
            "lawsuit_deadline": cn_date(decision.lawsuit_deadline)
            if decision.lawsuit_deadline
            else "自收到本决定书之日起六个月内",
            "decided_on": cn_date(decision.decided_on),
            "seal": "（印章）" if decision.sealed else "（未盖章）",
            "source_number": decision.number,
        },
    )


def _referral(case: Case, kind: str, party: CaseParty | None) -> Prepared:
    wanted = Referral.Kind.POLICE if kind == "police_referral" else Referral.Kind.DISCIPLINE
    referrals = [
        r
        for r in case.referrals.filter(kind=wanted).select_related("party__subject")
        if r.status not in (Referral.Status.PROPOSED, Referral.Status.DECLINED)
    ]
    referral: Referral = _pick(referrals, party, "已批准的移送", "approved referral")
    fields = {
        **(
            _party_fields(referral.party)
            if referral.party
            else {
                "party_name": "（见附件）",
                "party_identifier": "—",
                "party_address": "—",
                "legal_representative": "—",
            }
        ),
        "receiving_organ": referral.receiving_organ
        or ("公安机关" if wanted == Referral.Kind.POLICE else "纪检监察机关"),
        "grounds": referral.grounds,
        "reported_on": cn_date(referral.reported_on),
        "decided_on": cn_date(
            timezone.localtime(referral.decided_at).date() if referral.decided_at else None
        ),
        "transferred_on": cn_date(
            timezone.localtime(referral.transferred_at).date()
            if referral.transferred_at
            else timezone.localdate()
        ),
        "documents_sent": "、".join(_DOC_NAMES.get(code, code) for code in referral.documents)
        or "移送书、调查报告、涉案物品清单",
        "basis": "《行政执法机关移送涉嫌犯罪案件的规定》（国务院令第310号）；" + _basis(case, referral.party)
        if wanted == Referral.Kind.POLICE
        else "《关于坚决打击惩戒虚拟货币“挖矿”行为八项措施》第八条；《中华人民共和国监察法》",
    }
    theft = case.calculations.filter(kind=CaseCalculation.Kind.THEFT).first()
    fields["theft_summary"] = (
        f"经核算，窃电量 {_plain(theft.kwh)} kWh，应追补电费及违约使用电费 {_plain(theft.amount_yuan)} 元"
        if theft
        else "（见调查报告）"
    )
    return Prepared(
        f"referral:{referral.pk}",
        referral.party,
        default_authority(case),
        authority_code(case),
        fields,
        {"exhibits": _exhibits(case)},
    )


_DOC_NAMES = {
    "referral_letter": "涉嫌犯罪案件移送书",
    "investigation_report": "涉嫌犯罪案件调查报告",
    "exhibit_list": "涉案物品清单",
    "expert_findings": "有关检验报告或者鉴定结论",
    "other_materials": "其他有关涉嫌犯罪的材料",
}


def _credit_listing(case: Case, kind: str, party: CaseParty | None) -> Prepared:
    listings = list(
        ListingRecord.objects.filter(case_number=case.number).select_related("decision").order_by("pk")
    )
    if party is not None:
        listings = [
            rec
            for rec in listings
            if (rec.decision is not None and rec.decision.party_id == party.pk)
            or (rec.subject_id is not None and rec.subject_id == party.subject_id)
            or (rec.decision is None and rec.subject_id is None and rec.name == party.name)
        ]
    if not listings:
        raise DocumentError(
            "documents.listing_missing",
            "该案尚未登记拟列入失信名单的记录，请先在“失信名单”中据处罚决定登记",
            "No blacklist listing refers to this case yet; propose one from the decision under Blacklist",
        )
    listing = listings[0]
    matched = (
        listing.decision.party
        if listing.decision is not None
        else next(
            (
                p
                for p in case.parties.all()
                if (p.subject_id and p.subject_id == listing.subject_id)
                or (listing.subject_id is None and p.name == listing.name)
            ),
            None,
        )
    )
    return Prepared(
        f"listing:{listing.pk}",
        matched,
        listing.authority,
        authority_code(case),
        {
            "party_name": listing.name,
            "party_identifier": listing.uscc or "—",
            "party_address": listing.address or "—",
            "legal_representative": listing.legal_representative or "—",
            "reason": listing.reason,
            "basis": listing.basis,
            "decision_number": listing.decision_number,
            "severity": listing.get_severity_display(),
            "sanctions": listing.sanctions or "依法依规实施失信联合惩戒",
            "period": (
                f"{cn_date(listing.publication_start)}至{cn_date(listing.max_end)}"
                if listing.publication_start
                else "自列入之日起按规定期限公示"
            ),
            "removal_conditions": listing.removal_conditions,
            "remedies": listing.remedies,
            "notified_on": cn_date(listing.notified_on),
            "objection_deadline": cn_date(listing.objection_deadline),
        },
    )


def _energy_cut(case: Case, kind: str, party: CaseParty | None) -> Prepared:
    calc: CaseCalculation = _pick(
        list(case.calculations.filter(kind=CaseCalculation.Kind.ENERGY)),
        party,
        "能耗核算",
        "energy calculation",
    )
    output = calc.output or {}
    steps = [
        [s.get("label", ""), s.get("formula", ""), s.get("value", ""), s.get("unit", "")]
        for s in output.get("steps", [])
    ]
    basis = "；".join(
        f"{b.get('key')}: {b.get('value')}（{b.get('source')}）" for b in output.get("basis", [])
    )
    target_party = calc.party
    return Prepared(
        f"calculation:{calc.pk}",
        target_party,
        default_authority(case),
        authority_code(case),
        {
            **(
                _party_fields(target_party)
                if target_party
                else {
                    "party_name": case.division.name,
                    "party_identifier": "—",
                    "party_address": "—",
                    "legal_representative": "—",
                }
            ),
            "kwh": _plain(calc.kwh),
            "tce": _plain(calc.tce),
            "division_name": case.division.name,
            "calc_basis": basis or "GB/T 2589-2020",
            "basis": "《中华人民共和国节约能源法》《中华人民共和国电力法》；" + _basis(case, rule_ids=(1,)),
        },
        {"steps": {"columns": ["项目", "算式", "数值", "单位"], "rows": steps}},
    )


def _suspension(case: Case, kind: str, party: CaseParty | None) -> Prepared:
    cafes = [p for p in case.parties.select_related("subject") if p.category == "internet_cafe"]
    target: CaseParty = _pick(cafes, party, "网吧当事人", "internet-café party")
    return Prepared(
        f"party:{target.pk}",
        target,
        default_authority(case),
        authority_code(case),
        {
            **_party_fields(target),
            "basis": "《关于坚决打击惩戒虚拟货币“挖矿”行为八项措施》第四条；《互联网上网服务营业场所管理条例》；"
            + _basis(case, target, (4,)),
            "requirements": "立即停止虚拟货币“挖矿”活动，拆除全部矿机及相关设备，整改完成后书面报告，经验收合格方可恢复营业",
        },
    )


def _plain(value: Decimal | None) -> str:
    if value is None:
        return "—"
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
