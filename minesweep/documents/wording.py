"""How a Chinese official document writes dates, money, categories and legal citations. Pure functions.

- Dates: 2026年9月1日 (the act's own date, never the day it is rendered).
- Money where it is decided: figures and Chinese capitals, 50,000.00元（大写：人民币伍万元整）.
- Categories: their Chinese labels from the code tables, never the code.
- Citations: each law once, in 《》, its articles after it (《中华人民共和国电力法》第七十一条); policy documents
  are context only, and a draft always keeps "（征求意见稿）".
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypeVar

from minesweep.policy.codes import FACTS, SUBJECT_CATEGORIES, Code


def cn_date(day: dt.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else "（未定）"


_COUNT = "零一二三四五六七八九"


def cn_count(number: int) -> str:
    """A small count as an official document writes it: 5 → 五, 10 → 十, 15 → 十五, 20 → 二十 (1–99)."""
    if not 0 < number < 100:
        raise ValueError("cn_count handles 1–99")
    tens, ones = divmod(number, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _COUNT[tens] + "十")
    return head + (_COUNT[ones] if ones else "")


# -- money ------------------------------------------------------------------------------------------
_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ("", "拾", "佰", "仟")
_BIG_UNITS = ("", "万", "亿", "万亿")


def _four(group: int) -> str:
    """A group of up to four digits in capitals, with 零 for inner gaps (no leading/trailing 零)."""
    text, zero = "", False
    for position in range(3, -1, -1):
        digit = group // 10**position % 10
        if digit == 0:
            zero = bool(text)
            continue
        if zero:
            text += "零"
            zero = False
        text += _DIGITS[digit] + _SMALL_UNITS[position]
    return text


def yuan_capital(amount: Decimal | int | str) -> str:
    """人民币 amount in Chinese capitals (大写), as on a cheque: 50000 → 人民币伍万元整; 1203.5 → 壹仟贰佰零叁元伍角."""
    value = Decimal(str(amount)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    if value < 0:
        raise ValueError("a negative amount has no capital form")
    yuan, cents = divmod(int(value * 100), 100)
    groups: list[int] = []
    while yuan:
        groups.append(yuan % 10000)
        yuan //= 10000
    text, gap = "", False
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            gap = bool(text)
            continue
        if text and (gap or group < 1000):
            text += "零"
        text += _four(group) + _BIG_UNITS[index]
        gap = False
    jiao, fen = divmod(cents, 10)
    if not text and not cents:
        return "人民币零元整"
    result = "人民币" + (text + "元" if text else "")
    if not cents:
        return result + "整"
    if jiao:
        result += _DIGITS[jiao] + "角"
    elif text:
        result += "零"
    if fen:
        result += _DIGITS[fen] + "分"
    return result


def yuan(amount: Decimal | int | str) -> str:
    """Money decided in a document: 50,000.00元（大写：人民币伍万元整）."""
    value = Decimal(str(amount)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return f"{value:,.2f}元（大写：{yuan_capital(value)}）"


def plain(value: Decimal | int | str | None) -> str:
    """A figure without trailing zeros (1000000.000 → 1000000); — when unknown."""
    if value is None:
        return "—"
    text = format(Decimal(str(value)), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


# -- labels -----------------------------------------------------------------------------------------
def label(table: Mapping[str, Code], code: str) -> str:
    """The Chinese label of a code (a code missing from the table is printed as 其他, never raw)."""
    found = table.get(code)
    return found.zh if found else "其他"


#: Said after "即{date}前" where the date is a period's last day (五个工作日内, 九十日内): "即2026年10月9日前" alone
#: reads as ending the day before. The platform's deadlines are the last day within the period
#: (policy.workdays; 行政处罚法第八十五条 counts the days), so the act says the day is included.
LAST_DAY_INCLUDED = "，含当日"


def category_label(code: str) -> str:
    return label(SUBJECT_CATEGORIES, code)


def facts_text(codes: Iterable[str]) -> str:
    return "、".join(label(FACTS, code) for code in codes if code in FACTS)


# -- citations --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Citation:
    law: str  # without 《》
    article: str = ""  # 第七十一条, or empty for the law as a whole


_STATUTE = re.compile(r"^(?:参考|依据)?(?P<law>\S{3,}?(?:法|条例|规则|规定|办法|解释))(?P<article>第\S+条)?$")
_ARTICLE = re.compile(r"第[^条、；;）)]+条")
_REMARK = re.compile(r"[（(][^）)]*[）)]")


def parse_citations(item: object) -> list[Citation]:
    """A pack basis item — ``{law, article}`` or text like 中华人民共和国电力法第七十一条；供电营业规则第一百零二条 —
    as statute citations. Text that names no statute (有关法律法规…, a policy notice) gives none: policy
    documents are context, never the legal basis. Remarks in brackets are dropped, articles in them kept."""
    if isinstance(item, Mapping):
        law = str(item.get("law") or "").strip().strip("《》")
        return [Citation(law, str(item.get("article") or "").strip())] if law else []
    found: list[Citation] = []
    for segment in re.split(r"[；;]", str(item or "")):
        segment = segment.replace("《", "").replace("》", "").strip()
        remarks = " ".join(_REMARK.findall(segment))
        matched = _STATUTE.match(_REMARK.sub("", segment).strip())
        if matched is None or matched["law"].startswith(("有关", "相关", "依法")):
            continue
        articles = _ARTICLE.findall(matched["article"] or "") or _ARTICLE.findall(remarks)
        found.append(Citation(matched["law"], "、".join(articles)))
    return found


_MARKED = re.compile(r"《([^《》]+)》((?:第[^条《》。；，]+条[、和及]?)*)")


def citations_in(text: str) -> list[Citation]:
    """The statutes cited with 《》 in free text (an officer's basis paragraph); drafts and policy notices
    are left out: they are context, not basis."""
    found = []
    for matched in _MARKED.finditer(text or ""):
        found += [
            Citation(c.law, "、".join(_ARTICLE.findall(matched[2] or "")))
            for c in parse_citations(matched[1])
        ]
    return found


def cite(citations: Iterable[Citation | None]) -> str:
    """Each law once, in 《》, in first-cited order, with its articles: 《电力法》第七十一条、第七十二条."""
    articles: dict[str, list[str]] = {}
    for citation in citations:
        if citation is None or not citation.law:
            continue
        found = articles.setdefault(citation.law, [])
        for article in citation.article.split("、") if citation.article else []:
            if article and article not in found:
                found.append(article)
    return "、".join(f"《{law}》{'、'.join(arts)}" for law, arts in articles.items())


#: What a pack's ``legal_basis`` note says of a statute whose article the region's legal office has still to
#: confirm (``{law: 中华人民共和国节约能源法, note: 用能预算管理的具体依据待法制审核确认}``).
PENDING_BASIS = "待法制审核确认"

ActionT = TypeVar("ActionT", bound=Mapping[str, Any])


def pending_bases(actions: Iterable[Mapping[str, Any]]) -> list[str]:
    """The statutes ``actions`` rest on that their pack marks as pending (:data:`PENDING_BASIS`, no article):
    an act citing only 《节约能源法》 for a power the pack itself says is unconfirmed cannot be signed by a
    legal reviewer, so no such act is issued (``cases.services.tracks.track_letter_issue``)."""
    return list(
        dict.fromkeys(
            str(basis.get("law"))
            for action in actions
            for basis in action.get("legal_basis") or []
            if isinstance(basis, Mapping)
            and not basis.get("article")
            and PENDING_BASIS in str(basis.get("note") or "")
        )
    )


def decidable(actions: Iterable[ActionT]) -> list[ActionT]:
    """The actions a 处理决定书 may decide: those none of whose statutes is pending (:func:`pending_bases`). The
    others are left undecided until their article is confirmed, without holding up the rest."""
    return [action for action in actions if not pending_bases([action])]


def configured(value: str) -> str:
    """A pack value, or "" while it is still a placeholder （待地区配置…, …（待确认）） that must not reach paper."""
    value = (value or "").strip()
    placeholder = value.startswith(("（待", "(待")) or "待确认" in value or "待配置" in value
    return "" if not value or placeholder else value
