"""Background job handlers of detection (registered with :mod:`minesweep.jobs`)."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

from minesweep.detection.analytics import run_capture_scan, run_flow_scan, run_meter_detection
from minesweep.detection.meter.detect import clock_check
from minesweep.detection.models import MeterRun, NetScan
from minesweep.detection.network.api import ScanOutcome
from minesweep.detection.services import METER_JOB, NET_JOB, meter_run_store, net_scan_store, run_dir
from minesweep.jobs.models import Job
from minesweep.jobs.registry import ProgressReporter, job_handler


def _workers() -> int:
    """Feature processes: all cores in a worker process of its own; one inside the web process's thread
    (forking a multi-threaded server is not safe)."""
    in_main_thread = threading.current_thread() is threading.main_thread()
    return (os.cpu_count() or 1) if in_main_thread else 1


@job_handler(METER_JOB)
def meter_run(job: Job, progress: ProgressReporter) -> dict[str, Any]:
    run = MeterRun.objects.get(pk=job.params["run"])
    work = run_dir(run)
    work.mkdir(parents=True, exist_ok=True)
    params = run.params
    result = run_meter_detection(
        Path(params["input"]),
        work,
        lambda fraction, zh, en: progress(fraction, zh, en),
        since=_day(params.get("since")),
        until=_day(params.get("until")),
        rig=params.get("rig", "S19"),
        skip_bad=bool(params.get("skip_bad")),
        accounts_meta=Path(params["accounts_meta"]) if params.get("accounts_meta") else None,
        traffic=Path(params["traffic"]) if params.get("traffic") else None,
        temperature=Path(params["temperature"]) if params.get("temperature") else None,
        workers=_workers(),
        unmarked_times_utc=bool(params.get("unmarked_times_utc")),
    )
    progress(0.92, "正在保存结果……", "Saving the findings…")
    import pyarrow.parquet as pq

    pq.write_table(result.findings, work / "findings.parquet")
    report = result.import_report
    summary = {
        "window": list(result.window),
        "interval_s": result.interval_s,
        "readings": report.readings if report else None,
        "rejected_rows": report.rejected if report else 0,
    }
    clock = clock_check(result.findings)  # counts only: the run's page is seen across jurisdictions
    summary.update(working_rhythm=clock["working_rhythm"], rhythm_at_night=clock["rhythm_at_night"])
    run = meter_run_store(run=run, findings=result.findings, dataset=result.dataset, summary=summary)
    return {"run": run.pk, **run.summary}


@job_handler(NET_JOB)
def net_scan(job: Job, progress: ProgressReporter) -> dict[str, Any]:
    scan = NetScan.objects.get(pk=job.params["scan"])
    paths = [Path(p) for p in scan.params["paths"]]
    report = lambda fraction, zh, en: progress(fraction, zh, en)  # noqa: E731
    if scan.input_kind == NetScan.Input.CAPTURE:
        outcome: Any = run_capture_scan(paths, report)
        summary = _scan_summary(outcome)
    else:
        outcome = run_flow_scan(paths[0], report)
        summary = {"rows": outcome.stats.rows, "skipped_rows": outcome.stats.skipped_rows}
    progress(0.92, "正在归属 IP 并保存结果……", "Attributing addresses and saving…")
    scan = net_scan_store(scan=scan, outcome=outcome, summary=summary)
    return {"scan": scan.pk, **scan.summary}


def _scan_summary(outcome: ScanOutcome) -> dict[str, Any]:
    raw = outcome.summary()
    return {
        "files": [Path(f).name for f in raw["files"]],
        "frames": raw["frames"],
        "bytes": raw["bytes"],
        "packets": raw["packets"],
        "flows": raw["flows"],
        "skipped_frames": sum(raw["skipped_frames"].values())
        if isinstance(raw["skipped_frames"], dict)
        else 0,
        "truncated_file": bool(raw["truncated_file"]),
        "unparsable_messages": raw["unparsable_messages"],
    }


def _day(text: str | None) -> Any:
    import datetime as dt

    return dt.date.fromisoformat(text) if text else None
