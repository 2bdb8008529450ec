"""What goes into each document: reads the case records (cases, credit, policy) and returns the fields a
template fills. No writes. Resident ID numbers are masked in every document (个人信息保护法): a document
names a person by name and address, which is what 行政处罚法第五十九条 requires.

Nothing internal reaches paper: categories by their Chinese labels, no codes, record ids or English notes;
money that is decided in figures and in capitals; every date is the act's own date.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone

from minesweep.cases.models import (
    Case,
    CaseCalculation,
    CaseParty,
    Decision,
    Determination,
    Notice,
    Referral,
    Track,
)
from minesweep.cases.selectors import PENALTY_GROUND, CreditGround, credit_ground, fine_range, violated_basis
from minesweep.core.errors import DomainError
from minesweep.credit.models import DEFAULT_SANCTIONS, ListingRecord
from minesweep.documents.authority import (
    Issuer,
    case_issuer,
    issues_on_platform,
    league_of,
    organ,
    penalty_actions,
    penalty_issued_here,
    penalty_issuer,
    track_actions,
)
from minesweep.documents.kinds import ACCEPTANCE_CHAR, ACCEPTANCE_TITLE, KINDS
from minesweep.documents.wording import (
    LAST_DAY_INCLUDED,
    PENDING_BASIS,
    Citation,
    category_label,
    cite,
    cn_count,
    cn_date,
    configured,
    decidable,
    facts_text,
    parse_citations,
    pending_bases,
    plain,
    yuan,
    yuan_capital,
)
from minesweep.policy.calc import NEW_PROJECT_MULTIPLIER
from minesweep.policy.codes import (
    DEPARTMENTS,
    ENTERPRISES,
    FACTS,
    ORGANISATION_CATEGORIES,
    POLICE_REFERRAL_CRIMES,
    SUBJECT_CATEGORIES,
    USCC_REQUIRED_CATEGORIES,
)
from minesweep.policy.packs import (
    available_packs,
    discipline_commission_name,
    document_titles,
    load_pack,
    policy_document,
)
from minesweep.policy.workdays import decision_deadline
from minesweep.registry.resident_id import mask_resident_id

__all__ = ["DocumentError", "Prepared", "cn_date", "prepare", "yuan_capital"]

PENALTY_LAW = "中华人民共和国行政处罚法"
REFERRAL_RULE = "行政执法机关移送涉嫌犯罪案件的规定"
# Laws that ground a referral (crime, official misconduct), never an administrative act on the party.
NOT_ADMINISTRATIVE = frozenset(
    {"中华人民共和国刑法", "中华人民共和国监察法", "中华人民共和国公职人员政务处分法"}
)


class DocumentError(DomainError):
    pass


@dataclass
class Prepared:
    """One document ready to render: its target (the act), party, issuer, the act's date and fields."""

    target: str
    party: CaseParty | None
    issuer: Issuer
    act_date: dt.date | None  # None: the act is dated the day it is first issued
    fields: dict[str, str]
    tables: dict[str, dict[str, Any]] = field(default_factory=dict)
    # the 文号's type character where the act is titled otherwise than its kind (kinds.ACCEPTANCE_CHAR); ""
    # for the kind's own
    number_char: str = ""


# -- shared pieces -----------------------------------------------------------------------------------
def party_identifier(party: CaseParty) -> str:
    value = (party.identifier or (party.subject.uscc if party.subject else "") or "").strip()
    if len(value) == 18 and value[:17].isdigit():  # a resident ID: never printed in full
        return mask_resident_id(value)
    return value


def you(party: CaseParty | None) -> str:
    """How an act addresses its party: 你 a natural person (个人, 公职人员), 你单位 an organisation; 你（单位） only
    where no one party is known. "你（单位）" on an act served on 张某 addressed a person as a possible unit."""
    if party is None:
        return "你（单位）"
    return "你单位" if party.category in ORGANISATION_CATEGORIES else "你"


def _party_fields(party: CaseParty | None) -> dict[str, str]:
    if party is None:
        return {
            "party_name": "（见附件）",
            "party_identifier": "—",
            "party_address": "—",
            "legal_representative": "—",
            "party_you": you(None),
        }
    address = (
        party_address(party) or "（住所不详）"
    )  # internal forms only: served acts are refused without it
    return {
        "party_name": party.name,
        "party_identifier": party_identifier(party) or "—",
        "party_address": address,
        "legal_representative": party.legal_representative
        or (party.subject.legal_representative if party.subject else "")
        or "—",
        "party_you": you(party),
    }


def party_address(party: CaseParty) -> str:
    """The party's address (住所): its own, else its registry subject's; "" when neither is recorded."""
    return party.address_on_record


def uscc_required(party: CaseParty) -> bool:
    """Whether ``party`` must be named with its 统一社会信用代码: a business (企业) does — by its registry subject's
    kind where it has one, else by its category (codes.USCC_REQUIRED_CATEGORIES). A person is named by name and
    address, and an organ or a park without a registry subject is not presumed to be a business."""
    if party.subject is not None:
        return party.subject.kind == "enterprise"
    return party.category in USCC_REQUIRED_CATEGORIES


def _served_party_fields(party: CaseParty | None, kind: str) -> dict[str, str]:
    """The party lines of an act served on the party (告知书, 听证通知书, 决定书, 处理决定书, 送达回证), refused when the
    party's address is missing — 行政处罚法第五十九条第一款第（一）项 requires the party's name and address, and
    service (第六十一条, under the 民事诉讼法) needs a place to serve at — or, for a business, its 统一社会信用代码.
    Nothing stands in for them: "住所（地址）：（住所不详）" and "送达地点：（住所不详）" were printed on acts that could
    then be neither served nor enforced. Internal forms (立案审批表, 法制审核, 集体讨论) keep :func:`_party_fields`."""
    if party is not None:
        _require_service_details(party, kind)
    return _party_fields(party)


def _require_service_details(party: CaseParty, kind: str) -> None:
    act = KINDS[kind]
    if not party_address(party):
        raise DocumentError(
            "documents.party_address_missing",
            f"当事人“{party.name}”没有住所（地址）记录，不能出具{act.zh}：文书须载明当事人的名称（姓名）和地址"
            "（行政处罚法第五十九条第一款第（一）项），送达须有送达地点（第六十一条）。请先补充当事人的住所",
            f"the party '{party.name}' has no address on record: no {act.en.lower()} can be issued — the act must "
            "state the party's name and address (Administrative Penalty Law Art. 59(1)(1)) and service needs a "
            "place (Art. 61); record the party's address first",
        )
    if uscc_required(party) and not party_identifier(party):
        raise DocumentError(
            "documents.party_uscc_missing",
            f"当事人“{party.name}”（{category_label(party.category)}）没有统一社会信用代码记录，不能出具{act.zh}："
            "企业依法登记即取得统一社会信用代码，文书须载明以确定当事人。请先补充当事人的统一社会信用代码",
            f"the party '{party.name}' ({SUBJECT_CATEGORIES[party.category].en.lower()}) has no unified social "
            f"credit code on record: no {act.en.lower()} can be issued — a registered business bears one and the "
            "act must state it to identify the party; record the party's code first",
        )


def _case_fields(case: Case) -> dict[str, str]:
    officers = [case.lead_officer] + ([case.second_officer] if case.second_officer else [])
    return {
        "case_number": case.number,
        "case_title": case.title,
        "division": case.division.name,
        "filed_on": cn_date(case.filed_on),
        "decision_due": cn_date(case.decision_due),
        "officers": "、".join(_person(u) for u in officers),
        "findings": _case_findings(case),
    }


def _case_findings(case: Case) -> str:
    determination = getattr(case, "determination", None)
    return clean_paper(
        (determination.findings if determination else "") or case.filing_reason or "（见案卷）"
    )


def party_findings(case: Case, party: CaseParty | None) -> str:
    """The facts an act of ``party`` states as found against it: the party's own findings; in a case of
    one party, the case's. In a case of several parties the case's findings speak of all of them (the park's
    处理决定书 said the park had connected power without approval and mined, which only the miner did), so
    an act of one party without its own findings is refused: an act must state the facts of its own party
    (行政处罚法第四十四条、第五十九条; the same holds for a 处理决定书 and a 建议函 about that party)."""
    if party is not None and party.findings.strip():
        return clean_paper(party.findings)
    if party is None or case.parties.count() < 2:
        return _case_findings(case)
    raise DocumentError(
        "documents.no_party_findings",
        f"本案有多个当事人，尚未填写对“{party.name}”认定的事实（处理意见 → 运行措施引擎 → 对各当事人认定的事实），"
        "文书不能把全案的事实写作该当事人的事实",
        f"this case has several parties and no findings against '{party.name}' yet (determination → run the "
        "engine → facts found against each party): an act cannot state the whole case's facts as this party's",
    )


def _person(user: Any) -> str:
    profile = getattr(user, "staff", None)
    return profile.display_name if profile else user.get_username()


_DEBUG = re.compile(r"（?(?:计算记录|记录|编号)?\s*#\d+[^）。；]*）?")
# " / English" after Chinese text; a slash inside a code (GB/T 2589-2020, TCP/IP) is not a separator.
_ENGLISH_NOTE = re.compile(r"(?<![A-Za-z0-9])\s*/\s*[A-Za-z][^。；\n]*")


def clean_paper(text: str) -> str:
    """Text typed into the platform as it may appear on paper: no record ids (#9), no English half of a
    bilingual note, drafts named as drafts, no doubled full stops."""
    text = _DEBUG.sub("", text or "")
    text = _ENGLISH_NOTE.sub("", text)
    text = mark_drafts(text)
    return re.sub(r"。{2,}", "。", text).strip()


def _draft_titles() -> dict[str, str]:
    """Draft policy titles without their （征求意见稿） suffix → the full title, from the packs."""
    titles: dict[str, str] = {}
    for name in available_packs():
        title = load_pack(name).title_zh
        if title.endswith("（征求意见稿）"):
            titles[title.removesuffix("（征求意见稿）")] = title
    return titles


def mark_drafts(text: str) -> str:
    """《八项措施》, 《关于…八项措施》 → 《关于…八项措施（征求意见稿）》: a draft is never cited as if in force."""
    drafts = _draft_titles()

    def full(match: re.Match[str]) -> str:
        name = match[1]
        for base, title in drafts.items():
            if name and base.endswith(name):
                return f"《{title}》"
        return match[0]

    return re.sub(r"《([^《》（]+)》", full, text)


def policy_context(case: Case) -> str:
    """The case's policy pack, cited as policy context (never as the legal basis of an act)."""
    return f"《{load_pack(case.pack).title_zh}》"


def _measure_citations(case: Case, party: CaseParty | None) -> list[Citation | None]:
    determination = getattr(case, "determination", None)
    if determination is None:
        return []
    measures = determination.measures.filter(struck=False)
    if party is not None:
        measures = measures.filter(party=party)
    cited = [c for measure in measures for item in measure.basis for c in parse_citations(item)]
    return [c for c in cited if c.law not in NOT_ADMINISTRATIVE]


def _penalty_basis(case: Case, party: CaseParty | None) -> tuple[str, str]:
    """The statutes grounding the party's penalty (处罚依据: the actions' ``legal_basis``, e.g. 电力法第七十一条;
    each law once) and its policy context (drafts marked), from the penalty actions the engine recorded;
    the older free-text basis when there are none. What the conduct violated is ``violated_provisions``."""
    actions = penalty_actions(party)
    statutes = [c for a in actions for b in a.get("legal_basis") or [] for c in parse_citations(b)]
    policies = cited_policies(p for a in actions for p in a.get("policy_basis") or [])
    tracked = party is not None and any(
        isinstance(a, dict) and "track" in a for m in party.measures.all() for a in m.actions
    )
    basis = cite(statutes) or ("" if tracked else cite(_measure_citations(case, party)))
    if not basis:
        raise DocumentError(
            "documents.no_penalty_basis",
            f"“{party.name if party else ''}”没有以法律、法规、规章为依据的行政处罚事项，"
            "不能出具行政处罚文书（行政处罚法第四条、第三十八条）",
            "This party has no penalty grounded in a statute: no penalty document can be issued",
        )
    return basis, "、".join(policies) or policy_context(case)


def violated_provisions(party: CaseParty | None) -> str:
    """The provisions the party's conduct violated (违法依据), each law once: what a notice says after
    "违反了" and a decision after its facts (行政处罚法第四十四条、第五十九条), kept apart from the penalty basis
    that follows "依据" (电力法第四条第二款 and 电力供应与使用条例第三十一条 violated; 电力法第七十一条 and 条例
    第四十一条 ground the fine — the 条例 numbers are unverified in the packs). Action dicts stored before
    ``violated_basis`` existed take the pack's entry (``cases.selectors.violated_basis``); "" when neither
    gives one."""
    return cite(
        c for a in penalty_actions(party) for b in violated_basis(party, a) for c in parse_citations(b)
    )


def _violated_or_refuse(party: CaseParty | None) -> str:
    """``violated_provisions``, or a refusal: a notice or a decision that names no violated provision is
    one a legal reviewer cannot sign (行政处罚法第四十四条、第五十九条)."""
    found = violated_provisions(party)
    if not found:
        raise DocumentError(
            "documents.no_violated_basis",
            f"“{party.name if party else ''}”的行政处罚事项未载明所违反的法律、法规、规章条款（违法依据），"
            "不能出具告知书或决定书（行政处罚法第四十四条、第五十九条）",
            "This party's penalty names no violated provision: no notice or decision can be issued "
            "(Administrative Penalty Law Arts. 44, 59)",
        )
    return found


def served_policy_note(context: str, qualifier: str) -> str:
    """The policy-context sentence of an act served on a party (决定书, 处理决定书, 失信名单告知书/决定书), or ""
    when nothing is left: a draft (征求意见稿, 草案) has no legal effect and is left out of such an act
    altogether — even marked "参照" — so the act rests, on its face, on the statutes it cites alone
    (行政处罚法第三十八条: a penalty without a legal basis is void). Internal papers keep the drafts as context."""
    kept = formal_policies(context)
    return f"政策背景（{qualifier}）：{'、'.join(kept)}。" if kept else ""


def formal_policies(context: str) -> list[str]:
    """The policy documents of ``context`` that are not drafts (征求意见稿, 草案)."""
    return [item for item in _top_level_items(context) if "征求意见稿" not in item and "草案" not in item]


def _top_level_items(text: str) -> list[str]:
    """``text`` split at the 、 outside 《》 (a title may hold one)."""
    items, depth, start = [], 0, 0
    for index, char in enumerate(text):
        depth += {"《": 1, "》": -1}.get(char, 0)
        if char == "、" and depth == 0:
            items.append(text[start:index])
            start = index + 1
    items.append(text[start:])
    return [item for item in items if item]


def policy_cite(entry: str) -> str:
    """A pack policy reference (八项措施（征求意见稿）第五条) as cited on paper: 《关于…八项措施（征求意见稿）》第五条.
    A document named by its number is cited title first, then the number, where a pack gives its official
    title (``pack.cited_as``: 《国家发展改革委等部门关于整治虚拟货币“挖矿”活动的通知》（发改运行〔2021〕1283号）),
    by its number alone otherwise (a title not checked is never made up)."""
    name, suffix, rest = entry.partition("（征求意见稿）")
    name = name.strip("《》")
    if suffix:
        return mark_drafts(f"《{name}》") + rest
    if re.search(r"〔\d{4}〕\d+号", entry):
        bare = entry.strip("《》")
        for number, title in document_titles().items():
            if bare.startswith(number):
                return f"《{title}》（{number}）{bare[len(number) :]}"
        return bare
    matched = re.match(r"^《?([^《》第]+)》?(.*)$", entry)
    return f"《{matched[1]}》{matched[2]}" if matched else entry


def cited_policies(entries: Iterable[object]) -> list[str]:
    """The policy documents of ``entries`` as cited on paper, each once: a remark after a citation
    (发改运行〔2021〕1283号（按淘汰类执行差别电价）) does not make it another document, and is left out."""
    return list(dict.fromkeys(policy_cite(policy_document(str(entry))) for entry in entries))


def _theft(case: Case, party: CaseParty | None) -> CaseCalculation | None:
    calcs = case.calculations.filter(kind=CaseCalculation.Kind.THEFT).order_by("-id")
    if party is not None:
        return calcs.filter(party=party).first() or calcs.filter(party__isnull=True).first()
    return calcs.first()


def _result(calc: CaseCalculation | None, key: str) -> Decimal | None:
    value = ((calc.output or {}).get("result") or {}).get(key) if calc else None
    return Decimal(str(value)) if value not in (None, "") else None


def _exhibits(case: Case) -> dict[str, Any]:
    rows = [
        [
            str(i),
            clean_paper(item.description),
            item.get_kind_display(),
            cn_date(item.collected_on),
            "电子文件" if item.file_name else "—",
            item.sha256[:16] if item.sha256 else "—",
        ]
        for i, item in enumerate(case.evidence_items.all(), start=1)
    ]
    for rig in case.seized_rigs.all():
        rows.append(
            [
                str(len(rows) + 1),
                f"查扣矿机{rig_model(rig.model)}共{rig.count}台（铭牌功率每台{rig.unit_power_w}瓦）",
                "物证",
                cn_date(rig.seized_on),
                rig.custody or "—",
                "—",
            ]
        )
    return {
        "columns": ["序号", "名称", "种类", "收集或查扣日期", "载体或保管处", "校验值（前十六位）"],
        "rows": rows,
    }


_BRANDS = {
    "antminer": "蚂蚁矿机",
    "whatsminer": "神马矿机",
    "avalon": "阿瓦隆矿机",
    "avalonminer": "阿瓦隆矿机",
}


def rig_model(model: str) -> str:
    """A rig model as written in Chinese documents: brand in Chinese, model identifier kept (S19)."""
    words = (model or "").split()
    if words and words[0].lower() in _BRANDS:
        return _BRANDS[words[0].lower()] + "".join(words[1:])
    return model


def _pick(items: list[Any], party: CaseParty | None, what_zh: str, what_en: str) -> Any:
    if party is not None:
        items = [
            i
            for i in items
            if (i.pk if isinstance(i, CaseParty) else getattr(i, "party_id", None)) == party.pk
        ]
    if not items:
        raise DocumentError(
            "documents.source_missing",
            f"案件中尚无可生成该文书的{what_zh}",
            f"The case has no {what_en} to render this document from",
        )
    return items[0]


def prepare(case: Case, kind: str, party: CaseParty | None = None, addressee: str = "") -> Prepared:
    """Collect the fields of ``kind`` for ``case`` (and ``party`` where a document is per party)."""
    if kind not in KINDS:
        raise DocumentError(
            "documents.kind_unknown",
            f"未知文书种类“{kind}”，可选：{'、'.join(KINDS)}",
            f"Unknown document kind '{kind}'; choose one of {', '.join(KINDS)}",
        )
    builder = BUILDERS[kind]
    prepared = (
        builder(case, kind, party, addressee)
        if kind in ("proposal", "measure_letter")
        else builder(case, kind, party)
    )
    prepared.fields = {
        "kind_title": KINDS[kind].title,  # a builder may name its act more precisely (_credit_listing)
        **_case_fields(case),
        **prepared.fields,
        "authority": prepared.issuer.name,
    }
    return prepared


# -- kinds -------------------------------------------------------------------------------------------
def filing_target(case: Case) -> str:
    """The act a case's 立案审批表 is: one per case (``case:12``). Acts are found by kind and target alone
    (``numbering.act_for``), so the target must name the case — a bare ``case`` made every case's filing
    form the first case's act, bearing its number."""
    return f"case:{case.pk}"


def brief_facts(case: Case) -> str:
    """二、简要案情 of a 立案审批表: the facts the case's lead was opened on (an analysis's findings, an
    officer's summary). A lead from a public report holds only the notice that the reporter's words are sealed
    in the report; that notice, or no summary at all, is no case summary: the form then says where the facts
    are (the report and the check are in the case file; 三、立案理由 states what the check found)."""
    from minesweep.reports.services import sealed_content_notice

    lead = case.lead
    sealed = (
        lead.source == lead.Source.PUBLIC_REPORT and lead.summary == sealed_content_notice(lead.source_ref)[0]
    )
    if sealed:
        return "本案线索来源于群众举报，举报内容及核查材料详见案卷。"
    return clean_paper(lead.summary) or "案情详见案卷中的线索及核查材料。"


@dataclass(frozen=True)
class FilingGround:
    """What a case authority's filing form rests on (:func:`filing_ground`)."""

    penalty: bool  # the filing organ holds a penalty power over the conduct: a 行政处罚立案
    basis: str  # 《…》第…条、… or the normative documents, as cited after 依据
    title: str  # 立案审批表, or 案件受理（核查）审批表
    act: str  # 立案, or 受理核查
    char: str  # the 文号's type character: 立, or 受 (kinds.ACCEPTANCE_CHAR)


def filing_ground(case: Case) -> FilingGround:
    """The basis of the case authority's filing form, from the packs the case is evaluated against (its own
    and the national notice), as they stood on the filing day.

    Filing a penalty case (行政处罚立案) presupposes the filing organ's own penalty competence: a penalty is
    imposed by the organ the law gives the power (行政处罚法第十七条), within its jurisdiction (第二十二条、第二十三条);
    第五十四条 sets the procedure (check, file), not who may file. So where the pack gives the case authority a
    penalty action (its ``track: penalty`` actions, e.g. 电力法第七十一条 for the 电力管理部门), the form is a
    立案审批表 citing 第五十四条 together with those actions' ``legal_basis``. Where it holds none — the 发改委,
    whose powers in the packs are measures that are not penalties (差别电价, 取消优惠, 退出市场交易) — it files no
    penalty case: the form is a 案件受理（核查）审批表 citing the basis of the measures it holds (their statutes
    with an article, never one the pack marks 待法制审核确认; then the normative documents in force, never a
    draft), and no 第五十四条; a penalty another organ holds goes to that organ, which files it itself
    (``penalty_filing``). A pack that gives the case authority neither is refused: the form could not say
    what it rests on. The conduct is not yet determined when a case is filed (the determination follows), so
    the form rests on what the pack gives the filing organ, not on the measures determined later.

    The 文号 follows the title: a 立案审批表 bears 立 (包发改立〔2026〕3号), a 案件受理（核查）审批表 bears 受
    (:data:`kinds.ACCEPTANCE_CHAR`, 包发改受〔2026〕1号), numbered apart — a 受理 numbered 立 named on its face the
    行政处罚立案 its organ has no power to make (第十七条), and took numbers from the organ's 立 series."""
    from minesweep.cases.services.tracks import packs_for

    day = case.filed_on
    authority = load_pack(case.pack).case_authority
    held = [
        action
        for pack_id in packs_for(case)
        for rule in load_pack(pack_id).rules
        if rule.validity.covers(day)
        for action in rule.actions
        if action.authority == authority
    ]
    penalties = [a for a in held if a.track == "penalty"]
    if penalties:
        competence = [Citation(b.law, b.article) for a in penalties for b in a.basis_on(day)]
        return FilingGround(
            True,
            cite([Citation(PENALTY_LAW, "第五十四条"), *competence]),
            KINDS["filing"].title,
            "立案",
            KINDS["filing"].char,
        )
    measures = [a for a in held if a.track == "measure"]
    statutes = cite(
        Citation(b.law, b.article)
        for a in measures
        for b in a.basis_on(day)
        if b.article and PENDING_BASIS not in b.note
    )
    documents = [
        p
        for p in cited_policies(p for a in measures for p in a.policy_basis)
        if "征求意见稿" not in p and "草案" not in p
    ]
    grounds = [g for g in (statutes, *documents) if g]
    if not grounds:
        raise DocumentError(
            "documents.no_filing_basis",
            "政策包没有为本机关配置行政处罚权，也没有配置其处理措施的法律依据或者现行规范性文件依据，"
            "不能出具立案（受理）审批表",
            "the policy pack gives this organ no penalty power and no statute or normative document in force "
            "for its measures: no filing form can be issued",
        )
    return FilingGround(False, "、".join(grounds), ACCEPTANCE_TITLE, "受理核查", ACCEPTANCE_CHAR)


def _filing(case: Case, kind: str, party: CaseParty | None) -> Prepared:
    """立案审批表 of the case authority — or, where it holds no penalty power, its 案件受理（核查）审批表
    (:func:`filing_ground`): what it knew on the day it filed (行政处罚法第五十四条第二款).

    It used to add the statutes of the measures determined later — which no filing can know, as the
    determination follows it — and so put other organs' powers in the filing organ's mouth: the 能源局's
    电力法第七十一条, the grid company's 供电营业规则第一百零一至一百零三条, the 文化 department's
    《互联网上网服务营业场所管理条例》 and whole laws without an article, and the form changed each time it was
    rendered again. Then it cited 第五十四条 alone, a procedure without a competence (legal review item 13).
    The statutes of each act are cited on that act."""
    lead = case.lead
    parties = list(case.parties.select_related("subject"))
    ground = filing_ground(case)
    due = cn_date(case.decision_due)
    return Prepared(
        filing_target(case),
        None,
        case_issuer(case),
        case.filed_on,
        {
            "kind_title": ground.title,
            "act": ground.act,
            "time_limit": (
                # 行政处罚法第六十条: ninety days from filing, for a penalty case only
                f"立案日期：{cn_date(case.filed_on)}。办案期限：自立案之日起九十日内，即{due}前（含当日）作出处理决定"
                if ground.penalty
                else f"受理核查日期：{cn_date(case.filed_on)}。办理期限：{due}前（含当日）作出处理决定"
            ),
            "lead_number": lead.number,
            "lead_source": lead.get_source_display(),
            "received_on": cn_date(lead.received_on or lead.created_at.date()),
            "lead_summary": brief_facts(case),
            "filing_reason": clean_paper(case.filing_reason) or "—",
            "basis": ground.basis,
            "policy_context": policy_context(case),
            "parties": "；".join(f"{p.name}（{category_label(p.category)}）" for p in parties)
            or "（待查明）",
            "lead_officer": _person(case.lead_officer),
            "second_officer": _person(case.second_officer) if case.second_officer else "—",
        },
        {"parties": _parties_table(parties)},
        number_char=ground.char,
    )


def _parties_table(parties: list[CaseParty]) -> dict[str, Any]:
    """The 当事人基本情况 table of a 立案审批表: name, identifier (masked), address, category, facts."""
    return {
        "columns": ["当事人", "证照号码", "住所", "主体类别", "查明事实"],
        "rows": [
            [
                p.name,
                party_identifier(p) or "—",
                p.address or "—",
                category_label(p.category),
                facts_text(p.facts) or "—",
            ]
            for p in parties
        ],
    }


def _penalty_filing(case: Case, kind: str, party: CaseParty | None) -> Prepared:
    """立案审批表 of the authority holding a party's penalty power when another authority filed the case
    (``cases.services.tracks.needs_own_filing``; 行政处罚法第二十二条、第五十四条): in its own name, on the
    matter the case authority transferred, for that party only, with its own officers (第四十二条) and
    its own ninety days from its filing (第六十条)."""
    filed = list(case.tracks.filter(kind="penalty").exclude(filed_on=None).select_related("party__subject"))
    track: Any = _pick(filed, party, "有权机关立案记录", "filing by the authority holding the power")
    the_party = track.party
    lead = case.lead
    transferring = case_issuer(case).name
    officers = track.filing_officers.split("、")
    violated = violated_provisions(the_party) or "有关规定"
    basis, _ = _penalty_basis(case, the_party)
    return Prepared(
        f"track:{track.pk}",
        the_party,
        case_issuer(case, track.authority),
        track.filed_on,
        {
            "lead_number": lead.number,
            "lead_source": f"{transferring}移送（其案件编号{case.number}）",
            "received_on": cn_date(track.filed_on),
            "lead_summary": brief_facts(case),
            "filing_reason": (
                f"{transferring}在办理{case.title}一案（案件编号{case.number}）中发现，当事人{the_party.name}"
                f"涉嫌违反{violated}的规定。依据{basis}，该行为应予行政处罚，处罚权由本机关依法行使。"
                f"{transferring}已将该事项移送本机关，经审查符合立案条件"
            ),
            "basis": cite([Citation(PENALTY_LAW, "第二十二条"), Citation(PENALTY_LAW, "第五十四条")])
            + f"及{basis}",
            "act": "立案",
            "time_limit": (
                f"立案日期：{cn_date(track.filed_on)}。办案期限：自立案之日起九十日内，"
                f"即{cn_date(decision_deadline(track.filed_on))}前（含当日）作出处理决定"
            ),
            "policy_context": policy_context(case),
            "parties": f"{the_party.name}（{category_label(the_party.category)}）",
            "lead_officer": officers[0],
            "second_officer": "、".join(officers[1:]) or "—",
            "filed_on": cn_date(track.filed_on),
            "decision_due": cn_date(decision_deadline(track.filed_on)),
        },
        {"parties": _parties_table([the_party])},
    )


def _notice(case: Case, kind: str, party: CaseParty | None) -> Prepared:
    notice: Notice = _pick(
        list(case.notices.filter(superseded=False).select_related("party__subject")),
        party,
        "告知记录",
        "notice",
    )
    deadline = cn_date(notice.defence_deadline)
    hearing = cn_date(notice.hearing_request_deadline)
    issuer = penalty_issuer(case, notice.party)
    basis, context = _penalty_basis(case, notice.party)
    violated = _violated_or_refuse(notice.party)
    where = "、".join(
        f"{label}：{value}"
        for label, value in (("地址", configured(issuer.address)), ("联系方式", configured(issuer.contact)))
        if value
    )
    return Prepared(
        f"notice:{notice.pk}",
        notice.party,
        issuer,
        notice.served_on,
        {
            **_served_party_fields(notice.party, kind),
            "findings": party_findings(case, notice.party),
            "intended_penalty": penalty_only(notice.intended_penalty) + _intended_fine(notice),
            "violated": violated,
            "basis": basis,
            "policy_context": context,
            "served_on": cn_date(notice.served_on),
            "defence_deadline": deadline,
            "hearing_request_deadline": hearing,
            "statement_route": (
                f"{you(notice.party)}可自收到本告知书之日起五个工作日内（即{deadline}前{LAST_DAY_INCLUDED}），"
                f"以书面或者口头形式向本机关{f'（{where}）' if where else ''}提出陈述、申辩意见，"
                "口头提出的由本机关制作笔录"
            ),
            "hearing_right": (
                f"根据《{PENALTY_LAW}》第六十三条、第六十四条，{you(notice.party)}有权要求举行听证；"
                f"要求听证的，应当自收到本告知书之日起五个工作日内（即{hearing}前{LAST_DAY_INCLUDED}）向本机关提出"
                if notice.hearing_eligible
                else "本案拟作出的行政处罚不属于听证范围"
            ),
        },
        {"evidence": _exhibits(case)},
    )


def _intended_fine(notice: Notice) -> str:
    """The fine the notice announces, in figures and capitals, with its statutory range (行政处罚法第四十四条:
    拟作出的行政处罚内容及事实、理由、依据 — the basis is named in the same sentence, so the range is given
    without repeating the law)."""
    if notice.intended_fine_yuan is None:
        return ""
    statutory = _statutory_range(notice.party)
    if statutory:
        return f"，罚款金额为{yuan(notice.intended_fine_yuan)}，在法定幅度内（{statutory}）"
    found = fine_range(notice.party)
    multiple = found.multiple if found is not None else None
    return f"，罚款金额为{yuan(notice.intended_fine_yuan)}" + (
        f"（法定幅度：应交电费{_cn_multiple(plain(multiple))}倍以下）" if multiple is not None else ""
    )


def _statutory_range(party: CaseParty | None) -> str:
    """应交电费80,000.00元的五倍以下，即不超过400,000.00元 — the range of the party's fine as the case
    records it (pack amount × the theft calculation's back charge), or "" when it cannot be computed."""
    found = fine_range(party) if party is not None else None
    if found is None or found.ceiling is None:
        return ""
    if found.base_yuan is not None and found.multiple is not None:
        return (
            f"应交电费{found.base_yuan:,.2f}元的{_cn_multiple(plain(found.multiple))}倍以下，"
            f"即不超过{found.ceiling:,.2f}元"
        )
    return f"不超过{found.ceiling:,.2f}元"


def _fine_change(decision: Decision) -> str:
    """A decided fine lower than the one the notice announced, said as such with the reason adopted
    (行政处罚法第四十五条: only lower, on what the review of the statement established)."""
    notice = decision.notice
    intended = notice.intended_fine_yuan if notice is not None else None
    if intended is None or decision.fine_yuan is None or decision.fine_yuan >= intended:
        return ""
    reason = clean_paper(decision.fine_change_reason).rstrip("。；;，, ")
    because = f"，理由：{reason}" if reason else ""
    return f"经复核，本机关将罚款金额由告知书所载的{intended:,.2f}元减为{decision.fine_yuan:,.2f}元{because}"


def _statement_handling(notice: Notice | None, decision: Decision | None = None) -> str:
    """How the party's statement, defence or hearing was handled (行政处罚法第四十五条、第六十五条)."""
    if notice is None:
        return "当事人未经告知程序"
    hearing = getattr(notice, "hearing", None)
    party = you(notice.party)
    parts = [f"本机关于{cn_date(notice.served_on)}向{party}送达了行政处罚事先告知书"]
    if notice.rights_waived:
        parts.append(f"{party}书面表示放弃陈述、申辩和听证的权利")
    elif notice.statement:
        received = f"于{cn_date(notice.statement_received_on)}" if notice.statement_received_on else ""
        parts.append(
            f"{party}{received}提出了陈述、申辩意见，本机关已进行复核：{clean_paper(notice.statement)}"
        )
    else:
        parts.append(f"{party}在规定期限内未提出陈述、申辩意见")
    if hearing is not None and hearing.status == "held":
        parts.append(f"应{party}要求，本机关于{cn_date(hearing.held_on)}举行了听证")
    elif hearing is not None and hearing.status == "withdrawn":
        parts.append(f"{party}撤回了听证申请")
    elif notice.hearing_eligible and not notice.rights_waived:
        parts.append("未在规定期限内要求听证")
    change = _fine_change(decision) if decision is not None else ""
    return "，".join(parts) + "。" + (f"{change}。" if change else "")


def _fine_range(case: Case, decision: Decision) -> str:
    """The fine against its statutory range where the case records the range (电力法第七十一条)."""
    statutory = _statutory_range(decision.party)
    return f"（{statutory}；本决定罚款在法定幅度内）" if statutory else ""


def _cn_multiple(multiple: str) -> str:
    return {"1": "一", "2": "二", "3": "三", "4": "四", "5": "五"}.get(multiple, multiple)


def _decision(case: Case, kind: str, party: CaseParty | None) -> Prepared:
    """行政处罚决定书 (行政处罚法第五十九条). Its remedies (第五十九条第一款第（五）项: 途径和期限) are stated as periods
    from receipt — 自收到本决定书之日起六十日内 (行政复议法第二十条), 六个月内 (行政诉讼法第四十六条) — in the template,
    never as dates: an act is issued before it is served, so the dates computed from service
    (``Decision.appeal_deadline``, ``lawsuit_deadline``) stay in the case record. The template used to read
    "可以在{{appeal_deadline}}前", which printed "自收到本决定书之日起六十日内前" on first issue and calendar
    dates once served: the same act read differently depending on when it was rendered.

    The fine's payment period likewise (第五十九条第一款第（四）项; 第六十七条第三款: 自收到行政处罚决定书之日起十五日内):
    the template says the period, and ``Decision.payment_deadline``, computed on service, stays in the case
    record. The field ``payment_deadline`` printed that date once served and the period before."""
    decision: Decision = _pick(
        list(case.decisions.select_related("party__subject", "notice")), party, "处罚决定", "decision"
    )
    issuer = penalty_issuer(case, decision.party)
    basis, context = _penalty_basis(case, decision.party)
    violated = _violated_or_refuse(decision.party)
    fine = yuan(decision.fine_yuan) if decision.fine_yuan else "无"
    league = league_of(case).name
    payment = issuer.payment
    channel = (
        f"开户银行{configured(payment.get('bank', ''))}，账号{configured(payment.get('account', ''))}，"
        f"收款人{configured(payment.get('payee', ''))}"
        if all(configured(payment.get(k, "")) for k in ("bank", "account", "payee"))
        else "缴至本机关指定的代收银行（见随附缴款通知）"
    )
    return Prepared(
        f"decision:{decision.pk}",
        decision.party,
        issuer,
        decision.decided_on,
        {
            **_served_party_fields(decision.party, kind),
            "facts_and_evidence": clean_paper(decision.facts_and_evidence),
            "statement_handling": _statement_handling(decision.notice, decision),
            "penalty_and_basis": penalty_only(decision.penalty_and_basis),
            "violated": violated,
            "criminal_proceedings": criminal_proceedings_recital(case, decision.party, decision.decided_on),
            "basis": basis,
            "policy_context": context,
            "policy_note": served_policy_note(context, "参照，不作为处罚依据"),
            "fine": fine + _fine_range(case, decision) if decision.fine_yuan else fine,
            "back_charge": back_charge_order(case, decision),
            "compliance": clean_paper(decision.compliance),
            "payment_channel": channel,
            "review_body": configured(issuer.review_body) or f"{league}人民政府",
            "court": configured(issuer.court) or f"{league}辖区内有管辖权的人民法院",
            "decided_on": cn_date(decision.decided_on),
            "seal": "（印章）" if decision.sealed else "（未盖章）",
        },
    )


RECOVERY = "追缴电费"
#: The period the decision gives for paying the back charge: the fine's own (行政处罚法第六十七条第三款), so the
#: party has one date to meet; no statute fixes a period for the back charge itself.
BACK_CHARGE_PERIOD = "自收到本决定书之日起十五日内"


def back_charge_order(case: Case, decision: Decision) -> str:
    """What a decision that orders 追缴电费 (电力法第七十一条: 责令停止违法行为，追缴电费并处…罚款) says of it in
    its 履行方式和期限 (行政处罚法第五十九条第一款第（三）、（四）项): the amount (the back charge of the party's
    theft calculation, 补交电费 only — 违约使用电费 is the supplier's under the supply contract), who it is paid
    to (the supply company, whose power was taken), by when, and that paying the company under its own
    recovery discharges it. "" when the decision orders no recovery.

    Why state it rather than leave it to the 建议函: the recovery is part of the 电力管理部门's order under
    第七十一条 (DOMAIN §4a: stop, recover the charges, fine), and an order with no amount, payee or period can be
    neither performed nor enforced; naming the supply company as payee, the company the 建议函 asks to recover
    the same charges, makes it one debt paid once, not two. A decision ordering a recovery with no computed
    back charge is refused rather than issued indeterminate."""
    if RECOVERY not in clean_paper(decision.penalty_and_basis):
        return ""
    value = _result(_theft(case, decision.party), "back_charge_yuan")
    if value is None:
        raise DocumentError(
            "documents.back_charge_missing",
            f"决定书责令{RECOVERY}，但案件中没有“{decision.party.name}”的窃电核算（应补交电费金额），"
            "不能出具：请先进行窃电核算，或者在处罚内容中不再责令追缴电费（行政处罚法第五十九条）",
            f"the decision orders the recovery of charges but the case has no theft calculation (back charge) "
            f"for '{decision.party.name}': compute it first, or do not order the recovery (Administrative "
            "Penalty Law Art. 59)",
        )
    supplier = _supplier(case, decision.party)
    return (
        f"{RECOVERY}：{you(decision.party)}应补交电费{yuan(value)}，{BACK_CHARGE_PERIOD}向{supplier}缴纳；"
        f"已向{supplier}补交该电费的，视为已履行本项，不重复缴纳。罚款："
    )


def _supplier(case: Case, party: CaseParty) -> str:
    """The supply company the back charge is paid to: the one the party's 建议函 went to, else the pack's."""
    track = party.tracks.filter(kind="other_authority", authority="grid_company").first()
    if track is not None and configured(track.authority_name):
        return track.authority_name
    found = organ(case, "grid_company")
    return configured(found.name) if found is not None and configured(found.name) else "供电企业"


_BASIS_CLAUSE = re.compile(r"[，；,;]?\s*(?:依据|根据)(?:[及和、]?《[^》]+》(?:第[^，。；、《]+条)?)+")


def penalty_only(text: str) -> str:
    """The penalty an officer wrote, without the basis clauses typed into it (the document prints the
    statutes that ground the act itself, so a draft typed there never becomes the basis of a penalty)."""
    cleaned = _BASIS_CLAUSE.sub("", clean_paper(text))
    return re.sub(r"[，；,;]{2,}", "，", cleaned).strip().strip("。；;，,") or clean_paper(text).rstrip("。")


def _league_name(case: Case) -> str:
    return league_of(case).name


def _organ_name(case: Case, authority_type: str, suffix: str) -> str:
    found = organ(case, authority_type)
    return (
        configured(found.name)
        if found is not None and configured(found.name)
        else _league_name(case) + suffix
    )


def _referral(case: Case, kind: str, party: CaseParty | None) -> Prepared:
    wanted = Referral.Kind.POLICE if kind == "police_referral" else Referral.Kind.DISCIPLINE
    referrals = [
        r
        for r in case.referrals.filter(kind=wanted).select_related("party__subject")
        if r.status not in (Referral.Status.PROPOSED, Referral.Status.DECLINED)
    ]
    referral: Referral = _pick(referrals, party, "已批准的移送", "approved referral")
    if wanted == Referral.Kind.POLICE:
        _conduct_found_or_refuse(case, referral)
    decided = timezone.localtime(referral.decided_at).date() if referral.decided_at else None
    facts = facts_text(referral.party.facts) if referral.party else ""
    fields = {
        **_party_fields(referral.party),
        "facts": facts or "（见调查报告）",
        "reported_on": cn_date(referral.reported_on),
        "decided_on": cn_date(decided),
    }
    if wanted == Referral.Kind.POLICE:
        fields.update(_police_fields(case, referral))
    else:
        fields["receiving_organ"] = _discipline_organ(case, referral.receiving_organ)
        fields["basis"] = supervision_basis(case, referral.action, decided or timezone.localdate())
    return Prepared(
        f"referral:{referral.pk}",
        referral.party,
        case_issuer(case),
        decided,
        fields,
        {"exhibits": _exhibits(case)},
    )


SUPERVISION_LAW = "中华人民共和国监察法"


def supervision_basis(case: Case, action: str, day: dt.date) -> str:
    """The 监察法 article a 问题线索移送函 rests on, in the version in force on the letter's date: the pack's
    dated ``legal_basis`` of the referral action (2018 text 第三十四条 up to 2025-05-31; the amended law in
    force from 2025-06-01, 第三十七条, marked unverified in the pack). Same rule as 行政处罚法第三十七条 for
    the rules of an act: the version in force on the act's day."""
    wanted = action or "refer_discipline"
    for pack_id in dict.fromkeys([case.pack, *available_packs()]):
        for rule in load_pack(pack_id).rules:
            for found in rule.actions:
                if found.code != wanted:
                    continue
                current = [
                    Citation(b.law, b.article)
                    for b in found.legal_basis
                    if b.law == SUPERVISION_LAW and b.validity.covers(day)
                ]
                if current:
                    return cite(current)
    return cite([Citation(SUPERVISION_LAW)])


def _discipline_organ(case: Case, recorded: str) -> str:
    """The discipline-inspection and supervision commission of the official's level: the one recorded on
    the referral when it names both commissions (the officer's word on the official's level), else the
    commission of the case division's own level — for a county case the county's (中共东胜区纪律检查委员会、
    东胜区监察委员会), never the city's that the pack's fallback would give: 监察法（2018）第十六条第一款,
    监察机关按照管理权限管辖, and a 街道/乡镇 cadre is managed by the county
    (:func:`minesweep.policy.packs.discipline_commission_name`)."""
    if "纪律检查委员会" in recorded and "监察委员会" in recorded:
        return recorded
    return discipline_commission_name(load_pack(case.pack), case.division_id, case.division.name)


_REFERRAL_ATTACHMENTS = (
    "涉嫌犯罪案件移送书",
    "涉嫌犯罪案件情况的调查报告",
    "涉案物品清单",
    "有关检验报告或者鉴定结论",
    "其他有关涉嫌犯罪的材料",
)
_DOC_CODES = dict(
    zip(
        ("referral_letter", "investigation_report", "exhibit_list", "expert_findings", "other_materials"),
        _REFERRAL_ATTACHMENTS,
        strict=True,
    )
)


def _bracketed(*pairs: tuple[str, str]) -> str:
    """（证照号码…，住所…） with only the values that are known; nothing when none is."""
    known = "，".join(f"{label}{value}" for label, value in pairs if value)
    return f"（{known}）" if known else ""


def _crime_of(referral: Referral) -> tuple[str, str]:
    """The offence (article, name) the referral names; one recorded without any is refused, never guessed."""
    crime = POLICE_REFERRAL_CRIMES.get(referral.action)
    if crime is None:
        raise DomainError(
            "documents.referral_without_crime",
            "该移送未记录涉嫌的罪名，不能制作文书：请重新提出移送并选择罪名",
            "the referral records no offence: propose it again and choose the offence",
        )
    return crime.article, crime.zh


def _conduct_found_or_refuse(case: Case, referral: Referral) -> None:
    """A 移送书 says the party did what the offence is made of (国务院令第310号第三条: 涉嫌构成犯罪 on the facts
    found): a 盗窃罪 referral of a party whose found facts hold no taking of power — a captive plant that
    supplied miners from its own lines, whose theft figure was computed by mistake — is refused, never sent.
    The conduct is the party's facts or the facts found for every party of the case."""
    crime = POLICE_REFERRAL_CRIMES.get(referral.action)
    if crime is None or not crime.conduct or referral.party is None:
        return
    determination = getattr(case, "determination", None)
    found = {*referral.party.facts, *(determination.case_facts if determination is not None else [])}
    if crime.conduct not in found:
        conduct = FACTS[crime.conduct]
        raise DocumentError(
            "documents.referral_conduct_not_found",
            f"移送书写明涉嫌{crime.zh}，但“{referral.party.name}”的认定事实中没有“{conduct.zh}”：请先认定该事实，"
            "或者不予移送",
            f"the referral names {crime.en.lower()}, but the facts found for '{referral.party.name}' do not "
            f"include '{conduct.en}': find that fact first, or do not refer",
        )


def _suspected(referral: Referral) -> str:
    """涉嫌盗窃罪 … for recitals of a referral; 涉嫌犯罪 for one recorded before offences were named."""
    crime = POLICE_REFERRAL_CRIMES.get(referral.action)
    return f"涉嫌{crime.zh}" if crime is not None else "涉嫌犯罪"


def _crime(referral: Referral) -> str:
    article, name = _crime_of(referral)
    return f"涉嫌构成《中华人民共和国刑法》{article}规定的{name}"


THEFT_CALCULATION_SHEET = "窃电量及窃电价值计算书"


def _referral_attachments(referral: Referral, theft: CaseCalculation | None = None) -> list[str]:
    """What goes with the 移送书 (国务院令第310号第六条: 移送书, 调查报告, 涉案物品清单, 检验报告或者鉴定结论,
    其他材料): the materials sent, the report and the exhibit list at least, never the 移送书 itself —
    the letter that lists its attachments cannot be one of them. A theft referral whose amount comes from
    the case's calculation sends that calculation (every step and the rule it applies) as one of the 其他
    有关涉嫌犯罪的材料: the police test the amount against the threshold and must be able to check it."""
    sent = [_DOC_CODES[code] for code in referral.documents if code in _DOC_CODES]
    listed = [name for name in _REFERRAL_ATTACHMENTS[1:] if name in sent] or list(_REFERRAL_ATTACHMENTS[1:3])
    if theft is None or referral.action != "refer_police_theft":
        return listed
    other = _REFERRAL_ATTACHMENTS[4]
    sheet = f"{other}：{THEFT_CALCULATION_SHEET}"
    return [sheet if name == other else name for name in listed] if other in listed else [*listed, sheet]


def _police_fields(case: Case, referral: Referral) -> dict[str, str]:
    """The theft figures that matter for prosecution: the value of the stolen power alone (the back charge,
    i.e. stolen kWh × tariff) tested against the threshold; 违约使用电费 and fines are not part of it — only
    where the quantity was verified (:func:`quantity_verified`); a presumed quantity is said to be one and
    the amount left to the police (:func:`_presumed_theft`, 两高2013年盗窃解释第四条). A referral of another
    offence (洗钱, 非法集资) carries no theft figures: its amounts are in the report."""
    calc = _theft(case, referral.party) if referral.action == "refer_police_theft" else None
    value = _result(calc, "back_charge_yuan")
    threshold = load_pack(case.pack).settings.decimal("theft_criminal_threshold_yuan")
    if calc is not None and value is not None and not quantity_verified(calc):
        theft = _presumed_theft(calc, value)
    elif calc is not None and value is not None:
        reached = "已达到" if value >= threshold else "未达到"
        theft = (
            f"经核算，窃电量{plain(calc.kwh)}千瓦时，窃电价值（按应补交电费计）{yuan(value)}，"
            f"{reached}盗窃罪“数额较大”的追诉标准（{plain(threshold)}元）"
        )
    elif referral.action == "refer_police_theft":
        theft = "窃电数额见涉嫌犯罪案件情况的调查报告"
    else:
        theft = "涉案数额及情节见涉嫌犯罪案件情况的调查报告"
    attachments = _referral_attachments(referral, calc if value is not None else None)
    return {
        "receiving_organ": referral.receiving_organ or _organ_name(case, "public_security", "公安局"),
        "procuratorate": _organ_name(case, "procuratorate", "人民检察院"),
        "theft_summary": theft,
        "documents_sent": "；".join(f"{i}. {name}" for i, name in enumerate(attachments, start=1)),
        "basis": cite(
            [
                Citation(REFERRAL_RULE, "第三条"),
                Citation(REFERRAL_RULE, "第五条"),
                Citation(REFERRAL_RULE, "第六条"),
            ]
        ),
        "crime": _crime(referral),
        "party_details": _bracketed(
            ("证照号码", party_identifier(referral.party) if referral.party else ""),
            ("住所", (referral.party.address if referral.party else "") or ""),
        ),
        "transferred_on": cn_date(
            timezone.localtime(referral.transferred_at).date() if referral.transferred_at else None
        ),
    }


THEFT_INTERPRETATION = "《最高人民法院、最高人民检察院关于办理盗窃刑事案件适用法律若干问题的解释》"


def quantity_verified(calc: CaseCalculation) -> bool:
    """Whether a theft calculation's kWh was established from the actual time of use (hours per day and days
    entered), not presumed because the time could not be established (``unknown_duration``: 供电营业规则,
    at least 180 days × 12 h a day). A record that says neither is not taken as verified."""
    inputs = calc.inputs or (calc.output or {}).get("inputs") or {}
    if inputs.get("unknown_duration"):
        return False
    return all(inputs.get(key) not in (None, "") for key in ("hours_per_day", "days"))


def _presumed_theft(calc: CaseCalculation, value: Decimal) -> str:
    """The 移送书's theft sentence when the time of use was not established. The 供电营业规则 presumption
    (180 days × 12 h) fixes what the supplier may charge (补交电费), not the amount of a crime: 两高2013年盗窃
    解释 (法释〔2013〕8号) 第四条第一款第（三）项 counts stolen power by the verified quantity, or failing that by
    the average monthly use in the six months before the theft minus the average metered use after. So the
    letter gives the presumed back charge as such and leaves the criminal amount to the police; it never says
    the presumed figure "已达到…追诉标准" (the 移送书 of a 60-rig café asserted 864,000元 from 800 kW × 12 h ×
    180 d)."""
    return (
        f"因窃电时间无法查明，按《供电营业规则》推定的追补电量为{plain(calc.kwh)}千瓦时，"
        f"应补交电费（推定）{yuan(value)}；该数额是供电企业追补电费的推定数额，不是盗窃数额。"
        f"盗窃电力的数额，请依照{THEFT_INTERPRETATION}第四条，按查实的窃电量核定；窃电量无法查实的，"
        "以盗窃前六个月月均正常用电量减去盗窃后计量仪表显示的月均用电量推算"
    )


def listing_decision_title(severity: str) -> str:
    """The title of a listing decision: 列入严重失信主体名单决定书 only for the serious list, whose standard a law,
    regulation or CCP/State Council policy document sets (国办发〔2020〕49号 四(六)(七);
    ``credit.services.listing_severity``); 列入失信主体名单决定书 for a general or minor listing, as its
    notice (拟列入失信主体名单告知书) is titled."""
    return "列入严重失信主体名单决定书" if severity == "serious" else "列入失信主体名单决定书"


def _credit_listing(case: Case, kind: str, party: CaseParty | None) -> Prepared:
    """列入失信主体名单决定书 (严重 only for the serious list: :func:`listing_decision_title`): decided after
    the 拟列入告知书 (its number and date), the objection period and how the objection was handled; its own
    number is the listing's ``decision_number``; the penalty decision it rests on (if any) is cited as the
    ground."""
    listing = _listing_of(case, party, decided=True)
    if listing.notified_on is None or (listing.listed_on or listing.publication_start) is None:
        raise DocumentError(
            "documents.listing_not_decided",
            "列入决定须在告知当事人并经异议期后作出：该记录尚未告知或尚未决定列入",
            "A listing decision follows the notice to the party and the objection period: not yet reached",
        )
    listed = listed_you(listing)
    if listing.objection_reply:
        handling = (
            f"{listed}于{cn_date(listing.objection_on)}提出异议，经核实，异议不成立："
            f"{clean_paper(listing.objection_reply).rstrip('。')}"
        )
    elif listing.rights_waived_on:
        handling = f"{listed}于{cn_date(listing.rights_waived_on)}书面表示放弃陈述、申辩"
    else:
        handling = f"{listed}在规定期限内未提出异议"
    return Prepared(
        f"listing:{listing.pk}",
        _listing_party(case, listing),
        case_issuer(case, "credit_office"),
        listing.listed_on or listing.publication_start or listing.notified_on,
        {
            **_listing_party_fields(listing),
            "kind_title": listing_decision_title(listing.severity),
            "reason": clean_paper(listing.reason),
            "basis_sentence": _listing_basis_sentence(listing),
            "policy_context": _credit_policies(case, _listing_party(case, listing)),
            "policy_note": served_policy_note(
                _credit_policies(case, _listing_party(case, listing)), "参照，不作为列入依据"
            ),
            "notice_ref": f"以拟列入失信主体名单告知书（{listing.notice_number}）"
            if listing.notice_number
            else "",
            "objection_handling": handling,
            "severity": listing.get_severity_display(),
            "sanctions": _full_stop(clean_paper(listing.sanctions) or DEFAULT_SANCTIONS),
            "period": (
                f"{cn_date(listing.publication_start)}至{cn_date(listing.max_end)}"
                if listing.publication_start
                else "自列入之日起按规定期限公示"
            ),
            "removal_conditions": _full_stop(clean_paper(listing.removal_conditions)),
            "remedies": _full_stop(clean_paper(listing.remedies)),
            "notified_on": cn_date(listing.notified_on),
            "objection_deadline": cn_date(listing.objection_deadline),
        },
    )


def _full_stop(text: str) -> str:
    """A paragraph of a decision ends as a sentence does (。), whatever the officer typed."""
    text = text.rstrip("；;，,、 ")
    return text if not text or text.endswith(("。", "！", "？")) else f"{text}。"


# 国办发〔2020〕49号 is a normative document of the State Council's General Office (规范性文件), not a law: it
# is cited by its title and number for the procedure it requires (告知 before listing), never as a statute.
GUIDANCE_49 = "《国务院办公厅关于进一步完善失信约束制度构建诚信建设长效机制的指导意见》（国办发〔2020〕49号）"


def _listing_of(case: Case, party: CaseParty | None, *, decided: bool = False) -> ListingRecord:
    """The case's listing of ``party`` (any party: the first one that reached the act asked for)."""
    listings = list(
        ListingRecord.objects.filter(case_number=case.number).select_related("decision").order_by("pk")
    )
    reached = [r for r in listings if (r.listed_on if decided else r.notified_on) is not None]
    if party is None and reached:
        listings = reached
    if party is not None:
        listings = [rec for rec in listings if rec.party_id == party.pk]
    if not listings:
        raise DocumentError(
            "documents.listing_missing",
            "该案尚未登记拟列入失信名单的记录，请先在信用惩戒轨道送达拟列入告知书",
            "No blacklist listing refers to this case yet; serve the notice of intended listing first",
        )
    return listings[0]


def _listing_party(case: Case, listing: ListingRecord) -> CaseParty | None:
    if listing.decision is not None:
        return listing.decision.party
    return next(
        (
            p
            for p in case.parties.all()
            if (p.subject_id and p.subject_id == listing.subject_id)
            or (listing.subject_id is None and p.name == listing.name)
        ),
        None,
    )


def listed_you(listing: ListingRecord) -> str:
    """How a listing's notice and decision address the listed party (:func:`you`): 你 a person, 你单位 otherwise."""
    return "你" if listing.is_person else "你单位"


def _listing_party_fields(listing: ListingRecord) -> dict[str, str]:
    return {
        "party_name": listing.name,
        "party_identifier": listing.uscc or "—",
        "party_address": listing.address or "—",
        "legal_representative": listing.legal_representative or "—",
        "party_you": listed_you(listing),
    }


def listing_statutes(party: CaseParty | None) -> str:
    """Statutes the listing itself rests on: the credit action's ``legal_basis`` on the party's credit track (the
    packs name none today: packs/README.md). Not parsed from the listing's recorded basis, which also names
    the provisions violated and the deciding document."""
    return cite(
        Citation(str(b["law"]), str(b.get("article") or ""))
        for action in track_actions(party, "credit")
        for b in action.get("legal_basis") or []
        if isinstance(b, dict) and b.get("law")
    )


#: 行政处罚法（2021）第四十八条第一款: "具有一定社会影响的行政处罚决定应当依法公开". The statute a listing
#: published on a penalty decision rests on where the pack names no listing standard: the listing publishes that
#: decision as 失信信息 for the period 信用修复管理办法 sets (一般失信 3 months to a year) and decides no sanction
#: of its own (``credit.models.DEFAULT_SANCTIONS``). The interpretation relied on, for the legal office to confirm.
PENALTY_PUBLICATION = Citation("中华人民共和国行政处罚法", "第四十八条第一款")


def listing_grounding_statutes(party: CaseParty | None, ground_kind: str) -> str:
    """The statutes a listing of ``party`` rests on, given the kind of decision that established the conduct
    (``CreditGround.kind_zh``): the listing standard its pack names (:func:`listing_statutes`), else — for a
    penalty decision — 行政处罚法第四十八条第一款 (:data:`PENALTY_PUBLICATION`); "" where neither holds, and the
    listing is then refused (国办发〔2020〕49号: publishing a party as 失信 rests on a law or regulation; a
    处理决定书 grounded on normative documents, or a judgment, gives the credit office no statute to publish
    on — ``credit.services.require_listing_statute``)."""
    return listing_statutes(party) or (cite([PENALTY_PUBLICATION]) if ground_kind == PENALTY_GROUND else "")


def _listing_basis_sentence(listing: ListingRecord) -> str:
    """The basis of a listing as both its notice and its decision state it. Where the listed party has a
    penalty action: the provisions its conduct violated (违法依据: 电力法第四条第二款, 电力供应与使用条例第三十一条
    — never the penalty provision 电力法第七十一条 that grounds the fine), with the penalty decision that
    established it, if any. Then the statutes the listing rests on, if its record names any; the listing
    and its procedure (告知 before listing, the objection) follow 国办发〔2020〕49号, a normative document. The
    packs name no statute for the listing itself (packs/README.md), so none is invented here. An older
    snapshot without ``violated_basis`` takes the pack's (``violated_provisions``)."""
    case = Case.objects.filter(number=listing.case_number).first()
    party = _listing_party(case, listing) if case is not None else None
    violated = violated_provisions(party)
    found_by = _listing_ground_found(listing, party)
    statutes = listing_grounding_statutes(party, found_by.kind_zh if found_by is not None else "")
    ground = found_by.cited if found_by is not None else ""
    procedure = ("依据" + statutes + "，" if statutes else "") + (
        f"按照{GUIDANCE_49}关于失信行为认定依据、失信主体名单认定和事先告知的要求"
    )
    found = f"，已由{ground}认定" if ground else ""
    if violated:
        return f"{listed_you(listing)}的上述行为违反了{violated}的规定{found}；{procedure}"
    if ground:
        return f"{listed_you(listing)}的上述行为已由{ground}认定；{procedure}"
    return procedure


def _listing_ground_found(listing: ListingRecord, party: CaseParty | None) -> CreditGround | None:
    """The decision document the listing rests on, as the notice and the decision cite it (49号: a
    行政行为决定文书 with legal effect; :func:`cases.selectors.credit_ground`), as it stood when the party was
    told; None for a listing made outside a case."""
    if party is None or listing.notified_on is None:
        return None
    return credit_ground(party, listing.notified_on)


def _credit_policies(case: Case, party: CaseParty | None) -> str:
    """The credit track's policy context without 49号 (cited on its own as the normative document)."""
    actions = track_actions(party, "credit")
    found = [p for p in _policies(case, actions).split("、") if "49号" not in p]
    return "、".join(found) or policy_context(case)


def _credit_notice(case: Case, kind: str, party: CaseParty | None) -> Prepared:
    """拟列入失信主体名单告知书 (国办发〔2020〕49号, a normative document: before a party is listed it is told
    the grounds, the basis and its rights, and may object; the authority verifies and answers). Grounds,
    basis (statutes where the records give them, 49号 as the normative document, the draft eight measures
    as policy context only), the intended list, sanctions and period, the right to state objections within
    the period in working days with the day it ends, where and how, authority, seal, date.

    The right this notice gives is the objection (陈述、申辩) within its window: 49号 requires the party to be
    told (告知) before it is listed, and the 救济措施 to be stated in the listing decision. The notice itself
    decides nothing — a step before the decision, it is generally not open to review or suit on its own
    (法释〔2018〕1号第一条第二款第（六）项: 过程性行为). So it says review and suit lie against the listing decision,
    and names that decision's review organ, court and periods (行政复议法（2023）第二十条: sixty days;
    行政诉讼法第四十六条: six months; both from receipt of the 列入决定书) — the same organs the decision will
    state (credit.services.listing_remedy_organs). It used to say "可以依法申请行政复议或者提起行政诉讼" with no
    organ or period, as if the notice were the act to challenge."""
    from minesweep.credit.services import listing_remedy_organs, objection_working_days, publication_table

    listing = _listing_of(case, party)
    if listing.notified_on is None:
        raise DocumentError(
            "documents.listing_not_notified",
            "拟列入告知书尚未送达（信用惩戒轨道“送达拟列入失信主体名单告知书”）",
            "The notice of intended listing has not been served yet (credit track)",
        )
    matched = _listing_party(case, listing)
    issuer = case_issuer(case, "credit_office")
    review_body, court = listing_remedy_organs(case.pack, case.division)
    period = publication_table()[listing.severity]
    where = "、".join(
        f"{label}：{value}"
        for label, value in (("地址", configured(issuer.address)), ("联系方式", configured(issuer.contact)))
        if value
    )
    return Prepared(
        f"listing:{listing.pk}",
        matched,
        issuer,
        listing.notified_on,
        {
            **_listing_party_fields(listing),
            "reason": clean_paper(listing.reason),
            "basis_sentence": _listing_basis_sentence(listing),
            "policy_context": _credit_policies(case, matched),
            "policy_note": served_policy_note(_credit_policies(case, matched), "参照，不作为列入依据"),
            "severity": listing.get_severity_display(),
            "sanctions": clean_paper(listing.sanctions) or DEFAULT_SANCTIONS,
            "period": (
                f"自列入之日起公示，最短{period.min_months}个月、最长{period.max_months}个月"
                if period.published
                else f"一般不予公示，最长{period.max_months}个月"
            ),
            "removal_conditions": clean_paper(listing.removal_conditions).rstrip("。"),
            "objection_days": cn_count(objection_working_days()),
            "objection_deadline": cn_date(listing.objection_deadline),
            "statement_route": (
                f"以书面形式向本机关{f'（{where}）' if where else ''}提出陈述、申辩意见，"
                "写明异议的事实和理由，并附相关证据材料"
            ),
            "review_body": review_body,
            "court": court,
            "served_on": cn_date(listing.notified_on),
        },
    )


def _energy_cut(case: Case, kind: str, party: CaseParty | None) -> Prepared:
    """能耗预算指标核减函 (关于核减{county}能耗预算指标的函): the case authority tells the government of the county
    where the mining ran that the mining's energy is counted in the county's 能耗双控 assessment and cut from its
    energy budget (twice over for a new project, 发改运行〔2021〕1283号), and asks it to study and carry out the cut
    and to answer. The cut is a matter between governments, addressed to the county's government alone. The
    party is named as the subject of the facts and is asked nothing: a company has no regional energy budget to
    cut (the paper was addressed to the party and its government and asked both to 落实核减), and what is decided
    against the party itself is its 处理决定书. Issued only on facts that passed review (the determination
    approved): the letter states them as found.

    A 函, not a 通知: a city's 发改委 (a department of the city's government) and a 旗县区人民政府 are not in a
    leading relationship, and 《党政机关公文处理工作条例》第八条（十四） gives organs not so related the 函 (商洽工作、
    询问和答复问题、请求批准和答复审批事项); the directive 通知 (第八条（十二））, "请于收到本通知之日起十五日内落实核减",
    ordered a government the 发改委 cannot order. The letter asks (请贵政府研究落实…并将落实情况函复本机关), and,
    deciding nothing against a party, offers no 行政复议 or 行政诉讼.

    Its legal basis is the pack's for the measure 核减能耗预算指标 (:func:`energy_cut_grounds`), never one
    written here: the notice used to cite 《节约能源法》第六条 of its own accord, while the pack marks that
    measure's basis as awaiting the legal office (用能预算管理的具体依据待法制审核确认) and the 处理决定书 of the same
    measure is refused for it (:func:`_measure_grounds`); 第六条 sets up the target-responsibility system and
    gives no city 发改委 a power to cut a county's budget."""
    determination = getattr(case, "determination", None)
    if determination is None or determination.status != Determination.Status.APPROVED:
        raise DocumentError(
            "documents.energy_cut_not_determined",
            "处理意见尚未审核通过，事实未经认定，不能出具能耗预算指标核减函",
            "the determination has not been approved: the facts are not yet found, so no energy-budget cut "
            "letter can be issued",
        )
    calc: CaseCalculation = _pick(
        list(case.calculations.filter(kind=CaseCalculation.Kind.ENERGY)),
        party,
        "能耗核算",
        "energy calculation",
    )
    output = calc.output or {}
    steps = [
        [
            clean_paper(str(s.get("label", ""))),
            str(s.get("formula", "")),
            str(s.get("value", "")),
            _unit(s.get("unit", "")),
        ]
        for s in output.get("steps", [])
    ]
    basis = output.get("basis", [])
    # The pack setting that counted a new project's energy more than once (1283号), apart from the
    # conversion factors (GB/T 2589) that are the 折标依据.
    doubled = [
        b for b in basis if b.get("key") == NEW_PROJECT_MULTIPLIER and Decimal(str(b.get("value") or 1)) > 1
    ]
    sources = [
        clean_paper(str(b.get("source") or "")) for b in basis if b.get("key") != NEW_PROJECT_MULTIPLIER
    ]
    target_party = calc.party
    new_project = bool(doubled)
    grounds = energy_cut_grounds(case, target_party)
    return Prepared(
        f"calculation:{calc.pk}",
        target_party,
        case_issuer(case),
        None,
        {
            # two lines, broken after the county's name (GB/T 9704-2012 7.3.3: 回行时词意完整、排列对称): a long
            # name (达尔罕茂明安联合旗) left 函 alone on the second line
            "kind_title": f"关于核减{case.division.name}\n能耗预算指标的函",
            "subject": target_party.name if target_party else "本案当事人",
            "findings": _as_found(party_findings(case, target_party)),
            "kwh": plain(calc.kwh),
            "tce": plain(calc.tce),
            "division_name": case.division.name,
            "calc_basis": "；".join(dict.fromkeys(s for s in sources if s))
            or "《综合能耗计算通则》（GB/T 2589-2020）",
            "basis": cite(grounds)
            + ("和" + "、".join(cited_policies(b.get("source") for b in doubled)) if doubled else ""),
            "counted": "新增项目能耗加倍计入" if new_project else "计入",
        },
        {"steps": {"columns": ["项目", "算式", "数值", "单位"], "rows": steps}},
    )


ENERGY_CUT = "energy_quota_cut"


def energy_cut_grounds(case: Case, party: CaseParty | None) -> list[Citation]:
    """The statutes a 能耗预算指标核减函 rests on: the ``legal_basis`` of the measure 核减能耗预算指标
    (``energy_quota_cut``) as the case's determination recorded it — ``party``'s own first, else any party's
    of the case — or, when no party's measures carry it, as the case's pack defines it. Refused, with nothing
    issued, while the pack marks that basis as awaiting the legal office (:data:`PENDING_BASIS`, the same
    rule as the 处理决定书's ``documents.basis_pending``), and when the pack names no statute for it: no
    article is supplied here in the pack's place."""
    actions = _energy_cut_actions(case, party)
    pending = pending_bases(actions)
    if pending:
        laws = "、".join(f"《{law}》" for law in pending)
        raise DocumentError(
            "documents.basis_pending",
            f"政策包注明核减能耗预算指标所依据的{laws}的具体条款{PENDING_BASIS}，不能出具能耗预算指标核减函",
            f"the policy pack marks the article of {', '.join(pending)} on which the energy-budget cut rests "
            "as awaiting the legal office's confirmation: no energy-budget cut letter can be issued",
        )
    statutes = _statutes(actions)
    if not statutes:
        raise DocumentError(
            "documents.no_energy_cut_basis",
            "政策包没有为核减能耗预算指标规定法律、法规依据，不能出具能耗预算指标核减函：请由地区法制机构在政策包中确认依据条款",
            "the policy pack names no statute for cutting the energy budget: no energy-budget cut letter can be "
            "issued; the region's legal office confirms the article in the pack",
        )
    return statutes


def _energy_cut_actions(case: Case, party: CaseParty | None) -> list[dict[str, Any]]:
    """The ``energy_quota_cut`` actions of the case's standing measures (``party``'s first), else the pack's."""
    determination = getattr(case, "determination", None)
    measures = list(determination.measures.filter(struck=False)) if determination is not None else []
    measures.sort(key=lambda m: party is None or m.party_id != party.pk)
    recorded = [
        action
        for measure in measures
        for action in measure.actions
        if isinstance(action, dict) and action.get("code") == ENERGY_CUT
    ]
    if recorded:
        return recorded[:1]
    return [
        {"code": action.code, "legal_basis": [basis.as_dict() for basis in action.legal_basis]}
        for rule in load_pack(case.pack).rules
        for action in rule.actions
        if action.code == ENERGY_CUT
    ][:1]


def _as_found(findings: str) -> str:
    """Findings as a sentence of their own that opens with 经查 (a party's findings often already do)."""
    return findings if findings.startswith("经查") else f"经查，{findings}"


_UNITS = {"yuan": "元", "d": "日", "h": "小时", "kWh": "kWh", "tce": "tce"}


def _unit(unit: object) -> str:
    return _UNITS.get(str(unit), str(unit))


def _hearing(case: Case, party: CaseParty | None) -> Any:
    from minesweep.cases.models import Hearing

    hearings = list(Hearing.objects.filter(notice__case=case).select_related("notice__party__subject"))
    if party is not None:
        hearings = [h for h in hearings if h.notice.party_id == party.pk]
    if not hearings:
        raise DocumentError(
            "documents.source_missing",
            "案件中尚无可生成该文书的听证安排",
            "The case has no hearing to render this document from",
        )
    return hearings[0]


def _hearing_notice(case: Case, kind: str, party: CaseParty | None) -> Prepared:
    """听证通知 (行政处罚法第六十四条第二项): time and place, at least seven days ahead, presiding officer,
    the right to ask for his withdrawal, representation, and what happens if the party does not come."""
    hearing = _hearing(case, party)
    notice = hearing.notice
    issuer = penalty_issuer(case, notice.party)
    notice_act = act_for_target("notice", f"notice:{notice.pk}")
    return Prepared(
        f"hearing:{hearing.pk}",
        notice.party,
        issuer,
        hearing.notified_on,
        {
            **_served_party_fields(notice.party, kind),
            "notice_number": notice_act or notice.number,
            "requested_on": cn_date(notice.hearing_requested_on),
            "scheduled_on": cn_date(hearing.scheduled_on),
            "place": clean_paper(hearing.place),
            "presiding_officer": clean_paper(hearing.presiding_officer),
            "notified_on": cn_date(hearing.notified_on),
        },
    )


def _hearing_record(case: Case, kind: str, party: CaseParty | None) -> Prepared:
    """听证笔录 (行政处罚法第六十四条): in the penalty authority's name; its 调查人员, who put the facts and the
    proposed penalty at the hearing (第六十四条第七项), are that authority's own officers when it filed its
    own case on the transferred matter (第四十二、五十四条: ``Track.filing_officers``), not the case
    authority's investigators."""
    hearing = _hearing(case, party)
    if hearing.status != "held":
        raise DocumentError(
            "documents.source_missing",
            "听证尚未举行（或已撤回），没有听证笔录",
            "The hearing was not held (or was withdrawn): there is no record",
        )
    notice = hearing.notice
    return Prepared(
        f"hearing_record:{hearing.pk}",
        notice.party,
        penalty_issuer(case, notice.party),
        hearing.held_on,
        {
            **_party_fields(notice.party),
            "held_on": cn_date(hearing.held_on),
            "place": clean_paper(hearing.place),
            "presiding_officer": clean_paper(hearing.presiding_officer),
            "record": clean_paper(hearing.record),
            **_penalty_officers(notice.party),
        },
    )


def _penalty_officers(party: CaseParty) -> dict[str, str]:
    """``officers`` of the penalty authority's own filing for ``party`` (none: the case's officers stand)."""
    track = party.tracks.filter(kind="penalty").exclude(filed_on=None).first()
    if track is None or not track.filing_officers:
        return {}
    return {"officers": clean_paper(track.filing_officers)}


def _legal_review(case: Case, kind: str, party: CaseParty | None) -> Prepared:
    """法制审核意见 (行政处罚法第五十八条): who reviewed, what, the opinion and the outcome. The review of a
    party's penalty before its decision is the deciding authority's (第五十八条: before "行政机关负责人作出
    行政处罚的决定"), so it bears that authority's name (the 能源局 for 电力法第七十一条); the review of the
    case's proposed handling bears the case authority's."""
    reviews = list(case.legal_reviews.select_related("reviewer", "party"))
    if party is not None:
        reviews = [r for r in reviews if getattr(r, "party_id", None) in (None, party.pk)]
    review = _pick(list(reversed(reviews)), None, "法制审核记录", "legal review")
    reviewed = timezone.localtime(review.reviewed_at).date()
    reviewed_party = review.party
    return Prepared(
        f"legal_review:{review.pk}",
        None,
        penalty_issuer(case, reviewed_party) if reviewed_party is not None else case_issuer(case),
        reviewed,
        {
            "reviewer": _person(review.reviewer),
            "reviewed_on": cn_date(reviewed),
            "outcome": review.get_outcome_display().split(" / ")[0],
            "opinion": clean_paper(review.opinion),
            "parties": reviewed_party.name
            if reviewed_party is not None
            else "、".join(p.name for p in case.parties.all()) or "（待查明）",
            "criminal_referrals": criminal_referrals_text(case, reviewed_party, reviewed),
            # a party's review is of the penalty its authority is about to decide (第五十八条), the
            # case's of the proposed handling of every party
            "reviewed_act": "行政处罚决定" if reviewed_party is not None else "处理决定",
            "review_basis": _review_basis(case, reviewed_party),
        },
    )


REVIEW_SYSTEM = (
    "《国务院办公厅关于全面推行行政执法公示制度执法全过程记录制度重大执法决定法制审核制度的指导意见》"
    "（国办发〔2018〕118号）"
)


def _review_basis(case: Case, party: CaseParty | None) -> str:
    """What a 法制审核意见书 rests on. 行政处罚法第五十八条 requires the review before a *penalty* decision by the
    organ that decides it: a party's review cites it. The case authority's review of the proposed handling cites
    it only where that authority decides a penalty in the case itself; its review of measures that are not
    penalties rests on the review system of 国办发〔2018〕118号 (重大执法决定法制审核制度) — the 发改委's review
    read 根据《行政处罚法》第五十八条 though the fines in its cases are the 能源局's to decide."""
    article = "《中华人民共和国行政处罚法》第五十八条"
    if party is not None:
        return article
    own = case_issuer(case).name
    decides_a_fine = any(
        penalty_actions(p) and penalty_issued_here(case, p) and penalty_issuer(case, p).name == own
        for p in case.parties.all()
    )
    return f"{article}和{REVIEW_SYSTEM}" if decides_a_fine else REVIEW_SYSTEM


def criminal_referrals_text(case: Case, party: CaseParty | None, on: dt.date) -> str:
    """What the 法制审核 says of 违法行为是否涉嫌犯罪、需要移送司法机关 (国办发〔2018〕118号, one of the review's
    items; 行政处罚法第二十七条第一款): each police referral of the case (of the reviewed party and the whole
    case, for a party's review) as it stood on the review day — nothing later is known to the reviewer."""
    referrals = [
        r
        for r in case.referrals.filter(kind=Referral.Kind.POLICE).select_related("party")
        if party is None or r.party_id in (None, party.pk)
    ]
    # Two referrals of one party that went the same way (the facts' and a calculation's) read as one.
    said = list(dict.fromkeys(line for r in referrals if (line := _referral_as_of(r, on))))
    if not said:
        return "经审核，未发现违法行为涉嫌犯罪、需要移送司法机关的情形。"
    return "；".join(said) + "。"


def criminal_proceedings_recital(case: Case, party: CaseParty, on: dt.date) -> str:
    """What the 决定书 says of a referral that came first (国务院令第310号第十一条第二款: the authority decides
    whether to give a fine only once the police decline or withdraw the case, or the procuratorate or a
    court ends it): each police referral of the party (or the whole case) sent to the police, with the
    answer or outcome that let this decision be made — so the decision shows on its face that no penalty
    replaced a referral (行政处罚法第二十七条第一款). Empty when nothing was sent."""
    # The case authority refers (310号令第五条, its head's approval); the decision may be the penalty
    # authority's: "本机关…移送" would then name an organ that referred nothing.
    referrer = case_issuer(case).name
    by = "本机关" if penalty_issuer(case, party).name == referrer else referrer
    said = [
        line
        for r in case.referrals.filter(kind=Referral.Kind.POLICE).exclude(transferred_at=None)
        if r.party_id in (None, party.pk) and (line := _sent_and_settled(r, on, by))
    ]
    if not said:
        return ""
    return (
        "；".join(dict.fromkeys(said))
        + "。本机关依照《行政执法机关移送涉嫌犯罪案件的规定》第十一条第二款，依法作出本决定。"
    )


def _sent_and_settled(referral: Referral, on: dt.date, by: str) -> str:
    """One referral as the decision recites it; ``by``: the referring organ as the decision names it."""
    assert referral.transferred_at is not None
    sent = timezone.localtime(referral.transferred_at).date()
    if sent > on or referral.answered_on is None or referral.answered_on > on:
        return ""
    who = "本案当事人" if referral.party is None else you(referral.party)
    text = f"{by}于{cn_date(sent)}将{who}{_suspected(referral)}一案移送{referral.receiving_organ}"
    if referral.answer == Referral.Answer.NOT_ACCEPTED:
        return text + f"，该机关于{cn_date(referral.answered_on)}决定不予立案"
    if referral.outcome and referral.outcome_on is not None and referral.outcome_on <= on:
        outcome = referral.get_outcome_display().split(" / ")[0]
        return (
            text + f"，该机关于{cn_date(referral.answered_on)}立案，{cn_date(referral.outcome_on)}{outcome}"
        )
    return ""


def _referral_as_of(referral: Referral, on: dt.date) -> str:
    if referral.reported_on > on:
        return ""
    who = referral.party.name if referral.party else "本案当事人"
    text = f"{who}{_suspected(referral)}，{cn_date(referral.reported_on)}提出移送报告"
    decided = timezone.localtime(referral.decided_at).date() if referral.decided_at else None
    if decided is None or decided > on:
        return text + "，待负责人作出是否移送的决定"
    if referral.status == Referral.Status.DECLINED:
        return (
            text + f"，负责人于{cn_date(decided)}决定不予移送，理由：{clean_paper(referral.decision_reason)}"
        )
    transferred = timezone.localtime(referral.transferred_at).date() if referral.transferred_at else None
    if transferred is None or transferred > on:
        return text + f"，负责人于{cn_date(decided)}批准移送，待移送"
    text += f"，已于{cn_date(transferred)}移送{referral.receiving_organ}"
    if referral.answered_on is None or referral.answered_on > on:
        return text + "，待其作出是否立案的决定"
    if referral.answer == Referral.Answer.NOT_ACCEPTED:
        return text + f"，该机关于{cn_date(referral.answered_on)}决定不予立案"
    text += f"，该机关于{cn_date(referral.answered_on)}决定立案"
    if referral.outcome and referral.outcome_on is not None and referral.outcome_on <= on:
        return text + f"，{cn_date(referral.outcome_on)}{referral.get_outcome_display().split(' / ')[0]}"
    return text + "，罚款等处罚待刑事程序结果后再行决定（国务院令第310号第十一条第二款）"


def _service_receipt(case: Case, kind: str, party: CaseParty | None) -> Prepared:
    """送达回证 of a decision: the document served (name and number), to whom, where, how, when; the
    recipient's signature and the server's (行政处罚法第六十一条; 民事诉讼法 on service)."""
    decision: Decision = _pick(
        list(case.decisions.select_related("party__subject")), party, "处罚决定", "decision"
    )
    issuer = penalty_issuer(case, decision.party)
    return Prepared(
        f"service:decision:{decision.pk}",
        decision.party,
        issuer,
        decision.served_on or decision.decided_on,
        {
            **_served_party_fields(decision.party, kind),
            "served_document": f"{KINDS['decision'].zh}（{decision.number}）",
            "served_on": cn_date(decision.served_on) if decision.served_on else "＿＿年＿＿月＿＿日",
            "service_method": "直接送达",
        },
    )


def act_for_target(kind: str, target: str) -> str:
    from minesweep.documents.numbering import act_for

    act = act_for(kind=kind, target=target)
    return act.number if act else ""


def other_authority_actions(party: CaseParty | None) -> list[dict[str, Any]]:
    return track_actions(party, "other_authority")


def _tracks(case: Case, kind: str, party: CaseParty | None, authority: str = "") -> list[Any]:
    tracks = case.tracks.filter(kind=kind).select_related("party__subject").order_by("party_id", "id")
    if party is not None:
        tracks = tracks.filter(party=party)
    if authority:
        tracks = tracks.filter(authority=authority)
    return list(tracks)


def _action_names(actions: list[dict[str, Any]]) -> str:
    """The actions an act decides or asks, joined by "；", each once, in the order first named: the same
    action proposed by both packs (取消税收优惠: 八项措施第二条 and 1283号, the measures a 建议函 is drawn from
    before its track's letter) — or two actions printed alike — is one request; an act that asks
    "取消税收优惠；取消税收优惠" does not state its content plainly. The bases of every copy stay cited
    (:func:`_statutes`, :func:`_policies` read all ``actions``)."""
    from minesweep.policy.codes import ACTIONS

    names: dict[str, str] = {}
    for action in actions:
        code = str(action.get("code") or "")
        name = str(action.get("zh") or (ACTIONS[code].zh if code in ACTIONS else ""))
        names.setdefault(code or name, name)
    return "；".join(dict.fromkeys(name for name in names.values() if name))


def _statutes(actions: list[dict[str, Any]]) -> list[Citation]:
    return [c for a in actions for b in a.get("legal_basis") or [] for c in parse_citations(b)]


def _policies(case: Case, actions: list[dict[str, Any]]) -> str:
    """Policy context, each document once (:func:`cited_policies`)."""
    return "、".join(
        cited_policies(p for a in actions for p in a.get("policy_basis") or [])
    ) or policy_context(case)


def _proposal(case: Case, kind: str, party: CaseParty | None, addressee: str = "") -> Prepared:
    """建议函 to the authority that holds a power the case authority does not (通信管理局, 文旅, 电网企业 …):
    the facts, the power it holds with its statute, what is asked, and the answer requested. From the
    party's other-authority track (its letter date is the act's date)."""
    tracks = [t for t in _tracks(case, "other_authority", party, addressee) if t.letter_on]
    if tracks:
        track = tracks[0]
        target_party, authority, mine, target, day = (
            track.party,
            track.authority,
            list(track.actions),
            f"track:{track.pk}",
            track.letter_on,
        )
    else:  # cases evaluated before tracks existed: the measures' other-authority actions
        candidates = [p for p in ([party] if party else case.parties.all()) if other_authority_actions(p)]
        target_party = _pick(candidates, None, "已发出的建议函事项", "advice letter sent")
        actions = other_authority_actions(target_party)
        authority = addressee or str(actions[0].get("authority") or "")
        mine = [a for a in actions if str(a.get("authority") or "") == authority]
        target, day = f"proposal:{target_party.pk}:{authority}", None
        if not mine:
            raise DocumentError(
                "documents.source_missing", "该当事人没有须由该机关办理的事项", "Nothing for that authority"
            )
    found = organ(case, authority)
    name = (configured(tracks[0].authority_name) if tracks else "") or (
        configured(found.name) if found is not None else ""
    )
    if not name:
        # A letter to "节能监察机构" reaches nobody: the addressee is named in full or no letter is issued.
        kind = DEPARTMENTS[authority].zh if authority in DEPARTMENTS else authority
        raise DocumentError(
            "documents.addressee_unconfirmed",
            f"收函机关（{kind}）没有确认的全称，不能出具建议函：请在发函时填写收函机关全称，或由地区在政策包中配置",
            f"the addressee ({authority}) has no confirmed full name: no letter of advice can be issued; give the "
            "organ's full name when sending it, or have the region configure it in the policy pack",
        )
    statutes = _statutes(mine)
    return Prepared(
        target,
        target_party,
        case_issuer(case),
        day,
        {
            **_party_fields(target_party),
            "findings": party_findings(case, target_party),
            "addressee": name,
            "party_category": category_label(target_party.category),
            "party_details": _bracketed(
                ("", category_label(target_party.category)), ("住所", target_party.address or "")
            ),
            "party_facts": facts_text(target_party.facts) or "从事虚拟货币“挖矿”活动",
            "requests": _action_names(mine),
            "power": ("依据" + cite(statutes) + "，" if statutes else "") + _whose(authority),
            "you": "贵公司" if authority in ENTERPRISES else "贵机关",
            "policy_context": _policies(case, mine),
        },
    )


def _whose(authority: str) -> str:
    """Whose the asked matters are: an organ's 职权, or — for an enterprise (codes.ENTERPRISES: the grid
    company, 电力法第二十九条) — what the company does under the law; a company holds no 职权."""
    return "下列事项由贵公司依法办理" if authority in ENTERPRISES else "下列事项属于贵机关的职权"


def _measure_grounds(case: Case, track: Track, actions: list[dict[str, Any]]) -> str:
    """依据… of a 处理决定书: the statutes, then the normative documents in force that ground the measures (a
    measure that is not a penalty may rest on a 规范性文件, e.g. 发改运行〔2021〕1283号 for 差别电价); never a
    draft, never "有关规定" — a measure with neither is refused, since the act could not say what it rests on."""
    if not actions and (pending := pending_bases(track.actions)):
        raise DocumentError(
            "documents.basis_pending",
            f"政策包注明{'、'.join(f'《{law}》' for law in pending)}的具体条款{PENDING_BASIS}，不能出具处理决定书",
            f"the policy pack marks the article of {', '.join(pending)} as awaiting the legal office's "
            "confirmation: no decision letter can be issued",
        )
    grounds = [cite(statutes)] if (statutes := _statutes(actions)) else []
    grounds += [p for p in formal_policies(_policies(case, actions)) if p not in grounds]
    if not grounds:
        raise DocumentError(
            "documents.no_measure_basis",
            f"“{track.party.name}”的处理措施没有法律、法规、规章或者现行规范性文件依据（征求意见稿不能作为依据），"
            "不能出具处理决定书",
            f"the measures for '{track.party.name}' rest on no statute or normative document in force "
            "(a draft is none): no decision letter can be issued",
        )
    return "依据" + "、".join(grounds)


def _measure_letter(case: Case, kind: str, party: CaseParty | None, addressee: str = "") -> Prepared:
    """处理决定书 of a measure that is not a penalty (能耗指标核减, 取消优惠, 退出市场交易, 差别电价 …): the
    measures, their statutes where the pack gives them, policy context, and the remedies (行政复议法第二十条,
    行政诉讼法第四十六条) in the name of the authority that holds the measure's power."""
    tracks = [t for t in _tracks(case, "measure", party, addressee) if t.letter_on]
    track = _pick(tracks, None, "已出具的处理决定", "measure letter")
    if not issues_on_platform(case.pack, case.division, track.authority):
        # A track recorded before such measures were routed to a 建议函 (cases.services.tracks.route_action).
        raise DomainError(
            "documents.not_this_organs_power",
            f"该措施由{track.authority_name}依职权作出，本平台未配置该机关的发文机关信息，不能以"
            f"{case_issuer(case).name}名义出具处理决定书（超越职权，行政诉讼法第七十条第（四）项）；请以建议函告知该机关",
            f"this measure is {track.authority_name}'s to decide and that organ issues no acts on this platform: "
            f"no decision letter can be issued in the name of {case_issuer(case).name} (acting beyond its powers, "
            "Administrative Litigation Law Art. 70(4)); send that organ a letter of advice",
        )
    issuer = case_issuer(case, track.authority)
    league = league_of(case).name
    decided = decidable(track.actions)  # a measure whose article awaits the legal office is left out
    return Prepared(
        f"track:{track.pk}",
        track.party,
        issuer,
        track.letter_on,
        {
            **_served_party_fields(track.party, kind),
            "findings": party_findings(case, track.party),
            "party_facts": facts_text(track.party.facts) or "从事虚拟货币“挖矿”活动",
            "measures": _action_names(decided),
            "basis_sentence": _measure_grounds(case, track, decided),
            "policy_context": _policies(case, decided),
            "review_body": configured(issuer.review_body) or f"{league}人民政府",
            "court": configured(issuer.court) or f"{league}辖区内有管辖权的人民法院",
        },
    )


def _discussion(case: Case, kind: str, party: CaseParty | None) -> Prepared:
    """集体讨论记录 (行政处罚法第五十七条第二款): when, who, the minutes and the conclusion."""
    discussions = list(case.discussions.select_related("party").order_by("-held_on", "-id"))
    record: Any = _pick(discussions, party, "集体讨论记录", "collective discussion")
    return Prepared(
        f"discussion:{record.pk}",
        record.party,
        penalty_issuer(case, record.party),
        record.held_on,
        {
            **_party_fields(record.party),
            "held_on": cn_date(record.held_on),
            "participants": clean_paper(record.participants),
            "minutes": clean_paper(record.minutes),
            "conclusion": clean_paper(record.conclusion),
        },
    )


BUILDERS: dict[str, Callable[..., Prepared]] = {
    "filing": _filing,
    "penalty_filing": _penalty_filing,
    "notice": _notice,
    "decision": _decision,
    "police_referral": _referral,
    "discipline_referral": _referral,
    "credit_listing": _credit_listing,
    "credit_notice": _credit_notice,
    "energy_cut": _energy_cut,
    "hearing_notice": _hearing_notice,
    "hearing_record": _hearing_record,
    "legal_review": _legal_review,
    "service_receipt": _service_receipt,
    "proposal": _proposal,
    "measure_letter": _measure_letter,
    "discussion": _discussion,
}
