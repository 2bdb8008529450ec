"""Thin adapters from the web side to the pure analytics in ``meter/`` and ``network/``.

The pure packages take paths and plain values; this module adds what a background job needs: progress
callbacks mapped onto a job's [0, 1], account metadata taken from the registry, registry IP allocations
turned into the network package's allocation index, and network input errors turned into DomainErrors.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from minesweep.core.errors import DomainError
from minesweep.core.i18n import split_pair
from minesweep.detection.meter import dataset as ds
from minesweep.detection.meter.balance import MeteredEnergy, metered_energy
from minesweep.detection.meter.detect import DetectOptions, build_tasks
from minesweep.detection.meter.errors import MeterDataError
from minesweep.detection.meter.evidence import TrafficSeries, render_evidence
from minesweep.detection.meter.fusion import use_of_business
from minesweep.detection.meter.importer import ImportReport, import_meter_files
from minesweep.detection.meter.rigs import DEFAULT_RIG, rig_power_kw
from minesweep.detection.meter.scoring import load_pack, score_table
from minesweep.detection.meter.sources import (
    ALL_DAYS,
    read_accounts_meta,
    read_traffic_periods,
    traffic_in_window,
)
from minesweep.detection.meter.timebase import SHANGHAI, day_number_of
from minesweep.detection.network.api import (
    FlowOutcome,
    NetworkInputError,
    ScanOutcome,
    scan_files,
    score_flow_file,
)
from minesweep.detection.network.attribution import AllocationIndex, IpAllocation
from minesweep.registry.models import IPAllocation, PowerAccount

Progress = Callable[[float, str, str], None]


@dataclass
class MeterResult:
    findings: pa.Table
    dataset: Path
    interval_s: int
    import_report: ImportReport | None
    window: tuple[str, str]


def _scaled(progress: Progress, low: float, high: float) -> Callable[[float, str, str], None]:
    return lambda fraction, zh, en: progress(low + (high - low) * min(1.0, max(0.0, fraction)), zh, en)


META_COLUMNS = ("tariff", "contract_kva", "declared_use", "mean_mbps")
# Registry categories that say what a site is for, in this order; then the subject's business scope.
DECLARED_USE_CATEGORIES = ("data_center", "big_data_or_cloud")
# Categories that say who holds an account, not what its site is for: alone, with no business scope, they
# leave the use unknown (the holder's desk check, fusion.HOLDER), not recorded.
HOLDER_ONLY_CATEGORIES = frozenset({"enterprise", "individual", "public_official"})


def registry_meta(account_ids: Sequence[str]) -> pa.Table:
    """What the registry knows about the accounts (by account number): ``tariff, contract_kva``, the
    holder's ``declared_use`` (its category code, e.g. ``data_center``; empty when none is recorded) and
    ``mean_mbps`` (the subject's mean traffic from flow scans, :func:`selectors.subject_mean_mbps`;
    empty when no flows were attributed to it)."""
    from minesweep.detection.selectors import subject_mean_mbps

    rows: dict[str, list[Any]] = {"account_id": [], **{name: [] for name in META_COLUMNS}}
    unique = list(dict.fromkeys(account_ids))
    for start in range(0, len(unique), 900):
        accounts = list(
            PowerAccount.objects.filter(number__in=unique[start : start + 900])
            .select_related("subject")
            .prefetch_related("subject__categories")
        )
        traffic = subject_mean_mbps([a.subject_id for a in accounts if a.subject_id])
        for account in accounts:
            rows["account_id"].append(account.number)
            rows["tariff"].append(account.tariff)
            rows["contract_kva"].append(
                float(account.contract_kva) if account.contract_kva is not None else None
            )
            rows["declared_use"].append(_declared_use(account.subject))
            rows["mean_mbps"].append(traffic.get(account.subject_id) if account.subject_id else None)
    return _meta_table(rows)


def registry_traffic(account_ids: Sequence[str], first_day: int, n_days: int) -> pa.Table:
    """The accounts' traffic over periods (one per flow scan that saw their holder's addresses,
    :func:`selectors.subject_traffic_periods`) in the window, as
    :func:`~minesweep.detection.meter.sources.read_traffic_periods` gives a file's."""
    from minesweep.detection.selectors import subject_traffic_periods

    accounts, starts, ends, mbps = [], [], [], []
    unique = list(dict.fromkeys(account_ids))
    for start in range(0, len(unique), 900):
        holders = dict(
            PowerAccount.objects.filter(
                number__in=unique[start : start + 900], subject__isnull=False
            ).values_list("number", "subject_id")
        )
        periods = subject_traffic_periods(list(set(holders.values())))
        for account, subject in holders.items():
            for first, last, value in periods.get(subject, []):
                accounts.append(account)
                starts.append(day_number_of(first))
                ends.append(day_number_of(last))
                mbps.append(value)
    return traffic_in_window(
        pa.array(accounts, pa.string()),
        np.array(starts, dtype=np.int64),
        np.array(ends, dtype=np.int64),
        np.array(mbps, dtype=np.float64),
        first_day,
        n_days,
    )


def merge_traffic(registry: pa.Table, uploaded: pa.Table | None) -> pa.Table:
    """The registry's traffic periods of an account where it has any; an uploaded file's for the accounts
    it has none of (two sources' periods are not mixed: they may count the same days twice)."""
    if uploaded is None or uploaded.num_rows == 0:
        return registry
    known = pc.is_in(uploaded.column("account_id"), value_set=registry.column("account_id").unique())
    return pa.concat_tables([registry, uploaded.filter(pc.invert(known))])


def _declared_use(subject: Any) -> str | None:
    if subject is None:
        return None
    codes = {c.code for c in subject.categories.all()}
    for code in DECLARED_USE_CATEGORIES:
        if code in codes:
            return code
    business = (subject.declared_business or "").strip()
    if not business and codes <= HOLDER_ONLY_CATEGORIES:
        return None
    return use_of_business(business) or (sorted(codes)[0] if codes else None)


def _meta_table(rows: dict[str, list[Any]]) -> pa.Table:
    return pa.table(
        {
            "account_id": pa.array(rows["account_id"], pa.string()),
            "tariff": pa.array(rows["tariff"], pa.string()),
            "contract_kva": pa.array(rows["contract_kva"], pa.float64()),
            "declared_use": pa.array(rows["declared_use"], pa.string()),
            "mean_mbps": pa.array(rows["mean_mbps"], pa.float64()),
        }
    )


def merge_meta(registry: pa.Table, uploaded: pa.Table | None) -> pa.Table:
    """Per account and field, the registry's value where it has one; the uploaded file fills in what the
    registry leaves empty (an account it does not know, or a known account without flows attributed, a
    category or a contract on record) — unknown stays unknown only when neither says."""
    if uploaded is None or uploaded.num_rows == 0:
        return registry
    rows = {name: registry.column(name).to_pylist() for name in ("account_id", *META_COLUMNS)}
    position = {account: i for i, account in enumerate(rows["account_id"])}
    given = {
        name: uploaded.column(name).to_pylist()
        if name in uploaded.column_names
        else [None] * uploaded.num_rows
        for name in ("account_id", *META_COLUMNS)
    }
    for i, account in enumerate(given["account_id"]):
        values = {name: _meta_value(name, given[name][i]) for name in META_COLUMNS}
        if account in position:
            row = position[account]
            for name, value in values.items():
                if rows[name][row] in (None, "") and value is not None:
                    rows[name][row] = value
            continue
        position[account] = len(rows["account_id"])
        rows["account_id"].append(account)
        for name, value in values.items():
            rows[name].append(value)
    return _meta_table(rows)


def _meta_value(name: str, value: Any) -> Any:
    """One uploaded field as the meta table holds it (numbers for contract and traffic, text otherwise)."""
    if name in ("contract_kva", "mean_mbps"):
        return _float_or_none(value)
    return None if value in (None, "") else str(value)


def _float_or_none(value: Any) -> float | None:
    try:
        return None if value in (None, "") else float(value)
    except (TypeError, ValueError):
        return None


def _features_on_configured_engine(
    tasks: list[Any], workers: int, on_done: Callable[[int], None]
) -> pa.Table:
    """``MINESWEEP_ANALYTICS_ENGINE``: local (in-process pool) or dask (``MINESWEEP_DASK_SCHEDULER``, or a
    threaded local cluster when no scheduler is given); both run the same kernels with the same results."""
    from django.conf import settings

    if settings.ANALYTICS_ENGINE == "dask":
        from minesweep.detection.meter.runners.dask import run_dask

        scheduler = settings.DASK_SCHEDULER or None
        return run_dask(tasks, scheduler, workers, scheduler is not None, on_done)
    from minesweep.detection.meter.runners.local import run_local

    return run_local(tasks, workers, on_done)


def run_meter_detection(
    source: Path,
    work_dir: Path,
    progress: Progress,
    *,
    since: Any = None,
    until: Any = None,
    rig: str = DEFAULT_RIG,
    skip_bad: bool = False,
    accounts_meta: Path | None = None,
    traffic: Path | None = None,
    temperature: Path | None = None,
    workers: int = 1,
    unmarked_times_utc: bool = False,
) -> MeterResult:
    """Import (unless ``source`` is a dataset), compute features with progress, score with registry metadata
    (and the daily outdoor ``temperature`` when given: without it, no load can be told by the weather).

    The normalised dataset stays in ``work_dir/dataset`` so evidence pictures can be drawn later.
    """
    report = None
    if ds.is_dataset(source):
        dataset = source
    else:
        progress(0.02, "正在导入并校验读数……", "Importing and checking readings…")
        dataset = work_dir / "dataset"
        report = import_meter_files(
            source,
            dataset,
            skip_bad=(work_dir / "rejected-rows.csv") if skip_bad else None,
            replace=True,
            progress=_scaled(progress, 0.02, 0.3),
            unmarked_times_utc=unmarked_times_utc,
        )
    progress(0.3, "正在计算特征……", "Computing features…")
    options = DetectOptions(since=since, until=until, rig=rig, progress=False, temperature=temperature)
    tasks, grid = build_tasks(dataset, options)
    done = [0]
    scaled = _scaled(progress, 0.3, 0.85)

    def on_done(count: int) -> None:
        done[0] += count
        scaled(
            done[0] / max(1, len(tasks)),
            f"特征计算 {done[0]}/{len(tasks)} 个分区",
            f"Features: {done[0]}/{len(tasks)} partitions",
        )

    features = _features_on_configured_engine(tasks, workers, on_done)
    progress(0.86, "正在评分……", "Scoring…")
    ids = features.column("account_id").to_pylist() if features.num_rows else []
    uploaded = read_accounts_meta(accounts_meta) if accounts_meta else None
    meta = merge_meta(registry_meta(ids), uploaded)
    periods = merge_traffic(
        registry_traffic(ids, grid.start_day, grid.n_days),
        read_traffic_periods(traffic, grid.start_day, grid.n_days) if traffic else None,
    )
    findings = score_table(
        features,
        grid,
        meta=meta,
        pack=load_pack(),
        rig_kw=rig_power_kw(rig),
        has_temperature=temperature is not None,
        traffic=periods,
    )
    findings = findings.sort_by([("score", "descending"), ("account_id", "ascending")])
    dates = grid.dates() if grid.n_days else []
    window = (dates[0].isoformat(), dates[-1].isoformat()) if dates else ("", "")
    return MeterResult(findings, dataset, ds.read_info(dataset).interval_s, report, window)


def _require_readings(dataset: Path, code: str, cannot_zh: str, cannot_en: str) -> None:
    """Refuse, saying what cannot be done, when a run's normalised readings are gone from the server."""
    if not ds.is_dataset(dataset):
        raise DomainError(
            f"detection.{code}",
            f"该次检测的读数数据已不在服务器上，{cannot_zh}",
            f"The readings of this run are no longer on the server; {cannot_en}",
        )


def meter_evidence_pngs(dataset: Path, account_id: str, traffic_file: Path | None = None) -> dict[str, bytes]:
    """``{"carpet.png": …, "daily.png": …}`` for one account of a normalised dataset; the daily picture
    draws the account's traffic over periods where known (:func:`account_traffic`)."""
    _require_readings(dataset, "evidence_missing", "无法绘制证据图", "evidence cannot be drawn")
    info = ds.read_info(dataset)
    ts, kwh = ds.read_account(dataset, account_id)
    if len(ts) == 0:
        raise MeterDataError(
            "account_unknown", f"数据中没有该户号：{account_id}", f"No readings for account {account_id}"
        )
    return render_evidence(ts, kwh, info.interval_s, account_id, account_traffic(account_id, traffic_file))


def account_metered_energy(dataset: Path, account_id: str, first: date, last: date) -> MeteredEnergy:
    """What one account's readings hold from Beijing day ``first`` to ``last`` (both inclusive), for a
    production energy balance (:mod:`.meter.balance`)."""
    _require_readings(
        dataset, "readings_missing", "无法计算表计电量", "the metered energy cannot be computed"
    )
    info = ds.read_info(dataset)
    ts, kwh = ds.read_account(dataset, account_id)
    start = int(datetime.combine(first, time(), SHANGHAI).timestamp())
    end = int(datetime.combine(last + timedelta(days=1), time(), SHANGHAI).timestamp())
    return metered_energy(ts, kwh, info.interval_s, start, end)


def account_traffic(account_id: str, traffic_file: Path | None = None) -> TrafficSeries | None:
    """One account's traffic periods as its run had them (the registry's scans first, else the run's
    uploaded file), with day numbers; None when neither knows any."""
    uploaded = read_traffic_periods(traffic_file, 0, ALL_DAYS) if traffic_file else None
    if uploaded is not None:
        uploaded = uploaded.filter(pc.equal(uploaded.column("account_id"), account_id))
    periods = merge_traffic(registry_traffic([account_id], 0, ALL_DAYS), uploaded)
    if periods.num_rows == 0:
        return None
    return TrafficSeries(
        *(
            periods.column(name).to_numpy(zero_copy_only=False)
            for name in ("first_day", "last_day", "mean_mbps")
        )
    )


def _network_error(error: NetworkInputError) -> DomainError:
    return DomainError("detection.network_input", *split_pair(str(error)))


def run_capture_scan(paths: Sequence[Path], progress: Progress) -> ScanOutcome:
    total = sum(os.path.getsize(p) for p in paths) or 1

    def on_bytes(read_bytes: int, packets: int) -> None:
        progress(0.9 * read_bytes / total, f"已读取 {packets} 个数据包", f"{packets} packets read")

    try:
        return scan_files(paths, progress=on_bytes)
    except NetworkInputError as error:
        raise _network_error(error) from error


def run_flow_scan(path: Path, progress: Progress) -> FlowOutcome:
    progress(0.1, "正在读取流记录……", "Reading flow records…")
    try:
        return score_flow_file(path)
    except NetworkInputError as error:
        raise _network_error(error) from error


def registry_allocation_index() -> tuple[AllocationIndex, dict[IpAllocation, int]]:
    """The registry's IP allocation records as the network package's index, with each entry's row id."""
    entries: dict[IpAllocation, int] = {}
    rows = IPAllocation.objects.select_related("subject").order_by("pk")
    for row in rows.iterator(chunk_size=2000):
        try:
            network = ipaddress.ip_network(row.prefix.strip(), strict=False)
        except ValueError:
            continue  # a malformed prefix in the registry cannot match anything
        allocation = IpAllocation(
            network=network,
            valid_from=row.valid_from.astimezone(UTC),
            valid_to=row.valid_to.astimezone(UTC) if row.valid_to else None,
            uscc=(row.subject.uscc or "") if row.subject else "",
            subscriber_name=row.subscriber_name,
            address=row.address,
        )
        entries.setdefault(allocation, row.pk)
    return AllocationIndex(entries), entries


def parse_utc(text: str) -> datetime:
    moment = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
