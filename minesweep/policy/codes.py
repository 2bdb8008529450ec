"""Stable code tables (代码表) shared by the policy packs, the engine and the case workflow.

Codes are lowercase English identifiers stored in the database and in the packs; never rename one.
Every code carries its Chinese name (shown first in the UI) and its English name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True)
class Code:
    code: str
    zh: str
    en: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "zh": self.zh, "en": self.en}


def _table(*codes: Code) -> Mapping[str, Code]:
    return MappingProxyType({c.code: c for c in codes})


# 主体类别 — who a party is. Mirrors the eight measures' subject categories (seed).
SUBJECT_CATEGORIES: Mapping[str, Code] = _table(
    Code("industrial_park", "工业园区", "Industrial park"),
    Code("data_center", "数据中心", "Data centre"),
    Code("captive_power_plant", "自备电厂", "Captive power plant"),
    Code("big_data_or_cloud", "大数据中心、云计算企业", "Big-data centre or cloud-computing enterprise"),
    Code("telecom_or_internet", "通讯企业、互联网企业", "Telecom or internet enterprise"),
    Code("internet_cafe", "网吧", "Internet café"),
    Code(
        "unapproved_power_project",
        "未经报批私自接入动力电源的项目",
        "Project connected to power without approval",
    ),
    Code("enterprise", "企业", "Enterprise"),
    Code("individual", "个人", "Individual"),
    Code("public_official", "公职人员", "Public official"),
)

# Categories that are organisations (企业等主体): measures 6–8 name "企业、个人等主体", and every
# organisation category above is an enterprise for that purpose.
ORGANISATION_CATEGORIES: frozenset[str] = frozenset(SUBJECT_CATEGORIES) - {"individual", "public_official"}

# Organisation categories that are businesses (企业): registered, so each bears a 统一社会信用代码 (国发〔2015〕33号:
# every legal person and other organisation is given one; a business on registration). A park may be run by an
# organ (管委会) or by a company, so none is presumed for it: a registry subject's own kind decides there.
USCC_REQUIRED_CATEGORIES: frozenset[str] = ORGANISATION_CATEGORIES - {"industrial_park"}

# A category that by definition establishes a fact (measure 5 names its subject by the act itself).
CATEGORY_IMPLIED_FACTS: Mapping[str, frozenset[str]] = MappingProxyType(
    {"unapproved_power_project": frozenset({"unapproved_power_connection"})}
)

# 认定事实 — facts an investigator establishes for a party or for the whole case.
FACTS: Mapping[str, Code] = _table(
    Code("mining_confirmed", "存在虚拟货币“挖矿”行为", "Virtual-currency mining confirmed"),
    Code("provided_site_or_power", "为“挖矿”提供场地、电力支持", "Provided site or power to mining"),
    Code("concealment", "故意隐瞒不报", "Deliberate concealment"),
    Code("late_shutdown", "清退关停不及时", "Late clearance or shutdown"),
    Code("lax_approval", "审批监管不力", "Lax approval or supervision"),
    Code("unapproved_power_connection", "未经报批私自接入动力电源", "Connected to power without approval"),
    Code("money_laundering", "以虚拟货币形式进行洗钱", "Money laundering in virtual-currency form"),
    Code("illegal_fundraising", "利用虚拟货币进行非法集资", "Illegal fundraising with virtual currency"),
    Code(
        "official_involvement",
        "公职人员利用职务之便参与“挖矿”或提供方便与保护",
        "Official took part in, facilitated or protected mining",
    ),
    # Not in the seed: 发改运行〔2021〕1283号 counts a new project's energy use double.
    Code("new_project", "新建“挖矿”项目", "New (post-ban) mining project"),
    # 1283号: data-centre firms sign a pledge not to take part in mining; only a signed pledge can be breached.
    Code(
        "credit_pledge_signed",
        "已签署不参与虚拟货币“挖矿”的信用承诺书",
        "Signed the credit pledge not to take part in mining",
    ),
)

# 角色 — a party's role in the case; recorded with each applied measure, not used for matching.
ROLES: Mapping[str, Code] = _table(
    Code("operator", "“挖矿”经营者", "Mining operator"),
    Code("host", "场地或电力提供者", "Provider of site or power"),
    Code("owner", "所有人或实际控制人", "Owner or controller"),
    Code("facilitator", "提供方便或保护者", "Facilitator or protector"),
    Code("other", "其他当事人", "Other party"),
)

# 职能部门 — departments that receive tasks. The DRC (development_reform) runs the case.
DEPARTMENTS: Mapping[str, Code] = _table(
    Code("development_reform", "发展和改革委员会（能耗双控办）", "Development and Reform Commission"),
    Code("grid_company", "电网企业", "Grid company"),
    Code("power_trading_center", "电力交易中心", "Power-trading centre"),
    Code("energy_conservation_supervision", "节能监察机构", "Energy-conservation supervision"),
    Code("communications_administration", "通信管理局", "Communications administration"),
    Code("culture_market_regulator", "文化和旅游（文化市场综合执法）部门", "Culture-market regulator"),
    Code("public_security", "公安机关", "Public security"),
    Code("financial_regulator", "地方金融监督管理部门", "Financial regulator"),
    Code("credit_office", "社会信用体系建设牵头部门", "Credit office"),
    Code("discipline_commission", "纪检监察机关", "Discipline-inspection and supervision organs"),
    Code("tax_authority", "税务部门", "Tax authority"),
    # 电力法第七十一条 names the 电力管理部门; which body that is differs by region (pack ``authorities``).
    Code("power_administration", "电力管理部门", "Electricity administration"),
    Code("procuratorate", "人民检察院", "People's procuratorate"),
    Code("land_authority", "自然资源（土地）部门", "Land authority"),
    # 财政补贴、房租减免 are paid from the budget, which the 财政部门 administers: not the 发改委's to stop.
    Code("finance_department", "财政部门", "Finance department"),
    # 差别电价 is an electricity price: set by the provincial price authority within its pricing powers
    # (价格法第二十条; 电力法第三十五条 统一定价原则、分级管理), applied from the project list the province keeps
    # (the region's pack cites its own notice) — not a city 发改委's to decide in its own name.
    Code("price_authority", "省级价格主管部门", "Provincial price authority"),
)

# Departments that are enterprises, not organs: a 供电企业 acts under 电力法第二十九条 as a company, and the
# trading centre is a company too. They hold no 职权: a letter asks 贵公司, never 贵机关.
ENTERPRISES = frozenset({"grid_company", "power_trading_center"})

# 处置措施 — what a department must do.
ACTIONS: Mapping[str, Code] = _table(
    Code("energy_inspection", "加大节能监察力度（依法从严处理）", "Energy-conservation inspection"),
    Code("energy_quota_cut", "核减能耗预算指标", "Cut the energy-budget quota"),
    Code("accountability", "严肃追责问责", "Hold those responsible accountable"),
    # The case authority (发改委) cancels only what it grants itself; tax, land, fiscal and financial
    # preferences belong to other organs and go to them as other_authority actions (超越职权,
    # 行政诉讼法第七十条第（四）项).
    Code(
        "cancel_preferences",
        "取消本机关给予的优惠政策（电价优惠等）",
        "Cancel the preferences this authority grants (power-price preferences and the like)",
    ),
    Code("cancel_tax_preferences", "取消税收优惠", "Cancel tax preferences"),
    Code("cancel_land_preferences", "取消土地优惠", "Cancel land preferences"),
    Code("market_exit", "退出电力多边交易市场", "Exit from the multilateral power-trading market"),
    Code("revoke_telecom_licence", "吊销增值电信业务经营许可证", "Revoke the value-added telecom licence"),
    Code("suspend_business", "停业整顿", "Suspend business for rectification"),
    Code("recover_theft_charges", "追补窃电电费及违约使用电费", "Recover stolen-power charges and penalty"),
    Code("theft_fine", "窃电罚款（应交电费五倍以下）", "Fine for electricity theft (up to 5x the charges)"),
    Code("refer_police_theft", "窃电行为移送司法机关", "Refer the electricity theft to the judicial organs"),
    Code(
        "refer_police_laundering", "洗钱行为移送司法机关", "Refer the money laundering to the judicial organs"
    ),
    Code(
        "refer_police_fundraising",
        "非法吸收公众存款涉嫌犯罪移送公安机关",
        "Refer the illegal taking of public deposits to the police",
    ),
    Code(
        "refer_police_fundraising_fraud",
        "集资诈骗涉嫌犯罪移送公安机关",
        "Refer the fundraising fraud to the police",
    ),
    Code("fundraising_handling", "非法集资从严处置", "Strict handling of the illegal fundraising"),
    Code("credit_blacklist", "纳入失信黑名单", "Put on the credit blacklist"),
    Code("refer_discipline", "移送纪检监察机关", "Refer to the discipline-inspection and supervision organs"),
    Code("power_cut", "停限电", "Cut or restrict the power supply"),
    Code("differential_tariff", "执行差别电价（淘汰类）", "Apply the differential (eliminated-class) tariff"),
    Code(
        "stop_support",
        "停止本机关职责范围内的电价等政策支持",
        "Stop the support within this authority's powers (power price and the like)",
    ),
    Code(
        "stop_fiscal_support",
        "停止财政补贴、房租减免等财政支持",
        "Stop fiscal support (subsidies, rent relief and the like)",
    ),
    Code("stop_financial_support", "停止信贷等金融支持", "Stop financial support (credit and the like)"),
    Code(
        "register_project", "纳入“挖矿”项目清单（每周更新）", "Enter in the mining-project register (weekly)"
    ),
    Code("credit_pledge_breach", "违反信用承诺记入信用记录", "Record the breach of the credit pledge"),
    Code(
        "double_energy_count", "新增项目能耗加倍计入能耗双控考核", "Count the new project's energy use double"
    ),
)

# 程序轨道 — what an action legally is, and so which procedure runs it (issue 11, DOMAIN.md §4a).
TRACKS: Mapping[str, Code] = _table(
    Code("penalty", "行政处罚", "Administrative penalty"),
    Code("measure", "行政处理措施（非处罚）", "Administrative measure (not a penalty)"),
    Code("referral", "移送", "Referral"),
    Code("credit", "信用惩戒（失信名单）", "Credit listing"),
    Code("accountability", "追责问责", "Accountability of responsible cadres"),
    Code("other_authority", "他机关职权（建议函）", "Another authority's power (letter of advice)"),
    # Internal administration (the project register, the region's energy assessment, a pledge breach entered
    # in the credit record): no act on the party, so never in a 处理决定书 with remedies
    # (法释〔2018〕1号第一条第二款第（五）项、第（十）项).
    Code("internal", "内部工作事项（不对当事人作出决定）", "Internal work (no act on the party)"),
)

# 行政处罚的种类 (行政处罚法第九条).
PENALTY_TYPES: Mapping[str, Code] = _table(
    Code("warning", "警告", "Warning"),
    Code("criticism", "通报批评", "Public criticism"),
    Code("fine", "罚款", "Fine"),
    Code("confiscate_gains", "没收违法所得", "Confiscation of illegal gains"),
    Code("confiscate_property", "没收非法财物", "Confiscation of illegal property"),
    Code("suspend_licence", "暂扣许可证件", "Suspension of a licence"),
    Code("lower_qualification", "降低资质等级", "Lowering of a qualification grade"),
    Code("revoke_licence", "吊销许可证件", "Revocation of a licence"),
    Code("restrict_activities", "限制开展生产经营活动", "Restriction of business activities"),
    Code("suspend_production", "责令停产停业", "Order to suspend production or business"),
    Code("order_closure", "责令关闭", "Order to close"),
    Code("restrict_employment", "限制从业", "Ban from an occupation"),
    Code("detention", "行政拘留", "Administrative detention"),
)

# 国务院令第310号第十一条第二款 (as amended by 国务院令第730号, 2020): penalties an authority may decide while the
# criminal proceedings on a referred case run; any other (a fine, a confiscation …) waits for their outcome.
PENALTY_TYPES_NOT_HELD_FOR_CRIMINAL_OUTCOME: frozenset[str] = frozenset(
    {
        "warning",
        "criticism",
        "restrict_activities",
        "suspend_production",
        "order_closure",
        "restrict_employment",
        "suspend_licence",
        "revoke_licence",
    }
)


@dataclass(frozen=True)
class Crime:
    """The offence a police referral names (移送书: 涉嫌构成《中华人民共和国刑法》第…条规定的…罪)."""

    action: str
    article: str
    zh: str
    en: str
    article_no: int
    conduct: str = ""  # the fact (FACTS) the offence rests on: a 移送书 states it as found

    @property
    def label_zh(self) -> str:
        return f"{self.zh}（刑法{self.article}）"

    @property
    def label_en(self) -> str:
        return f"{self.en} (Criminal Law Art. {self.article_no})"


# The referral actions that go to the police, each with the one offence its 移送书 names (刑法, as amended by
# the 刑法修正案（十一）: 盗窃罪 第二百六十四条, 洗钱罪 第一百九十一条, 非法吸收公众存款罪 第一百七十六条,
# 集资诈骗罪 第一百九十二条). A police referral always names one: a letter is never sent under a guessed offence.
POLICE_REFERRAL_CRIMES: Mapping[str, Crime] = MappingProxyType(
    {
        c.action: c
        for c in (
            Crime(
                "refer_police_theft", "第二百六十四条", "盗窃罪", "Theft", 264, "unapproved_power_connection"
            ),
            Crime(
                "refer_police_laundering",
                "第一百九十一条",
                "洗钱罪",
                "Money laundering",
                191,
                "money_laundering",
            ),
            Crime(
                "refer_police_fundraising",
                "第一百七十六条",
                "非法吸收公众存款罪",
                "Illegally taking public deposits",
                176,
                "illegal_fundraising",
            ),
            Crime(
                "refer_police_fundraising_fraud",
                "第一百九十二条",
                "集资诈骗罪",
                "Fundraising fraud",
                192,
                "illegal_fundraising",
            ),
        )
    }
)

# 行政处罚法第六十三条: penalty types that always carry a hearing right, and those that carry it from the
# regional "较大数额" on (pack ``procedure.hearing_thresholds``).
HEARING_ALWAYS: frozenset[str] = frozenset(
    {
        "lower_qualification",
        "revoke_licence",
        "suspend_production",
        "order_closure",
        "restrict_employment",
    }
)
HEARING_FROM_AMOUNT: frozenset[str] = frozenset({"fine", "confiscate_gains", "confiscate_property"})

# What an action may need the party to hold; an action needing one the party lacks is omitted, with a note.
HOLDINGS: Mapping[str, Code] = _table(
    Code("power_account", "用电户号（供用电合同）", "Power account (supply contract)"),
    Code("project", "“挖矿”项目（能耗核算对象）", "Mining project (an energy-accounting unit)"),
    # An act withdrawing something must name something the party has: 1283号 makes "已参与电力市场交易的"
    # projects exit, and a preference or support can only be cancelled or stopped where it was granted. An act
    # without such an object has no content that can be carried out (行政诉讼法第七十五条、第七十条).
    Code("market_participation", "已参与的电力市场交易", "Participation in a power market"),
    Code(
        "own_preference",
        "本机关给予的电价优惠等政策支持",
        "Power-price preference or other support this authority grants",
    ),
    # Likewise a tax or land preference can be withdrawn only where one was granted: the 建议函 asking the tax
    # or land authority to cancel it needs one on record (registry.Preference 税收优惠 / 土地优惠).
    Code("tax_preference", "享受的税收优惠", "Tax preference enjoyed"),
    Code("land_preference", "享受的土地优惠", "Land preference enjoyed"),
    # And fiscal or financial support can be stopped only where it was given: the 建议函 asking the finance
    # department or the financial regulator to stop it needs some on record (registry.Preference 财政补贴、资金支持
    # / 信贷等金融支持); a letter about support the party does not receive asks nothing that can be done
    # (行政诉讼法第七十条、第七十五条).
    Code("fiscal_support", "享受的财政补贴、资金支持", "Fiscal subsidy or funding received"),
    Code("financial_support", "享受的信贷等金融支持", "Credit or other financial support received"),
)

# Holdings an organisation is presumed to have when nothing is recorded (it signs the supply contract and
# runs the project). A market participation, a preference (power price, tax, land) or support (fiscal,
# financial) is never presumed: it must be on record (the registry's MarketParticipation / Preference, or the officer's entry on the party).
PRESUMED_HOLDINGS: frozenset[str] = frozenset({"power_account", "project"})

# Facts that may be recorded for the whole case; every other fact belongs to a party (issue 11 §2).
CASE_WIDE_FACTS: frozenset[str] = frozenset({"new_project"})

# Deadline units a pack may use for a task.
DEADLINE_UNITS: Mapping[str, Code] = _table(
    Code("working_days", "工作日", "working days"),
    Code("calendar_days", "自然日", "calendar days"),
    Code("hours", "小时", "hours"),
)


def describe(table: Mapping[str, Code], code: str) -> dict[str, str]:
    """The code with its names, for JSON output; an unknown code is returned with itself as name."""
    entry = table.get(code)
    return entry.as_dict() if entry else {"code": code, "zh": code, "en": code}
