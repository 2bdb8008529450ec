"""State changes of detection: start runs and scans, store their findings, promote findings to leads.

Every function is keyword-only and writes its audit event in the same transaction. Authorisation
(who may see which run, suspect or host) is the caller's job through :mod:`selectors`; services trust
the objects they are handed.
"""

from __future__ import annotations

import json
import math
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone, translation

from minesweep.accounts.jurisdiction import Scope
from minesweep.audit.services import audit_record
from minesweep.cases.models import Lead
from minesweep.cases.services import lead_create
from minesweep.core.errors import DomainError, NotFoundError, TransitionError
from minesweep.core.i18n import pick
from minesweep.core.tables import read_table_rows
from minesweep.detection.analytics import (
    account_metered_energy,
    meter_evidence_pngs,
    parse_utc,
    registry_allocation_index,
)
from minesweep.detection.inputs import (
    CAPTURE_KINDS,
    FLOW_KINDS,
    MAX_FILES,
    METER_KINDS,
    Upload,
    check_upload,
    detection_root,
    resolve_data_path,
    store_upload,
)
from minesweep.detection.meter.balance import MIN_COVERAGE, TOLERANCE, energy_balance
from minesweep.detection.meter.rigs import RIG_POWER_KW
from minesweep.detection.meter.sources import (
    ALL_DAYS,
    detect_layout,
    read_accounts_meta,
    read_temperature,
    read_traffic_periods,
)
from minesweep.detection.models import (
    DeskCheck,
    HostTraffic,
    InspectionOutcome,
    MeterRun,
    MeterSuspect,
    NetHost,
    NetScan,
)
from minesweep.detection.network.api import FlowOutcome, ScanOutcome
from minesweep.detection.network.attribution import AllocationIndex, IpAllocation
from minesweep.detection.network.evidence import render_host_png
from minesweep.jobs.services import job_enqueue
from minesweep.registry.models import Division, IPAllocation, PowerAccount, Subject

Actor = AbstractBaseUser | str | None
#: Findings kept in the database per run (highest scores first); the full table stays in findings.parquet.
MAX_STORED_FINDINGS = 20_000
# Pictures attached to a lead are drawn in Chinese, the case file's language (the pages draw them in the viewer's)
CASE_FILE_LANGUAGE = "zh-hans"
METER_JOB = "detection.meter_run"
NET_JOB = "detection.net_scan"


def run_dir(run: MeterRun) -> Path:
    return detection_root() / "meter-runs" / str(run.pk)


def scan_dir(scan: NetScan) -> Path:
    return detection_root() / "net-scans" / str(scan.pk)


def _one_source(uploads: Sequence[Upload], server_path: str) -> None:
    if uploads and server_path.strip():
        raise DomainError(
            "detection.two_sources",
            "请只选择一种数据来源：上传文件或服务器路径",
            "Choose one data source: an upload or a server path",
        )
    if not uploads and not server_path.strip():
        raise DomainError(
            "detection.no_source",
            "请上传文件或选择服务器数据路径",
            "Upload a file or choose a server data path",
        )
    if len(uploads) > MAX_FILES:
        raise DomainError(
            "detection.too_many_files",
            f"一次最多上传 {MAX_FILES} 个文件",
            f"At most {MAX_FILES} files at a time",
        )


def _parse_day(text: str, label_zh: str, label_en: str) -> str | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise DomainError(
            "detection.bad_date",
            f"{label_zh}不是有效日期（格式 2025-01-31）：{text}",
            f"{label_en} is not a valid date (format 2025-01-31): {text}",
        ) from None


@transaction.atomic
def meter_run_start(
    *,
    actor: Actor,
    division: Division,
    name: str,
    uploads: Sequence[Upload] = (),
    server_path: str = "",
    accounts_meta: Upload | None = None,
    traffic: Upload | None = None,
    temperature: Upload | None = None,
    since: str = "",
    until: str = "",
    rig: str = "S19",
    skip_bad: bool = False,
    unmarked_times_utc: bool = False,
) -> MeterRun:
    """Check the input, save uploads, and queue a background detection run. Nothing is kept on refusal.
    ``unmarked_times_utc``: the readings' times written without an offset are UTC, not Beijing time."""
    _one_source(uploads, server_path)
    checked = [check_upload(u, METER_KINDS) for u in uploads]
    # side files: (param and folder, upload, its content check, the reader that checks every row now)
    side_files = [
        (name, upload, check_upload(upload, ("csv", "parquet")), read)
        for name, upload, read in (
            ("accounts_meta", accounts_meta, read_accounts_meta),
            ("traffic", traffic, lambda path: read_traffic_periods(path, 0, ALL_DAYS)),  # whatever the window
            ("temperature", temperature, lambda path: read_temperature(path, 0, 0)),
        )
        if upload is not None
    ]
    source_path = resolve_data_path(server_path) if server_path.strip() else None
    since_day = _parse_day(since, "开始日期", "Start date")
    until_day = _parse_day(until, "结束日期", "End date")
    if since_day and until_day and since_day > until_day:
        raise DomainError(
            "detection.bad_window", "开始日期晚于结束日期", "The start date is after the end date"
        )
    rig_key = rig.upper().replace(" ", "")
    if rig_key not in RIG_POWER_KW:
        raise DomainError("detection.bad_rig", f"未知矿机型号：{rig}", f"Unknown rig model: {rig}")
    label = ", ".join(c.original_name for c in checked) if checked else (server_path.strip() or "")
    run = MeterRun.objects.create(
        name=(name.strip() or label)[:200],
        source=MeterRun.Source.UPLOAD if checked else MeterRun.Source.SERVER_PATH,
        source_label=label[:300],
        params={
            "since": since_day,
            "until": until_day,
            "rig": rig_key,
            "skip_bad": bool(skip_bad),
            "unmarked_times_utc": bool(unmarked_times_utc),
        },
        division=division,
        created_by_id=actor.pk if isinstance(actor, AbstractBaseUser) else None,
    )
    folder = run_dir(run)
    try:
        if checked:
            for index, (upload, check) in enumerate(zip(uploads, checked, strict=True)):
                detect_layout(store_upload(upload, check, folder / "input", index))
            run.params["input"] = str(folder / "input")
        else:
            assert source_path is not None
            run.params["input"] = str(source_path)
        for name, upload, check, read in side_files:
            path = store_upload(upload, check, folder / name, 0)
            read(path)
            run.params[name] = str(path)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    run.job = job_enqueue(
        actor=actor,
        kind=METER_JOB,
        division=division,
        params={"run": run.pk},
        title=f"用电数据检测：{run.name}",
        title_en=f"Meter detection: {run.name}",
    )
    run.save(update_fields=["params", "job"])
    audit_record(
        actor=actor,
        action="detection.meter_run.start",
        target=run,
        after={"name": run.name, "source": run.source, "label": run.source_label},
        division_code=division.code,
    )
    return run


def _number(value: Any) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) or math.isinf(number) else number


@transaction.atomic
def meter_run_store(*, run: MeterRun, findings: pa.Table, dataset: Path, summary: dict[str, Any]) -> MeterRun:
    """Keep the findings of a finished run: each account mapped to its registry power account and division."""
    rows = findings.slice(0, MAX_STORED_FINDINGS).to_pylist()
    numbers = [str(r["account_id"]) for r in rows]
    accounts: dict[str, tuple[int, str]] = {}
    for start in range(0, len(numbers), 900):
        for pk, number, division_id in PowerAccount.objects.filter(
            number__in=numbers[start : start + 900]
        ).values_list("pk", "number", "division_id"):
            accounts[number] = (pk, division_id)
    MeterSuspect.objects.filter(run=run).delete()
    batch = []
    for rank, row in enumerate(rows, start=1):
        account = str(row["account_id"])
        power_account_id, division_id = accounts.get(account, (None, run.division_id))
        try:
            reasons = json.loads(row.get("reasons") or "{}")
        except ValueError:
            reasons = {}
        first_seen = row.get("first_seen")
        batch.append(
            MeterSuspect(
                run=run,
                rank=rank,
                account_id=account[:60],
                power_account_id=power_account_id,
                division_id=division_id,
                score=_number(row.get("score")) or 0.0,
                suspect=bool(row.get("suspect")),
                est_mining_kw=_number(row.get("est_mining_kw")),
                est_rigs=int(row["est_rigs"]) if _number(row.get("est_rigs")) is not None else None,
                est_mining_kwh=_number(row.get("est_mining_kwh")),
                first_seen=date.fromisoformat(first_seen) if first_seen else None,
                est_basis=str(row.get("est_basis") or "")[:20],
                route=str(reasons.get("route", ""))[:40],
                reasons={
                    **reasons,
                    "fusion": _fusion_of(row),
                    "meter_score": _number(row.get("meter_score")),
                },
                features={k[2:]: _number(v) for k, v in row.items() if k.startswith("f_")},
            )
        )
    MeterSuspect.objects.bulk_create(batch, batch_size=1000)
    run.dataset_path = str(dataset)
    run.finished_at = timezone.now()
    run.summary = {
        **summary,
        "accounts": findings.num_rows,
        "stored": len(rows),
        "suspects": int(sum(1 for r in findings.column("suspect").to_pylist() if r))
        if findings.num_rows
        else 0,
        "in_registry": len(accounts),
    }
    run.save(update_fields=["dataset_path", "finished_at", "summary"])
    audit_record(
        actor="system",
        action="detection.meter_run.store",
        target=run,
        after=run.summary,
        division_code=run.division_id,
        detail={"accounts": findings.num_rows, "suspects": run.summary["suspects"]},
    )
    return run


def meter_evidence(suspect: MeterSuspect) -> dict[str, bytes]:
    """The two evidence pictures of a finding, drawn once per language (their titles and axes are in the
    viewer's) and cached beside the run."""
    cache = run_dir(suspect.run) / "evidence"
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in suspect.account_id)
    language = pick("zh", "en")
    paths = {name: cache / f"{safe}-{suspect.pk}-{language}-{name}" for name in ("carpet.png", "daily.png")}
    if all(p.is_file() for p in paths.values()):
        return {name: path.read_bytes() for name, path in paths.items()}
    traffic = suspect.run.params.get("traffic")
    pictures = meter_evidence_pngs(
        Path(suspect.run.dataset_path), suspect.account_id, Path(traffic) if traffic else None
    )
    cache.mkdir(parents=True, exist_ok=True)
    for name, path in paths.items():
        path.write_bytes(pictures[name])
    return pictures


def _case_file_pictures(suspect: MeterSuspect) -> dict[str, bytes]:
    """A finding's pictures for a lead: part of the case file, so in Chinese whoever promotes."""
    with translation.override(CASE_FILE_LANGUAGE):
        return meter_evidence(suspect)


def _subject_facts(subject: Any) -> dict[str, Any] | None:
    if subject is None:
        return None
    return {
        "id": subject.pk,
        "name": subject.name,
        "uscc": subject.uscc,
        "kind": subject.kind,
        "declared_business": subject.declared_business,
        "categories": sorted(c.code for c in subject.categories.all()),
    }


def meter_suspect_promote(*, actor: Actor, suspect: MeterSuspect) -> Lead:
    """Open a lead for a scored account with its evidence pictures, linked to the registry account and subject."""
    if suspect.lead_id:
        raise _already_promoted(suspect.lead)
    pictures = _case_file_pictures(
        suspect
    )  # drawn outside the transaction: it reads files and takes a second
    with transaction.atomic():
        locked = MeterSuspect.objects.select_for_update().select_related("run", "division").get(pk=suspect.pk)
        if locked.lead_id:
            raise _already_promoted(locked.lead)
        account = (
            PowerAccount.objects.select_related("subject", "division")
            .filter(pk=locked.power_account_id)
            .first()
            if locked.power_account_id
            else None
        )
        subject = account.subject if account else None
        holder = f"（{subject.name}）" if subject else "（未在登记库中）"
        estimates = {
            "est_mining_kw": locked.est_mining_kw,
            "est_rigs": locked.est_rigs,
            "est_mining_kwh": locked.est_mining_kwh,
            "first_seen": locked.first_seen.isoformat() if locked.first_seen else None,
            "basis": locked.est_basis,
            "rig_model": locked.run.params.get("rig", "S19"),
        }
        evidence = {
            "kind": "meter",
            "run": {"id": locked.run_id, "name": locked.run.name, "window": locked.run.summary.get("window")},
            "account_id": locked.account_id,
            "power_account": (
                {
                    "number": account.number,
                    "tariff": account.tariff,
                    "contract_kva": float(account.contract_kva) if account.contract_kva is not None else None,
                    "division": account.division_id,
                }
                if account
                else None
            ),
            "subject": _subject_facts(subject),
            "score": locked.score,
            "route": locked.route,
            "reasons": locked.reasons,
            "estimates": estimates,
            "features": locked.features,
            "desk_checks": [c.as_facts() for c in locked.desk_checks.order_by("-recorded_at", "-id")],
        }
        kw_zh, kw_en = locked.kw_words()
        lead = lead_create(
            actor=actor,
            source=Lead.Source.METER_ANALYTICS,
            title=f"用电数据疑似挖矿：户号 {locked.account_id}{holder}"[:200],
            summary=(
                f"评分 {locked.score:.3f}；估算挖矿负荷 {kw_zh}，约 {locked.est_rigs or 0} 台矿机，"
                f"始见 {estimates['first_seen'] or '—'}。"
            ),
            summary_en=(
                f"Score {locked.score:.3f}; estimated mining load {kw_en}, "
                f"about {locked.est_rigs or 0} rigs, first seen {estimates['first_seen'] or '—'}."
            ),
            division=locked.division,
            subject=subject,
            power_account=account,
            evidence=evidence,
            source_ref=f"meter-suspect:{locked.pk}",
            attachments=[
                (f"carpet-{locked.account_id}.png", "image/png", pictures["carpet.png"]),
                (f"daily-{locked.account_id}.png", "image/png", pictures["daily.png"]),
            ],
        )
        locked.lead = lead
        locked.save(update_fields=["lead"])
        audit_record(
            actor=actor,
            action="detection.meter_suspect.promote",
            target=locked,
            after={"lead": lead.number},
            division_code=locked.division_id,
            detail={"run": locked.run_id, "account_id": locked.account_id, "lead": lead.number},
        )
    suspect.lead = lead
    return lead


def _fusion_of(row: dict[str, Any]) -> dict[str, Any]:
    try:
        return dict(json.loads(row.get("fusion") or "{}"))
    except ValueError:
        return {}


def _already_promoted(lead: Lead | None) -> TransitionError:
    number = lead.number if lead else ""
    return TransitionError(
        "detection.already_promoted",
        f"该结果已转为线索 {number}",
        f"This finding was already promoted to lead {number}",
        lead=number,
    )


@transaction.atomic
def net_scan_start(
    *,
    actor: Actor,
    division: Division,
    name: str,
    input_kind: str,
    uploads: Sequence[Upload] = (),
    server_path: str = "",
) -> NetScan:
    """Check captures or flow files, save them, and queue a background scan."""
    if input_kind not in NetScan.Input.values:
        raise DomainError("detection.bad_input_kind", "请选择数据类型", "Choose the kind of data")
    _one_source(uploads, server_path)
    allowed = CAPTURE_KINDS if input_kind == NetScan.Input.CAPTURE else FLOW_KINDS
    checked = [check_upload(u, allowed) for u in uploads]
    source_path = resolve_data_path(server_path) if server_path.strip() else None
    if input_kind == NetScan.Input.FLOWS and len(uploads) > 1:
        raise DomainError(
            "detection.one_flow_file", "流记录一次只能上传一个文件", "Upload one flow file at a time"
        )
    label = ", ".join(c.original_name for c in checked) if checked else server_path.strip()
    scan = NetScan.objects.create(
        name=(name.strip() or label)[:200],
        input_kind=input_kind,
        source_label=label[:300],
        division=division,
        created_by_id=actor.pk if isinstance(actor, AbstractBaseUser) else None,
    )
    folder = scan_dir(scan)
    if checked:
        paths = [
            str(store_upload(u, c, folder / "input", i))
            for i, (u, c) in enumerate(zip(uploads, checked, strict=True))
        ]
    else:
        assert source_path is not None
        if input_kind == NetScan.Input.CAPTURE and source_path.is_dir():
            paths = sorted(str(p) for p in source_path.iterdir() if p.suffix.lower() in (".pcap", ".pcapng"))
            if not paths:
                raise DomainError(
                    "detection.no_captures",
                    "该目录中没有 .pcap/.pcapng 文件",
                    "No .pcap/.pcapng files in that folder",
                )
        else:
            paths = [str(source_path)]
    scan.params = {"paths": paths}
    scan.job = job_enqueue(
        actor=actor,
        kind=NET_JOB,
        division=division,
        params={"scan": scan.pk},
        title=f"网络数据检测：{scan.name}",
        title_en=f"Network detection: {scan.name}",
    )
    scan.save(update_fields=["params", "job"])
    audit_record(
        actor=actor,
        action="detection.net_scan.start",
        target=scan,
        after={"name": scan.name, "input": input_kind, "label": scan.source_label},
        division_code=division.code,
    )
    return scan


def _attribute(
    host: str, first_seen: str, last_seen: str, index: AllocationIndex, rows: dict[IpAllocation, int]
) -> tuple[int | None, bool, dict[str, Any]]:
    first = index.lookup(host, parse_utc(first_seen))
    last = index.lookup(host, parse_utc(last_seen))
    facts = {
        "subscriber": first.as_dict() if first else None,
        "subscriber_at_last_seen": last.as_dict() if last else None,
    }
    return (rows.get(first) if first else None), (first != last), facts


@transaction.atomic
def net_scan_store(*, scan: NetScan, outcome: ScanOutcome | FlowOutcome, summary: dict[str, Any]) -> NetScan:
    """Keep a finished scan's host records, each attributed to a subscriber through registry IP allocations."""
    index, rows = registry_allocation_index()
    allocations = {a.pk: a for a in IPAllocation.objects.filter(pk__in=set(rows.values()))}
    NetHost.objects.filter(scan=scan).delete()
    batch = []
    for record in outcome.records:
        allocation_id, reassigned, facts = _attribute(
            record.host, record.first_seen, record.last_seen, index, rows
        )
        allocation = allocations.get(allocation_id) if allocation_id else None
        batch.append(
            NetHost(
                scan=scan,
                host=record.host,
                kind=record.kind,
                score=float(record.score),
                first_seen=parse_utc(record.first_seen),
                last_seen=parse_utc(record.last_seen),
                evidence=record.evidence,
                allocation=allocation,
                subject_id=allocation.subject_id if allocation else None,
                reassigned=reassigned,
                attribution=facts,
                division_id=allocation.division_id if allocation else scan.division_id,
            )
        )
    NetHost.objects.bulk_create(batch, batch_size=1000)
    traffic = _store_host_traffic(scan, getattr(outcome, "traffic", []), index, rows, allocations)
    scan.finished_at = timezone.now()
    scan.summary = {
        **summary,
        "hosts_found": len(batch),
        "mining": sum(1 for h in batch if h.kind == NetHost.Kind.MINING),
        "attributed": sum(1 for h in batch if h.allocation_id),
        "traffic_attributed": traffic,
    }
    scan.save(update_fields=["finished_at", "summary"])
    audit_record(
        actor="system",
        action="detection.net_scan.store",
        target=scan,
        after=scan.summary,
        division_code=scan.division_id,
        detail={"hosts": len(batch)},
    )
    return scan


def _store_host_traffic(
    scan: NetScan,
    totals: list[Any],
    index: AllocationIndex,
    rows: dict[IpAllocation, int],
    allocations: dict[int, Any],
) -> int:
    """Keep the traffic totals of the addresses the registry attributes to a subscriber (others are
    nobody's evidence); returns how many were kept."""
    HostTraffic.objects.filter(scan=scan).delete()
    batch = []
    for total in totals:
        moment = datetime.fromtimestamp(total.last_seen, tz=UTC)
        entry = index.lookup(total.host, moment)
        row_id = rows.get(entry) if entry else None
        allocation = allocations.get(row_id) if row_id is not None else None
        if allocation is None:
            continue
        batch.append(
            HostTraffic(
                scan=scan,
                host=total.host,
                bytes=total.bytes,
                seconds=total.window_seconds,
                window_start=datetime.fromtimestamp(total.window_start, tz=UTC),
                allocation=allocation,
                subject_id=allocation.subject_id,
                division_id=allocation.division_id,
            )
        )
    HostTraffic.objects.bulk_create(batch, batch_size=1000)
    return len(batch)


def net_host_promote(*, actor: Actor, host: NetHost) -> Lead:
    """Open a lead for a host: subscriber, subject and category from the IP allocation valid when it was seen."""
    with translation.override(CASE_FILE_LANGUAGE):
        picture = render_host_png(host.evidence, host.host)  # drawn outside the transaction
    with transaction.atomic():
        locked = NetHost.objects.select_for_update().select_related("scan").get(pk=host.pk)
        if locked.lead_id:
            raise _already_promoted(locked.lead)
        index, rows = (
            registry_allocation_index()
        )  # the registry as it is now: allocations may have been added
        allocation_id, reassigned, facts = _attribute(
            locked.host, locked.first_seen.isoformat(), locked.last_seen.isoformat(), index, rows
        )
        allocation = (
            IPAllocation.objects.select_related("subject", "division").filter(pk=allocation_id).first()
            if allocation_id
            else None
        )
        subject = allocation.subject if allocation else None
        division = allocation.division if allocation else locked.division
        subscriber = allocation.subscriber_name if allocation else "未能归属到用户"
        wallets = [w.get("address") for w in locked.evidence.get("wallets", [])]
        pools = sorted({p.get("pool") or p.get("address") for p in locked.evidence.get("pools", [])} - {None})
        evidence = {
            "kind": "network",
            "scan": {"id": locked.scan_id, "name": locked.scan.name, "input": locked.scan.input_kind},
            "host": locked.host,
            "finding_kind": locked.kind,
            "score": locked.score,
            "first_seen": locked.first_seen.isoformat(),
            "last_seen": locked.last_seen.isoformat(),
            "attribution": {**facts, "reassigned": reassigned, "allocation_id": allocation_id},
            "subject": _subject_facts(subject),
            "network_evidence": locked.evidence,
        }
        kind_zh = "挖矿" if locked.kind == NetHost.Kind.MINING else "加密货币节点"
        lead = lead_create(
            actor=actor,
            source=Lead.Source.NETWORK_ANALYTICS,
            title=f"网络数据疑似{kind_zh}：IP {locked.host}（{subscriber}）"[:200],
            summary=f"评分 {locked.score:.2f}；矿池 {'、'.join(pools) or '—'}；钱包 {len(wallets)} 个。",
            summary_en=f"Score {locked.score:.2f}; pools {', '.join(pools) or '—'}; {len(wallets)} wallet(s).",
            division=division,
            subject=subject,
            evidence=evidence,
            source_ref=f"net-host:{locked.pk}",
            attachments=[
                (
                    f"host-{locked.host.replace(':', '_')}-evidence.json",
                    "application/json",
                    json.dumps(evidence, ensure_ascii=False, indent=2).encode("utf-8"),
                ),
                (f"host-{locked.host.replace(':', '_')}-pools.png", "image/png", picture),
            ],
        )
        locked.lead = lead
        locked.save(update_fields=["lead"])
        audit_record(
            actor=actor,
            action="detection.net_host.promote",
            target=locked,
            after={"lead": lead.number},
            division_code=division.code,
            detail={"scan": locked.scan_id, "host": locked.host, "lead": lead.number},
        )
    host.lead = lead
    return lead


def target_promote(*, actor: Actor, scope: Scope, key: str) -> Lead:
    """Open one lead for a ranked target carrying every stream's evidence (meter finding, network
    findings, report counts, registry facts), and link the findings it used to that lead."""
    from minesweep.detection.targets import target_row

    row = target_row(scope=scope, key=key)
    if row is None:
        raise NotFoundError()
    attachments = _meter_pictures(
        row.facts.get("meter", {}).get("suspect_id")
    )  # drawn outside the transaction
    with transaction.atomic():
        suspects = list(MeterSuspect.objects.select_for_update().filter(pk__in=row.meter_suspect_ids))
        hosts = list(NetHost.objects.select_for_update().filter(pk__in=row.net_host_ids))
        promoted = next((s.lead for s in suspects if s.lead_id), None) or next(
            (h.lead for h in hosts if h.lead_id), None
        )
        if promoted is not None:
            raise _already_promoted(promoted)
        subject = Subject.objects.filter(pk=row.subject_id).first() if row.subject_id else None
        account = PowerAccount.objects.filter(number__in=row.accounts).first()
        strongest = max(row.streams, key=lambda s: s.logit).stream if row.streams else "meter"
        source = {
            "network": Lead.Source.NETWORK_ANALYTICS,
            "reports": Lead.Source.PUBLIC_REPORT,
        }.get(strongest, Lead.Source.METER_ANALYTICS)
        evidence = {"kind": "target", "subject": _subject_facts(subject), **row.as_dict()}
        lead = lead_create(
            actor=actor,
            source=source,
            title=f"多源研判目标：{row.name}"[:200],
            summary="；".join(s.zh for s in row.streams),
            summary_en="; ".join(s.en for s in row.streams),
            division=Division.objects.get(code=row.division_code),
            subject=subject,
            power_account=account,
            evidence=evidence,
            source_ref=row.key[:80],
            attachments=attachments,
        )
        MeterSuspect.objects.filter(pk__in=[s.pk for s in suspects]).update(lead=lead)
        NetHost.objects.filter(pk__in=[h.pk for h in hosts]).update(lead=lead)
        audit_record(
            actor=actor,
            action="detection.target.promote",
            target=lead,
            after={"lead": lead.number, "score": round(row.score, 4)},
            division_code=row.division_code,
            detail={"key": row.key, "suspects": len(suspects), "hosts": len(hosts)},
        )
    return lead


def _meter_pictures(suspect_id: int | None) -> list[tuple[str, str, bytes]]:
    """The carpet and daily-energy pictures of the target's meter finding, when its readings are still there."""
    suspect = MeterSuspect.objects.select_related("run").filter(pk=suspect_id).first() if suspect_id else None
    if suspect is None or not suspect.run.dataset_path:
        return []
    try:
        pictures = _case_file_pictures(suspect)
    except (OSError, DomainError):
        return []  # the run's dataset was removed: the lead keeps the findings without pictures
    return [
        (f"carpet-{suspect.account_id}.png", "image/png", pictures["carpet.png"]),
        (f"daily-{suspect.account_id}.png", "image/png", pictures["daily.png"]),
    ]


@transaction.atomic
def inspection_outcome_record(
    *,
    actor: Actor,
    lead: Lead,
    outcome: str,
    inspected_on: date,
    rigs_found: int | None = None,
    kw_measured: float | None = None,
    notes: str = "",
) -> InspectionOutcome:
    """Record what inspectors found on site for a lead: the labelled example detection learns from."""
    if outcome not in InspectionOutcome.Outcome.values:
        raise DomainError("detection.outcome_unknown", "核查结论无效", "Unknown inspection outcome")
    if inspected_on > timezone.localdate():
        raise DomainError(
            "detection.outcome_future", "核查日期不能晚于今天", "The inspection date cannot be in the future"
        )
    if outcome == InspectionOutcome.Outcome.CLEARED and (rigs_found or kw_measured):
        raise DomainError(
            "detection.outcome_inconsistent",
            "排除挖矿时不应填写矿机台数或功率",
            "A cleared site cannot have rigs or mining kW recorded",
        )
    if (rigs_found is not None and rigs_found < 0) or (kw_measured is not None and kw_measured < 0):
        raise DomainError(
            "detection.outcome_negative", "台数和功率不能为负", "Rigs and kW cannot be negative"
        )
    case = getattr(lead, "case", None) if hasattr(lead, "case") else None
    record = InspectionOutcome.objects.create(
        lead=lead,
        case=case,
        outcome=outcome,
        inspected_on=inspected_on,
        rigs_found=rigs_found,
        kw_measured=kw_measured,
        notes=notes[:500],
        division=lead.division,
        recorded_by_id=actor.pk if isinstance(actor, AbstractBaseUser) else None,
    )
    audit_record(
        actor=actor,
        action="detection.inspection_outcome.record",
        target=record,
        after={"lead": lead.number, "outcome": outcome, "rigs": rigs_found, "kw": kw_measured},
        division_code=lead.division_id,
        detail={"lead": lead.number},
    )
    return record


@dataclass(frozen=True)
class ProductionRecord:
    """What a plant's records say for a period (Beijing days, both inclusive): its product and output,
    the electricity per unit of output, other documented use, and which records say so."""

    first: date
    last: date
    product: str
    output: float
    unit: str
    kwh_per_unit: float
    source: str
    other_kwh: float = 0.0
    notes: str = ""


@transaction.atomic
def desk_check_record(*, actor: Actor, suspect: MeterSuspect, record: ProductionRecord) -> DeskCheck:
    """Record a production energy balance for a meter finding (:mod:`.meter.balance`): the metered
    energy of the period from the run's readings against what the records say production needed."""
    _check_production_record(record)
    figures = {
        "period_start": record.first,
        "period_end": record.last,
        "product": record.product,
        "output": record.output,
        "unit": record.unit,
        "kwh_per_unit": record.kwh_per_unit,
        "other_kwh": record.other_kwh,
        "source": record.source,
    }
    same = DeskCheck.objects.filter(suspect=suspect, **figures).first()
    if same is not None:
        return same  # the same figures sent twice (a double click): one record
    metered = account_metered_energy(
        Path(suspect.run.dataset_path), suspect.account_id, record.first, record.last
    )
    if metered.coverage < MIN_COVERAGE:
        window = suspect.run.summary.get("window") or ["?", "?"]
        raise DomainError(
            "detection.desk_check_coverage",
            f"该时段内读数仅覆盖 {metered.coverage:.1%} 的小时（至少需 {MIN_COVERAGE:.0%}）：缺失的小时可能正含所查负荷，"
            f"请选择读数覆盖的时段（本次检测的读数为 {window[0]} 至 {window[-1]}）",
            f"The readings cover only {metered.coverage:.1%} of the period's hours (at least {MIN_COVERAGE:.0%} "
            "needed): the missing hours may hold the very load in question; choose a period the readings cover "
            f"(this run's readings run from {window[0]} to {window[-1]})",
        )
    balance = energy_balance(metered, record.output, record.kwh_per_unit, record.other_kwh)
    check = DeskCheck.objects.create(
        suspect=suspect,
        **figures,
        metered_kwh=round(balance.metered_kwh, 1),
        coverage=round(metered.coverage, 4),
        explained_kwh=round(balance.explained_kwh, 1),
        unexplained_kw=round(balance.unexplained_kw, 1),
        tolerance=TOLERANCE,
        verdict=balance.verdict,
        notes=record.notes,
        division=suspect.division,
        recorded_by_id=actor.pk if isinstance(actor, AbstractBaseUser) else None,
    )
    audit_record(
        actor=actor,
        action="detection.desk_check.record",
        target=check,
        after={
            "account": suspect.account_id,
            "verdict": balance.verdict,
            "metered_kwh": check.metered_kwh,
            "explained_kwh": check.explained_kwh,
            "unexplained_kw": check.unexplained_kw,
        },
        division_code=suspect.division_id,
        detail={"run": suspect.run_id, "account": suspect.account_id, "verdict": balance.verdict},
    )
    return check


def _check_production_record(record: ProductionRecord) -> None:
    if record.first > record.last:
        raise DomainError(
            "detection.desk_check_period",
            "核查时段的起始日不能晚于截止日",
            "The period cannot end before it starts",
        )
    if record.last >= timezone.localdate():
        raise DomainError(
            "detection.desk_check_period_open",
            "核查时段须在今天之前结束（当天的读数与记录尚不完整）",
            "The period must end before today (today's readings and records are not complete)",
        )
    numbers = (record.output, record.kwh_per_unit, record.other_kwh)
    if any(not math.isfinite(n) or n < 0 for n in numbers):
        raise DomainError(
            "detection.desk_check_negative",
            "产量、单位电耗和其他用电不能为负",
            "Output, kWh per unit and other use cannot be negative",
        )
    if record.output > 0 and record.kwh_per_unit <= 0:
        raise DomainError(
            "detection.desk_check_unit_kwh",
            "有产量时须填写单位产品电耗（来自能源利用状况报告或节能审查）",
            "With output recorded, give the electricity per unit of output (from the energy use report or the "
            "energy-saving review)",
        )
    lengths = {"product": 100, "unit": 20, "source": 300, "notes": 500}
    too_long = [name for name, limit in lengths.items() if len(getattr(record, name)) > limit]
    if too_long:
        raise DomainError(
            "detection.desk_check_too_long",
            f"内容过长：{'、'.join(too_long)}（产品 100、单位 20、来源 300、备注 500 字以内）",
            f"Too long: {', '.join(too_long)} (product 100, unit 20, records 300, notes 500 characters at most)",
        )
    if not record.source.strip() or not record.product.strip() or not record.unit.strip():
        raise DomainError(
            "detection.desk_check_source",
            "请填写产品、计量单位和数据来源（如统计报表、能源利用状况报告）",
            "Give the product, its unit and the records the figures come from (e.g. statistical returns, the "
            "energy use report)",
        )


# Columns of a production-records table (English or the Chinese a statistics clerk would write).
DESK_CHECK_COLUMNS: dict[str, tuple[str, ...]] = {
    "account_id": ("account_id", "户号", "电力户号"),
    "period_start": ("period_start", "起始日"),
    "period_end": ("period_end", "截止日"),
    "product": ("product", "产品"),
    "output": ("output", "产量"),
    "unit": ("unit", "计量单位", "单位"),
    "kwh_per_unit": ("kwh_per_unit", "单位产品电耗"),
    "other_kwh": ("other_kwh", "其他用电"),
    "source": ("source", "数据来源"),
    "notes": ("notes", "备注"),
}
DESK_CHECK_REQUIRED = ("account_id", "period_start", "period_end", "product", "output", "unit", "source")
DESK_CHECK_MAX_ROWS = 2000


@transaction.atomic
def desk_checks_import(*, actor: Actor, scope: Scope, run: MeterRun, content: bytes) -> list[DeskCheck]:
    """Production energy balances for many findings of one run from a table of production records
    (CSV or XLSX; columns :data:`DESK_CHECK_COLUMNS`): all or nothing. Every row is checked and
    balanced as :func:`desk_check_record` would; one bad row and nothing is stored, the refusal listing
    each row's problem (``problems``: row, zh, en)."""
    rows = list(read_table_rows(content))
    header = set(rows[0][1]) if rows else set()
    names = {
        key: next((a for a in aliases if a in header), None) for key, aliases in DESK_CHECK_COLUMNS.items()
    }
    missing = [DESK_CHECK_COLUMNS[key][0] for key in DESK_CHECK_REQUIRED if names[key] is None]
    if not rows or missing:
        raise DomainError(
            "detection.desk_checks_columns",
            f"表格缺少列：{'、'.join(missing) or '（无数据行）'}（需要 {'、'.join(DESK_CHECK_REQUIRED)}）",
            f"The table lacks columns: {', '.join(missing) or '(no data rows)'} (needed: "
            f"{', '.join(DESK_CHECK_REQUIRED)})",
        )
    if len(rows) > DESK_CHECK_MAX_ROWS:
        raise DomainError(
            "detection.desk_checks_too_many",
            f"一次最多 {DESK_CHECK_MAX_ROWS} 行",
            f"At most {DESK_CHECK_MAX_ROWS} rows at a time",
        )
    named = {(row.get(names["account_id"] or "", "") or "").strip() for _, row in rows}
    findings = {  # only the accounts the table names: a run can hold a province's accounts
        s.account_id: s
        for s in MeterSuspect.objects.filter(
            scope.q("division"), run=run, account_id__in=named
        ).select_related("run", "division")
    }
    checks: list[DeskCheck] = []
    problems: list[dict[str, object]] = []
    for number, row in rows:
        cell = {key: (row.get(name, "") if name else "").strip() for key, name in names.items()}
        try:
            suspect = findings.get(cell["account_id"])
            if suspect is None:
                raise DomainError(
                    "detection.desk_checks_account",
                    f"本次检测（或您的辖区）中没有户号 {cell['account_id'] or '（空）'}",
                    f"No account {cell['account_id'] or '(empty)'} in this run (or in your jurisdiction)",
                )
            checks.append(desk_check_record(actor=actor, suspect=suspect, record=_production_record(cell)))
        except DomainError as problem:
            problems.append({"row": number, "zh": problem.message_zh, "en": problem.message_en})
    if problems:  # raising undoes every row's record and audit event (one transaction)
        raise DomainError(
            "detection.desk_checks_rejected",
            f"导入被拒绝：{len(problems)} 行有误，未记录任何核查",
            f"Import rejected: {len(problems)} {'row has' if len(problems) == 1 else 'rows have'} problems, no "
            "check was recorded",
            problems=problems[:200],
        )
    audit_record(
        actor=actor,
        action="detection.desk_check.import",
        target=run,
        after={"rows": len(rows), "checks": len(checks)},
        division_code=scope.division_code,
        detail={"rows": len(rows), "verdicts": verdict_counts(checks)},
    )
    return checks


def verdict_counts(checks: list[DeskCheck]) -> dict[str, int]:
    """How many of ``checks`` reached each verdict (every verdict named, 0 included)."""
    return {verdict: sum(c.verdict == verdict for c in checks) for verdict in DeskCheck.Verdict.values}


def _production_record(cell: dict[str, str]) -> ProductionRecord:
    """One table row as a production record; a bad date or number is the row's problem."""
    return ProductionRecord(
        first=_table_date(cell["period_start"], "起始日", "first day"),
        last=_table_date(cell["period_end"], "截止日", "last day"),
        product=cell["product"],
        output=_table_number(cell["output"], "产量", "output"),
        unit=cell["unit"],
        kwh_per_unit=_table_number(cell["kwh_per_unit"] or "0", "单位产品电耗", "kWh per unit"),
        other_kwh=_table_number(cell["other_kwh"] or "0", "其他用电", "other use"),
        source=cell["source"],
        notes=cell["notes"],
    )


def _table_date(text: str, zh: str, en: str) -> date:
    """YYYY-MM-DD or YYYY/MM/DD (a workbook's date cell reads as 'YYYY-MM-DD 00:00:00')."""
    try:
        return date.fromisoformat(text[:10].replace("/", "-"))
    except ValueError:
        raise DomainError(
            "detection.desk_checks_date", f"{zh}不是日期：{text[:40]}", f"The {en} is not a date: {text[:40]}"
        ) from None


def _table_number(text: str, zh: str, en: str) -> float:
    try:
        value = float(text.replace(",", ""))
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise DomainError(
            "detection.desk_checks_number",
            f"{zh}不是数字：{text[:40]}",
            f"The {en} is not a number: {text[:40]}",
        )
    return value
