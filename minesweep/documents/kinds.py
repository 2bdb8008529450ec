"""The eight document kinds (文书种类): Chinese name, number character and template file. Pure data."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    code: str
    zh: str
    en: str
    char: str  # the type character in the number: 包发改{char}〔2026〕12号
    template: str  # file name in the template directory


KINDS: dict[str, Kind] = {
    k.code: k
    for k in (
        Kind("filing", "立案审批表", "Case filing approval form", "立", "filing.docx"),
        Kind("notice", "行政处罚告知书", "Notice of intended penalty", "告", "notice.docx"),
        Kind("decision", "行政处罚决定书", "Penalty decision", "罚", "decision.docx"),
        Kind(
            "police_referral", "涉嫌犯罪案件移送书", "Criminal referral letter", "移", "police_referral.docx"
        ),
        Kind(
            "discipline_referral",
            "移送纪检监察机关函",
            "Letter to the discipline organs",
            "纪",
            "discipline_referral.docx",
        ),
        Kind(
            "credit_listing",
            "列入严重失信主体名单决定书",
            "Credit blacklisting decision",
            "信",
            "credit_listing.docx",
        ),
        Kind("energy_cut", "能耗预算指标核减通知", "Energy-budget cut notice", "能", "energy_cut.docx"),
        Kind("suspension", "停业整顿通知", "Suspension for rectification notice", "停", "suspension.docx"),
    )
}

# Short names used in document numbers (发文机关代字), by league/city code; the region is 内.
AUTHORITY_SHORT: dict[str, str] = {
    "150000": "内",
    "150100": "呼",
    "150200": "包",
    "150300": "乌海",
    "150400": "赤",
    "150500": "通",
    "150600": "鄂",
    "150700": "呼伦",
    "150800": "巴",
    "150900": "乌兰",
    "152200": "兴",
    "152500": "锡",
    "152900": "阿",
}
