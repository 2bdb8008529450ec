"""Learning from inspections (从核查结果学习): inspection outcomes → labelled examples → a refitted model.

Each lead's latest :class:`~minesweep.detection.models.InspectionOutcome` is one example: ``confirmed``
is a miner, ``cleared`` is not. Its features are the meter features the lead carried when it was
promoted (a meter finding's ``features``, or a target's ``facts.meter.features``); leads without meter
features cannot teach the meter model and are skipped (and counted). The model file records the ids of
the outcomes it used, so every later score can be traced to the inspections behind it.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from minesweep.detection.meter.model import train_model
from minesweep.detection.models import InspectionOutcome


def meter_features_of(evidence: dict[str, Any]) -> dict[str, float] | None:
    features = evidence.get("features")
    if not isinstance(features, dict):
        meter = (evidence.get("facts") or {}).get("meter") or {}
        features = meter.get("features") if isinstance(meter, dict) else None
    if not isinstance(features, dict) or not features:
        return None
    return {str(k): float(v) if v is not None else float("nan") for k, v in features.items()}


def outcome_examples() -> tuple[pa.Table, pa.Table, list[int], int]:
    """(features with ``f_*`` columns, labels, ids of the outcomes used, outcomes skipped)."""
    latest: dict[int, InspectionOutcome] = {}
    for outcome in InspectionOutcome.objects.select_related("lead").order_by("inspected_on", "id"):
        latest[outcome.lead_id] = outcome
    rows, labels, used, skipped = [], [], [], 0
    for outcome in latest.values():
        features = meter_features_of(outcome.lead.evidence or {})
        if features is None:
            skipped += 1
            continue
        rows.append({"account_id": outcome.lead.number, **{f"f_{k}": v for k, v in features.items()}})
        labels.append((outcome.lead.number, int(outcome.outcome == InspectionOutcome.Outcome.CONFIRMED)))
        used.append(outcome.pk)
    names = sorted({k for row in rows for k in row if k != "account_id"})
    table = pa.table(
        {
            "account_id": pa.array([r["account_id"] for r in rows], pa.string()),
            **{n: pa.array([r.get(n, float("nan")) for r in rows], pa.float64()) for n in names},
        }
    )
    label_table = pa.table(
        {
            "account_id": pa.array([a for a, _ in labels], pa.string()),
            "is_mining": pa.array([y for _, y in labels], pa.int64()),
        }
    )
    return table, label_table, used, skipped


def train_from_outcomes(out: Path, seed: int = 0) -> dict[str, Any]:
    """Refit the calibrated meter model on the inspection outcomes; returns the model's metadata."""
    features, labels, used, skipped = outcome_examples()
    with tempfile.TemporaryDirectory(prefix="minesweep-outcomes-") as scratch:
        features_path, labels_path = Path(scratch) / "features.parquet", Path(scratch) / "labels.csv"
        pq.write_table(features, features_path)
        pacsv.write_csv(labels, labels_path)
        return train_model(
            features_path,
            labels_path,
            out,
            seed=seed,
            provenance={"source": "inspection_outcomes", "outcome_ids": used, "outcomes_skipped": skipped},
        )
