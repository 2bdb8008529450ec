"""Scores, reasons and estimates for every account (评分、理由与估算).

Input: the per-account feature table from the runners, optional account metadata (``tariff``,
``contract_kva``) and a policy pack (YAML). Output: the findings table of DESIGN §4 — one row per
account with ``score`` in [0, 1], ``suspect``, ``reasons`` (JSON: top contributions with values),
``est_mining_kw``, ``est_rigs``, ``est_mining_kwh``, ``first_seen`` and ``est_basis``, plus the
features (``f_*``) so the output can train a model later.

``score`` is the fused score (meter score weighed against traffic and declared use, see
:mod:`fusion`); ``meter_score`` the meter's alone. ``est_mining_kw`` is the mean power of the mining
load over the hours it ran and ``est_mining_kwh`` = ``est_mining_kw`` × those hours (see
:func:`estimates` for how the mining load is told from the rest). Contracted capacity is reported
(``f_contract_utilisation``) but not scored: how close a site runs to its contract says little about
what it runs.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import yaml

from minesweep.detection.meter.errors import MeterDataError
from minesweep.detection.meter.fusion import FusionInputs, StepTraffic, by_account, fuse
from minesweep.detection.meter.kernels.features import worked_before_onset
from minesweep.detection.meter.rigs import STANDBY_SIZED_KW
from minesweep.detection.meter.timebase import ProfileGrid, date_of_day_number

DEFAULT_PACK = Path(__file__).with_name("weights_default.yaml")
CLIP_SIGMAS = 3.0
TOP_REASONS = 4
AGAINST_REASONS = 2  # the strongest counters shown beside the reasons: why a score is not higher
REPORTED_COLUMNS = (
    "mean_kw",
    "daily_periodicity",  # scored as its every-day part (every_day_periodicity)
    "night_excess_variation",  # no longer scored: the nights off are the persistence's to count
    "fixed_part_of_base",
    "robust_peak_kw",
    "missing_share",
    "implausible_share",
    "recent_base_kw",
    "pre_onset_base_kw",
    "onset_day",
    "kw_before_onset",
    "wave_before_onset_kw",
    "kw_after_onset",
    "night_excess_kw",
    "is_protected_tariff",
    "load_factor",
    "daily_variation",
    "step_up_count",
    "step_down_count",
    "largest_step_up_kw",
    "near_peak_share",
    "contract_utilisation",
    "traffic_per_kw_log10",
    "running_kw",
    "running_hours",
    "running_base_kw",
    "running_base_hours",
    "own_profile_kw",
    "own_profile_off_peak_kw",
    "own_profile_hours",
    "added_flat_share",
    "night_running_kw",
    "night_running_hours",
    "night_first_day",
    "peak_cut_share",
    "offpeak_base_ratio",
    "working_hours_centre",
)
PROTECTED_FLATNESS = (0.4, 0.8)  # load factor from which a protected-tariff load counts as flat


@dataclass(frozen=True)
class FeatureWeight:
    centre: float
    scale: float
    weight: float
    transform: str | None = None
    evidence_only: bool = False
    counter_only: bool = False


@dataclass(frozen=True)
class Route:
    """One line of evidence (e.g. ``flat_load``): a logistic model over some features."""

    bias: float
    features: dict[str, FeatureWeight]
    requires: str | None = None


@dataclass(frozen=True)
class PolicyPack:
    """Scoring weights loaded from YAML (see ``weights_default.yaml`` for the formula)."""

    name: str
    threshold: float
    protected_tariffs: frozenset[str]
    routes: dict[str, Route] = field(default_factory=dict)

    @property
    def feature_names(self) -> list[str]:
        names: dict[str, None] = {}
        for route in self.routes.values():
            names.update(dict.fromkeys(route.features))
        return list(names)


# libyaml's parser with the safe constructors (the same objects as yaml.safe_load, ~10x faster)
SAFE_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_pack(path: Path | None = None) -> PolicyPack:
    """Read a policy pack; raises a bilingual error on a malformed file."""
    source = path or DEFAULT_PACK
    try:
        raw = yaml.load(source.read_text(encoding="utf-8"), Loader=SAFE_YAML_LOADER)
        routes = {
            name: Route(
                bias=float(spec["bias"]),
                features={f: FeatureWeight(**w) for f, w in spec["features"].items()},
                requires=spec.get("requires"),
            )
            for name, spec in raw["routes"].items()
        }
        return PolicyPack(
            name=str(raw.get("name", source.stem)),
            threshold=float(raw.get("threshold", 0.5)),
            protected_tariffs=frozenset(str(t).lower() for t in raw.get("protected_tariffs", [])),
            routes=routes,
        )
    except (OSError, KeyError, TypeError, AttributeError, yaml.YAMLError) as error:
        raise MeterDataError(
            "pack_invalid",
            f"评分权重文件无效：{source}（{error}）",
            f"Invalid scoring pack: {source} ({error})",
        ) from error


def add_meta_features(features: pa.Table, meta: pa.Table | None, pack: PolicyPack) -> dict[str, np.ndarray]:
    """Feature arrays including those that need account metadata (NaN where metadata is missing).

    ``contract_utilisation`` = robust peak kW / contracted kVA (kVA counted as kW, DOMAIN §3);
    ``protected_tariff_flat`` in [0, 1] = flatness of a load billed on a protected tariff, else 0;
    ``net_up_steps`` = upward minus downward steps, at least 0; ``every_day_periodicity`` is the daily
    periodicity of the rhythm that does not stop on rest days (:func:`every_day_periodicity`);
    ``fixed_floor_share`` is scaled down
    where the fixed floor is less than ``MIN_FIXED_FLOOR_KW`` (:func:`rig_scale_fixed_floor`).
    """
    columns = {
        name: features.column(name).to_numpy(zero_copy_only=False).astype(float)
        for name in features.column_names
        if name not in ("account_id", "steps")
    }
    n = features.num_rows
    tariff, contract = _meta_for(features.column("account_id"), meta)
    with np.errstate(invalid="ignore", divide="ignore"):
        columns["contract_utilisation"] = np.where(contract > 0, columns["robust_peak_kw"] / contract, np.nan)
    protected = (
        np.array([t.lower() in pack.protected_tariffs for t in tariff], dtype=bool)
        if n
        else np.zeros(0, bool)
    )
    low, high = PROTECTED_FLATNESS
    flatness = np.clip((np.nan_to_num(columns["load_factor"]) - low) / (high - low), 0.0, 1.0)
    columns["protected_tariff_flat"] = np.where(protected, flatness, 0.0)
    columns["net_up_steps"] = np.clip(columns["step_up_count"] - columns["step_down_count"], 0, None)
    columns["is_protected_tariff"] = protected.astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        columns["night_excess_share"] = columns["night_excess_kw"] / columns["robust_peak_kw"]
    if "working_day_rhythm_share" in columns:
        columns["every_day_periodicity"] = every_day_periodicity(
            columns["daily_periodicity"], columns["working_day_rhythm_share"], columns["profile_amplitude"]
        )
    if "fixed_floor_share" in columns:
        columns["fixed_floor_share"] = rig_scale_fixed_floor(columns["fixed_floor_share"], columns["mean_kw"])
    return columns


def every_day_periodicity(
    periodicity: np.ndarray, working_day_share: np.ndarray, amplitude: np.ndarray
) -> np.ndarray:
    """The daily periodicity of the rhythm that runs every day, where the rhythm is a small part of the
    demand: ``daily_periodicity`` × (1 − ``working_day_rhythm_share`` × the people-beside weight), the
    weight 1 where the daily profile's swing (``profile_amplitude``, over the mean demand) is at most
    ``PEOPLE_BESIDE_FULL_AMPLITUDE`` and 0 from ``PEOPLE_BESIDE_NO_AMPLITUDE`` on; the periodicity
    itself where the share or the swing is unknown (daily readings, no calendar).

    A rhythm that runs every day — servers' users, a process's shifts — is what a flat load has and
    rigs have not; a rhythm that stops on rest days, on top of a load that is flat, is people beside
    the load (an office on the farm's meter), which ``working_day_rhythm_share`` counts for rigs.
    Counting the whole periodicity against and its working-day part for held such a farm under the
    line twice over: its periodicity is high because rigs are flat, not because they move. Where the
    working day's swing is most of the demand (an office: 1.0-1.7 on the tune family, farms with an
    office 0.04-0.18), the people are the load and the whole periodicity counts.
    """
    share = np.nan_to_num(working_day_share, nan=0.0)
    span = PEOPLE_BESIDE_NO_AMPLITUDE - PEOPLE_BESIDE_FULL_AMPLITUDE
    beside = np.clip((PEOPLE_BESIDE_NO_AMPLITUDE - np.nan_to_num(amplitude, nan=np.inf)) / span, 0.0, 1.0)
    return periodicity * (1.0 - share * beside)


PEOPLE_BESIDE_FULL_AMPLITUDE = 0.25  # a daily swing under a quarter of the mean demand: people beside a load
PEOPLE_BESIDE_NO_AMPLITUDE = 0.5  # from half the mean demand on, the people are the load


MIN_FIXED_FLOOR_KW = STANDBY_SIZED_KW  # about three rigs: a smaller fixed floor is a fridge and standby


def rig_scale_fixed_floor(share: np.ndarray, mean_kw: np.ndarray) -> np.ndarray:
    """The fixed-floor share, scaled down where the fixed floor (share × mean kW) is smaller than
    ``MIN_FIXED_FLOOR_KW``: a household's standby also stays put whatever it does, but it is not rigs."""
    with np.errstate(invalid="ignore"):
        return share * np.clip(share * mean_kw / MIN_FIXED_FLOOR_KW, 0.0, 1.0)


def _meta_for(account_ids: pa.ChunkedArray, meta: pa.Table | None) -> tuple[list[str], np.ndarray]:
    ids = account_ids.to_pylist()
    if meta is None or meta.num_rows == 0:
        return [""] * len(ids), np.full(len(ids), np.nan)
    lookup_tariff, lookup_contract = by_account(meta, "tariff"), by_account(meta, "contract_kva")
    tariffs = [str(lookup_tariff.get(a) or "") for a in ids]
    contracts = np.array([_to_float(lookup_contract.get(a)) for a in ids], dtype=float)
    return tariffs, contracts


def _to_float(value: Any) -> float:
    try:
        return float(value) if value not in (None, "") else np.nan
    except (TypeError, ValueError):
        return np.nan


def _transform(values: np.ndarray, transform: str | None) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        if transform == "neg_abs_log":
            return -np.abs(np.log(np.where(values > 0, values, np.nan)))
        if transform == "log":
            return np.log(np.where(values > 0, values, np.nan))
    if transform is not None:
        raise MeterDataError("pack_transform", f"未知变换：{transform}", f"Unknown transform: {transform}")
    return values


def route_contributions(columns: dict[str, np.ndarray], route: Route) -> dict[str, np.ndarray]:
    """Per-feature additive contributions to one route's logit (0 where the feature is missing)."""
    out: dict[str, np.ndarray] = {}
    for name, spec in route.features.items():
        values = _transform(columns[name], spec.transform)
        standard = np.clip((values - spec.centre) / spec.scale, -CLIP_SIGMAS, CLIP_SIGMAS)
        contribution = np.nan_to_num(spec.weight * standard, nan=0.0)
        if spec.evidence_only:
            contribution = np.maximum(contribution, 0.0)
        if spec.counter_only:
            contribution = np.minimum(contribution, 0.0)
        out[name] = contribution
    return out


def pack_scores(
    columns: dict[str, np.ndarray], pack: PolicyPack
) -> tuple[np.ndarray, np.ndarray, list[dict[str, np.ndarray]]]:
    """Scores in [0, 1] (the strongest route), the index of that route, and each route's contributions.

    A route with ``requires: <column>`` scores 0 for accounts where that column is not positive.
    Contributions are multiplied by coverage (1 − missing share), so sparse data moves a score less.
    (Full weight from four readings in five present was tried: recall at ``suspect`` rose with 5 % of
    readings missing, but precision fell on tune and on the eval quarter, 0.751 → 0.741; not kept,
    bench/README.md, messy readings.)
    """
    coverage = 1.0 - np.nan_to_num(columns["missing_share"], nan=1.0)
    route_scores, route_parts = [], []
    for route in pack.routes.values():
        parts = {name: coverage * part for name, part in route_contributions(columns, route).items()}
        logit = route.bias + sum(parts.values())
        applies = columns[route.requires] > 0 if route.requires else np.ones(len(coverage), dtype=bool)
        route_scores.append(np.where(applies, 1.0 / (1.0 + np.exp(-logit)), 0.0))
        route_parts.append(parts)
    stacked = np.vstack(route_scores)
    best = np.argmax(stacked, axis=0)
    return stacked.max(axis=0), best, route_parts


FLAT_FOR_RUNNING_MEAN = 0.7  # load factor from which the new load is measured slot by slot


#: every ``est_basis`` :func:`estimates` can give (the evidence page names each in both languages)
ESTIMATE_BASES = ("running", "whole_load", "added_load", "onset", "base_load", "fixed_floor", "night_excess")
#: the bases without an onset: the whole load or the whole base, which :func:`without_the_sites_floor` narrows
WITHOUT_ONSET_BASES = ("whole_load", "base_load")
#: the bases whose kW counts whatever else the meter carries with the rigs: upper bounds
UPPER_BOUND_BASES = frozenset({*WITHOUT_ONSET_BASES, "fixed_floor"})


def added_to_working_load(
    columns: dict[str, np.ndarray], rigs_added_to_servers: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Accounts whose new load came on top of servers, and that load's kW.

    ``running`` measures the new load above the *lowest* level before the onset. That is right when
    what ran before was steady (a farm's first batches, a host's standby), and wrong when it was a
    working data centre with its own daily wave and weather-driven cooling: the wave and the cooling
    swing above that lowest level continue after the onset and were counted as mining (rigs hidden in a
    data centre: median +52 % on the tune quarter, +88 % on the tune year). Where the traffic shows that
    the earlier load was servers and the added one brought no traffic
    (:meth:`~minesweep.detection.meter.fusion.StepTraffic.rigs_added_to_servers`), the added load is the
    mean daily kW over the four weeks after the onset minus the four weeks before
    (``kw_after_onset − kw_before_onset``): the site's own wave and cooling are on both sides and
    cancel. What remains is the added load as the meter sees it, the cooling the rigs need included
    (their electricity use), and, as the hours the rigs were off cannot be told from the site's own
    rhythm, the mean over every hour since the onset. Only where the site already drew at least as much
    as was added (its lowest level before the onset ≥ the step): the error of ``running`` is the earlier
    load's own swing, which matters where that load is large beside the rigs; and a farm whose only
    earlier load is an office sharing its meter (whose traffic per kW is as busy as servers') keeps
    ``running``, which leaves its outages out of the mean.

    From the meter alone the earlier load cannot be told to be servers: a first version that took a
    daily rhythm and an earlier load larger than the step as the sign moved farms whose earlier batches
    of rigs shared the meter with an office (its rhythm) onto this measure, where those batches were
    lost (a 600-account tune simulation: two of two stepped farms, −60 % and −63 %).
    """
    step = np.nan_to_num(columns["kw_after_onset"] - columns["kw_before_onset"], nan=0.0)
    lowest_before = np.nan_to_num(columns["pre_onset_base_kw"], nan=0.0)
    chosen = rigs_added_to_servers & (columns["onset_day"] >= 0) & (step > 0) & (lowest_before >= step)
    return chosen, np.where(chosen, step, 0.0)


def added_to_a_working_load(columns: dict[str, np.ndarray]) -> np.ndarray:
    """Flat-looking loads whose new load came on top of the site's own working load: measured by the
    daily base (``running_base_kw``, basis ``onset``), not slot by slot (``running_kw``).

    ``running`` counts, in every slot where the new load ran, the demand above the *lowest* level
    before the onset. Where the site worked before the rigs came (a shop, a workshop, a farm's barns),
    its own daily wave above that lowest level goes on after the onset and is counted as mining: the
    bias is about the wave ÷ the step, where the wave is the median, over the four weeks before the
    onset, of the day's mean kW above its base (``wave_before_onset_kw``) — a rhythm within the day,
    which earlier batches of rigs, flat as the rest, do not have (a median, so that the day or two of a
    ramp before the onset do not count as a wave). Rigs add the same power to every slot, the site's
    quietest one included, so the daily base above the base before the onset measures them without the
    wave. On the BDEW standard load profiles with rigs added part-way through the year
    (bench/bdew_bench.py, classic profiles), the slot-by-slot measure was off by a median 13.8 % on the
    loads it measured, the base by 1.5 %. Chosen where that bias would exceed the kW tolerance
    (:func:`~minesweep.detection.meter.kernels.features.worked_before_onset`); a farm whose earlier load was its own flat batches of rigs, or
    nothing, keeps ``running``, which leaves outages and peak-hour cuts out. Rigs cut in the peak-tariff
    hours under a working load are measured with their cuts (:func:`with_peak_hour_cuts`); a first
    version sent loads cut by more than 10 % in the peak hours back to ``running`` instead (chosen on the
    simulator's eval year, where two curtailing farms sharing their meter with an office were measured
    +17 % and +26 % by the base alone), which the cuts' share made unneeded.
    """
    return worked_before_onset(columns) & np.isfinite(columns["running_base_kw"])


def with_peak_hour_cuts(columns: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """(kW, hours) of a load added under a working one: its daily base above the base before the onset
    (``running_base_kw``: the rigs' full power, the site's wave left out), times the share of that power
    it drew over the hours it ran — the mean excess above the site's own hour-by-hour load over the
    slots it ran, against the same over the off-peak slots (``own_profile_kw`` /
    ``own_profile_off_peak_kw``, :func:`~minesweep.detection.meter.kernels.features.above_own_profile`),
    at most one: rigs cut part-way in the peak-tariff hours drew less there, and a ratio above one is
    the site's own drift, not the rigs'. Hours: the slots it ran, where measured, else the days' hours.

    The base alone counts the rigs at full power in hours they were cut to part of it: on the BDEW
    profiles with tariff-following rigs (``bdew_bench.py --rigs tariff``, classic profiles) it was off by
    a median 10.8 %, this by 3.1 %; with rigs that run flat the two agree (1.7 and 1.8 %).
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        share = columns["own_profile_kw"] / columns["own_profile_off_peak_kw"]
    share = np.where(np.isfinite(share), np.clip(share, 0.0, 1.0), 1.0)
    measured = np.nan_to_num(columns["own_profile_hours"]) > 0
    return (
        np.nan_to_num(columns["running_base_kw"]) * share,
        np.where(measured, columns["own_profile_hours"], columns["running_base_hours"]),
    )


def without_the_sites_floor(
    columns: dict[str, np.ndarray], basis: np.ndarray, base_kw: np.ndarray, mining_kw: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(which, kW): loads without an onset (``base_load``, ``whole_load``) measured by the part of their
    daily base that does not rise and fall with the site's own work over the window
    (``fixed_part_of_base``, :func:`~minesweep.detection.meter.kernels.shape.fixed_part_of_base`), where
    that is known and less than the figure it replaces.

    Both figures were upper bounds by the site's own load: the whole base holds the site's floor, the
    whole load its floor and its work. On the BDEW profiles with rigs there from the first reading
    (``bdew_bench.py``, classic profiles, 1 % noise) the figures it replaces were off by a median 46 %
    on the 79 loads it narrows, the fixed part by 19 %, none of them below the rigs' power; on the
    simulator's tune year one of six rigs under a factory came out 11 % under (bench/README.md, "The
    part of the base that stays put").
    """
    part = columns["fixed_part_of_base"]
    kw = np.nan_to_num(base_kw) * part
    without_onset = np.isin(basis, WITHOUT_ONSET_BASES)
    with np.errstate(invalid="ignore"):
        narrowed = without_onset & np.isfinite(part) & (kw < mining_kw)
    return narrowed, np.where(narrowed, kw, mining_kw)


def _night_running(columns: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """(kW, hours) of a night load over the night slots where it ran
    (:func:`~minesweep.detection.meter.kernels.shape.night_running`); accounts it does not measure (a
    night level under 5 % of the mean demand) get the 00:00-06:00 night excess over six hours a night
    since first seen."""
    level = np.clip(np.nan_to_num(columns["night_excess_kw"]), 0.0, None)
    assumed = columns["hours_since_first_seen"] * 6.0 / 24.0
    measured = np.isfinite(columns["night_running_kw"])
    return (
        np.where(measured, np.nan_to_num(columns["night_running_kw"]), level),
        np.where(measured, columns["night_running_hours"], assumed),
    )


def estimates(
    columns: dict[str, np.ndarray],
    rig_kw: float,
    grid: ProfileGrid,
    route: np.ndarray,
    rigs_added_to_servers: np.ndarray,
) -> dict[str, Any]:
    """``est_mining_kw``, ``est_rigs``, ``est_mining_kwh``, ``first_seen`` and ``est_basis`` per account.

    Definition: ``est_mining_kw`` is the mean power of the mining load over the hours it ran, and
    ``est_mining_kwh`` = ``est_mining_kw`` × hours it ran. How the mining load is told from the rest:

    * ``running`` (a flat load, load factor ≥ 0.7 since first seen): demand above the level before the
      onset, averaged over the slots where it ran — outages and peak-hour cuts count neither in the mean
      nor in the hours — unless the site worked before the onset with a daily wave of its own (over 5 %
      of the step, :func:`added_to_a_working_load`), which this measure would count as mining: such a
      load is measured as ``onset``;
    * ``whole_load``: the same without an onset in the window: the whole load on the meter where it
      ran — the rigs' own power if they have the meter to themselves, an upper bound where anything
      else shares it (rigs in a data centre installed before the readings began: 4.4 times their
      power in the eval quarter). Named apart so that the page says which;
    * ``added_load`` (a flat load whose traffic shows it came on top of servers — rigs installed in a
      running data centre): the mean daily kW over the four weeks after the onset minus the four weeks
      before (:func:`added_to_working_load`), over the hours since the onset;
    * ``onset``: under a working load (a factory's shifts, a shop's opening hours) the daily base above
      the base before the onset, averaged over the days since on which it ran
      (:func:`~minesweep.detection.meter.kernels.features.running_base`; it was the median base of the
      last four weeks: a load that ran at another level before, or paused late, was measured by its end),
      times the share of it drawn over the hours it ran where the site's own hour-by-hour load before
      the onset is known (:func:`with_peak_hour_cuts`: rigs cut part-way in the peak-tariff hours), and
      the hours it ran (else those days' hours);
    * ``base_load``: no onset under a working load: the whole daily base, the same way, an upper bound;
    * ``fixed_floor``: ``base_load`` or ``whole_load`` narrowed to the part of the daily base that does
      not rise and fall with the site's own work over the window (:func:`without_the_sites_floor`):
      still an upper bound, by the site's constant standby;
    * ``night_excess``: the cheap-hours route: the night load above the day's base over the night slots
      where it ran, and their hours (it was the 00:00-06:00 excess over six hours a night since first
      seen: a load on a 23:00-07:00 valley tariff runs eight, and nights before it began counted).
    """
    onset = columns["onset_day"] >= 0
    base_kw, base_hours = with_peak_hour_cuts(columns)  # the base alone where no onset is measured
    running_kw = columns["running_kw"]
    flat = (
        (np.nan_to_num(columns["load_factor"]) >= FLAT_FOR_RUNNING_MEAN) | (route == "peak_cut")
    ) & np.isfinite(running_kw)
    night = route == "cheap_hours"
    added, added_kw = added_to_working_load(columns, rigs_added_to_servers)
    added &= flat
    flat &= added | ~added_to_a_working_load(columns)  # the rest measured by its base
    mining_kw = np.where(flat, np.nan_to_num(running_kw), base_kw)
    mining_kw = np.where(added, added_kw, mining_kw)
    night_kw, night_hours = _night_running(columns)
    mining_kw = np.where(night, night_kw, mining_kw)
    hours = np.where(flat, columns["running_hours"], base_hours)
    hours = np.where(added, columns["hours_since_first_seen"], hours)
    hours = np.where(night, night_hours, hours)
    night_first = columns["night_first_day"]  # a night load is first seen on the first night it ran
    first_seen_day = np.where(night & (night_first >= 0), night_first, columns["first_seen_day"])
    first_seen = [
        date_of_day_number(grid.start_day + int(d)).isoformat() if d >= 0 else None for d in first_seen_day
    ]
    basis = np.where(night, "night_excess", np.where(flat, "running", np.where(onset, "onset", "base_load")))
    basis = np.where(added & ~night, "added_load", basis)
    basis = np.where((basis == "running") & ~onset, "whole_load", basis)
    narrowed, narrowed_kw = without_the_sites_floor(columns, basis, base_kw, mining_kw)
    mining_kw = np.where(narrowed, narrowed_kw, mining_kw)
    hours = np.where(narrowed, base_hours, hours)
    basis = np.where(narrowed, "fixed_floor", basis)
    shown_kw = np.round(mining_kw, 1)  # rigs from the kW as shown, so the two published figures agree
    return {
        "est_mining_kw": shown_kw,
        "est_rigs": np.round(shown_kw / rig_kw).astype(np.int64),
        "est_mining_kwh": np.round(mining_kw * hours, 0),
        "est_mining_hours": np.round(hours, 1),
        "first_seen": first_seen,
        "est_basis": basis.tolist(),
    }


def reasons_json(
    columns: dict[str, np.ndarray],
    route_names: list[str],
    best: np.ndarray,
    route_parts: list[dict[str, np.ndarray]],
    steps: list[str],
    rig_kw: float,
    grid: ProfileGrid,
) -> list[str]:
    """Per account: the strongest route, its top positive contributions with the feature values, its
    strongest counters ("against": what held the score down, most negative first — an analyst reading a
    low score sees why, e.g. a night load that changes from night to night), and the detected steps with
    their size in rigs of the chosen model.

    The ranking is done per route with numpy; the loop only assembles each account's small JSON.
    """
    (top_names, top_parts), (against_names, against_parts) = _top_contributions(route_parts, best)
    dates = [date_of_day_number(grid.start_day + d).isoformat() for d in range(grid.n_days)]
    reasons = []
    for row in range(len(best)):
        top = _parts_json(columns, row, top_names[row], top_parts[row], keep=lambda part: part > 0)
        against = _parts_json(
            columns, row, against_names[row], against_parts[row], keep=lambda part: part < 0
        )
        step_list = [
            {"date": dates[int(d)], "kw": kw, "rigs": round(kw / rig_kw)}  # whole machines
            for d, kw in (json.loads(steps[row]) if steps[row] and steps[row] != "[]" else [])[:10]
        ]
        reasons.append(
            json.dumps(
                {"route": route_names[int(best[row])], "top": top, "against": against, "steps": step_list},
                ensure_ascii=False,
            )
        )
    return reasons


def _parts_json(
    columns: dict[str, np.ndarray],
    row: int,
    names: list[str],
    parts: list[float],
    keep: Callable[[float], bool],
) -> list[dict[str, Any]]:
    """One account's ranked contributions as the reasons show them: feature, its value, its contribution."""
    return [
        {"feature": name, "value": _rounded(columns[name][row]), "contribution": round(part, 3)}
        for name, part in zip(names, parts, strict=True)
        if keep(part)
    ]


Ranked = tuple[list[list[str]], list[list[float]]]


def _top_contributions(route_parts: list[dict[str, np.ndarray]], best: np.ndarray) -> tuple[Ranked, Ranked]:
    """Per account, the names and values of the ``TOP_REASONS`` largest contributions of its best route,
    largest first (ties in the route's feature order), and of its ``AGAINST_REASONS`` smallest, smallest
    first — from one stack of the route's contributions."""
    top: Ranked = ([[] for _ in range(len(best))], [[] for _ in range(len(best))])
    against: Ranked = ([[] for _ in range(len(best))], [[] for _ in range(len(best))])
    for route, parts in enumerate(route_parts):
        rows = np.nonzero(best == route)[0]
        if not len(rows) or not parts:
            continue
        feature_names = list(parts)
        matrix = np.stack([parts[name][rows] for name in feature_names])  # (features, rows)
        for (names, values), order in (
            (top, np.argsort(-matrix, axis=0, kind="stable")[:TOP_REASONS]),
            (against, np.argsort(matrix, axis=0, kind="stable")[:AGAINST_REASONS]),
        ):
            ranked = np.take_along_axis(matrix, order, axis=0)
            for column, row in enumerate(rows.tolist()):
                names[row] = [feature_names[i] for i in order[:, column]]
                values[row] = ranked[:, column].tolist()
    return top, against


def _rounded(value: float) -> float | None:
    return None if not np.isfinite(value) else round(float(value), 4)


def score_table(
    features: pa.Table,
    grid: ProfileGrid,
    *,
    meta: pa.Table | None = None,
    pack: PolicyPack | None = None,
    rig_kw: float = 3.25,
    model: Any | None = None,
    has_temperature: bool = False,
    traffic: pa.Table | None = None,
) -> pa.Table:
    """The findings table: meter scores from the pack (or from ``model`` when given) fused with the
    network and registry evidence in ``meta`` and the traffic over periods in ``traffic``
    (:func:`~minesweep.detection.meter.sources.read_traffic_periods`; :mod:`fusion`), reasons and estimates."""
    pack = pack or load_pack()
    columns = add_meta_features(features, meta, pack)
    score, best, route_parts = pack_scores(columns, pack)
    route_names = list(pack.routes)
    if model is not None:
        from minesweep.detection.meter.model import model_scores

        score, model_parts = model_scores(model, columns)
        route_names, best, route_parts = ["model"], np.zeros(len(score), dtype=np.int64), [model_parts]
    steps = (
        features.column("steps").to_pylist() if "steps" in features.column_names else [""] * features.num_rows
    )
    route = np.array(route_names)[best] if len(best) else np.array([])
    inputs = FusionInputs.of(features.column("account_id").to_pylist(), meta, traffic)
    onset = StepTraffic.of(columns, inputs)
    found = estimates(columns, rig_kw, grid, route, onset.rigs_added_to_servers())
    fused, fusion_records, traffic_ratio, next_step = fuse(
        score,
        columns,
        inputs,
        has_temperature,
        threshold=pack.threshold,
        route=route,
        window_days=grid.n_days,
        onset=onset,
        mining_kw=found["est_mining_kw"],
    )
    columns["traffic_per_kw_log10"] = traffic_ratio
    out: dict[str, Any] = {
        "account_id": features.column("account_id"),
        "score": np.round(fused, 6),
        "suspect": fused >= pack.threshold,
        **{k: v for k, v in found.items() if k not in ("est_basis", "est_mining_hours")},
        "reasons": reasons_json(columns, route_names, best, route_parts, steps, rig_kw, grid),
        "est_basis": found["est_basis"],
        "est_mining_hours": found["est_mining_hours"],
        "meter_score": np.round(score, 6),
        "fusion": fusion_records,
        "declared_use": inputs.declared_use,
        "mean_mbps": inputs.mean_mbps,
        "next_step": next_step.tolist(),
    }
    for name in [*pack.feature_names, *REPORTED_COLUMNS]:
        if name in columns and f"f_{name}" not in out:
            out[f"f_{name}"] = np.round(columns[name], 6)
    return pa.table(out)
