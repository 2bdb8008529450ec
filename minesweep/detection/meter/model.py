"""Optional learned scorer (训练模型): gradient boosting on inspected cases, calibrated.

``train_model`` fits ``HistGradientBoostingClassifier`` wrapped in ``CalibratedClassifierCV`` on the
``f_*`` feature columns of a findings file joined with labels (``account_id, is_mining``). The saved
file (joblib) records the feature names, the sklearn version and the sha256 of the training data
(features file bytes + labels file bytes), so any score can be traced to the data it learned from.
Missing features are encoded as a sentinel far below any real value (a split of their own).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from minesweep.detection.meter.errors import MeterDataError

MIN_POSITIVES = 5
MISSING = -1.0e6  # stands in for NaN: sklearn's binning fails on a fold where a column is all NaN


def file_sha256(*paths: Path) -> str:
    digest = hashlib.sha256()
    for path in paths:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def read_table(path: Path) -> pa.Table:
    if path.suffix.lower() == ".parquet":
        return pq.read_table(path)
    return pacsv.read_csv(
        path, convert_options=pacsv.ConvertOptions(column_types={"account_id": pa.string()})
    )


def training_matrix(features: pa.Table, labels: pa.Table) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """X (accounts × f_* features), y (0/1) for accounts present in both tables.

    Features without at least two distinct values (e.g. temperature response when no temperature
    was given) carry no information and are left out; the model file lists those it used.
    """
    names = [n for n in features.column_names if n.startswith("f_")]
    label_of = dict(
        zip(
            labels.column("account_id").to_pylist(),
            pc.cast(labels.column("is_mining"), pa.int64()).to_pylist(),
            strict=True,
        )
    )
    ids = features.column("account_id").to_pylist()
    keep = np.array([a in label_of for a in ids], dtype=bool)
    x = np.column_stack([features.column(n).to_numpy(zero_copy_only=False).astype(float) for n in names])[
        keep
    ]
    y = np.array([label_of[a] for a, k in zip(ids, keep, strict=True) if k], dtype=int)
    return x, y, [n[2:] for n in names]


def train_model(
    features_path: Path, labels_path: Path, out: Path, seed: int = 0, provenance: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Fit, calibrate and save the model; returns its metadata (with ``provenance``, e.g. the inspection
    outcomes it learned from, recorded in the file)."""
    import joblib
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.ensemble import HistGradientBoostingClassifier

    x, y, names = training_matrix(read_table(features_path), read_table(labels_path))
    if y.sum() < MIN_POSITIVES or (len(y) - y.sum()) < MIN_POSITIVES:
        raise MeterDataError(
            "train_too_few",
            f"训练样本不足：至少需要 {MIN_POSITIVES} 个正例和反例",
            f"Too few labelled cases: need at least {MIN_POSITIVES} positives and negatives",
        )
    booster = HistGradientBoostingClassifier(max_iter=200, learning_rate=0.1, random_state=seed)
    model = CalibratedClassifierCV(booster, method="isotonic", cv=3).fit(np.nan_to_num(x, nan=MISSING), y)
    import sklearn

    record = {
        "model": model,
        "features": names,
        "training_sha256": file_sha256(features_path, labels_path),
        "trained_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "sklearn_version": sklearn.__version__,
        "rows": int(len(y)),
        "positives": int(y.sum()),
        **(provenance or {}),
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump(record, out)
    return {k: v for k, v in record.items() if k != "model"}


def load_model(path: Path) -> dict[str, Any]:
    import joblib

    record = joblib.load(path)
    if not isinstance(record, dict) or "model" not in record or "training_sha256" not in record:
        raise MeterDataError("model_invalid", f"模型文件无效：{path}", f"Invalid model file: {path}")
    return record


def model_scores(
    record: dict[str, Any], columns: dict[str, np.ndarray]
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Calibrated probabilities and per-feature contributions (drop in probability when the feature
    is withheld, i.e. set to missing)."""
    names = record["features"]
    n = len(next(iter(columns.values()))) if columns else 0
    x = (
        np.column_stack([columns.get(name, np.full(n, np.nan)) for name in names])
        if n
        else np.zeros((0, len(names)))
    )
    if n == 0:
        return np.zeros(0), {}
    probability = record["model"].predict_proba(x)[:, 1]
    parts = {}
    for k, name in enumerate(names):
        withheld = x.copy()
        withheld[:, k] = MISSING
        parts[name] = probability - record["model"].predict_proba(withheld)[:, 1]
    return probability, parts
