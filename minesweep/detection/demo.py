"""Demo detection data: a year of hourly meter readings for 60 real demo power accounts, with one pure
mining farm hidden behind a registered "data centre", detected by a real run; and a network scan of two
real mining captures attributed to an internet café and a telecom firm through IP allocation records.

Readings come from the meter simulator (fixed seed, so the story is the same every time) and are written
under DATA_ROOT/demo/ so analysts can also start their own runs on them from the web.
"""

from __future__ import annotations

import csv
import shutil
import tempfile
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile

from minesweep.detection.meter import dataset as ds
from minesweep.detection.models import MeterRun, NetScan
from minesweep.detection.services import meter_run_start, net_scan_start
from minesweep.jobs.worker import run_job_inline
from minesweep.registry.models import Division, IPAllocation, PowerAccount, Subject
from minesweep.registry.services import ip_allocation_create

SIM_SEED = 34  # a year in which a farm has its meter to itself (the story's flat 24×7 block)
ACCOUNTS, DAYS = 60, 365
START = date(2025, 1, 1)
RUN_NAME = "演示：2025年全年用电数据（60户，逐时）"
DEMO_TEMPERATURE = "temperature-2025.csv"  # the simulated weather station, given with the run
SCAN_NAME = "演示：两份真实挖矿抓包"
CAPTURES = Path(__file__).parent / "tests" / "data" / "pcaps"
SHANGHAI = ZoneInfo("Asia/Shanghai")
# Simulator tariff → registry tariff class.
TARIFF_CLASS = {
    "residential": "residential",
    "commercial": "industry_commerce",
    "large_industry": "large_industry",
    "agricultural": "agricultural",
    "clean_heating": "residential",
}


def _analyst() -> User | str:
    return User.objects.filter(username="analyst").first() or "demo"


def _hideout() -> PowerAccount | None:
    """The registered account of a 'data centre' that is really a mining farm (Ordos first, then anywhere)."""
    accounts = PowerAccount.objects.filter(
        subject__categories__code="data_center", contract_kva__isnull=False
    )
    return (
        accounts.filter(division__code__startswith="1506").order_by("number").first()
        or accounts.order_by("number").first()
    )


def _labels(folder: Path) -> dict[str, dict[str, str]]:
    with (folder / "labels.csv").open(encoding="utf-8") as handle:
        labels = {row["account_id"]: row for row in csv.DictReader(handle)}
    with (folder / "accounts.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            labels[row["account_id"]]["tariff"] = row["tariff"]
    return labels


def _map_accounts(
    peaks: dict[str, float], labels: dict[str, dict[str, str]], farm: str, hideout: PowerAccount
) -> dict[str, str]:
    """Simulated id → registry account number: same tariff class, contract closest to peak / 0.6."""
    pool = list(PowerAccount.objects.exclude(pk=hideout.pk).values_list("number", "tariff", "contract_kva"))
    used: set[str] = set()
    mapping = {farm: hideout.number}
    for sim_id in sorted(peaks, key=lambda a: -peaks[a]):
        if sim_id == farm:
            continue
        wanted = TARIFF_CLASS.get(labels[sim_id].get("tariff", ""), "industry_commerce")
        candidates = [p for p in pool if p[0] not in used and p[1] == wanted] or [
            p for p in pool if p[0] not in used
        ]
        if not candidates:
            break
        target = peaks[sim_id] / 0.6
        number = min(candidates, key=lambda p: abs(float(p[2] or 0) - target))[0]
        used.add(number)
        mapping[sim_id] = number
    return mapping


def _write_meter_file(target: Path) -> tuple[str, str]:
    """Simulate, map onto registry accounts, size the farm to its contract; returns (farm account, subject)."""
    from minesweep.detection.meter.simulate import SimulationSpec, simulate

    hideout = _hideout()
    if hideout is None or hideout.contract_kva is None:
        raise RuntimeError("the registry demo has no data-centre power account")
    with tempfile.TemporaryDirectory(prefix="minesweep-demo-") as scratch:
        folder = Path(scratch)
        spec = SimulationSpec(
            accounts=ACCOUNTS, days=DAYS, interval_s=3600, mining_share=0.08, seed=SIM_SEED, start=START
        )
        dataset = simulate(spec, folder)
        labels = _labels(folder)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(
            folder / "temperature.csv", target.parent / DEMO_TEMPERATURE
        )  # the weather station's days
        table = pa.concat_tables(
            [ds.long_table(p, spec.interval_s) for p in sorted(dataset.glob("part-*.parquet"))]
        )
    peaks_table = table.group_by("account_id").aggregate([("kwh", "max")])
    peaks = dict(
        zip(
            peaks_table.column("account_id").to_pylist(),
            peaks_table.column("kwh_max").to_pylist(),
            strict=True,
        )
    )
    # flatness as detection judges it: mean over the 99th percentile (one high hour does not count), over
    # the hours the load ran (a farm switched on in spring is judged from then)
    frame = table.select(["account_id", "kwh"]).to_pandas()
    peak = frame.groupby("account_id").kwh.quantile(0.99)
    running = frame[frame.kwh > 0.05 * frame.account_id.map(peak)]
    flatness = (running.groupby("account_id").kwh.mean() / peak).fillna(0.0).to_dict()
    farms = sorted(a for a, row in labels.items() if row["kind"] in ("disguised_data_centre", "pure_farm"))
    # the story's farm (mapped onto the registry's "data centre") has its meter to itself: the flattest
    # (some farms share theirs with an office, some cut the peak hours)
    farm = (
        max(farms, key=lambda a: (flatness.get(a, 0.0), a))
        if farms
        else max(labels, key=lambda a: float(labels[a]["mining_kw"] or 0))
    )
    mapping = _map_accounts(peaks, labels, farm, hideout)
    ids = table.column("account_id").to_pylist()
    kwh = table.column("kwh").to_numpy(zero_copy_only=False).astype(np.float64)
    # The farm runs at about 85 % of the hideout's contracted capacity (kVA counted as kW, hourly kWh = kW).
    scale = 0.85 * float(hideout.contract_kva) / max(float(labels[farm]["mining_kw"] or 1.0), 1.0)
    is_farm = np.array([a == farm for a in ids])
    kwh = np.where(is_farm, kwh * scale, kwh)
    keep = np.array([a in mapping for a in ids])
    out = pa.table(
        {
            "account_id": pa.array([mapping[a] for a, k in zip(ids, keep, strict=True) if k], pa.string()),
            "ts": pc.filter(table.column("ts"), pa.array(keep)),
            "kwh": pa.array(np.round(kwh[keep], 3), pa.float64()),
        }
    )
    pq.write_table(out, target)
    assert hideout.subject is not None
    return hideout.number, hideout.subject.name


def _meter_demo() -> str:
    if MeterRun.objects.filter(name=RUN_NAME).exists():
        return "meter run present"
    target = Path(settings.DATA_ROOT) / "demo" / "meters-2025.parquet"
    farm, holder = _write_meter_file(target)
    run = meter_run_start(
        actor=_analyst(),
        division=Division.objects.get(code="150000"),
        name=RUN_NAME,
        server_path="demo/meters-2025.parquet",
        temperature=SimpleUploadedFile(DEMO_TEMPERATURE, (target.parent / DEMO_TEMPERATURE).read_bytes()),
    )
    assert run.job is not None
    job = run_job_inline(run.job, worker="demo")
    MeterRun.objects.filter(pk=run.pk).update(source=MeterRun.Source.DEMO)
    run.refresh_from_db()
    top = run.suspects.order_by("rank").first()
    found = f"top suspect {top.account_id} ({top.score:.3f})" if top else "no findings"
    return f"meter run {job.status}: {run.summary.get('suspects')} suspects, {found}; farm hidden at {farm} {holder}"


def _allocate(prefix: str, start: datetime, end: datetime | None, subject: Subject) -> None:
    if IPAllocation.objects.filter(prefix=prefix, subject=subject).exists():
        return
    ip_allocation_create(
        actor="demo",
        prefix=prefix,
        valid_from=start,
        valid_to=end,
        subject=subject,
        subscriber_name=subject.name,
        address=subject.address,
        division=subject.division,
    )


def _network_demo() -> str:
    if NetScan.objects.filter(name=SCAN_NAME).exists():
        return "network scan present"
    cafe = Subject.objects.filter(categories__code="internet_cafe").order_by("division_id", "name").first()
    telecom = (
        Subject.objects.filter(categories__code="telecom_or_internet").order_by("division_id", "name").first()
    )
    if cafe is None or telecom is None:
        return "no café or telecom subject in the registry: network demo skipped"
    # The captures' own addresses, as if these subscribers had held them when the captures were taken.
    _allocate(
        "192.168.2.0/24", datetime(2017, 6, 1, tzinfo=SHANGHAI), datetime(2018, 6, 1, tzinfo=SHANGHAI), cafe
    )
    _allocate("10.0.2.0/24", datetime(2018, 1, 1, tzinfo=SHANGHAI), None, telecom)
    folder = Path(settings.DATA_ROOT) / "demo" / "pcaps"
    folder.mkdir(parents=True, exist_ok=True)
    for source in (
        CAPTURES / "ndpi" / "mining.pcapng",
        CAPTURES / "zeek-cryptomining" / "bitcoin-mining.pcap",
    ):
        if source.is_file():
            shutil.copy(source, folder / source.name)
    scan = net_scan_start(
        actor=_analyst(),
        division=Division.objects.get(code="150000"),
        name=SCAN_NAME,
        input_kind=NetScan.Input.CAPTURE,
        server_path="demo/pcaps/",
    )
    assert scan.job is not None
    job = run_job_inline(scan.job, worker="demo")
    scan.refresh_from_db()
    return f"network scan {job.status}: {scan.summary.get('mining')} mining hosts, {scan.summary.get('attributed')} attributed"


def load(*, seed: int) -> str:
    if not PowerAccount.objects.exists():
        return "no registry demo data: skipped"
    return f"{_meter_demo()}; {_network_demo()}"
