"""Production energy balance (生产用电平衡): does a plant's production explain what its meter read?

A continuous-process plant and a mining farm can draw the same flat, rhythm-less load; nothing in the
readings parts them (issue 13: the weak kind). What parts them is at the desk: the electricity the
plant's own production needed. Output comes from its production records or statistical returns
(统计报表, kept under 《中华人民共和国统计法》); the electricity per unit of output from its energy
use report (重点用能单位 report the year's energy use and efficiency to the energy-saving department,
《中华人民共和国节约能源法》第五十三条) or the energy-saving review of its project (节能审查,
第十五条). The balance is an analyst's desk check, not an administrative act: it decides only whether
a field visit is proposed, and the figures and their source go into the file.

Pure arithmetic here; the record, its audit event and the page are in ``detection.services``.

* **Metered energy** is what the readings hold inside the period (Beijing days, ``[start, end)``), with
  the share of the period's time they cover. Below :data:`MIN_COVERAGE` the balance is refused: a gap
  can hold the very load in question, and filling it with an average would invent energy either way.
* **Explained energy** = output × electricity per unit + other documented use (offices, auxiliaries).
* **Verdict** against :data:`TOLERANCE` of the metered energy (a policy setting, shown on the page):
  ``explained`` when the two agree; ``unexplained`` when the meter read more — the difference, as mean kW
  over the period, is what a field visit should look for; ``records_exceed`` when the records claim more
  than the meter read — another supply (a captive plant, a second account) or records to ask again:
  not conclusive either way.

The tolerance is a choice, not a measured constant: electricity per unit of output moves with the product
mix, the ore or the load factor by a few per cent from month to month, and the meters of large industrial
accounts are accurate to a fraction of a per cent (DL/T 448), so a gap of more than a tenth of the
metered energy is not the records' noise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

TOLERANCE = 0.10
MIN_COVERAGE = 0.95

EXPLAINED, UNEXPLAINED, RECORDS_EXCEED = "explained", "unexplained", "records_exceed"
VERDICTS = (EXPLAINED, UNEXPLAINED, RECORDS_EXCEED)


@dataclass(frozen=True)
class MeteredEnergy:
    """Energy the readings hold in a period, and the share of the period's time they cover."""

    kwh: float
    hours: float
    coverage: float


@dataclass(frozen=True)
class EnergyBalance:
    metered_kwh: float
    explained_kwh: float
    hours: float
    verdict: str

    @property
    def difference_kwh(self) -> float:
        """Metered minus explained (negative when the records claim more than the meter read)."""
        return self.metered_kwh - self.explained_kwh

    @property
    def difference_share(self) -> float:
        return self.difference_kwh / self.metered_kwh if self.metered_kwh > 0 else 0.0

    @property
    def unexplained_kw(self) -> float:
        """Mean power over the period that production does not explain (0 unless ``unexplained``)."""
        return max(self.difference_kwh, 0.0) / self.hours if self.verdict == UNEXPLAINED else 0.0


def metered_energy(
    ts_utc_s: np.ndarray, kwh: np.ndarray, interval_s: int, start_s: int, end_s: int
) -> MeteredEnergy:
    """kWh of the readings that start inside ``[start_s, end_s)`` (UTC seconds) and their coverage."""
    if end_s <= start_s:
        raise ValueError("empty period")
    inside = (ts_utc_s >= start_s) & (ts_utc_s < end_s)
    values = kwh[inside]
    read = values[np.isfinite(values)]
    hours = (end_s - start_s) / 3600.0
    return MeteredEnergy(float(read.sum()), hours, len(read) * interval_s / (end_s - start_s))


def energy_balance(
    metered: MeteredEnergy,
    output: float,
    kwh_per_unit: float,
    other_kwh: float = 0.0,
    tolerance: float = TOLERANCE,
) -> EnergyBalance:
    """The balance of ``metered`` against production (see the module text). Inputs must be finite and
    not negative; the caller refuses a period its readings do not cover (:data:`MIN_COVERAGE`)."""
    for value in (output, kwh_per_unit, other_kwh):
        if not math.isfinite(value) or value < 0:
            raise ValueError("inputs must be finite and not negative")
    explained = output * kwh_per_unit + other_kwh
    gap = metered.kwh - explained
    allowed = tolerance * metered.kwh
    if gap > allowed:
        verdict = UNEXPLAINED
    elif -gap > allowed:
        verdict = RECORDS_EXCEED
    else:
        verdict = EXPLAINED
    return EnergyBalance(metered.kwh, explained, metered.hours, verdict)


DESK_CLEARED = "desk_cleared"


def next_step_after(
    verdict: str, difference_share: float, difference_kw: float, rigs: int
) -> tuple[str, str, str]:
    """(code, zh, en) of what follows a balance: ``desk_cleared`` (no field visit proposed on the meter
    finding), ``field_visit`` (look for the ``difference_kw`` production does not explain, about ``rigs``
    rigs) or ``desk_check`` (records to ask again). ``difference_kw`` is metered minus explained energy as
    mean kW over the period.

    A difference within the tolerance is still power: in a plant of 50 MW a tenth is 5 MW, room for
    1,500 rigs. The cleared text says how many kW it is, and that a step in the load (the evidence page's
    detected steps) is checked on its own."""
    percent = f"{abs(difference_share) * 100:.1f}%"
    kw = f"{abs(difference_kw):,.0f}"
    if verdict == EXPLAINED:
        return (
            DESK_CLEARED,
            f"案头核查：生产记录可解释表计电量（相差 {percent}，平均约 {kw} kW，在容差内），据本项用电数据不建议现场核查；"
            "核查记录归档备查。容差内的差额仍可容下同等功率的矿机，负荷出现阶跃的应另行核实",
            f"Desk check: production explains the metered energy (a {percent} difference, about {kw} kW on "
            "average, within the tolerance); no field visit is proposed on this meter finding; the record stays "
            "on file. A difference within the tolerance could still hold rigs of that power: a step in the load "
            "is to be checked on its own",
        )
    if verdict == UNEXPLAINED:
        return (
            "field_visit",
            f"案头核查：表计电量比生产所需多 {percent}，平均约 {kw} kW（约 {rigs} 台矿机）无法由生产解释，建议现场核查",
            f"Desk check: the meter read {percent} more than production needed; about {kw} kW on average "
            f"(about {rigs} rigs) is not explained by production: worth a field visit",
        )
    return (
        "desk_check",
        f"案头核查：生产记录所需电量比表计多 {percent}，核实是否另有电源（自备电厂、其他户号）或重新调取记录，结论待定",
        f"Desk check: the records need {percent} more electricity than the meter read; check for another "
        "supply (a captive plant, a second account) or ask for the records again: not conclusive",
    )
