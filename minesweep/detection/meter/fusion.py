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
* **Traffic across a step** (``--traffic``: the site's traffic over periods, e.g. weekly byte totals).
  Where the meter finds an onset (a sudden, lasting rise of the load), the traffic of the four weeks
  before it is set beside that of the four weeks from it, as the load is
  (:func:`~minesweep.detection.meter.kernels.features.level_around`). New servers bring traffic in
  proportion to their power; rigs bring none. If the load rose by a tenth or more and the traffic rose by
  less than half as much in proportion (:data:`STEP_TRAFFIC_SHARE`: at most half of the added kW can be
  IT load of the kind the site ran before), the site's traffic explains its old load, not the new one: the
  traffic counter above is not counted, and a site declared a data centre counts as a disguised farm (next
  point). If the traffic rose with the load, it is said so and the counter stands.
* **Declared use** (registry). A site declared a data centre whose traffic is that of a few rigs is the
  disguised farm of the seed's second report category: strong evidence. So is one declared a data centre
  whose load rose at an onset without its traffic (previous point): rigs added to a working data centre.
  A flat load (route ``flat_load``, 30 kW or more) declared as production is what a continuous-process
  plant's registry says, and a farm's only when it took a factory for its cover: weak counter-evidence
  (:data:`DECLARED_PRODUCTION`, log-odds −0.7, a likelihood ratio of 2 set by that reasoning). The mirror
  of it: a flat load of 30 kW or more on a site declared for a use whose load follows people's hours — a
  shop, an office, a warehouse, a household (:data:`HOURS_FOLLOWING_USES`) — is declared use against
  behaviour: such a site's load rises with its opening hours and falls at night and on rest days, and one
  that runs flat around the clock is not drawing what it was registered for. Weak evidence for rigs
  (:data:`FLAT_AGAINST_DECLARED_USE`, +0.7, the same likelihood ratio of 2): a registered use can be out of
  date (a site re-let) and such a site may hold a server room or refrigeration.
* **Weather** is already in the meter score (``temperature_response``: cooling that follows outdoor
  temperature marks a data centre or a cold store).

Unknown is unknown: a missing input adds nothing in either direction and is listed under
``missing`` in the account's fusion record, never read as innocence.

**Next step** (``next_step``) for a suspect: ``desk_check`` when a working data centre would explain
the meter evidence (a flat 24×7 load, or a large steady base under a daily rhythm, of 30 kW or more),
the registry does not say otherwise (declared a data centre, or use unknown) and the site's traffic is
unknown — the meter alone cannot tell rigs from servers, one request for the site's flow data can, so
that comes before a field visit. Also ``desk_check`` when a working continuous-process plant would
explain it: a flat load of 30 kW or more declared as production (:data:`PLANT_USES`), or one whose use the
registry does not record at all, its traffic known (:data:`HOLDER`: rig-scale traffic rules servers out but
not a plant, so who holds the account, and what it produces, is the question; a farm without a registered
use is found by that same lookup, a plant is cleared by it). Such a plant draws as flat a load as rigs, and
its traffic — its staff's, its systems' and cameras' — says nothing of its kW. Its overhaul stop (检修停车)
would part them on the meter, but a window shorter than a year may not hold one, and some processes —
aluminium potlines, the submerged-arc furnaces of ferroalloy, silicon and calcium-carbide plants, common
where power is cheap — run for years between stops, so even a year without a stop does not show rigs. What can tell them apart is at the desk: the plant's registered
products and capacity, the annual energy use its energy-saving review (节能审查) approved, its production
and overhaul records. First of all ``desk_check`` (:data:`CLOCK`) when the site's working-day rhythm is
centred at night (:func:`~minesweep.detection.meter.kernels.shape.working_hours_at_night`): people work by
day, so the readings' clock is off (an export in UTC read as Beijing time), and every piece of evidence
that rests on the hour — a night load, cuts in the peak hours — may be the site's own day; the export's
zone is checked, and the run repeated, before anyone drives out. Last, ``desk_check`` (:data:`STANDBY`) when
what the meter found is no more than :data:`STANDBY_SIZED_KW` (10 kW, about three current rigs, as
``est_mining_kw`` shows it; in kW, not in rigs, so the rig model chosen does not move it): a load that small
and that steady is also what many sites draw for their own equipment around the clock — a telecom base
station, a pumping station's controls and frost heating out of season, a small server room — and its shape
does not tell them from one to three rigs (nor, mostly, its traffic: a base station's or a pumping station's
is not on the holder's account, and rigs move a few kbit/s). What the site is, and its load over a whole
year (a pumping station pumps in its season), can be looked up at the desk; a drive for a finding of that
size waits for them. Not in a household (a residential tariff, or a household's declared use,
:data:`HOUSEHOLD_WORDS`): a home's meter holds no base station, pumping station or server room, and a home's
own round-the-clock load — a fridge, standby — is smaller than one rig (the meter's scoring does not take a
flat load under about 3 kW for rigs at all), so one to three rigs' flat load there is what the classic home
miner draws and stays a field visit. Otherwise ``field_visit``. Not a suspect: empty. The score is not
changed by any of them.

The fused score is ``sigmoid(6·tanh(logit(meter score)/6) + Σ parts)``; each part is in log-odds.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from minesweep.detection.meter.kernels.features import ONSET_SIDE_DAYS
from minesweep.detection.meter.kernels.shape import working_hours_at_night
from minesweep.detection.meter.rigs import STANDBY_SIZED_KW
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
# A flat load declared as production is what a continuous-process plant's registry says, and a farm's only
# when it took a factory for its cover: taken as twice as likely for a plant (log 2, set by that reasoning,
# not fitted). Weak on purpose: a farm that registered as a factory must still show through its meter.
DECLARED_PRODUCTION = -0.7
# Uses whose load follows people's hours (opening hours, the working day, evenings at home): a flat load
# around the clock contradicts them (module text). Agriculture is not among them (pumps run around the
# clock in season), nor hospitals (wards never close) or heating.
HOURS_FOLLOWING_USES = frozenset(
    {
        "commercial",
        "office",
        "warehouse",
        "household",
        "residential",
        "shop",
        "retail",
        "商业",
        "办公",
        "仓储",
        "居民",
    }
)
# Declared use against behaviour, the mirror of DECLARED_PRODUCTION: twice as likely for rigs (log 2, set by
# that reasoning, not fitted).
FLAT_AGAINST_DECLARED_USE = 0.7
# Traffic across an onset (module text): compared only when the load rose by at least this share …
STEP_MIN_LOAD_GROWTH = 0.10
# … and with at least a week of traffic on each side; the added load is not the site's kind of IT load
# when the traffic rose by less than this share of the load's proportional rise.
STEP_MIN_SIDE_DAYS = 7
STEP_TRAFFIC_SHARE = 0.5
# Declared uses of a data centre's load: the power file's words, and the registry's category of big-data
# and cloud-computing enterprises (大数据中心、云计算企业), which run servers as a data centre does.
DATA_CENTRE_USES = frozenset(
    {"data_center", "data_centre", "datacenter", "idc", "数据中心", "互联网数据中心", "big_data_or_cloud"}
)
# A registered business scope (经营范围) in the national industry classification's words (GB/T 4754):
# these name a data centre's services, or production (section C, manufacturing: 制造, 冶炼, 加工 …).
DATA_CENTRE_BUSINESS = ("数据处理", "存储支持", "数据中心", "云计算", "大数据", "算力")
PRODUCTION_BUSINESS = ("制造", "冶炼", "加工", "化工", "建材", "水泥", "铁合金", "电石", "多晶硅", "铸造")
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
# The window a caller that does not say is taken to cover: a year of readings.
YEAR_DAYS = 365
# Why a desk check comes first: the site's flow data (a data centre?), its production records (a declared
# plant?), or who holds the account and what it produces (no use on record, servers ruled out: a plant?).
FLOWS, PRODUCTION, HOLDER = "flows", "production", "holder"
# … or the readings' clock: a working-day rhythm centred at night says the times are off (UTC unmarked)
CLOCK = "clock"
# … or the finding's size: up to rigs.STANDBY_SIZED_KW is the size of a site's own round-the-clock
# equipment (module text)
STANDBY = "standby"
# A household's tariff or declared use (the accounts file's words): no base station, pumping station or
# server room on its meter (module text)
HOUSEHOLD_WORDS = frozenset({"residential", "household", "居民", "居民生活"})


@dataclass(frozen=True)
class TrafficPeriods:
    """A site's traffic over periods, one entry per (account, period): the account's row in the feature
    table, the period's first and last window day (inclusive) and its mean Mbit/s."""

    account: np.ndarray
    first_day: np.ndarray
    last_day: np.ndarray
    mbps: np.ndarray

    @classmethod
    def of(cls, account_ids: list[str], table: pa.Table | None) -> TrafficPeriods | None:
        """From :func:`~minesweep.detection.meter.sources.read_traffic_periods`' table; periods of
        accounts without readings are left out. None when there is no table."""
        if table is None:
            return None
        found = pc.index_in(table.column("account_id"), value_set=pa.array(account_ids, pa.string()))
        rows = pc.fill_null(found, -1).to_numpy(zero_copy_only=False).astype(np.int64)
        known = rows >= 0

        def column(name: str) -> np.ndarray:
            return np.asarray(table.column(name).to_numpy(zero_copy_only=False))[known]

        return cls(rows[known], column("first_day"), column("last_day"), column("mean_mbps").astype(float))

    def window_mean(self, n: int) -> np.ndarray:
        """Per account its mean Mbit/s over all its periods in the window (weighted by days; NaN without
        any): the site's mean traffic where the accounts file gives none."""
        return self._side(np.ones(len(self.account), dtype=bool), self._days(), n, min_days=1)

    def around(self, onset_day: np.ndarray, side_days: int) -> tuple[np.ndarray, np.ndarray]:
        """Per account the mean Mbit/s of the periods that end in the ``side_days`` days before its onset
        and of those that start in the ``side_days`` days from it (weighted by days; a period across the
        onset is neither); NaN without an onset or with less than a week on a side."""
        n = len(onset_day)
        onset = onset_day[self.account]
        has = onset > 0
        before = has & (self.last_day < onset) & (self.last_day >= onset - side_days)
        after = has & (self.first_day >= onset) & (self.first_day < onset + side_days)
        days = self._days()
        return self._side(before, days, n), self._side(after, days, n)

    def _days(self) -> np.ndarray:
        return (self.last_day - self.first_day + 1).astype(float)

    def _side(
        self, chosen: np.ndarray, days: np.ndarray, n: int, min_days: int = STEP_MIN_SIDE_DAYS
    ) -> np.ndarray:
        covered = np.bincount(self.account[chosen], days[chosen], n)
        total = np.bincount(self.account[chosen], (self.mbps * days)[chosen], n)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(covered >= min_days, total / np.maximum(covered, 1.0), np.nan)


@dataclass(frozen=True)
class FusionInputs:
    """Per account, aligned with the feature table: traffic (NaN = unknown; the accounts file's mean, else
    the mean of the account's traffic periods in the window), declared use ('' = unknown) and, when given,
    the traffic over periods (for the traffic across an onset)."""

    mean_mbps: np.ndarray
    declared_use: list[str]
    periods: TrafficPeriods | None = None
    tariff: list[str] | None = None  # the accounts file's tariff ('' = unknown), when it has one

    @classmethod
    def of(
        cls, account_ids: list[str], meta: pa.Table | None, traffic: pa.Table | None = None
    ) -> FusionInputs:
        n = len(account_ids)
        periods = TrafficPeriods.of(account_ids, traffic)
        over_periods = periods.window_mean(n) if periods is not None else np.full(n, np.nan)
        if meta is None or meta.num_rows == 0:
            return cls(over_periods, [""] * n, periods)
        mbps_of, use_of = by_account(meta, "mean_mbps"), by_account(meta, "declared_use")
        tariff_of = by_account(meta, "tariff")
        mean_mbps = np.array([_number(mbps_of.get(a)) for a in account_ids], dtype=float)
        return cls(
            np.where(np.isfinite(mean_mbps), mean_mbps, over_periods),  # the file's mean first
            [str(use_of.get(a) or "").strip().lower() for a in account_ids],
            periods,
            [str(tariff_of.get(a) or "").strip().lower() for a in account_ids],
        )

    @cached_property
    def declared_data_centre(self) -> np.ndarray:
        """Per account: does the declared use name a data centre's load (:data:`DATA_CENTRE_USES`)?"""
        return np.array([use in DATA_CENTRE_USES for use in self.declared_use], dtype=bool)

    @cached_property
    def declared_production(self) -> np.ndarray:
        """Per account: does the declared use name production (:data:`PLANT_USES`)?"""
        return np.array([use in PLANT_USES for use in self.declared_use], dtype=bool)

    @cached_property
    def declared_hours_following(self) -> np.ndarray:
        """Per account: does the declared use name one whose load follows people's hours
        (:data:`HOURS_FOLLOWING_USES`)?"""
        return np.array([use in HOURS_FOLLOWING_USES for use in self.declared_use], dtype=bool)

    @cached_property
    def household(self) -> np.ndarray:
        """Per account: is it a household, by its tariff or its declared use (:data:`HOUSEHOLD_WORDS`)?"""
        tariff = self.tariff if self.tariff is not None else [""] * len(self.declared_use)
        return np.array(
            [
                use in HOUSEHOLD_WORDS or t in HOUSEHOLD_WORDS
                for use, t in zip(self.declared_use, tariff, strict=True)
            ],
            dtype=bool,
        )

    @cached_property
    def use_unknown(self) -> np.ndarray:
        """Per account: is the declared use unknown (not recorded)?"""
        return np.array([not use for use in self.declared_use], dtype=bool)


def by_account(meta: pa.Table, column: str) -> dict[Any, Any]:
    """The accounts file's ``column`` by account id ({} where the file has no such column)."""
    if column not in meta.column_names:
        return {}
    return dict(zip(meta.column("account_id").to_pylist(), meta.column(column).to_pylist(), strict=True))


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


@dataclass(frozen=True)
class StepTraffic:
    """Per account, over the four weeks before an onset and the four from it: mean kW and mean Mbit/s
    (NaN without an onset or where unknown), their proportional growths, whether they were
    ``compared`` (the load rose by a tenth or more at an onset and the traffic is known on both sides)
    and whether the load rose ``without_traffic`` (compared, and the traffic rose by less than
    :data:`STEP_TRAFFIC_SHARE` of the load's rise). Computed once per run, read per account."""

    kw_before: np.ndarray
    kw_after: np.ndarray
    mbps_before: np.ndarray
    mbps_after: np.ndarray
    load_growth: np.ndarray
    traffic_growth: np.ndarray
    compared: np.ndarray
    without_traffic: np.ndarray

    @classmethod
    def of(cls, columns: dict[str, np.ndarray], inputs: FusionInputs) -> StepTraffic:
        n = len(columns["mean_kw"])
        unknown = np.full(n, np.nan)
        kw_before = columns.get("kw_before_onset", unknown)
        kw_after = columns.get("kw_after_onset", unknown)
        mbps_before, mbps_after = unknown, unknown
        if inputs.periods is not None and "onset_day" in columns:
            onset = np.nan_to_num(columns["onset_day"], nan=-1.0).astype(np.int64)
            mbps_before, mbps_after = inputs.periods.around(onset, ONSET_SIDE_DAYS)
        with np.errstate(invalid="ignore", divide="ignore"):
            load = kw_after / kw_before - 1.0
            traffic = np.maximum(mbps_after, 0.0) / np.maximum(mbps_before, 0.001) - 1.0
            compared = np.isfinite(traffic) & np.isfinite(load) & (load >= STEP_MIN_LOAD_GROWTH)
            without = compared & (traffic < STEP_TRAFFIC_SHARE * load)
        return cls(kw_before, kw_after, mbps_before, mbps_after, load, traffic, compared, without)

    def rigs_added_to_servers(self) -> np.ndarray:
        """Per account: the load rose without its traffic (``without_traffic``) *and* the traffic before
        the onset was that of servers drawing the load before it (Mbit/s per kW at or above
        :data:`BUSY_TRAFFIC_LOG10`, where the traffic counter begins to clear a site). Then the earlier
        load is known to be IT load and the added one is the mining load, which
        :func:`~minesweep.detection.meter.scoring.estimates` measures as the step (``added_load``)."""
        servers_before = traffic_per_kw_log10(self.mbps_before, np.nan_to_num(self.kw_before))
        with np.errstate(invalid="ignore"):
            return self.without_traffic & (np.nan_to_num(servers_before, nan=-np.inf) >= BUSY_TRAFFIC_LOG10)


def fusion_parts(
    columns: dict[str, np.ndarray],
    inputs: FusionInputs,
    route: np.ndarray,
    step: StepTraffic,
) -> dict[str, np.ndarray]:
    """Log-odds added by each stream (0 where its input is unknown, and traffic 0 where the meter's
    strongest ``route`` is one traffic cannot bear on, :func:`traffic_silent`, or where the load rose at an
    onset without the traffic, ``step.without_traffic``: the module text)."""
    silent = traffic_silent(route)
    mean_kw = np.nan_to_num(columns["mean_kw"])
    ratio = traffic_per_kw_log10(inputs.mean_mbps, mean_kw)
    busy = np.clip((ratio - BUSY_TRAFFIC_LOG10) / BUSY_TRAFFIC_SCALE, 0.0, BUSY_TRAFFIC_STEPS)
    added_without_traffic = step.without_traffic
    busy = np.where(silent | added_without_traffic, 0.0, busy)
    not_it_load = (ratio < QUIET_TRAFFIC_LOG10) | added_without_traffic
    return {
        "traffic": np.nan_to_num(BUSY_TRAFFIC_WEIGHT * busy) + 0.0,  # + 0.0: no "-0.0" shown for no effect
        "declared_use": np.where(
            inputs.declared_data_centre & not_it_load & (mean_kw >= MIN_FLAT_KW),
            DISGUISED_DATA_CENTRE,
            np.where(
                _flat_declared_plant(route, mean_kw, inputs),
                DECLARED_PRODUCTION,
                np.where(_flat_against_declared_use(route, mean_kw, inputs), FLAT_AGAINST_DECLARED_USE, 0.0),
            ),
        ),
    }


def _flat_at_scale(route: np.ndarray, mean_kw: np.ndarray) -> np.ndarray:
    """Per account: is the meter's evidence a flat load (``flat_load``) of :data:`MIN_FLAT_KW` or more — the
    load the registry's declared use is set against?"""
    return (route == "flat_load") & (mean_kw >= MIN_FLAT_KW)


def _flat_against_declared_use(route: np.ndarray, mean_kw: np.ndarray, inputs: FusionInputs) -> np.ndarray:
    """Per account: a flat load declared for a use whose load follows people's hours
    (:data:`HOURS_FOLLOWING_USES`) — not the load that use draws."""
    return inputs.declared_hours_following & _flat_at_scale(route, mean_kw)


def _flat_declared_plant(route: np.ndarray, mean_kw: np.ndarray, inputs: FusionInputs) -> np.ndarray:
    """Per account: a flat load declared as production — what a working continuous-process plant would
    explain (its counter and its desk check)."""
    return inputs.declared_production & _flat_at_scale(route, mean_kw)


def use_of_business(business: str) -> str:
    """The declared use a registered business scope names: ``data_center``, ``manufacturing`` or ''.

    A data centre's services come first where both are named (one request for the flow data settles it)."""
    if any(word in business for word in DATA_CENTRE_BUSINESS):
        return "data_center"
    if any(word in business for word in PRODUCTION_BUSINESS):
        return "manufacturing"
    return ""


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
    window_days: int = YEAR_DAYS,
    mining_kw: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Per account the next step (``desk_check``, ``field_visit`` or '' when not a suspect) and, for a
    desk check, what it is for (:data:`CLOCK`, :data:`FLOWS`, :data:`PRODUCTION`, :data:`HOLDER` or
    :data:`STANDBY`, else ''); see the module text. ``window_days``: the length of the readings' window;
    ``mining_kw``: the finding's ``est_mining_kw`` (NaN where not measured; the size is not checked when
    not given)."""
    mean_kw = np.nan_to_num(columns["mean_kw"])
    traffic_unknown = ~np.isfinite(inputs.mean_mbps)
    registry_allows = inputs.declared_data_centre | inputs.use_unknown
    like_data_centre = np.isin(route, list(DATA_CENTRE_LIKE_ROUTES)) & (mean_kw >= MIN_FLAT_KW)
    clock = suspect & working_hours_at_night(np.asarray(columns["working_hours_centre"], dtype=float))
    flows = suspect & ~clock & traffic_unknown & registry_allows & like_data_centre
    production = suspect & ~clock & ~flows & _flat_declared_plant(route, mean_kw, inputs)
    holder = suspect & ~clock & ~flows & ~production & _flat_unrecorded_use(route, mean_kw, inputs)
    standby = (
        suspect
        & ~(clock | flows | production | holder)
        & standby_sized(mining_kw, len(suspect))
        & ~inputs.household
    )
    desk = clock | flows | production | holder | standby
    step = np.where(desk, DESK_CHECK, np.where(suspect, FIELD_VISIT, ""))
    reason = np.select(
        [clock, flows, production, holder, standby], [CLOCK, FLOWS, PRODUCTION, HOLDER, STANDBY], ""
    )
    return step, reason


def standby_sized(mining_kw: np.ndarray | None, n: int) -> np.ndarray:
    """Per account: is the finding no more than :data:`STANDBY_SIZED_KW` — the size of a site's own
    round-the-clock equipment (module text)? False where it was not measured."""
    if mining_kw is None:
        return np.zeros(n, dtype=bool)
    kw = np.asarray(mining_kw, dtype=float)
    with np.errstate(invalid="ignore"):
        return np.isfinite(kw) & (kw <= STANDBY_SIZED_KW)


def _flat_unrecorded_use(route: np.ndarray, mean_kw: np.ndarray, inputs: FusionInputs) -> np.ndarray:
    """Per account: a flat load whose use the registry does not record — a continuous-process plant would
    explain it as well as rigs, and neither the meter nor the site's traffic tells them apart (module
    text); the registry can, once the holder is looked up."""
    return inputs.use_unknown & _flat_at_scale(route, mean_kw)


def next_step_words(step: str, why: str, window_days: int) -> tuple[str, str]:
    """The next step in Chinese and English (a desk check says what to obtain, and why)."""
    if why == PRODUCTION:
        return (
            "先做案头核查：核对该厂登记的产品、产能和节能审查批复的年综合能耗，调取其生产和检修停车记录"
            f"（连续生产装置一般每年检修停车一次，电解铝、矿热炉等可连续运行数年；{window_days} 天的数据里没有停车"
            "不足以说明是矿机），再定是否现场核查",
            "Desk check first: compare the plant's registered products and capacity and the annual energy use "
            "its energy-saving review approved, and obtain its production and overhaul records (a continuous "
            "process stops for overhaul about once a year, potlines and submerged-arc furnaces can run for years: "
            f"no stop in {window_days} days of readings does not show rigs), then decide on a field visit",
        )
    if why == CLOCK:
        return (
            "先做案头核查：该户工作日用电起伏的中心落在夜间（20:00—次日7:00），而人们白天工作，"
            "更可能是导出数据的时钟有误（以 UTC 记录却未注明时区）。核对该批数据的时区"
            "（如为 UTC，勾选“未注明时区的时间按 UTC 读取”或以 --unmarked-times-utc 重新检测），再定是否现场核查",
            "Desk check first: this site's working-day rhythm is centred at night (20:00-07:00), and people work "
            "by day: the export's clock is the likelier explanation (times in UTC written without an offset). "
            "Check the export's time zone (if UTC, run it again with \"Read times written without an offset as "
            'UTC" ticked, or --unmarked-times-utc), then decide on a field visit',
        )
    if why == STANDBY:
        return (
            f"先做案头核查：发现的负荷不超过 {STANDBY_SIZED_KW:g} kW（约 3 台现行矿机），这样小而平稳的负荷"
            "也是许多场所自身设备昼夜不停的用电（通信基站，泵站停灌期的控制和防冻加热，小型机房），电表曲线分不开二者。"
            "先查明该户是什么场所（户主、用途、设备），调取其全年用电（泵站在灌溉季抽水），再定是否现场核查",
            f"Desk check first: what the meter found is no more than {STANDBY_SIZED_KW:g} kW (about three current "
            "rigs), and a load that small and steady is also what many sites draw for their own equipment around "
            "the clock (a telecom base station, a pumping station's controls and frost heating out of season, a "
            "small server room); the load curve does not tell them apart. Find out what the site is (holder, use, "
            "equipment) and obtain its load over a whole year (a pumping station pumps in its season), then decide "
            "on a field visit",
        )
    if why == HOLDER:
        return (
            "先做案头核查：登记信息未载明该址用途。调取户主信息（营业执照经营范围、产品和产能、项目备案、节能审查批复），"
            "连续生产装置的负荷与矿机一样平稳，其网络流量也与负荷无关，电表和流量都分不开二者；"
            "户主无生产登记的，再定现场核查",
            "Desk check first: the registry records no use for this site. Look up the account holder (business "
            "scope, products and capacity, project filing, energy-saving review): a continuous-process plant draws "
            "as flat a load as rigs and its traffic does not follow its load, so neither the meter nor the flows "
            "tell them apart; where the holder has no production on record, decide on a field visit",
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
    window_days: int = YEAR_DAYS,
    onset: StepTraffic | None = None,
    mining_kw: np.ndarray | None = None,
) -> tuple[np.ndarray, list[str], np.ndarray, np.ndarray]:
    """Fused scores, one JSON record per account (parts in words, what is missing, the next step), the
    traffic ratio and the next step per account (``route``: the meter's strongest route per account;
    ``window_days``: the length of the readings' window, and ``mining_kw``: each finding's estimated
    mining kW, both for :func:`next_steps`; ``onset``: the traffic across the onset when the caller has it
    already)."""
    route = route if route is not None else np.full(len(meter_score), "")
    silent = traffic_silent(route)
    onset = onset if onset is not None else StepTraffic.of(columns, inputs)
    parts = fusion_parts(columns, inputs, route, onset)
    with np.errstate(divide="ignore"):
        raw = np.log(meter_score) - np.log1p(-meter_score)
    # softly bounded to ±6, so counter-evidence can still move a saturated score and ranks are kept
    logit = METER_LOGIT_CLIP * np.tanh(np.nan_to_num(raw, posinf=50.0, neginf=-50.0) / METER_LOGIT_CLIP)
    fused = 1.0 / (1.0 + np.exp(-(logit + sum(parts.values()))))
    ratio = traffic_per_kw_log10(inputs.mean_mbps, np.nan_to_num(columns["mean_kw"]))
    steps, why = next_steps(fused >= threshold, route, columns, inputs, window_days, mining_kw)
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
                onset=onset,
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
    traffic_counts: bool,
    onset: StepTraffic,
) -> dict[str, Any]:
    said: list[dict[str, Any]] = []
    missing: list[dict[str, str]] = []
    if np.isfinite(ratio[i]):
        per_kw = 10 ** ratio[i]
        mbps = float(inputs.mean_mbps[i])
        said.append(
            {
                "stream": "network",
                "logit": round(float(parts["traffic"][i]), 2),
                "text": _traffic_words(per_kw, mbps, only_earlier_load=bool(onset.without_traffic[i]))
                if traffic_counts
                else _night_traffic_words(mbps),
            }
        )
    if traffic_counts and onset.compared[i]:
        said.append({"stream": "network", "logit": 0.0, "text": _step_words(onset, i)})
    if not np.isfinite(ratio[i]):
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
                "text": _declared_words(
                    inputs.declared_use[i],
                    float(parts["declared_use"][i]),
                    added_without_traffic=bool(onset.without_traffic[i]),
                ),
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


def _traffic_words(per_kw: float, mbps: float, *, only_earlier_load: bool = False) -> dict[str, str]:
    if per_kw >= 10**BUSY_TRAFFIC_LOG10 and only_earlier_load:
        return _words(
            f"流量 {mbps:.3g} Mbit/s，每千瓦 {per_kw:.3g} Mbit/s：属办公或数据中心量级，但只能解释突增前的负荷（见下条）",
            f"Traffic {mbps:.3g} Mbit/s, {per_kw:.3g} Mbit/s per kW: office or data-centre scale, but it "
            "explains only the load before the jump (next line)",
        )
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


def _step_words(step: StepTraffic, i: int) -> dict[str, str]:
    """What the traffic did when the load rose at an onset (both sides' means, both growths)."""
    kw = f"{step.kw_before[i]:.4g} → {step.kw_after[i]:.4g} kW（{step.load_growth[i]:+.0%}）"
    mbps = f"{step.mbps_before[i]:.3g} → {step.mbps_after[i]:.3g} Mbit/s（{step.traffic_growth[i]:+.0%}）"
    kw_en, mbps_en = kw.replace("（", " (").replace("）", ")"), mbps.replace("（", " (").replace("）", ")")
    if step.without_traffic[i]:
        return _words(
            f"负荷在突增前后四周由 {kw} 增加，流量为 {mbps}，未随之增长：新增的负荷不是 IT 负荷"
            "（服务器的流量与其功率同增，矿机每台仅数 kbit/s），该址的流量只能解释原有负荷，不计入评分",
            f"Over the four weeks either side of the jump the load went {kw_en} and the traffic {mbps_en}: "
            "the added load is not IT load (servers bring traffic in proportion to their power, a rig a few "
            "kbit/s); the site's traffic explains only its earlier load and is not counted",
        )
    return _words(
        f"负荷在突增前后四周由 {kw} 增加，流量 {mbps} 随之增长：与新增服务器相符",
        f"Over the four weeks either side of the jump the load went {kw_en} and the traffic {mbps_en} "
        "with it: consistent with added servers",
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
    if category is None:
        return use, use
    return category.zh, category.en[:1].lower() + category.en[1:]  # read inside a sentence


def _declared_words(use: str, part: float, *, added_without_traffic: bool = False) -> dict[str, str]:
    zh, en = use_names(use)
    if part > 0 and added_without_traffic:
        return _words(
            f"登记用途为{zh}，但其新增负荷没有带来流量",
            f"Declared use: {en}, but its added load brought no traffic",
        )
    if part > 0 and use in HOURS_FOLLOWING_USES:
        return _words(
            f"登记用途为{zh}，但负荷昼夜、工作日和休息日一样平直：该用途的负荷随营业或作息时间起落",
            f"Declared use: {en}, but its load is as flat by night and on rest days as by day: "
            "that use's load follows its hours",
        )
    if part > 0:
        return _words(
            f"登记用途为{zh}，但流量只有矿机量级",
            f"Declared use: {en}, but its traffic is that of rigs",
        )
    if part < 0:
        return _words(
            f"登记用途为{zh}：连续生产装置也有这样平直的负荷",
            f"Declared use: {en}, and a continuous-process plant draws a load this flat too",
        )
    return _words(f"登记用途：{zh}", f"Declared use: {en}")
