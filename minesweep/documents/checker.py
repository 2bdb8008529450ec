"""The document checker: what a legal reviewer reads first, as rules a test can run on any rendered text.

For a document of a kind: every element the law requires for that kind is present; it bears exactly one
number of its own (any other 文号 of the same authority and kind is an error); no law is cited twice in one
sentence; a notice and a decision name the provision the conduct violated (“违反了《…》…的规定”) apart from
the provision that grounds the penalty (“依据《…》…”) — 行政处罚法第四十四条、第五十九条 — and no document
cites as violated a provision that in the packs only grounds a penalty (电力法第七十一条); a draft is never
cited without "（征求意见稿）", and an act served on a party (告知书, 决定书, 处理决定书, 失信名单告知书 and
决定书) names none at all; no Latin-letter word except units and identifiers (USCC, kWh, MW, tce, model
and check codes with digits); no internal or debug text.

Unverified pack entries (``verified: false``, e.g. 电力供应与使用条例第三十一条、第四十一条) are checked like any
other citation: the checker reads the text, and confirming an article number is the legal office's task.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from minesweep.cases.selectors import GROUND_KINDS
from minesweep.documents.kinds import ACCEPTANCE_TITLE
from minesweep.documents.wording import citations_in
from minesweep.policy.packs import RequiredAction, available_packs, load_pack


@dataclass(frozen=True)
class Problem:
    rule: str  # required | wrong_act | number | repeated_basis | violated_basis | draft | latin | internal | address_form | deadline
    detail: str

    def __str__(self) -> str:
        return f"{self.rule}: {self.detail}"


DATE = r"\d{4}年\d{1,2}月\d{1,2}日"
# A listing cites the decision document that established the conduct (国办发〔2020〕49号: 失信行为认定依据): the
# platform's own (a penalty decision, a 处理决定书) or one recorded from outside (cases.selectors.GROUND_KINDS).
GROUND_CITED = (
    r"已由\S+?(?:"
    + "|".join(dict.fromkeys(["行政处罚决定书", "处理决定书", *(zh for zh, _ in GROUND_KINDS.values())]))
    + r")认定"
)
# (what, pattern) a document of each kind must contain.
REQUIRED: dict[str, tuple[tuple[str, str], ...]] = {
    "filing": (
        ("案件编号", r"案件编号"),
        ("当事人及其类别", r"当事人基本情况"),
        ("立案依据", r"立案依据"),
        # 行政处罚法第十七条、第二十二条: the filing organ's own penalty competence, beside the procedure
        # (第五十四条): another provision follows it in the same 依据 (documents.context.filing_ground)
        (
            "行政处罚法第五十四条及本机关的处罚权依据",
            r"依据《中华人民共和国行政处罚法》第五十四条、《[^》]+》第",
        ),
        ("承办人（两人以上）", r"承办人：\S+、\S+"),
        ("办案期限", rf"{DATE}前（含当日）作出处理决定"),
        ("审批意见", r"审批意见"),
    ),
    # The case authority's form where it holds no penalty power: no 行政处罚立案, so neither 第五十四条 nor the
    # word 立案 (:data:`NOT_IN`); it rests on the basis of the measures it holds.
    "acceptance": (
        ("案件编号", r"案件编号"),
        ("当事人及其类别", r"当事人基本情况"),
        ("受理核查依据", r"受理核查依据"),
        ("依据（本机关处理措施的依据）", r"依据《[^》]+》"),
        ("承办人（两人以上）", r"承办人：\S+、\S+"),
        ("办理期限", rf"{DATE}前（含当日）作出处理决定"),
        ("审批意见", r"同意受理核查"),
    ),
    "penalty_filing": (
        ("案件编号", r"案件编号"),
        ("案件来源（移送机关）", r"线索来源：\S+移送"),
        ("当事人及其类别", r"当事人基本情况"),
        ("立案依据", r"立案依据"),
        ("行政处罚法第二十二条、第五十四条", r"《中华人民共和国行政处罚法》第二十二条、第五十四条"),
        ("承办人（两人以上）", r"承办人：\S+、\S+"),
        ("办案期限", rf"{DATE}前（含当日）作出处理决定"),
        ("审批意见", r"审批意见"),
    ),
    "notice": (
        ("当事人", r"当事人："),
        ("查明的事实", r"查明"),
        ("证据", r"证据"),
        ("依据（法律及条款）", r"依据《[^》]+》"),
        ("拟作出的处罚", r"拟对你(?:单位)?作出如下行政处罚"),
        ("陈述、申辩权利", r"陈述、申辩"),
        ("提出方式", r"书面或者口头"),
        ("期限（工作日及截止日期）", rf"五个工作日内（即{DATE}前，含当日）"),
        ("听证", r"听证"),
        ("印章", r"（印章）"),
    ),
    "decision": (
        ("当事人", r"当事人："),
        ("住所", r"住所"),
        ("事实和证据", r"事实和证据"),
        ("陈述申辩和听证的处理", r"陈述、申辩和听证情况"),
        ("处罚种类和依据", r"种类和依据"),
        ("处罚依据", r"依据《[^》]+》[^。]*作出如下行政处罚"),
        ("履行方式和期限", r"履行方式和期限"),
        # 行政处罚法第六十七条第三款: the period from receipt, the same before and after service
        ("缴纳期限（自收到之日起十五日内）", r"缴纳期限：自收到本决定书之日起十五日内；"),
        ("缴款方式", r"缴款方式"),
        ("复议机关", r"向\S+人民政府申请行政复议"),
        ("人民法院", r"人民法院提起行政诉讼"),
        # 行政复议法第二十条, 行政诉讼法第四十六条: periods from receipt, the same before and after service
        (
            "复议、诉讼期限（自收到之日起）",
            r"可以自收到本决定书之日起六十日内向[^。]+申请行政复议，或者自收到本决定书之日起六个月内向",
        ),
        ("作出决定的机关和日期", rf"作出决定的日期：{DATE}"),
        ("印章", r"（印章）"),
    ),
    "police_referral": (
        ("接收的公安机关", r"公安"),
        ("移送依据（310号令）", r"《行政执法机关移送涉嫌犯罪案件的规定》"),
        ("正职负责人批准（第五条）", r"正职负责人（或者主持工作的负责人）于\d{4}年"),
        (
            "附件（第六条）",
            r"附件：(?:(?!涉嫌犯罪案件移送书)[^。])*涉嫌犯罪案件情况的调查报告[^。]*涉案物品清单",
        ),
        ("涉案物品及证据清单", r"涉案物品及证据清单"),
        ("三日内决定", r"三日内"),
        ("抄送人民检察院", r"抄送：\S+人民检察院"),
    ),
    "discipline_referral": (
        ("纪委监委", r"纪律检查委员会、\S+监察委员会|纪委监委"),
        ("问题线索", r"问题线索"),
        ("依据", r"[根依]据《中华人民共和国监察法》"),
    ),
    "credit_notice": (
        ("当事人", r"当事人："),
        ("拟列入事由", r"拟列入事由"),
        ("拟列入依据", r"拟列入依据"),
        (
            "国办发〔2020〕49号（规范性文件）",
            r"《国务院办公厅关于进一步完善失信约束制度构建诚信建设长效机制的指导意见》",
        ),
        ("认定失信行为的决定文书（49号）", GROUND_CITED),
        ("惩戒措施和期限", r"惩戒措施"),
        ("陈述、申辩（异议）权利", r"陈述、申辩"),
        ("提出方式和地点", r"以书面形式向本机关"),
        ("期限（工作日及截止日期）", rf"[一二三四五六七八九十]+个工作日内（即{DATE}前，含当日）"),
        ("核实与答复", r"核实"),
        # 49号: the remedies lie against the listing decision, with organ and period (行政复议法第二十条,
        # 行政诉讼法第四十六条); the notice is not the act challenged.
        (
            "列入决定的救济途径（机关和期限）",
            r"对列入决定不服的，可以自收到列入决定书之日起六十日内向\S+申请行政复议，"
            r"或者自收到列入决定书之日起六个月内向\S+提起行政诉讼",
        ),
        ("送达日期", rf"于{DATE}送达"),
        ("印章", r"（印章）"),
    ),
    "credit_listing": (
        ("当事人", r"当事人："),
        ("告知与异议", r"异议期"),
        ("列入事由", r"列入事由"),
        ("列入依据", r"列入依据"),
        ("认定失信行为的决定文书（49号）", GROUND_CITED),
        ("惩戒措施", r"惩戒措施"),
        ("公示期限", r"公示期限"),
        ("移出条件和程序", r"移出条件和程序"),
        ("救济途径", r"救济途径"),
    ),
    # A 函 to the county's government (党政机关公文处理工作条例第八条（十四）: organs not in a leading relationship):
    # it asks and requests an answer; :data:`NOT_IN` keeps out the directive 通知 and any remedy paragraph.
    "energy_cut": (
        ("文种：函（不相隶属机关之间）", r"关于核减\S+能耗预算指标的函"),
        ("主送（县级人民政府，唯一）", r"〔\d{4}〕\d+号\s*[^\s、，,]+人民政府："),
        ("依据（政策包确认的法律条款）", r"根据《[^》]+》第[^，。《》]+条"),
        ("核算过程", r"核算"),
        ("核减量（吨标准煤）", r"吨标准煤"),
        ("商请研究落实并函复", r"请贵政府研究落实[^。]*函复本机关"),
    ),
    "hearing_notice": (
        ("当事人", r"当事人："),
        ("听证时间和地点", rf"定于{DATE}在\S+举行听证"),
        ("主持人", r"主持"),
        ("委托代理", r"委托"),
        ("申请回避", r"回避"),
        ("七日前通知", r"七日前"),
        ("印章", r"（印章）"),
    ),
    "hearing_record": (
        ("听证时间", rf"听证时间：{DATE}"),
        ("主持人", r"主持人："),
        ("听证记录", r"听证记录"),
        ("签名", r"当事人（代理人）签名"),
    ),
    "legal_review": (
        (
            "审核依据",
            r"根据(《中华人民共和国行政处罚法》第五十八条|《国务院办公厅关于全面推行行政执法公示制度)",
        ),
        ("审核人员", r"法制审核人员"),
        ("审核意见", r"审核意见"),
        ("审核结论", r"审核结论："),
        ("涉嫌犯罪移送情况", r"涉嫌犯罪移送情况"),
    ),
    "service_receipt": (
        ("送达文书及文号", r"送达文书：\S+〔\d{4}〕\d+号"),
        ("受送达人", r"受送达人："),
        ("送达地点", r"送达地点"),
        ("送达方式", r"送达方式"),
        ("签收", r"签名或者盖章"),
    ),
    "measure_letter": (
        ("当事人", r"当事人："),
        ("查明的情形", r"查明"),
        ("处理决定", r"作出如下处理决定"),
        ("不属于行政处罚", r"不属于行政处罚"),
        ("复议机关", r"向\S+申请行政复议"),
        ("人民法院", r"人民法院提起行政诉讼"),
        ("印章", r"（印章）"),
    ),
    "discussion": (
        ("集体讨论依据", r"第五十七条"),
        ("讨论时间", rf"讨论时间：{DATE}"),
        ("参加人员", r"参加人员："),
        ("讨论情况", r"讨论情况"),
        ("讨论结论", r"讨论结论"),
    ),
    "proposal": (
        ("收函机关", r"(?:局|委员会|公司|厅|院|政府|部门|机构)："),
        ("查明的事实", r"查明"),
        ("该机关的职权（企业：依法办理）", r"属于贵机关的职权|由贵公司依法办理"),
        ("不代为决定", r"本机关不代为作出决定"),
        ("建议事项", r"建议贵(?:机关|公司)依法处理"),
        ("函复期限", r"函告本机关"),
        ("印章", r"（印章）"),
    ),
}

# What a document of each kind must not say, being another act than that: a 案件受理（核查）审批表 is no 行政处罚立案
# (its organ holds no penalty power: 行政处罚法第十七条、第二十二条), so it neither cites 第五十四条 nor files (立案);
# the energy-budget cut is a 函 to a government the 发改委 does not lead (党政机关公文处理工作条例第八条（十四）), so it
# is no directive 通知 and, deciding nothing against a party, offers no 行政复议 or 行政诉讼.
NOT_IN: dict[str, tuple[tuple[str, str], ...]] = {
    "acceptance": (
        ("行政处罚法第五十四条（行政处罚立案）", r"第五十四条"),
        ("立案（行政处罚）", r"立案依据|立案日期|同意立案|行政处罚立案|自立案之日起"),
    ),
    "energy_cut": (
        ("指令性用语（本通知）", r"本通知|通知如下"),
        ("救济途径（函不是对当事人的决定）", r"行政复议|行政诉讼"),
    ),
}

NUMBER = re.compile(r"([^\s：:（(，,。；]{1,20}?)〔(\d{4})〕(\d+)号")
# Units and identifier words a Chinese document may carry (compound units are split on "/": kgce/kWh).
ALLOWED_LATIN = frozenset(
    {"USCC", "kWh", "MWh", "GWh", "kW", "MW", "W", "kVA", "kV", "tce", "kgce", "GB", "T", "TH", "s", "h"}
)
LATIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9/.\-]*")
# "即{date}前" of a period's last day says the day is included ("即2026年10月9日前" reads as ending the day before).
LAST_DAY_UNSAID = re.compile(rf"即{DATE}前(?!，含当日|（含当日）)")
# An act addresses its party as 你 (a person) or 你单位 (an organisation), never as either (context.you).
UNDECIDED_ADDRESS = re.compile(r"你（单位）")
INTERNAL = re.compile(r"\{\{|\}\}|#\d|\bNone\b|\bnan\b|（未定）|。。|debug|TODO")


@lru_cache(maxsize=1)
def _draft_stems() -> tuple[str, ...]:
    """The short names of draft policy documents (八项措施 …), from the packs' titles."""
    stems = []
    for name in available_packs():
        title = load_pack(name).title_zh
        if title.endswith("（征求意见稿）"):
            base = title.removesuffix("（征求意见稿）")
            stems.append(base[-4:])
    return tuple(stems)


def _pack_actions() -> Iterator[RequiredAction]:
    """Every action of every pack the platform ships."""
    for name in available_packs():
        for rule in load_pack(name).rules:
            yield from rule.actions


@lru_cache(maxsize=1)
def _unverified_articles() -> frozenset[tuple[str, str]]:
    """(law, article) pairs that some pack cites with ``verified: false`` and none confirms."""
    doubted: set[tuple[str, str]] = set()
    confirmed: set[tuple[str, str]] = set()
    for action in _pack_actions():
        for basis in (*action.legal_basis, *action.violated_basis):
            if basis.article:
                (confirmed if basis.verified else doubted).add((basis.law, basis.article))
    return frozenset(doubted - confirmed)


def unverified_citations(text: str) -> list[str]:
    """The articles ``text`` cites that the packs mark unconfirmed (``verified: false``: e.g.
    《电力供应与使用条例》第三十一条、第四十一条, 《监察法》第三十七条 as renumbered in 2025), each once, as
    《law》article. The document cites them as any other; this list tells the officer who signs it and the
    legal reviewer which numbers to hold against the official text first — confirming them is the legal
    office's task, and a pack that confirms one (``verified: true``) takes it off the list."""
    doubted = _unverified_articles()
    found = [
        f"《{c.law}》{article}"
        for c in citations_in(text)
        for article in c.article.split("、")
        if (c.law, article) in doubted
    ]
    return list(dict.fromkeys(found))  # in the order cited (a set of _provisions would lose it)


def check(kind: str, text: str, *, number: str) -> list[Problem]:
    """Every problem of ``text`` (a rendered document of ``kind`` numbered ``number``); empty when clean."""
    text = re.sub(r"\n\s*—\s*\d+\s*—\s*\n", "\n", text)  # page numbers between two pages of a PDF
    flat = re.sub(r"[ \t]+", " ", text)
    squashed = re.sub(r"—\d+—", "", re.sub(r"\s+", "", text))  # a page number inside a squashed sentence
    rules = "acceptance" if kind == "filing" and ACCEPTANCE_TITLE in squashed else kind
    problems = [
        Problem("required", what)
        for what, pattern in REQUIRED.get(rules, ())
        if not re.search(pattern, flat, re.MULTILINE) and not re.search(pattern, squashed)
    ]
    problems += [
        Problem("wrong_act", f"{what}: {found[0]}")
        for what, pattern in NOT_IN.get(rules, ())
        if (found := re.search(pattern, squashed))
    ]
    problems += _intended_fine(kind, squashed)
    problems += _numbers(squashed, number)
    problems += _repeated_basis(squashed)
    problems += _violated_basis(kind, squashed)
    problems += _drafts(squashed)
    problems += _draft_in_served_act(kind, squashed)
    problems += _address_unknown(kind, squashed)
    problems += [Problem("address_form", m[0]) for m in UNDECIDED_ADDRESS.finditer(squashed)][:1]
    problems += [Problem("deadline", m[0]) for m in LAST_DAY_UNSAID.finditer(squashed)]
    problems += _latin(flat)
    problems += [Problem("internal", m[0]) for m in INTERNAL.finditer(flat)]
    return problems


_PENALTY = re.compile(r"作出如下行政处罚：([^。]*)。")
_AMOUNT = re.compile(r"\d[\d,]*\.\d{2}元（大写：人民币[零壹贰叁肆伍陆柒捌玖拾佰仟万亿元角分整]+）")


def _intended_fine(kind: str, text: str) -> list[Problem]:
    """A 告知书 whose intended penalty is a fine states its amount in figures and capitals (第四十四条)."""
    penalty = _PENALTY.search(text) if kind == "notice" else None
    if penalty is None or "罚款" not in penalty[1] or _AMOUNT.search(penalty[1]):
        return []
    return [Problem("required", "拟罚款金额（数字及大写）")]


def _numbers(text: str, number: str) -> list[Problem]:
    if not number:  # a record (笔录, 意见书, 回证) bears no number of its own
        return []
    own = NUMBER.search(number)
    if own is None:
        return [Problem("number", f"the document's number {number!r} is not a 文号")]
    if number not in text:
        return [Problem("number", f"{number} does not appear in the document")]
    prefix = own[1]
    found = {f"{prefix}〔{m[2]}〕{m[3]}号" for m in NUMBER.finditer(text) if m[1].endswith(prefix)}
    others = found - {number}
    return [Problem("number", f"a second number of the same authority and kind: {n}") for n in sorted(others)]


def _repeated_basis(text: str) -> list[Problem]:
    problems = []
    for sentence in re.split(r"[。\n]", text):
        cited = re.findall(r"《([^《》]+)》", sentence)
        for law in sorted({c for c in cited if cited.count(c) > 1}):
            problems.append(Problem("repeated_basis", f"《{law}》 cited twice in: {sentence[:60]}"))
    return problems


_VIOLATED = re.compile(r"违反了(.+?)的规定")
_PENALTY_BASIS = re.compile(r"依据((?:[、和及]?《[^》]+》[^《，。；]*)+)")
PENALTY_DOCUMENTS = ("notice", "decision")


def _provisions(text: str) -> set[tuple[str, str]]:
    """(law, article) pairs of the 《》 citations in ``text``; a law cited without an article gives ("law", "")."""
    return {
        (c.law, article)
        for c in citations_in(text)
        for article in (c.article.split("、") if c.article else [""])
    }


@lru_cache(maxsize=1)
def _penalty_only_provisions() -> frozenset[tuple[str, str]]:
    """Provisions that ground a penalty in some pack and are nobody's violated provision (电力法第七十一条)."""
    penalty: set[tuple[str, str]] = set()
    violated: set[tuple[str, str]] = set()
    for action in _pack_actions():
        if action.track == "penalty":
            penalty |= {(b.law, b.article) for b in action.legal_basis}
            violated |= {(b.law, b.article) for b in action.violated_basis}
    return frozenset(penalty - violated)


def _violated_basis(kind: str, text: str) -> list[Problem]:
    """A 违反 clause cites what was violated, never a penalty provision; a notice and a decision have one,
    distinct from the provisions after 依据 (行政处罚法第四十四条、第五十九条)."""
    clauses = [m[1] for m in _VIOLATED.finditer(text)]
    violated = set().union(*(_provisions(c) for c in clauses)) if clauses else set()
    problems = [
        Problem("violated_basis", f"the penalty provision 《{law}》{article} is cited as violated")
        for law, article in sorted(violated & _penalty_only_provisions())
    ]
    if kind not in PENALTY_DOCUMENTS:
        return problems
    if not violated:
        return [*problems, Problem("violated_basis", "no provision violated (违反了《…》…的规定) is named")]
    basis = set().union(*(_provisions(m[1]) for m in _PENALTY_BASIS.finditer(text)))
    if not basis:
        problems.append(Problem("violated_basis", "no penalty basis (依据《…》…) is named"))
    elif violated <= basis:
        problems.append(Problem("violated_basis", "the provisions violated are only the penalty basis"))
    return problems


# Laws still in draft that must never be cited as if in force (a 征求意见稿 or 草案 is no legal basis).
DRAFT_LAWS = ("社会信用体系建设法",)


def _drafts(text: str) -> list[Problem]:
    problems = [
        Problem("draft", f"{law} cited without （草案）/（征求意见稿）")
        for law in DRAFT_LAWS
        for match in re.finditer(re.escape(law), text)
        if not text.startswith(("（草案", "（征求意见稿）"), match.end())
    ]
    for stem in _draft_stems():
        for match in re.finditer(re.escape(stem), text):
            if not text.startswith("（征求意见稿）", match.end()):
                problems.append(
                    Problem(
                        "draft",
                        f"{stem} cited without （征求意见稿）: {text[max(0, match.start() - 20) : match.end() + 5]}",
                    )
                )
    return problems


# Acts served on a party that bind it: no draft appears in them at all, not even as marked context.
SERVED_ACTS = frozenset({"notice", "decision", "credit_notice", "credit_listing", "measure_letter"})


def _draft_in_served_act(kind: str, text: str) -> list[Problem]:
    if kind not in SERVED_ACTS:
        return []
    marks = ("征求意见稿", "（草案）", *_draft_stems())
    return [
        Problem(
            "draft", f"a draft in an act served on the party: {text[max(0, m.start() - 20) : m.end() + 5]}"
        )
        for mark in dict.fromkeys(marks)
        for m in re.finditer(re.escape(mark), text)
    ][:3]


# Acts that name the party's address and are served there (行政处罚法第五十九条第一款第（一）项, 第六十一条).
ADDRESSED_ACTS = frozenset({"notice", "hearing_notice", "decision", "measure_letter", "service_receipt"})


def _address_unknown(kind: str, text: str) -> list[Problem]:
    if kind not in ADDRESSED_ACTS or "住所不详" not in text:
        return []
    return [Problem("required", "当事人住所（地址）：文书载明“住所不详”，无从送达")]


def _latin(text: str) -> list[Problem]:
    problems = []
    for token in LATIN.findall(text):
        token = token.rstrip(".-/")
        if not re.search(r"[A-Za-z]", token) or all(part in ALLOWED_LATIN for part in token.split("/")):
            continue
        if re.search(r"\d", token) or re.fullmatch(r"[A-Z]", token):
            continue  # identifiers: USCC values, model codes (S19, M30S: a PDF line may split off its "S")
        problems.append(Problem("latin", token))
    return problems
