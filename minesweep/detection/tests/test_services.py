"""Detection services: runs from server paths and uploads, findings mapped onto the registry, promotion to
leads with evidence, network scans attributed through time-aware IP allocations. Shared fixtures live here."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from minesweep.audit.models import AuditEvent
from minesweep.cases.models import Lead
from minesweep.core.errors import DomainError, TransitionError
from minesweep.detection.meter import dataset as ds
from minesweep.detection.models import MeterRun, MeterSuspect, NetHost, NetScan
from minesweep.detection.services import (
    meter_run_start,
    meter_suspect_promote,
    net_host_promote,
    net_scan_start,
)
from minesweep.jobs.models import Job
from minesweep.jobs.worker import run_job_inline
from minesweep.registry.models import Division, IPAllocation
from minesweep.registry.services import power_account_create, subject_create
from minesweep.registry.uscc import make_uscc

CAPTURES = Path(__file__).parent / "data" / "pcaps"
SHANGHAI = ZoneInfo("Asia/Shanghai")
FARM_ACCOUNT = "SIM0000018"  # a farm disguised as a data centre in the simulation below (seed 16)
FARM_USCC = make_uscc("9", "1", "150602", "55667788")


@pytest.fixture(scope="session")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """40 simulated accounts × 90 days of hourly readings, 10 % miners (labels in labels.csv)."""
    from minesweep.detection.meter.simulate import SimulationSpec, simulate

    out = tmp_path_factory.mktemp("meters")
    simulate(SimulationSpec(accounts=40, days=90, interval_s=3600, mining_share=0.1, seed=16), out)
    return out


@pytest.fixture
def data_root(settings, tmp_path: Path, simulated: Path) -> Path:  # type: ignore[no-untyped-def]
    """VAR_DIR and DATA_ROOT in a temporary folder, with the simulation and one capture under DATA_ROOT."""
    settings.VAR_DIR = tmp_path / "var"
    settings.DATA_ROOT = tmp_path / "data"
    shutil.copytree(simulated / "readings", settings.DATA_ROOT / "sim" / "readings")
    (settings.DATA_ROOT / "pcaps").mkdir()
    shutil.copy(CAPTURES / "ndpi" / "mining.pcapng", settings.DATA_ROOT / "pcaps" / "mining.pcapng")
    return settings.DATA_ROOT


@pytest.fixture
def hidden_farm(db):  # type: ignore[no-untyped-def]
    """A 'data centre' in Dongsheng (Ordos) whose registered power account is the simulated farm."""
    division = Division.objects.get(code="150602")
    subject = subject_create(
        actor="test",
        kind="enterprise",
        name="鄂尔多斯隐秘算力数据有限公司",
        uscc=FARM_USCC,
        division=division,
        categories=["data_center", "enterprise"],
        declared_business="数据处理和存储支持服务",
    )
    return power_account_create(
        actor="test",
        number=FARM_ACCOUNT,
        tariff="large_industry",
        division=division,
        subject=subject,
        contract_kva=2500,
    )


def parquet_upload(simulated: Path) -> SimpleUploadedFile:
    buffer = pa.BufferOutputStream()
    pq.write_table(ds.long_table(simulated / "readings" / "part-00000.parquet", 3600), buffer)
    content = buffer.getvalue().to_pybytes()
    return SimpleUploadedFile("readings.parquet", content, content_type="application/octet-stream")


def finished_meter_run(actor: object, simulated: Path, division_code: str = "150000") -> MeterRun:
    run = meter_run_start(
        actor=actor,  # type: ignore[arg-type]
        division=Division.objects.get(code=division_code),
        name="测试检测",
        uploads=[parquet_upload(simulated)],
    )
    assert run.job is not None
    job = run_job_inline(run.job)
    assert job.status == Job.Status.SUCCEEDED, job.error
    run.refresh_from_db()
    return run


pytestmark = pytest.mark.django_db


def test_it_runs_from_a_server_path_and_maps_accounts_to_the_registry(data_root, hidden_farm, simulated):
    run = meter_run_start(
        actor="test", division=Division.objects.get(code="150000"), name="", server_path="sim/readings/"
    )
    assert run.name == "sim/readings/" and run.job.status == Job.Status.QUEUED
    job = run_job_inline(run.job)
    assert job.status == Job.Status.SUCCEEDED and job.progress == 1.0
    run.refresh_from_db()
    assert run.summary["accounts"] == 40 and run.summary["in_registry"] == 1
    top = MeterSuspect.objects.filter(run=run).order_by("rank").first()
    assert top is not None and top.account_id == FARM_ACCOUNT and top.suspect
    assert top.power_account == hidden_farm and top.division_id == "150602"
    assert top.reasons["route"] and top.features["load_factor"] > 0.8
    label = pd.read_csv(simulated / "labels.csv", dtype={"account_id": str}).set_index("account_id")
    truth = label.loc[FARM_ACCOUNT, "mining_kw"]  # mean kW over the hours the rigs ran
    assert 0.95 * truth < top.est_mining_kw < 1.05 * truth
    unknown = MeterSuspect.objects.exclude(account_id=FARM_ACCOUNT)
    assert set(unknown.values_list("division_id", flat=True)) == {"150000"}
    assert AuditEvent.objects.filter(action="detection.meter_run.store", object_id=str(run.pk)).exists()


def test_it_promotes_a_suspect_to_a_lead_with_its_evidence_pictures(data_root, hidden_farm, simulated):
    run = finished_meter_run("test", simulated)
    suspect = MeterSuspect.objects.get(run=run, account_id=FARM_ACCOUNT)
    lead = meter_suspect_promote(actor="test", suspect=suspect)
    assert lead.source == Lead.Source.METER_ANALYTICS and lead.division_id == "150602"
    assert lead.subject == hidden_farm.subject and lead.power_account == hidden_farm
    assert lead.evidence["subject"]["categories"] == ["data_center", "enterprise"]
    assert lead.evidence["estimates"]["est_rigs"] == suspect.est_rigs
    pictures = list(lead.attachments.order_by("name"))
    assert [p.name for p in pictures] == [f"carpet-{FARM_ACCOUNT}.png", f"daily-{FARM_ACCOUNT}.png"]
    assert all(bytes(p.content).startswith(b"\x89PNG") and p.content_type == "image/png" for p in pictures)
    suspect.refresh_from_db()
    assert suspect.lead == lead
    assert AuditEvent.objects.filter(action="detection.meter_suspect.promote").count() == 1
    with pytest.raises(TransitionError):
        meter_suspect_promote(actor="test", suspect=suspect)
    assert Lead.objects.count() == 1


@pytest.mark.parametrize(
    "basis,bounded",
    [("onset", False), ("running", False), ("fixed_floor", True), ("base_load", True), ("whole_load", True)],
)
def test_a_leads_summary_says_when_the_mining_load_is_an_upper_bound(data_root, simulated, basis, bounded):
    """Without a jump in the window the kW counts whatever else shares the meter: the lead a reviewer reads
    says "an upper bound" then, in each language, and not otherwise."""
    run = finished_meter_run("test", simulated, "150200")
    suspect = MeterSuspect.objects.filter(run=run).order_by("rank").first()
    assert suspect is not None
    MeterSuspect.objects.filter(pk=suspect.pk).update(est_basis=basis, est_mining_kw=320.4)
    suspect.refresh_from_db()
    lead = meter_suspect_promote(actor="test", suspect=suspect)
    assert "320 kW" in lead.summary and "320 kW" in lead.summary_en
    assert ("上限估计" in lead.summary) is bounded and ("an upper bound" in lead.summary_en) is bounded
    assert "upper bound" not in lead.summary and "上限" not in lead.summary_en


def test_it_promotes_an_account_unknown_to_the_registry_in_the_runs_division(data_root, simulated):
    run = finished_meter_run("test", simulated, "150200")
    suspect = MeterSuspect.objects.filter(run=run).order_by("rank").first()
    assert suspect is not None
    lead = meter_suspect_promote(actor="test", suspect=suspect)
    assert lead.subject is None and lead.power_account is None and lead.division_id == "150200"
    assert "未在登记库中" in lead.title


@pytest.mark.parametrize(
    "content,code",
    [
        (b"\x00\x01\x02binary\xff\xfe", "detection.upload_type"),
        (b"\xd4\xc3\xb2\xa1" + b"\x00" * 40, "detection.upload_type"),  # a capture is not meter data
        (b"", "detection.upload_empty"),
        (b"name,value\nx,1\n", "meter.layout_unknown"),
    ],
)
def test_it_refuses_bad_meter_uploads_and_keeps_nothing(data_root, content, code):
    with pytest.raises(DomainError) as caught:
        meter_run_start(
            actor="test",
            division=Division.objects.get(code="150000"),
            name="x",
            uploads=[SimpleUploadedFile("readings.csv", content)],
        )
    assert caught.value.code == code and caught.value.message_zh and caught.value.message_en
    assert not MeterRun.objects.exists() and not Job.objects.exists()
    assert not (data_root.parent / "var" / "detection" / "meter-runs").exists() or not any(
        (data_root.parent / "var" / "detection" / "meter-runs").iterdir()
    )


@pytest.mark.parametrize(
    "path,code",
    [
        ("../var", "detection.path_outside"),
        ("/etc/passwd", "detection.path_not_found"),
        ("", "detection.no_source"),
    ],
)
def test_it_refuses_paths_outside_the_data_folder(data_root, path, code):
    with pytest.raises(DomainError) as caught:
        meter_run_start(
            actor="test", division=Division.objects.get(code="150000"), name="x", server_path=path
        )
    assert caught.value.code == code and not MeterRun.objects.exists()


def test_it_fails_the_job_with_the_bad_rows_and_stores_nothing(data_root):
    csv = "account_id,ts,kwh\nA1,2025-01-01 00:00,1.0\nA1,2025-01-01 01:00,-5\nA1,2025-01-01 02:00,1.0\n"
    run = meter_run_start(
        actor="test",
        division=Division.objects.get(code="150000"),
        name="bad rows",
        uploads=[SimpleUploadedFile("bad.csv", csv.encode())],
    )
    job = run_job_inline(run.job)
    assert job.status == Job.Status.FAILED and job.error_code.startswith("meter.")
    assert "2" in job.error_zh and job.error_en
    assert not MeterSuspect.objects.filter(run=run).exists()


def test_it_keeps_good_rows_when_asked_to_skip_bad_ones(data_root):
    rows = ["account_id,ts,kwh"] + [
        f"A1,2025-01-{d:02d} {h:02d}:00,1.0" for d in range(1, 15) for h in range(24)
    ]
    rows.append("A1,not a time,1.0")
    run = meter_run_start(
        actor="test",
        division=Division.objects.get(code="150000"),
        name="skip",
        uploads=[SimpleUploadedFile("some-bad.csv", "\n".join(rows).encode())],
        skip_bad=True,
    )
    job = run_job_inline(run.job)
    assert job.status == Job.Status.SUCCEEDED, job.error
    run.refresh_from_db()
    assert run.summary["rejected_rows"] == 1 and run.summary["accounts"] == 1


@pytest.fixture
def cafe_allocations(db):  # type: ignore[no-untyped-def]
    """192.168.2.0/24 held by a Baotou internet café in 2017, by a telecom firm in Ordos from 2018."""
    baotou, ordos = Division.objects.get(code="150203"), Division.objects.get(code="150602")
    cafe = subject_create(
        actor="test",
        kind="enterprise",
        name="包头星海网咖",
        uscc=make_uscc("9", "1", "150203", "11223344"),
        division=baotou,
        categories=["internet_cafe"],
    )
    telecom = subject_create(
        actor="test",
        kind="enterprise",
        name="鄂尔多斯远航网络科技有限公司",
        uscc=make_uscc("9", "1", "150602", "99887766"),
        division=ordos,
        categories=["telecom_or_internet"],
    )
    IPAllocation.objects.create(
        prefix="192.168.2.0/24",
        valid_from=datetime(2017, 1, 1, tzinfo=SHANGHAI),
        valid_to=datetime(2018, 1, 1, tzinfo=SHANGHAI),
        subject=cafe,
        subscriber_name=cafe.name,
        address="包头市昆都仑区钢铁大街1号",
        division=baotou,
    )
    IPAllocation.objects.create(
        prefix="192.168.0.0/16",
        valid_from=datetime(2018, 1, 1, tzinfo=SHANGHAI),
        subject=telecom,
        subscriber_name=telecom.name,
        division=ordos,
    )
    return cafe, telecom


def finished_scan(
    actor: object, server_path: str = "pcaps/mining.pcapng", division_code: str = "150000"
) -> NetScan:
    scan = net_scan_start(
        actor=actor,  # type: ignore[arg-type]
        division=Division.objects.get(code=division_code),
        name="抓包",
        input_kind="capture",
        server_path=server_path,
    )
    assert scan.job is not None
    job = run_job_inline(scan.job)
    assert job.status == Job.Status.SUCCEEDED, job.error
    scan.refresh_from_db()
    return scan


def test_it_scans_a_capture_and_attributes_hosts_at_the_time_they_were_seen(data_root, cafe_allocations):
    cafe, _ = cafe_allocations
    scan = finished_scan("test")
    hosts = {h.host: h for h in NetHost.objects.filter(scan=scan)}
    assert {"192.168.2.148", "192.168.2.92", "147.229.13.222"} <= set(hosts)
    miner = hosts["192.168.2.148"]  # seen on 2017-12-25: the café's allocation, not the 2018 one
    assert miner.kind == "mining" and miner.subject == cafe and miner.division_id == "150203"
    assert any(p["pool"] == "Flypool" for p in miner.evidence["pools"])
    assert hosts["147.229.13.222"].allocation is None and hosts["147.229.13.222"].division_id == "150000"
    assert scan.summary["attributed"] == 2 and scan.summary["mining"] >= 3


def test_it_promotes_a_host_to_a_lead_for_the_subscriber(data_root, cafe_allocations):
    cafe, _ = cafe_allocations
    scan = finished_scan("test")
    host = NetHost.objects.get(scan=scan, host="192.168.2.92")
    lead = net_host_promote(actor="test", host=host)
    assert (
        lead.source == Lead.Source.NETWORK_ANALYTICS and lead.subject == cafe and lead.division_id == "150203"
    )
    assert lead.evidence["subject"]["categories"] == ["internet_cafe"]
    assert lead.evidence["network_evidence"]["wallets"][0]["coin"] == "monero"
    assert "包头星海网咖" in lead.title
    attachments = {a.content_type: bytes(a.content) for a in lead.attachments.all()}
    assert b"xmr-stak" in attachments["application/json"]
    assert attachments["image/png"][:8] == b"\x89PNG\r\n\x1a\n"  # the pool timeline travels with the lead
    with pytest.raises(TransitionError):
        net_host_promote(actor="test", host=host)


def test_it_refuses_a_capture_that_is_not_one(data_root):
    with pytest.raises(DomainError) as caught:
        net_scan_start(
            actor="test",
            division=Division.objects.get(code="150000"),
            name="x",
            input_kind="capture",
            uploads=[SimpleUploadedFile("fake.pcap", b"account_id,ts,kwh\n1,2,3\n")],
        )
    assert caught.value.code == "detection.upload_type" and not NetScan.objects.exists()


def test_it_offers_server_data_without_entering_datasets(data_root):
    from minesweep.detection.inputs import data_choices

    (data_root / ".hidden.csv").write_text("a,b\n")
    meter = data_choices(("csv", "parquet"))
    assert meter == ["sim/readings/"]  # the dataset whole, not its partitions, nor hidden files
    assert data_choices(("pcap", "pcapng"), capture_folders=True, datasets=False) == [
        "pcaps/",
        "pcaps/mining.pcapng",
    ]


@pytest.mark.django_db(False)
def test_it_judges_any_bytes_without_raising_anything_but_a_domain_error():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from minesweep.detection.inputs import check_upload, sniff

    @settings(max_examples=300, deadline=None)
    @given(st.binary(max_size=2000))
    def judge(content: bytes) -> None:
        assert sniff(content[:64], content[-4:]) in (None, "pcap", "pcapng", "parquet", "csv")
        try:
            check_upload(SimpleUploadedFile("x.bin", content), ("csv", "parquet", "pcap", "pcapng"))
        except DomainError as error:
            assert error.code.startswith("detection.upload_") and error.message_zh and error.message_en

    judge()


def test_it_runs_web_detection_on_the_configured_dask_engine_with_the_same_findings(
    settings, data_root, simulated, monkeypatch
):
    from minesweep.detection.meter.runners import dask as dask_runner

    calls: list[int] = []
    real_run_dask = dask_runner.run_dask

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        return real_run_dask(*args, **kwargs)

    monkeypatch.setattr(dask_runner, "run_dask", counted)
    local = finished_meter_run("test", simulated)
    settings.ANALYTICS_ENGINE = "dask"
    settings.DASK_SCHEDULER = ""
    on_dask = finished_meter_run("test", simulated)
    assert calls == [1]

    def scores(run: MeterRun) -> dict[str, float]:
        return dict(run.suspects.values_list("account_id", "score"))

    assert scores(on_dask) == scores(local) and len(scores(local)) > 0


def test_a_meter_run_asked_to_stop_stops_without_storing_findings(data_root, monkeypatch):
    run = meter_run_start(
        actor="test", division=Division.objects.get(code="150000"), name="", server_path="sim/readings/"
    )
    assert run.job is not None
    asked: list[int] = []

    def cancel_after_first_report(*, job_id: int) -> bool:  # the analyst presses "cancel" meanwhile
        asked.append(job_id)
        return len(asked) > 1

    monkeypatch.setattr("minesweep.jobs.worker.job_cancel_requested", cancel_after_first_report)
    job = run_job_inline(run.job)
    assert job.status == Job.Status.CANCELLED and len(asked) == 2
    assert not MeterSuspect.objects.filter(run=run).exists()
    assert AuditEvent.objects.filter(action="jobs.job.cancel", object_id=str(job.pk)).exists()
