"""Evidence fusion per account (多源证据融合): the meter score weighed against network and registry facts.

The meter tells *how* a site draws power; it cannot tell a mining farm from a data centre or a
continuous-process plant that draws the same flat load. Physics can:

* **Traffic per kW** (``mean_mbps`` from flow records ÷ mean kW from the meter). A mining rig moves a
  few kbit/s of Stratum shares for ~3 kW, so a farm sits near 0.001-0.01 Mbit/s per kW; a data
  centre's traffic grows with its IT load, typically whole Mbit/s per kW. Traffic of data-centre scale
  is strong counter-evidence; an office's traffic at hundreds of kW rules the data-centre explanation out.
  Not weighed where the meter's evidence is a load that runs only in the night valley hours
  (route ``cheap_hours``, :data:`TRAFFIC_SILENT_ROUTES`): servers and an office's IT do not draw power
  only at night, so the site's traffic — a shop's, an office's — neither explains that load nor rules
  rigs out; storage heating carries none and is told apart by the weather (its own counter).
* **Declared use** (registry). A site declared a data centre whose traffic is that of a few rigs is the
  disguised farm of the seed's second report category: strong evidence.
* **Weather** is already in the meter score (``temperature_response``: cooling that follows outdoor
  temperature marks a data centre or a cold store).

Unknown is unknown: a missing input adds nothing in either direction and is listed under
``missing`` in the account's fusion record, never read as innocence.

**Next step** (``next_step``) for a suspect: ``desk_check`` when a working data centre would explain
the meter evidence (a flat 24×7 load, or a large steady base under a daily rhythm, of 30 kW or more),
the registry does not say otherwise (declared a data centre, or use unknown) and the site's traffic is
unknown — the meter alone cannot tell rigs from servers, one request for the site's flow data can, so
that comes before a field visit. Also ``desk_check`` when a working continuous-process plant would
explain it: a flat load of 30 kW or more, declared as production (:data:`PLANT_USES`), over a window
shorter than a year (:data:`OVERHAUL_WINDOW_DAYS`). Such a plant draws as flat a load as rigs; what
tells them apart on the meter is its overhaul stop, about once a year, which a shorter window may not
hold — the plant's registered products and capacity, the annual energy use its energy-saving review
(节能审查) approved and its overhaul records can, from the desk. Otherwise ``field_visit``. Not a
suspect: empty. The score is not changed by either.

The fused score is ``sigmoid(6·tanh(logit(meter score)/6) + Σ parts)``; each part is in log-odds.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from minesweep.policy.codes import SUBJECT_CATEGORIES

METER_LOGIT_CLIP = 6.0
# log10(Mbit/s per kW): from here up the traffic is of office or data-centre scale, not rigs'.
BUSY_TRAFFIC_LOG10 = -1.0
BUSY_TRAFFIC_SCALE = 0.5  # one more step of this size adds BUSY_TRAFFIC_WEIGHT
BUSY_TRAFFIC_WEIGHT = -2.0
BUSY_TRAFFIC_STEPS = 4.0
# Below this (≤ ~0.03 Mbit/s per kW) a site cannot be a working data centre.
QUIET_TRAFFIC_LOG10 = -1.5
DISGUISED_DATA_CENTRE = 3.0
DATA_CENTRE_USES = frozenset(
    {"data_center", "data_centre", "datacenter", "idc", "数据中心", "互联网数据中心"}
)
MIN_FLAT_KW = 30.0  # the declared-use check applies to sites drawing at least this much
# Meter routes whose evidence a working data centre would produce as well: a flat load around the clock,
# or a large steady base under a daily rhythm (servers under the IT wave).
DATA_CENTRE_LIKE_ROUTES = frozenset({"flat_load", "steady_base"})
# Meter routes whose evidence traffic cannot bear on: a night-only load is not what servers or an
# office's IT draw, so a site's traffic neither explains it nor counts against rigs (module text).
TRAFFIC_SILENT_ROUTES = frozenset({"cheap_hours"})
DESK_CHECK, FIELD_VISIT = "desk_check", "field_visit"
# Declared uses of production (the accounts file's words): a continuous-process plant among them draws a
# flat load around the clock, as rigs do.
PLANT_USES = frozenset({"manufacturing", "factory", "industrial", "工业", "工业生产", "制造业"})
# A continuous-process plant stops for its overhaul (检修停车) about once a year; a window of readings
# shorter than this may hold no stop, and without one its flat load cannot be told from rigs'.
OVERHAUL_WINDOW_DAYS = 365
# Why a desk check comes first: the site's flow data (a data centre?) or its production records (a plant?).
FLOWS, PRODUCTION = "flows", "production"


@dataclass(frozen=True)
class FusionInputs:
    """Per account, aligned with the feature table: traffic (NaN = unknown) and declared use ('' = unknown)."""

    mean_mbps: np.ndarray
    declared_use: list[str]

    @classmethod
    def of(cls, account_ids: list[str], meta: pa.Table | None) -> FusionInputs:
        n = len(account_ids)
        if meta is None or meta.num_rows == 0:
            return cls(np.full(n, np.nan), [""] * n)
        keys = meta.column("account_id").to_pylist()
        mbps_of = (
            dict(zip(keys, meta.column("mean_mbps").to_pylist(), strict=True))
            if "mean_mbps" in meta.column_names
            else {}
        )
        use_of = (
            dict(zip(keys, meta.column("declared_use").to_pylist(), strict=True))
            if "declared_use" in meta.column_names
            else {}
        )
        return cls(
            np.array([_number(mbps_of.get(a)) for a in account_ids], dtype=float),
            [str(use_of.get(a) or "").strip().lower() for a in account_ids],
        )


def _number(value: Any) -> float:
    try:
        number = float(value) if value not in (None, "") else np.nan
    except (TypeError, ValueError):
        return np.nan
    return number if np.isfinite(number) and number >= 0 else np.nan


def traffic_per_kw_log10(mean_mbps: np.ndarray, mean_kw: np.ndarray) -> np.ndarray:
    """log10(Mbit/s per kW of mean demand); NaN when either is unknown. Zero traffic counts as 1 kbit/s."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(
            np.isfinite(mean_mbps) & (mean_kw > 0),
            np.log10(np.maximum(mean_mbps, 0.001) / mean_kw),
            np.nan,
        )


def fusion_parts(
    columns: dict[str, np.ndarray], inputs: FusionInputs, silent: np.ndarray
) -> dict[str, np.ndarray]:
    """Log-odds added by each stream (0 where its input is unknown, and traffic 0 where ``silent``: the
    meter's strongest route is one traffic cannot bear on, :func:`traffic_silent`)."""
    mean_kw = np.nan_to_num(columns["mean_kw"])
    ratio = traffic_per_kw_log10(inputs.mean_mbps, mean_kw)
    busy = np.clip((ratio - BUSY_TRAFFIC_LOG10) / BUSY_TRAFFIC_SCALE, 0.0, BUSY_TRAFFIC_STEPS)
    busy = np.where(silent, 0.0, busy)
    declared_dc = np.array([use in DATA_CENTRE_USES for use in inputs.declared_use], dtype=bool)
    quiet = ratio < QUIET_TRAFFIC_LOG10
    return {
        "traffic": np.nan_to_num(BUSY_TRAFFIC_WEIGHT * busy) + 0.0,  # + 0.0: no "-0.0" shown for no effect
        "declared_use": np.where(declared_dc & quiet & (mean_kw >= MIN_FLAT_KW), DISGUISED_DATA_CENTRE, 0.0),
    }


def traffic_silent(route: np.ndarray) -> np.ndarray:
    """Per account: is the meter's strongest route one the site's traffic cannot bear on?"""
    return np.isin(route, list(TRAFFIC_SILENT_ROUTES))


NEXT_STEP_WORDS = {
    DESK_CHECK: (
        "先做案头核查：调取该址的网络流量数据（数据中心的流量随 IT 负荷增长，矿机每台仅数 kbit/s），再定是否现场核查",
        "Desk check first: obtain the site's flow data (a data centre's traffic grows with its IT load, "
        "a rig moves a few kbit/s), then decide on a field visit",
    ),
    FIELD_VISIT: ("建议现场核查", "Worth a field visit"),
}


def next_steps(
    suspect: np.ndarray,
    route: np.ndarray,
    columns: dict[str, np.ndarray],
    inputs: FusionInputs,
    window_days: int = OVERHAUL_WINDOW_DAYS,
) -> tuple[np.ndarray, np.ndarray]:
    """Per account the next step (``desk_check``, ``field_visit`` or '' when not a suspect) and, for a
    desk check, what it is for (:data:`FLOWS` or :data:`PRODUCTION`, else ''); see the module text.
    ``window_days``: the length of the readings' window."""
    large = np.nan_to_num(columns["mean_kw"]) >= MIN_FLAT_KW
    traffic_unknown = ~np.isfinite(inputs.mean_mbps)
    registry_allows = np.array(
        [use in DATA_CENTRE_USES or not use for use in inputs.declared_use], dtype=bool
    )
    like_data_centre = np.isin(route, list(DATA_CENTRE_LIKE_ROUTES)) & large
    flows = suspect & traffic_unknown & registry_allows & like_data_centre
    declared_plant = np.array([use in PLANT_USES for use in inputs.declared_use], dtype=bool)
    production = (
        suspect
        & ~flows
        & declared_plant
        & (route == "flat_load")
        & large
        & (window_days < OVERHAUL_WINDOW_DAYS)
    )
    desk = flows | production
    step = np.where(desk, DESK_CHECK, np.where(suspect, FIELD_VISIT, ""))
    return step, np.where(flows, FLOWS, np.where(production, PRODUCTION, ""))


def next_step_words(step: str, why: str, window_days: int) -> tuple[str, str]:
    """The next step in Chinese and English (a desk check says what to obtain, and why)."""
    if why == PRODUCTION:
        return (
            "先做案头核查：核对该厂登记的产品、产能和节能审查批复的年综合能耗，调取其检修停车记录"
            f"（连续生产装置一般每年检修停车一次，{window_days} 天的数据里没有停车不足以说明是矿机），再定是否现场核查",
            "Desk check first: compare the plant's registered products and capacity and the annual energy use "
            "its energy-saving review approved, and obtain its overhaul shutdown records (a continuous process "
            f"stops for overhaul about once a year: no stop in {window_days} days of readings does not show "
            "rigs), then decide on a field visit",
        )
    return NEXT_STEP_WORDS[step]


def fuse(
    meter_score: np.ndarray,
    columns: dict[str, np.ndarray],
    inputs: FusionInputs,
    has_temperature: bool,
    *,
    threshold: float = 0.5,
    route: np.ndarray | None = None,
    window_days: int = OVERHAUL_WINDOW_DAYS,
) -> tuple[np.ndarray, list[str], np.ndarray, np.ndarray]:
    """Fused scores, one JSON record per account (parts in words, what is missing, the next step), the
    traffic ratio and the next step per account (``route``: the meter's strongest route per account;
    ``window_days``: the length of the readings' window, for :func:`next_steps`)."""
    route = route if route is not None else np.full(len(meter_score), "")
    silent = traffic_silent(route)
    parts = fusion_parts(columns, inputs, silent)
    with np.errstate(divide="ignore"):
        raw = np.log(meter_score) - np.log1p(-meter_score)
    # softly bounded to ±6, so counter-evidence can still move a saturated score and ranks are kept
    logit = METER_LOGIT_CLIP * np.tanh(np.nan_to_num(raw, posinf=50.0, neginf=-50.0) / METER_LOGIT_CLIP)
    fused = 1.0 / (1.0 + np.exp(-(logit + sum(parts.values()))))
    ratio = traffic_per_kw_log10(inputs.mean_mbps, np.nan_to_num(columns["mean_kw"]))
    steps, why = next_steps(fused >= threshold, route, columns, inputs, window_days)
    words = {
        (step, reason): next_step_words(step, reason, window_days)
        for step, reason in set(zip(steps.tolist(), why.tolist(), strict=True))
        if step
    }
    records = [
        json.dumps(
            _record(
                i,
                parts,
                ratio,
                inputs,
                has_temperature,
                str(steps[i]),
                words.get((steps[i], why[i])),
                traffic_counts=not silent[i],
            ),
            ensure_ascii=False,
        )
        for i in range(len(meter_score))
    ]
    return fused, records, ratio, steps


def _record(
    i: int,
    parts: dict[str, np.ndarray],
    ratio: np.ndarray,
    inputs: FusionInputs,
    has_temperature: bool,
    step: str,
    step_words: tuple[str, str] | None,
    *,
    traffic_counts: bool = True,
) -> dict[str, Any]:
    said: list[dict[str, Any]] = []
    missing: list[dict[str, str]] = []
    if np.isfinite(ratio[i]):
        per_kw = 10 ** ratio[i]
        said.append(
            {
                "stream": "network",
                "logit": round(float(parts["traffic"][i]), 2),
                "text": _traffic_words(per_kw, float(inputs.mean_mbps[i]))
                if traffic_counts
                else _night_traffic_words(float(inputs.mean_mbps[i])),
            }
        )
    else:
        missing.append(
            _words(
                "网络流量未知：无法核实是否为数据中心",
                "Network traffic unknown: a data-centre explanation cannot be checked",
            )
        )
    if inputs.declared_use[i]:
        said.append(
            {
                "stream": "registry",
                "logit": round(float(parts["declared_use"][i]), 2),
                "text": _declared_words(inputs.declared_use[i], float(parts["declared_use"][i])),
            }
        )
    else:
        missing.append(_words("登记用途未知", "Declared use unknown"))
    if not has_temperature:
        missing.append(
            _words(
                "未提供气温：无法判断负荷是否随天气变化",
                "No temperature given: response to weather not checked",
            )
        )
    record: dict[str, Any] = {"parts": said, "missing": missing}
    if step and step_words:
        record["next_step"] = {"code": step, **_words(*step_words)}
    return record


def _words(zh: str, en: str) -> dict[str, str]:
    """Both languages side by side in the findings file (the web page shows one, the CLI both)."""
    return {"zh": zh, "en": en}


def _traffic_words(per_kw: float, mbps: float) -> dict[str, str]:
    if per_kw >= 10**BUSY_TRAFFIC_LOG10:
        return _words(
            f"流量 {mbps:.3g} Mbit/s，每千瓦 {per_kw:.3g} Mbit/s：属办公或数据中心量级，不像矿机（每台仅数 kbit/s）",
            f"Traffic {mbps:.3g} Mbit/s, {per_kw:.3g} Mbit/s per kW: office or data-centre scale, "
            "not rigs (a few kbit/s each)",
        )
    return _words(
        f"流量 {mbps:.3g} Mbit/s，每千瓦仅 {per_kw:.3g} Mbit/s：不可能是运行中的数据中心（其流量随 IT 负荷增长）",
        f"Traffic {mbps:.3g} Mbit/s, only {per_kw:.3g} Mbit/s per kW: not a working data centre "
        "(its traffic grows with IT load)",
    )


def _night_traffic_words(mbps: float) -> dict[str, str]:
    return _words(
        f"流量 {mbps:.3g} Mbit/s：仅在夜间谷时段运行的负荷不是服务器或办公网络的用电，流量既不能解释它，也不能排除矿机，不计入评分",
        f"Traffic {mbps:.3g} Mbit/s: a load that runs only in the night valley hours is not what servers or an "
        "office's IT draw; traffic neither explains it nor rules rigs out, and is not counted",
    )


# Names of the declared uses a power company's file carries (``meters detect --accounts-meta``); the web
# app passes the registry's subject category codes, named by the policy code table.
USE_NAMES = {
    "data_center": ("数据中心", "data centre"),
    "data_centre": ("数据中心", "data centre"),
    "datacenter": ("数据中心", "data centre"),
    "idc": ("互联网数据中心", "internet data centre"),
    "household": ("居民生活", "household"),
    "residential": ("居民生活", "household"),
    "commercial": ("商业", "commercial"),
    "office": ("办公", "office"),
    "manufacturing": ("工业生产", "manufacturing"),
    "agriculture": ("农业生产", "agriculture"),
    "heating": ("供暖", "heating"),
    "cold_storage": ("冷库", "cold storage"),
    "hospital": ("医院", "hospital"),
    "warehouse": ("仓储", "warehouse"),
}


def use_names(use: str) -> tuple[str, str]:
    """A declared use in Chinese and English; a value nobody coded (e.g. typed in Chinese) as it is."""
    if use in USE_NAMES:
        return USE_NAMES[use]
    category = SUBJECT_CATEGORIES.get(use)
    return (category.zh, category.en) if category else (use, use)


def _declared_words(use: str, part: float) -> dict[str, str]:
    zh, en = use_names(use)
    if part > 0:
        return _words(
            f"登记用途为{zh}，但流量只有矿机量级",
            f"Declared a {en}, but its traffic is that of rigs",
        )
    return _words(f"登记用途：{zh}", f"Declared use: {en}")
