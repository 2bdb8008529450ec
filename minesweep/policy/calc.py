"""Calculations (计算): energy-budget cut, electricity-theft recovery, tariff-category change,
differential surcharge and the criminal-threshold check.

Pure and Decimal-based. Every function takes the pack's settings (so unverified numbers stay data) and
returns a :class:`Calculation` holding the inputs, every intermediate figure with its formula, the
result and the settings it relied on; ``as_dict()`` is JSON-ready (decimals as strings, no float
rounding). Money is rounded half-up to 0.01 yuan, standard coal to 0.0001 tce; kWh are kept exact.
"""

from __future__ import annotations

import datetime as dt
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from minesweep.policy.errors import PolicyInputError
from minesweep.policy.packs import PackSettings

YUAN = Decimal("0.01")
TCE = Decimal("0.0001")
KGCE_PER_TCE = Decimal(1000)
COEFFICIENTS = ("calorific", "equivalent")
# 行政处罚法（2021）第七十二条第一项: 每日按罚款数额的百分之三加处罚款，加处罚款的数额不得超出罚款的数额.
LATE_FEE_RATE_PER_DAY = Decimal("0.03")


#: Every step's label, Chinese and English, by code: the step's ``name``, or ``name/reading`` where one name
#: reads differently by case (a duration presumed or established; the kWh of a theft or of a surcharge).
#: ``{year}`` and ``{threshold}`` are filled in. The Chinese is exactly what worksheets store as ``label``
#: (and have since the first worksheet); a worksheet stored before ``label_en`` existed finds its English
#: here by its step's ``name`` and Chinese label (``step_label_en``).
STEP_LABELS: dict[str, tuple[str, str]] = {
    # energy
    "kgce_per_kwh/calorific": (
        "电力折标系数（当量值）",
        "Electricity conversion factor to standard coal (calorific value)",
    ),
    "kgce_per_kwh/equivalent": (
        "电力折标系数（{year} 年等价值）",
        "Electricity conversion factor to standard coal (equivalent value, {year})",
    ),
    "kgce": ("折标准煤（千克）", "Standard coal equivalent (kg)"),
    "tce": ("折标准煤（吨）", "Standard coal equivalent (tonnes)"),
    "multiplier": ("新增项目加倍系数", "New-project multiplier"),
    "counted_tce": ("计入考核并核减的能耗", "Energy use counted and cut from the budget"),
    # electricity theft
    "hours_per_day/presumed": ("每日窃电小时数（推定）", "Hours of theft per day (presumed)"),
    "hours_per_day/established": ("每日窃电小时数（查明）", "Hours of theft per day (established)"),
    "days/presumed": ("窃电日数（推定）", "Days of theft (presumed)"),
    "days/established": ("窃电日数（查明）", "Days of theft (established)"),
    "kwh/theft": ("窃电量", "Electricity stolen"),
    "back_charge_yuan": ("补交电费", "Back charge for the electricity"),
    "penalty_yuan": ("违约使用电费", "Contractual penalty for electricity use"),
    "payable_yuan": (
        "应付合计（补交电费＋违约使用电费）",
        "Total payable (back charge + contractual penalty)",
    ),
    "fine_max_yuan": (
        "行政罚款上限（电力法第七十一条）",
        "Maximum administrative fine (Electric Power Law, Art. 71)",
    ),
    # tariff-category change
    "months/presumed": (
        "使用月数（起讫日期难以确定，推定）",
        "Months of use (dates cannot be established; presumed)",
    ),
    "months/established": ("使用月数（查明）", "Months of use (established)"),
    "kwh/tariff_change": ("期间电量", "Electricity used in the period"),
    "tariff_gap": ("电价差", "Tariff difference"),
    "difference_yuan": ("补交差额电费", "Back charge for the tariff difference"),
    # usage drop
    "monthly_gap_kwh": ("月均减少电量", "Drop in average monthly use"),
    "kwh/usage_drop": ("推算窃电量", "Estimated electricity stolen"),
    # differential surcharge
    "kwh/surcharge": ("加价电量", "Electricity subject to the surcharge"),
    "kwh/surcharge_partial": (
        "加价电量（不足一个周期）",
        "Electricity subject to the surcharge (part of a billing cycle)",
    ),
    "daily_kwh": ("周期日均电量", "Average daily use in the billing cycle"),
    "rate_yuan_per_kwh": ("加价标准", "Surcharge rate"),
    "surcharge_yuan": ("加价电费", "Surcharge"),
    # late payment
    "uncapped_yuan": ("按日加处罚款", "Late-payment penalty at the daily rate"),
    "late_fee_yuan": ("加处罚款（不超过罚款数额）", "Late-payment penalty (not above the fine)"),
    # criminal thresholds
    "theft_value_yuan": (
        "盗窃数额较大（门槛 {threshold}）",
        "Theft of a relatively large amount (threshold {threshold})",
    ),
    "fundraising_amount_yuan": (
        "非法吸收资金数额（门槛 {threshold}）",
        "Funds illegally taken from the public (threshold {threshold})",
    ),
    "fundraising_persons": (
        "非法吸收资金对象人数（门槛 {threshold}）",
        "People funds were illegally taken from (threshold {threshold})",
    ),
    "fundraising_loss_yuan": (
        "直接经济损失（门槛 {threshold}）",
        "Direct economic loss (threshold {threshold})",
    ),
    "fraud_amount_yuan": (
        "集资诈骗数额较大（门槛 {threshold}）",
        "Fundraising fraud of a relatively large amount (threshold {threshold})",
    ),
}

#: The words formulas are written with, and the units, in English (for the page; formulas are stored in
#: Chinese). Longer terms first: "kWh/日" before "日".
FORMULA_TERMS: tuple[tuple[str, str], ...] = (
    ("当年火电供电标准煤耗", "that year's standard coal per kWh of thermal power supplied"),
    ("新增项目", "new project"),
    ("存量项目", "existing project"),
    ("照明用户", "lighting user"),
    ("动力用户", "power user"),
    ("至少 180 天", "at least 180 days"),
    ("实际使用时间", "actual time of use"),
    ("实际使用日期", "actual dates of use"),
    ("三个月", "three months"),
    ("整抄表周期电量", "kWh of whole billing cycles"),
    ("政策包设置", "policy pack setting"),
    ("元/kWh", "yuan/kWh"),
    ("kWh/月", "kWh/month"),
    ("kWh/日", "kWh/d"),
    ("h/日", "h/d"),
    (" 元", " yuan"),
    (" 日", " d"),
    (" 月", " month"),
)
UNITS_EN: dict[str, str] = {"1=达到 0=未达到": "1 = reached, 0 = not reached"}
_CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def _label_pattern(template: str) -> re.Pattern[str]:
    parts = []
    for literal, field_name, _spec, _conv in string.Formatter().parse(template):
        parts.append(re.escape(literal))
        if field_name:
            parts.append(f"(?P<{field_name}>.+?)")
    return re.compile("".join(parts))


_LABEL_PATTERNS = [(code.partition("/")[0], _label_pattern(zh), en) for code, (zh, en) in STEP_LABELS.items()]


def step_label_en(name: str, label_zh: str) -> str | None:
    """The English label of a stored step (``name`` and its Chinese ``label``), or None for a step this
    table does not know. The Chinese label tells apart the readings of one name (presumed or established);
    a name of one reading is known by the name alone."""
    readings = [(pattern, en) for known, pattern, en in _LABEL_PATTERNS if known == name]
    for pattern, en in readings:
        match = pattern.fullmatch(label_zh)
        if match:
            return en.format(**match.groupdict())
    if len(readings) == 1 and not readings[0][0].groupindex:
        return readings[0][1]
    return None


def formula_en(formula: str) -> str | None:
    """A stored formula in English, or None when it holds words this table does not know."""
    for zh, en in FORMULA_TERMS:
        formula = formula.replace(zh, en)
    return None if _CJK.search(formula) else formula


def unit_en(unit: str) -> str | None:
    """A step's unit in English ("kWh" is both), or None when unknown."""
    english = UNITS_EN.get(unit, unit)
    return None if _CJK.search(english) else english


@dataclass(frozen=True)
class Step:
    """One intermediate figure: stable ``name``, Chinese and English labels, the formula with numbers,
    value, unit. ``as_dict`` keeps ``label`` Chinese (worksheets have always stored it so) and adds
    ``label_en``."""

    name: str
    label_zh: str
    formula: str
    value: Decimal
    unit: str
    label_en: str = ""

    def as_dict(self) -> dict[str, str]:
        return {
            "name": self.name,
            "label": self.label_zh,
            "label_en": self.label_en,
            "formula": self.formula,
            "value": _plain(self.value),
            "unit": self.unit,
        }


@dataclass
class Calculation:
    """Inputs → steps → result, plus the pack settings cited (``basis``) and notes for the reader."""

    kind: str
    inputs: dict[str, Any]
    steps: list[Step] = field(default_factory=list)
    result: dict[str, Any] = field(default_factory=dict)
    basis: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def step(self, code: str, formula: str, value: Decimal, unit: str, **fill: str) -> Decimal:
        """Add the step labelled ``STEP_LABELS[code]`` (``fill`` fills its ``{year}`` or ``{threshold}``)."""
        zh, en = STEP_LABELS[code]
        name = code.partition("/")[0]
        self.steps.append(Step(name, zh.format(**fill), formula, value, unit, en.format(**fill)))
        return value

    def figure(self, name: str) -> Decimal:
        """The value of the step called ``name``."""
        for step in self.steps:
            if step.name == name:
                return step.value
        raise KeyError(name)

    def as_dict(self) -> dict[str, Any]:
        return {
            "calculation": self.kind,
            "inputs": _jsonable(self.inputs),
            "steps": [s.as_dict() for s in self.steps],
            "result": _jsonable(self.result),
            "basis": self.basis,
            "notes": self.notes,
        }


# -- energy ------------------------------------------------------------------------------------------
#: The setting of a new project's energy multiplier (发改运行〔2021〕1283号: counted double), cited in the
#: calculation's basis only when it applies.
NEW_PROJECT_MULTIPLIER = "new_project_energy_multiplier"


def energy_budget_cut(
    kwh: Decimal | int | str,
    settings: PackSettings,
    *,
    coefficient: str | None = None,
    year: int | None = None,
    new_project: bool = False,
) -> Calculation:
    """Standard coal (tce) to cut from the energy budget for ``kwh`` of mining use (核减能耗预算指标).

    ``calorific``: 当量值 0.1229 kgce/kWh (GB/T 2589-2020); ``equivalent``: 等价值 of ``year`` from the
    pack. Without ``coefficient`` the pack's default basis applies (``procedure.energy_basis``: the
    region decides which basis its energy budget is kept in). A new project counts
    ``new_project_energy_multiplier`` times (1283号: double).
    """
    coefficient = coefficient or settings.energy_basis
    kwh = _number("kwh", kwh, allow_zero=True)
    calc = Calculation(
        "energy", {"kwh": kwh, "coefficient": coefficient, "year": year, "new_project": new_project}
    )
    factor = _coefficient(calc, settings, coefficient, year)
    kgce = calc.step("kgce", f"{_plain(kwh)} kWh × {_plain(factor)} kgce/kWh", kwh * factor, "kgce")
    tce = calc.step("tce", f"{_plain(kgce)} kgce ÷ 1000", (kgce / KGCE_PER_TCE).quantize(TCE), "tce")
    multiplier = Decimal(1)
    if new_project:
        multiplier = settings.decimal(NEW_PROJECT_MULTIPLIER)
        calc.basis.append(settings.cite(NEW_PROJECT_MULTIPLIER))
    calc.step("multiplier", "新增项目" if new_project else "存量项目", multiplier, "×")
    counted = calc.step(
        "counted_tce",
        f"{_plain(tce)} tce × {_plain(multiplier)}",
        (tce * multiplier).quantize(TCE),
        "tce",
    )
    calc.result = {"tce": counted, "kgce_per_kwh": factor}
    return calc


def _coefficient(calc: Calculation, settings: PackSettings, coefficient: str, year: int | None) -> Decimal:
    if coefficient == "calorific":
        calc.basis.append(settings.cite("calorific_kgce_per_kwh"))
        return calc.step(
            "kgce_per_kwh/calorific",
            "GB/T 2589-2020",
            settings.decimal("calorific_kgce_per_kwh"),
            "kgce/kWh",
        )
    if coefficient != "equivalent":
        raise PolicyInputError(
            f"折标系数应为 {COEFFICIENTS} 之一", f"coefficient must be one of {COEFFICIENTS}"
        )
    by_year = settings.yearly("equivalent_kgce_per_kwh_by_year")
    year = _published_year(calc, by_year, year)
    if year is None or year not in by_year:
        raise PolicyInputError(
            f"等价值折标系数没有 {year} 年的数值，可用年份：{sorted(by_year)}",
            f"no equivalent coefficient for year {year}; available: {sorted(by_year)}",
            year=year,
        )
    calc.basis.append(settings.cite("equivalent_kgce_per_kwh_by_year"))
    return calc.step(
        "kgce_per_kwh/equivalent", "当年火电供电标准煤耗", by_year[year], "kgce/kWh", year=str(year)
    )


def _published_year(calc: Calculation, by_year: Mapping[int, Decimal], year: int | None) -> int | None:
    """The year whose 等价值 applies. A past or current year after the pack's last one has no published
    figure yet (the statistics office publishes a year's 供电标准煤耗 the year after): the latest
    published year is used, and a note says so. Future years and years before the table stay unknown."""
    if year is None or year in by_year or not by_year:
        return year
    latest = max(by_year)
    if latest < year <= dt.date.today().year:
        calc.notes.append(
            f"{year} 年等价值尚未公布（政策包最新为 {latest} 年），暂按 {latest} 年数值计算，公布后应复核 / "
            f"no equivalent coefficient published for {year} yet: {latest}'s value is used; re-check once published"
        )
        return latest
    return year


# -- electricity theft -------------------------------------------------------------------------------
def electricity_theft(
    capacity_kw: Decimal | int | str,
    settings: PackSettings,
    *,
    hours_per_day: Decimal | int | str | None = None,
    days: Decimal | int | str | None = None,
    unknown_duration: bool = False,
    lighting: bool = False,
    tariff_yuan_per_kwh: Decimal | int | str | None = None,
    on: dt.date | None = None,
) -> Calculation:
    """Stolen energy and what the thief owes (供电营业规则 1996 第一百零二、一百零三条; 电力法第七十一条).

    ``on`` is the day of the act: the 供电营业规则 version in force that day gives the 违约使用电费
    multiple (1996: a fixed 3×; 2024, from 2024-06-01: at most 3×, a ceiling the supply contract sets).

    Quantity = tapped capacity (kVA counted as kW) × hours/day × days. When the time cannot be
    established (``unknown_duration``), the pack floor applies: 180 days × 12 h/day (6 h for lighting).
    With a tariff: back charge (补交电费) = kWh × tariff; 违约使用电费 = 3 × back charge; the
    administrative fine is at most 5 × the charge owed. The criminal threshold is checked too.
    """
    capacity = _number("capacity_kw", capacity_kw)
    calc = Calculation(
        "theft",
        {
            "capacity_kw": capacity,
            "hours_per_day": hours_per_day,
            "days": days,
            "unknown_duration": unknown_duration,
            "lighting": lighting,
            "tariff_yuan_per_kwh": tariff_yuan_per_kwh,
        },
    )
    hours, day_count = _theft_duration(calc, settings, hours_per_day, days, unknown_duration, lighting)
    kwh = calc.step(
        "kwh/theft",
        f"{_plain(capacity)} kW × {_plain(hours)} h/日 × {_plain(day_count)} 日",
        capacity * hours * day_count,
        "kWh",
    )
    calc.result = {"kwh": kwh}
    if tariff_yuan_per_kwh is not None:
        _theft_charges(calc, settings, kwh, _number("tariff_yuan_per_kwh", tariff_yuan_per_kwh), on)
    return calc


def _theft_duration(
    calc: Calculation,
    settings: PackSettings,
    hours_per_day: Any,
    days: Any,
    unknown_duration: bool,
    lighting: bool,
) -> tuple[Decimal, Decimal]:
    if unknown_duration == (hours_per_day is not None or days is not None):
        raise PolicyInputError(
            "请给出每日小时数和天数，或声明窃电时间无法查明（二者择一）",
            "give hours per day and days, or declare the duration unknown (one or the other)",
        )
    if unknown_duration:
        hours_key = "theft_hours_per_day_lighting" if lighting else "theft_hours_per_day_power"
        calc.basis += [settings.cite(hours_key), settings.cite("theft_unknown_duration_days")]
        calc.notes.append(
            "窃电时间无法查明，按最低标准推定 / duration unknown: the statutory minimum is used"
        )
        return (
            calc.step(
                "hours_per_day/presumed",
                "照明用户" if lighting else "动力用户",
                settings.decimal(hours_key),
                "h",
            ),
            calc.step(
                "days/presumed",
                "至少 180 天",
                settings.decimal("theft_unknown_duration_days"),
                "d",
            ),
        )
    if hours_per_day is None or days is None:
        raise PolicyInputError(
            "已查明时间时须同时给出每日小时数和天数", "both hours per day and days are needed"
        )
    hours = _number("hours_per_day", hours_per_day)
    if hours > 24:
        raise PolicyInputError(
            "每日小时数不能超过 24", "hours per day cannot exceed 24", hours_per_day=str(hours)
        )
    return (
        calc.step("hours_per_day/established", "实际使用时间", hours, "h"),
        calc.step("days/established", "实际使用时间", _number("days", days), "d"),
    )


def _theft_charges(
    calc: Calculation, settings: PackSettings, kwh: Decimal, tariff: Decimal, on: dt.date | None
) -> None:
    version = settings.at("theft_penalty_multiple", on)
    penalty_multiple = settings.decimal("theft_penalty_multiple", on)
    fine_multiple = settings.decimal("theft_fine_max_multiple")
    calc.basis += [version.as_dict(), settings.cite("theft_fine_max_multiple")]
    if version.kind == "ceiling":
        calc.notes.append(
            f"违约使用电费为上限（不高于 {_plain(penalty_multiple)} 倍），以供用电合同约定为准 / "
            f"the contractual penalty is at most {_plain(penalty_multiple)}x, as the supply contract sets"
        )
    back = calc.step(
        "back_charge_yuan",
        f"{_plain(kwh)} kWh × {_plain(tariff)} 元/kWh",
        (kwh * tariff).quantize(YUAN, ROUND_HALF_UP),
        "yuan",
    )
    penalty = calc.step(
        "penalty_yuan",
        f"{_plain(back)} 元 × {_plain(penalty_multiple)}",
        (back * penalty_multiple).quantize(YUAN, ROUND_HALF_UP),
        "yuan",
    )
    payable = calc.step(
        "payable_yuan",
        f"{_plain(back)} + {_plain(penalty)}",
        back + penalty,
        "yuan",
    )
    fine_max = calc.step(
        "fine_max_yuan",
        f"{_plain(back)} 元 × {_plain(fine_multiple)}",
        (back * fine_multiple).quantize(YUAN, ROUND_HALF_UP),
        "yuan",
    )
    # The threshold is tested on the back charge so that a possible theft is put to the head (国务院令第310号
    # 第五条) — but a quantity presumed under 供电营业规则 (180 d × 12 h) fixes only what the supplier may
    # charge; the amount of a theft is the verified quantity, else the usage drop (两高2013年盗窃解释第四条,
    # ``stolen_kwh_from_usage_drop``), for the police to determine.
    check = criminal_threshold_check(settings, theft_value_yuan=back)
    calc.basis += check.basis
    if calc.inputs.get("unknown_duration"):
        calc.notes.append(
            "窃电量系按供电营业规则推定，刑事数额须依两高2013年盗窃解释第四条按查实数量核定 / the kWh is the "
            "supply rules' presumption: the criminal amount is the verified quantity (2013 theft "
            "interpretation Art. 4)"
        )
    calc.result.update(
        {
            "back_charge_yuan": back,
            "penalty_yuan": penalty,
            "payable_yuan": payable,
            "fine_max_yuan": fine_max,
            "police_referral_proposed": check.result["referral_proposed"],
        }
    )
    calc.notes += check.notes


def tariff_category_change(
    monthly_kwh: Decimal | int | str,
    tariff_paid_yuan_per_kwh: Decimal | int | str,
    tariff_due_yuan_per_kwh: Decimal | int | str,
    settings: PackSettings,
    *,
    months: Decimal | int | str | None = None,
) -> Calculation:
    """Mining on a cheaper tariff line (擅自改变用电类别, 供电营业规则 1996 第一百条第一项): the tariff
    difference plus 2 × the difference as 违约使用电费; ``months`` unknown → the pack's 3 months."""
    monthly = _number("monthly_kwh", monthly_kwh, allow_zero=True)
    paid = _number("tariff_paid_yuan_per_kwh", tariff_paid_yuan_per_kwh, allow_zero=True)
    due = _number("tariff_due_yuan_per_kwh", tariff_due_yuan_per_kwh)
    calc = Calculation(
        "tariff_change",
        {
            "monthly_kwh": monthly,
            "tariff_paid_yuan_per_kwh": paid,
            "tariff_due_yuan_per_kwh": due,
            "months": months,
        },
    )
    if due <= paid:
        raise PolicyInputError("应执行电价须高于实际执行电价", "the tariff due must exceed the tariff paid")
    if months is None:
        calc.basis.append(settings.cite("tariff_change_unknown_months"))
        period = calc.step(
            "months/presumed",
            "三个月",
            settings.decimal("tariff_change_unknown_months"),
            "month",
        )
    else:
        period = calc.step("months/established", "实际使用日期", _number("months", months), "month")
    multiple = settings.decimal("tariff_change_penalty_multiple")
    calc.basis.append(settings.cite("tariff_change_penalty_multiple"))
    kwh = calc.step(
        "kwh/tariff_change", f"{_plain(monthly)} kWh/月 × {_plain(period)} 月", monthly * period, "kWh"
    )
    gap = calc.step("tariff_gap", f"{_plain(due)} − {_plain(paid)}", due - paid, "yuan/kWh")
    difference = calc.step(
        "difference_yuan",
        f"{_plain(kwh)} kWh × {_plain(gap)}",
        (kwh * gap).quantize(YUAN, ROUND_HALF_UP),
        "yuan",
    )
    penalty = calc.step(
        "penalty_yuan",
        f"{_plain(difference)} × {_plain(multiple)}",
        (difference * multiple).quantize(YUAN, ROUND_HALF_UP),
        "yuan",
    )
    calc.result = {
        "kwh": kwh,
        "difference_yuan": difference,
        "penalty_yuan": penalty,
        "payable_yuan": difference + penalty,
    }
    return calc


def stolen_kwh_from_usage_drop(
    monthly_kwh_before: Decimal | int | str,
    monthly_kwh_metered_after: Decimal | int | str,
    months: Decimal | int | str,
) -> Calculation:
    """Estimated stolen kWh when no quantity was verified (两高 2013 盗窃解释第四条): (average monthly
    use in the 6 months before) − (average monthly metered use after), × the months of theft."""
    before = _number("monthly_kwh_before", monthly_kwh_before, allow_zero=True)
    after = _number("monthly_kwh_metered_after", monthly_kwh_metered_after, allow_zero=True)
    period = _number("months", months)
    calc = Calculation(
        "usage_drop", {"monthly_kwh_before": before, "monthly_kwh_metered_after": after, "months": period}
    )
    gap = calc.step("monthly_gap_kwh", f"{_plain(before)} − {_plain(after)}", before - after, "kWh/month")
    if gap <= 0:
        raise PolicyInputError(
            "窃电后计量电量未低于此前月均用量，不能推算", "metered use did not drop; cannot estimate"
        )
    kwh = calc.step("kwh/usage_drop", f"{_plain(gap)} kWh/月 × {_plain(period)} 月", gap * period, "kWh")
    calc.result = {"kwh": kwh}
    return calc


# -- surcharge ---------------------------------------------------------------------------------------
def differential_surcharge(
    settings: PackSettings,
    *,
    kwh: Decimal | int | str | None = None,
    cycle_kwh: Decimal | int | str | None = None,
    cycle_days: Decimal | int | str | None = None,
    mining_days: Decimal | int | str | None = None,
) -> Calculation:
    """Differential surcharge (差别电价加价) at the pack's yuan/kWh on the mining kWh.

    Give ``kwh`` for whole billing cycles, or a partial cycle as ``cycle_kwh`` over ``cycle_days`` of
    which ``mining_days`` fall in the mining period: kWh = cycle_kwh ÷ cycle_days × mining_days.
    """
    partial = (cycle_kwh, cycle_days, mining_days)
    if (kwh is None) == all(v is None for v in partial) or (kwh is None and any(v is None for v in partial)):
        raise PolicyInputError(
            "请给出电量，或给出抄表周期电量、周期天数和涉及天数（二者择一）",
            "give kwh, or cycle kWh, cycle days and mining days (one or the other)",
        )
    rate = settings.decimal("surcharge_yuan_per_kwh")
    calc = Calculation(
        "surcharge",
        {"kwh": kwh, "cycle_kwh": cycle_kwh, "cycle_days": cycle_days, "mining_days": mining_days},
    )
    calc.basis.append(settings.cite("surcharge_yuan_per_kwh"))
    if kwh is not None:
        energy = calc.step("kwh/surcharge", "整抄表周期电量", _number("kwh", kwh, allow_zero=True), "kWh")
    else:
        energy = _partial_cycle_kwh(calc, settings, cycle_kwh, cycle_days, mining_days)
    calc.step("rate_yuan_per_kwh", "政策包设置", rate, "yuan/kWh")
    surcharge = calc.step(
        "surcharge_yuan",
        f"{_plain(energy)} kWh × {_plain(rate)} 元/kWh",
        (energy * rate).quantize(YUAN, ROUND_HALF_UP),
        "yuan",
    )
    calc.result = {"kwh": energy, "surcharge_yuan": surcharge}
    return calc


def _partial_cycle_kwh(
    calc: Calculation, settings: PackSettings, cycle_kwh: Any, cycle_days: Any, mining_days: Any
) -> Decimal:
    total = _number("cycle_kwh", cycle_kwh, allow_zero=True)
    length = _number("cycle_days", cycle_days)
    days = _number("mining_days", mining_days)
    if days > length:
        raise PolicyInputError("涉及天数不能超过抄表周期天数", "mining days cannot exceed the cycle's days")
    calc.basis.append(settings.cite("surcharge_partial_cycle"))
    daily = calc.step("daily_kwh", f"{_plain(total)} kWh ÷ {_plain(length)} 日", total / length, "kWh/d")
    return calc.step(
        "kwh/surcharge_partial", f"{_plain(daily)} kWh/日 × {_plain(days)} 日", daily * days, "kWh"
    )


# -- late payment ------------------------------------------------------------------------------------
def late_payment_fee(fine_yuan: Decimal | int | str, days_late: int) -> Calculation:
    """加处罚款 for a fine paid ``days_late`` days after the deadline: 3 % of the fine per day, never more
    than the fine itself (行政处罚法第七十二条第一项)."""
    fine = _number("fine_yuan", fine_yuan)
    days = _number("days_late", days_late, allow_zero=True)
    calc = Calculation("late_payment_fee", {"fine_yuan": fine, "days_late": days})
    calc.basis.append(
        {
            "key": "late_fee_rate_per_day",
            "value": _plain(LATE_FEE_RATE_PER_DAY),
            "source": "行政处罚法第七十二条第一项",
            "verified": True,
        }
    )
    uncapped = calc.step(
        "uncapped_yuan",
        f"{_plain(fine)} 元 × 3% × {_plain(days)} 日",
        (fine * LATE_FEE_RATE_PER_DAY * days).quantize(YUAN, ROUND_HALF_UP),
        "yuan",
    )
    fee = calc.step(
        "late_fee_yuan",
        f"min({_plain(uncapped)}, {_plain(fine)})",
        min(uncapped, fine),
        "yuan",
    )
    calc.result = {"late_fee_yuan": fee, "capped": uncapped > fine}
    return calc


# -- criminal thresholds -----------------------------------------------------------------------------
def criminal_threshold_check(
    settings: PackSettings,
    *,
    theft_value_yuan: Decimal | int | str | None = None,
    fundraising_amount_yuan: Decimal | int | str | None = None,
    fundraising_persons: int | None = None,
    fundraising_loss_yuan: Decimal | int | str | None = None,
    fraud_amount_yuan: Decimal | int | str | None = None,
) -> Calculation:
    """Which figures reach a prosecution threshold, and so which police referrals to propose.

    A proposal is not a decision: the officer decides within 3 days (国务院令310 第五条), and a fine
    never replaces a referral. Thresholds are pack settings (the regional theft figure is unverified).
    """
    figures = {
        "theft_value_yuan": theft_value_yuan,
        "fundraising_amount_yuan": fundraising_amount_yuan,
        "fundraising_persons": fundraising_persons,
        "fundraising_loss_yuan": fundraising_loss_yuan,
        "fraud_amount_yuan": fraud_amount_yuan,
    }
    calc = Calculation("criminal_threshold", dict(figures))
    tests = (
        ("theft_value_yuan", "theft_criminal_threshold_yuan", "refer_police_theft"),
        ("fundraising_amount_yuan", "fundraising_amount_threshold_yuan", "refer_police_fundraising"),
        ("fundraising_persons", "fundraising_persons_threshold", "refer_police_fundraising"),
        ("fundraising_loss_yuan", "fundraising_loss_threshold_yuan", "refer_police_fundraising"),
        ("fraud_amount_yuan", "fundraising_fraud_threshold_yuan", "refer_police_fundraising_fraud"),
    )
    proposals: list[str] = []
    reached: list[str] = []
    for figure, setting, action in tests:
        if figures[figure] is None:
            continue
        value = _number(figure, figures[figure], allow_zero=True)
        threshold = settings.decimal(setting)
        calc.basis.append(settings.cite(setting))
        hit = value >= threshold
        calc.step(
            figure,
            f"{_plain(value)} ≥ {_plain(threshold)}",
            Decimal(int(hit)),
            "1=达到 0=未达到",
            threshold=_plain(threshold),
        )
        if hit:
            reached.append(figure)
            if action not in proposals:
                proposals.append(action)
    if proposals:
        calc.notes.append(
            "达到追诉标准，建议 3 日内作出移送决定，罚款不能代替移送 / threshold reached: "
            "decide on a police referral within 3 days; a fine never replaces a referral"
        )
    calc.result = {
        "referral_proposed": bool(proposals),
        "proposed_actions": proposals,
        "thresholds_reached": reached,
    }
    return calc


# -- helpers -----------------------------------------------------------------------------------------
def _number(name: str, value: Any, *, allow_zero: bool = False) -> Decimal:
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        number = Decimal("NaN")
    if isinstance(value, bool) or not number.is_finite() or number < 0 or (number == 0 and not allow_zero):
        need_zh, need_en = (
            ("非负数", "a non-negative number") if allow_zero else ("正数", "a positive number")
        )
        raise PolicyInputError(
            f"{name} 的值 “{value}” 无效，应为{need_zh}", f"{name}: '{value}' must be {need_en}", field=name
        )
    return number


def _plain(value: Decimal) -> str:
    """A decimal without exponent or needless trailing zeros: 122.9000 → "122.9", 1E+6 → "1000000"."""
    text = format(value.normalize(), "f")
    return text


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return _plain(value)
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value
