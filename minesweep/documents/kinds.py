"""The document kinds (文书种类): Chinese name, number character and template file. Pure data.

An act addressed to a party or another organ bears a number (文号: 包发改罚〔2026〕12号); a record (笔录,
意见书, 回证) does not — it names the case and the act it belongs to.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    code: str
    zh: str
    en: str
    char: str  # the type character(s) in the number: 包发改{char}〔2026〕12号 ("" for a record)
    template: str  # file name in the template directory
    heading: str = ""  # the title printed on the document when it differs from ``zh`` (a list's label)

    @property
    def numbered(self) -> bool:
        return bool(self.char)

    @property
    def title(self) -> str:
        """The title the document bears (GB/T 9704: 文种), e.g. 立案审批表 for either filing form."""
        return self.heading or self.zh


#: The title of the case authority's filing form where it holds no penalty power over the conduct: it files no
#: 行政处罚 case (行政处罚法第十七条、第二十二条), it accepts and checks one (documents.context.filing_ground).
ACCEPTANCE_TITLE = "案件受理（核查）审批表"
ACCEPTANCE_TITLE_EN = "Case acceptance (check) approval form"
#: Its 文号's type character (包发改受〔2026〕1号): a 受理核查 is no 立案, and numbered in a sequence of its own it
#: neither bears 立 nor leaves gaps in the 立 numbers of the filings the organ does make.
ACCEPTANCE_CHAR = "受"

KINDS: dict[str, Kind] = {
    k.code: k
    for k in (
        Kind("filing", "立案审批表", "Case filing approval form", "立", "filing.docx"),
        Kind(
            "penalty_filing",
            "立案审批表（有权机关）",
            "Filing form of the authority holding the penalty power",
            "立",
            "filing.docx",
            heading="立案审批表",
        ),
        Kind("notice", "行政处罚事先告知书", "Notice of intended penalty", "告", "notice.docx"),
        Kind("hearing_notice", "听证通知书", "Hearing notice", "听", "hearing_notice.docx"),
        Kind("hearing_record", "听证笔录", "Hearing record", "", "hearing_record.docx"),
        Kind("legal_review", "法制审核意见书", "Legal review opinion", "", "legal_review.docx"),
        Kind("discussion", "集体讨论记录", "Minutes of the collective discussion", "", "discussion.docx"),
        Kind("decision", "行政处罚决定书", "Penalty decision", "罚", "decision.docx"),
        Kind("service_receipt", "送达回证", "Proof of service", "", "service_receipt.docx"),
        Kind(
            "police_referral", "涉嫌犯罪案件移送书", "Criminal referral letter", "移", "police_referral.docx"
        ),
        Kind(
            "discipline_referral",
            "问题线索移送函",
            "Letter referring an official's case to the discipline organs",
            "纪",
            "discipline_referral.docx",
        ),
        Kind(
            "credit_notice",
            "拟列入失信主体名单告知书",
            "Notice of intended credit listing",
            "信告",
            "credit_notice.docx",
        ),
        Kind(
            "credit_listing",
            "列入失信主体名单决定书",  # 列入严重失信主体名单决定书 for the serious list (context.listing_decision_title)
            "Credit listing decision",
            "信",
            "credit_listing.docx",
        ),
        # A 函 to the county's government, titled 关于核减{county}能耗预算指标的函 (context._energy_cut)
        Kind("energy_cut", "能耗预算指标核减函", "Energy-budget cut letter", "能", "energy_cut.docx"),
        Kind(
            "measure_letter", "处理决定书", "Decision on administrative measures", "处", "measure_letter.docx"
        ),
        Kind("proposal", "建议函", "Letter asking another authority to act", "建", "proposal.docx"),
    )
}
