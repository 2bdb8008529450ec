# ruff: noqa: F811  (pytest fixtures shared from test_services are imported, then requested by name)
"""Fused targets, their promotion, inspection outcomes and learning from them, traffic for fusion."""

from __future__ import annotations

import datetime as dt
import json
import re
from io import StringIO

import pyarrow as pa
import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from minesweep.accounts.jurisdiction import Scope
from minesweep.accounts.roles import Role
from minesweep.cases.models import Lead
from minesweep.cases.services import lead_create
from minesweep.core.errors import DomainError
from minesweep.detection.analytics import (
    account_traffic,
    merge_meta,
    merge_traffic,
    registry_meta,
    registry_traffic,
)
from minesweep.detection.learning import outcome_examples, train_from_outcomes
from minesweep.detection.meter.timebase import day_number_of
from minesweep.detection.models import HostTraffic, InspectionOutcome, MeterSuspect, NetHost, NetScan
from minesweep.detection.network.flows import host_traffic_totals
from minesweep.detection.selectors import confirmation_table, subject_mean_mbps
from minesweep.detection.services import inspection_outcome_record, target_promote
from minesweep.detection.targets import rank_targets
from minesweep.detection.tests.test_services import (  # noqa: F401  (fixtures)
    FARM_ACCOUNT,
    data_root,
    finished_meter_run,
    hidden_farm,
    simulated,
)
from minesweep.registry.models import Division, IPAllocation
from minesweep.registry.uscc import make_uscc

pytestmark = pytest.mark.django_db
REGION = Scope("15", Role.ANALYST, "", "150000")


def _scan(division: str = "150602") -> NetScan:
    return NetScan.objects.create(
        name="flows", input_kind=NetScan.Input.FLOWS, source_label="t", division_id=division
    )


def _allocation(subject) -> IPAllocation:  # type: ignore[no-untyped-def]
    return IPAllocation.objects.create(
        prefix="10.9.8.0/24",
        valid_from=timezone.now() - dt.timedelta(days=400),
        subject=subject,
        subscriber_name=subject.name,
        division=subject.division,
    )


def _mining_host(subject, allocation) -> NetHost:  # type: ignore[no-untyped-def]
    now = timezone.now()
    return NetHost.objects.create(
        scan=_scan(),
        host="10.9.8.7",
        kind=NetHost.Kind.MINING,
        score=0.9,
        first_seen=now - dt.timedelta(days=3),
        last_seen=now,
        allocation=allocation,
        subject=subject,
        division=subject.division,
    )


def _report(uscc: str, category: str = "disguised_data_center", number: str = "R1") -> None:
    from minesweep.reports.models import Report

    Report.objects.create(
        number=number,
        lookup_id=f"lookup-{number}",
        verifier="v",
        category=category,
        channel="web",
        uscc=uscc,
        division_id="150602",
        reported_division_id="150602",
        key_id="k",
        wrapped_key=b"w",
        content_sealed=b"sealed",
        content_sha256="0" * 64,
    )


def test_it_ranks_a_subject_by_fusing_meter_network_reports_and_registry(data_root, hidden_farm, simulated):
    finished_meter_run("test", simulated)
    subject = hidden_farm.subject
    before = next(r for r in rank_targets(scope=REGION) if r.key == f"subject:{subject.pk}")
    assert [s.stream for s in before.streams] == ["meter"]
    assert any("IP" in en for _, en in before.missing)  # no allocation: network cannot be attributed
    _mining_host(subject, _allocation(subject))
    _report(subject.uscc)
    rows = rank_targets(scope=REGION)
    top = rows[0]
    assert top.key == f"subject:{subject.pk}" and top.accounts == [FARM_ACCOUNT]
    assert {s.stream for s in top.streams} == {"meter", "network", "reports"}
    assert top.score > before.score and top.facts["reports"] == {
        "count": 1,
        "categories": ["disguised_data_center"],
    }
    assert all(s.zh and s.en for s in top.streams)
    # accounts the registry does not know are rows of their own, flagged as such
    unknown = [r for r in rows if r.key.startswith("account:")]
    assert unknown and all(any("registry" in en for _, en in r.missing) for r in unknown)
    # a county outside Ordos sees none of it
    assert rank_targets(scope=Scope("150102", Role.ANALYST, "", "150102")) == []


def test_a_targets_meter_stream_says_when_its_mining_load_is_an_upper_bound(
    data_root, hidden_farm, simulated
):
    run = finished_meter_run("test", simulated)
    MeterSuspect.objects.filter(run=run, account_id=FARM_ACCOUNT).update(
        est_basis="fixed_floor", est_mining_kw=88.0
    )
    row = next(r for r in rank_targets(scope=REGION) if r.key == f"subject:{hidden_farm.subject.pk}")
    meter = next(s for s in row.streams if s.stream == "meter")
    assert "88 kW（上限估计）" in meter.zh and "88 kW (an upper bound)" in meter.en
    MeterSuspect.objects.filter(run=run, account_id=FARM_ACCOUNT).update(est_basis="onset")
    row = next(r for r in rank_targets(scope=REGION) if r.key == f"subject:{hidden_farm.subject.pk}")
    meter = next(s for s in row.streams if s.stream == "meter")
    assert "88 kW（" in meter.zh and "上限" not in meter.zh and "upper bound" not in meter.en


def test_it_promotes_a_target_to_one_lead_carrying_every_stream(data_root, hidden_farm, simulated):
    finished_meter_run("test", simulated)
    subject = hidden_farm.subject
    host = _mining_host(subject, _allocation(subject))
    lead = target_promote(actor="test", scope=REGION, key=f"subject:{subject.pk}")
    assert lead.subject == subject and lead.power_account == hidden_farm and lead.division_id == "150602"
    assert {s["stream"] for s in lead.evidence["streams"]} == {"meter", "network"}
    assert lead.evidence["facts"]["meter"]["features"]["load_factor"] > 0.8
    assert sorted(a.name for a in lead.attachments.all()) == [
        f"carpet-{FARM_ACCOUNT}.png",
        f"daily-{FARM_ACCOUNT}.png",
    ]
    host.refresh_from_db()
    assert host.lead == lead
    assert MeterSuspect.objects.get(account_id=FARM_ACCOUNT).lead == lead
    with pytest.raises(DomainError):
        target_promote(actor="test", scope=REGION, key=f"subject:{subject.pk}")
    assert Lead.objects.count() == 1


def test_it_ranks_and_promotes_from_the_command_line(data_root, hidden_farm, simulated, tmp_path):
    finished_meter_run("test", simulated)
    out = StringIO()
    call_command("targets", "rank", "--division", "150600", "--out", str(tmp_path / "t.json"), stdout=out)
    rows = json.loads((tmp_path / "t.json").read_text(encoding="utf-8"))
    assert rows and rows[0]["key"] == f"subject:{hidden_farm.subject.pk}" and rows[0]["streams"][0]["en"]
    call_command("targets", "rank", "--out", str(tmp_path / "t.csv"), stdout=out)
    header = (tmp_path / "t.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header == "rank,key,name,division,score,streams,missing,accounts"
    call_command("targets", "promote", rows[0]["key"], stdout=out)
    assert Lead.objects.filter(source_ref=rows[0]["key"]).exists()


def _lead_with_features(number: int, features: dict[str, float]) -> Lead:
    return lead_create(
        actor="test",
        source=Lead.Source.METER_ANALYTICS,
        title=f"t{number}",
        division=Division.objects.get(code="150602"),
        evidence={"kind": "meter", "features": features},
    )


def test_it_records_outcomes_and_refits_the_model_on_them(data_root, hidden_farm, simulated, tmp_path):
    import pandas as pd

    from minesweep.detection.meter.model import load_model

    run = finished_meter_run("test", simulated)
    labels = pd.read_csv(simulated / "labels.csv", dtype={"account_id": str}).set_index("account_id")
    recorded = []
    for suspect in MeterSuspect.objects.filter(run=run).order_by("rank"):
        mining = bool(labels.loc[suspect.account_id, "is_mining"])
        for _ in range(2 if mining else 1):  # each miner's site inspected twice over: 8 confirmed sites
            lead = _lead_with_features(len(recorded), suspect.features)
            recorded.append(
                inspection_outcome_record(
                    actor="test",
                    lead=lead,
                    outcome="confirmed" if mining else "cleared",
                    inspected_on=dt.date(2026, 11, 1),
                    rigs_found=40 if mining else None,
                    kw_measured=130.0 if mining else None,
                )
            )
    lead_create(
        actor="test", source=Lead.Source.PUBLIC_REPORT, title="no meter", division=hidden_farm.division
    )
    features, label_table, used, skipped = outcome_examples()
    assert sorted(used) == sorted(r.pk for r in recorded) and skipped == 0
    assert features.num_rows == len(recorded) == 44 and "f_load_factor" in features.column_names
    meta = train_from_outcomes(tmp_path / "m.joblib")
    assert meta["outcome_ids"] == used and meta["source"] == "inspection_outcomes"
    assert load_model(tmp_path / "m.joblib")["rows"] == 44
    out = StringIO()
    call_command("meters", "train", "--from-outcomes", "--out", str(tmp_path / "m2.joblib"), stdout=out)
    assert json.loads(out.getvalue())["outcome_ids"] == used
    table = confirmation_table(scope=REGION)
    meter_row = next(r for r in table if r["source"] == "meter_analytics")
    positives = int(label_table.column("is_mining").to_pandas().sum())
    assert positives == 8 and meter_row["leads"] == 44 and meter_row["confirmed"] == 8
    assert meter_row["cleared"] == 36 and meter_row["inspected"] == 44


def test_it_refuses_an_inconsistent_or_future_outcome_and_changes_nothing(db):
    lead = _lead_with_features(1, {"load_factor": 0.9})
    with pytest.raises(DomainError):
        inspection_outcome_record(
            actor="test", lead=lead, outcome="cleared", inspected_on=dt.date(2026, 1, 1), rigs_found=3
        )
    with pytest.raises(DomainError):
        inspection_outcome_record(
            actor="test",
            lead=lead,
            outcome="confirmed",
            inspected_on=timezone.localdate() + dt.timedelta(days=2),
        )
    assert not InspectionOutcome.objects.exists()


def test_it_gives_fusion_the_declared_use_and_traffic_the_registry_knows(hidden_farm):
    subject = hidden_farm.subject
    allocation = _allocation(subject)
    assert registry_meta([FARM_ACCOUNT]).to_pylist()[0] | {} == {
        "account_id": FARM_ACCOUNT,
        "tariff": "large_industry",
        "contract_kva": 2500.0,
        "declared_use": "data_center",
        "mean_mbps": None,  # no flows attributed: unknown, not zero
    }
    scan = _scan()
    HostTraffic.objects.create(
        scan=scan,
        host="10.9.8.7",
        bytes=90_000_000,
        seconds=3600.0,
        allocation=allocation,
        subject=subject,
        division=subject.division,
    )
    assert subject_mean_mbps([subject.pk])[subject.pk] == pytest.approx(0.2)  # 90 MB over an hour
    assert registry_meta([FARM_ACCOUNT]).column("mean_mbps").to_pylist() == [pytest.approx(0.2)]


def test_it_reads_the_declared_use_from_the_registry_category_or_the_business_scope(db):
    """The registry has no "manufacturing" category: a plant is an enterprise whose business scope names
    production (GB/T 4754 words); a big-data or cloud-computing enterprise declares a data centre's load. A
    category that only says who holds the account (an enterprise), with no business scope, records no use."""
    from minesweep.registry.services import power_account_create, subject_create

    division = Division.objects.get(code="150303")
    cases = {
        "A1": (["enterprise"], "硅铁冶炼、铁合金制造"),
        "A2": (["big_data_or_cloud", "enterprise"], "云计算服务、大数据服务"),
        "A3": (["enterprise"], "大数据服务、计算机设备制造"),
        "A4": (["enterprise"], "新能源技术推广服务"),
        "A5": ([], ""),
        "A6": (["enterprise"], ""),  # who holds it, not what the site is for: unknown, not "enterprise"
    }
    for index, (number, (categories, business)) in enumerate(cases.items()):
        subject = subject_create(
            actor="test",
            kind="enterprise",
            name=f"乌达测试{index}有限公司",
            uscc=make_uscc("9", "1", "150303", f"MT00000{index}"),
            division=division,
            categories=categories,
            declared_business=business,
        )
        power_account_create(
            actor="test", number=number, tariff="large_industry", division=division, subject=subject
        )
    uses = {row["account_id"]: row["declared_use"] for row in registry_meta(list(cases)).to_pylist()}
    assert uses == {
        "A1": "manufacturing",
        "A2": "big_data_or_cloud",
        "A3": "data_center",  # servers named first: the flow data settles it
        "A4": "enterprise",
        "A5": None,
        "A6": None,
    }


def test_it_gives_fusion_the_traffic_of_each_flow_scan_as_a_period_of_the_window(hidden_farm):
    """Two weekly scans (Beijing days) before and after a meter's onset: each is one period of the
    holder's traffic, its days counted from the window's first day; a scan without a recorded start is
    not a period (its days are unknown)."""
    subject = hidden_farm.subject
    allocation = _allocation(subject)
    week = 7 * 86400.0
    for start, volume in ((dt.datetime(2024, 3, 3, 16, tzinfo=dt.UTC), 30_240_000_000_000), (None, 1)):
        HostTraffic.objects.create(
            scan=_scan(),
            host="10.9.8.7",
            bytes=volume,
            seconds=week,
            window_start=start,  # 2024-03-04 00:00 in Beijing
            allocation=allocation,
            subject=subject,
            division=subject.division,
        )
    first_day = day_number_of(dt.date(2024, 3, 1))
    periods = registry_traffic([FARM_ACCOUNT, "nobody"], first_day, 90).to_pylist()
    assert periods == [
        {"account_id": FARM_ACCOUNT, "first_day": 3, "last_day": 9, "mean_mbps": pytest.approx(400.0)}
    ]  # 30.24 TB over a week: 400 Mbit/s, 4-10 March
    assert registry_traffic([FARM_ACCOUNT], first_day + 30, 90).num_rows == 0  # before the window


def test_the_evidence_picture_gets_an_accounts_traffic_as_its_run_had_it(hidden_farm, tmp_path):
    subject = hidden_farm.subject
    upload = tmp_path / "traffic.csv"
    upload.write_text(
        "account_id,start,end,mean_mbps\n"
        f"{FARM_ACCOUNT},2024-01-01,2024-01-07,3\nOTHER,2024-01-01,2024-01-07,9\n",
        encoding="utf-8",
    )
    assert account_traffic(FARM_ACCOUNT) is None  # nobody knows its traffic: nothing drawn
    from_file = account_traffic(FARM_ACCOUNT, upload)
    assert from_file is not None and list(from_file.mbps) == [3.0]  # its own row only
    assert list(from_file.first_day) == [day_number_of(dt.date(2024, 1, 1))]  # day numbers, not window days
    HostTraffic.objects.create(
        scan=_scan(),
        host="10.9.8.7",
        bytes=604_800_000_000,
        seconds=7 * 86400.0,
        window_start=dt.datetime(2024, 3, 3, 16, tzinfo=dt.UTC),
        allocation=_allocation(subject),
        subject=subject,
        division=subject.division,
    )
    registry = account_traffic(FARM_ACCOUNT, upload)
    assert registry is not None and list(registry.mbps) == [pytest.approx(8.0)]  # the registry's scan first
    assert list(registry.first_day) == [day_number_of(dt.date(2024, 3, 4))]


def test_an_uploaded_traffic_file_speaks_only_for_accounts_the_registry_has_no_scans_of():
    def periods(accounts: list[str], mbps: float) -> pa.Table:
        return pa.table(
            {
                "account_id": accounts,
                "first_day": pa.array([0] * len(accounts), pa.int32()),
                "last_day": pa.array([6] * len(accounts), pa.int32()),
                "mean_mbps": [mbps] * len(accounts),
            }
        )

    merged = merge_traffic(periods(["A"], 400.0), periods(["A", "A", "B"], 1.0)).to_pylist()
    assert [(row["account_id"], row["mean_mbps"]) for row in merged] == [("A", 400.0), ("B", 1.0)]
    assert merge_traffic(periods([], 0.0), None).num_rows == 0


def test_an_uploaded_accounts_file_fills_in_what_the_registry_does_not_know(hidden_farm):
    """The registry's values win; a power company's file fills the fields it leaves empty (here the
    traffic: no flows attributed yet) and brings accounts it does not know."""
    uploaded = pa.table(
        {
            "account_id": [FARM_ACCOUNT, "99990000000001"],
            "tariff": ["agricultural", "commercial"],
            "contract_kva": ["100", "80"],
            "declared_use": ["warehouse", "commercial"],
            "mean_mbps": ["0.05", "36"],
        }
    )
    merged = merge_meta(registry_meta([FARM_ACCOUNT]), uploaded).to_pylist()
    assert merged == [
        {
            "account_id": FARM_ACCOUNT,
            "tariff": "large_industry",  # the registry's, not the file's
            "contract_kva": 2500.0,
            "declared_use": "data_center",
            "mean_mbps": 0.05,  # unknown to the registry: the file's
        },
        {
            "account_id": "99990000000001",
            "tariff": "commercial",
            "contract_kva": 80.0,
            "declared_use": "commercial",
            "mean_mbps": 36.0,
        },
    ]
    assert merge_meta(registry_meta([FARM_ACCOUNT]), None).column("mean_mbps").to_pylist() == [None]


def test_it_totals_each_hosts_traffic_over_the_whole_window():
    table = pa.table(
        {
            "src_ip": ["10.0.0.1", "10.0.0.1", "10.0.0.2"],
            "bytes": [100, 300, 50],
            "ts_start": [0.0, 10.0, 500.0],
            "ts_end": [5.0, 20.0, 1000.0],
        }
    )
    totals = {t.host: t for t in host_traffic_totals(table)}
    assert totals["10.0.0.1"].bytes == 400 and totals["10.0.0.2"].bytes == 50
    assert totals["10.0.0.1"].window_seconds == 1000.0  # the data's window, not the host's own


def test_the_targets_and_outcomes_pages_show_in_both_languages(
    data_root, hidden_farm, simulated, make_staff, client_for
):
    finished_meter_run("test", simulated)
    client = client_for(make_staff("ordos_analyst", Role.ANALYST, "150600"))
    suspect = MeterSuspect.objects.get(account_id=FARM_ACCOUNT)
    evidence = client.get(f"/analytics/meters/suspects/{suspect.pk}/").content.decode()
    assert 'id="kw-definition"' in evidence and "运行小时内的平均功率" in evidence  # est_mining_kw, defined
    assert (
        "网络流量未知" in evidence and "登记用途：数据中心" in evidence and "data_center" not in evidence
    )  # missing stream, registry stream
    page = client.get("/analytics/targets/").content.decode()
    assert hidden_farm.subject.name in page and "值得现场核查的目标" in page and "线索核实率" in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get("/analytics/targets/").content.decode()
    assert "Targets worth a field visit" in english and "值得现场核查的目标" not in english
    assert "Account " + FARM_ACCOUNT in english  # the meter stream in words
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    response = client.post("/analytics/targets/promote/", {"key": f"subject:{hidden_farm.subject.pk}"})
    lead = Lead.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("cases:lead", args=[lead.pk])
    bad = client.post(
        "/analytics/outcomes/",
        {"lead_number": lead.number, "outcome": "cleared", "inspected_on": "2026-11-01", "rigs_found": "5"},
    )
    assert bad.status_code == 400 and not InspectionOutcome.objects.exists()
    ok = client.post(
        "/analytics/outcomes/",
        {
            "lead_number": lead.number,
            "outcome": "confirmed",
            "inspected_on": "2026-11-01",
            "rigs_found": "600",
            "kw_measured": "1900",
        },
    )
    assert ok.status_code == 302 and InspectionOutcome.objects.get().rigs_found == 600
    assert lead.number in client.get("/analytics/outcomes/").content.decode()


def test_the_targets_page_names_each_targets_division(make_staff, client_for):
    from minesweep.registry.services import subject_create

    uscc = make_uscc("9", "1", "150602", "MA0D0001")
    subject_create(
        actor="test",
        kind="enterprise",
        name="东胜区测试数据有限公司",
        uscc=uscc,
        division=Division.objects.get(code="150602"),
        categories=["enterprise"],
    )
    _report(uscc)
    page = client_for(make_staff("ordos_analyst", Role.ANALYST, "150600")).get("/analytics/targets/")
    cell = re.search(r'<td class="division"[^>]*>([^<]*)</td>', page.content.decode())
    assert cell and cell.group(1) == "东胜区"
    assert 'title="GB/T 2260 150602"' in cell.group(0)


def test_a_flow_scan_keeps_the_traffic_of_attributed_addresses_for_fusion(data_root, hidden_farm):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from minesweep.detection.services import net_scan_start
    from minesweep.jobs.worker import run_job_inline

    subject = hidden_farm.subject
    IPAllocation.objects.create(
        prefix="10.1.2.0/24",
        valid_from=dt.datetime(2023, 1, 1, tzinfo=dt.UTC),
        subject=subject,
        subscriber_name=subject.name,
        division=subject.division,
    )
    rows = ["ts_start,ts_end,src_ip,src_port,dst_ip,dst_port,proto,packets,bytes"]
    rows += [
        f"{1700000000 + i * 600},{1700000000 + i * 600 + 590},10.1.2.3,5{i:04d},203.0.113.9,443,tcp,40,4000"
        for i in range(12)
    ]
    rows += ["1700000000,1700000100,10.200.0.1,40000,203.0.113.9,443,tcp,10,999999"]  # nobody's address
    upload = SimpleUploadedFile("flows.csv", "\n".join(rows).encode())
    scan = net_scan_start(
        actor="test",
        division=Division.objects.get(code="150000"),
        name="f",
        input_kind="flows",
        uploads=[upload],
    )
    assert scan.job is not None and run_job_inline(scan.job).status == "succeeded"
    kept = HostTraffic.objects.get(scan=scan)
    assert kept.host == "10.1.2.3" and kept.bytes == 48_000 and kept.subject == subject
    assert kept.seconds == 11 * 600 + 590  # the data's whole window
    assert kept.window_start == dt.datetime.fromtimestamp(1700000000, tz=dt.UTC)  # and where it starts
    assert subject_mean_mbps([subject.pk])[subject.pk] == pytest.approx(48_000 * 8 / 7190 / 1e6)
    assert registry_meta([FARM_ACCOUNT]).column("mean_mbps").to_pylist() == [
        pytest.approx(5.34e-5, rel=0.01)
    ]  # 53 bit/s


def test_a_register_projects_status_is_named_in_each_language_whatever_language_is_active():
    from django.utils import translation

    from minesweep.detection.targets import TargetRow, _registry_streams
    from minesweep.registry.models import MiningProject
    from minesweep.registry.services import subject_create

    division = Division.objects.get(code="150204")
    owner = subject_create(
        actor="test",
        kind="enterprise",
        name="台账状态测试有限公司",
        uscc=make_uscc("9", "1", "150204", "MT000009"),
        division=division,
    )
    MiningProject.objects.create(
        owner=owner, name="状态测试矿场", division=division, rigs=100, power_kw=325, status="shut_down"
    )
    row = TargetRow(key="s", name=owner.name, division_code="150204", subject_id=owner.pk, accounts=[])
    with translation.override("en"):  # the active language must not leak into the other text
        _registry_streams(row, owner)
    (stream,) = [s for s in row.streams if "状态测试矿场" in s.zh]
    assert "（已关停，" in stream.zh
    assert "(shut down, " in stream.en and "shut_down" not in stream.en and "已关停" not in stream.en
