"""``meters evaluate``: how good are the findings against labels (ROC-AUC, PR-AUC, precision@k, recall
at 1 % false-positive rate, mining-kW error), overall, per kind of miner and per kind of negative.

Per kind of miner the kind's miners are ranked against all negatives; per kind of negative, all
miners against that kind (so a hard negative's row shows how well miners are told apart from it).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

from minesweep.detection.meter.model import read_table

TARGET_FPR = 0.01


@dataclass(frozen=True)
class Quality:
    group: str
    miners: int
    negatives: int
    roc_auc: float
    pr_auc: float
    precision_at_k: float
    recall_at_1pct_fpr: float
    kw_error_median: float


def recall_at_fpr(y: np.ndarray, score: np.ndarray, fpr: float = TARGET_FPR) -> float:
    """Share of miners scoring above the (1 − fpr) quantile of negative scores (ties count as misses)."""
    negatives, positives = score[y == 0], score[y == 1]
    if len(negatives) == 0 or len(positives) == 0:
        return float("nan")
    threshold = np.quantile(negatives, 1 - fpr, method="higher")
    return float(np.mean(positives > threshold))


def _metrics(group: str, y: np.ndarray, score: np.ndarray, kw_ratio: np.ndarray, k: int | None) -> Quality:
    """Metrics for one group; ``k`` defaults to the group's number of miners."""
    from sklearn.metrics import average_precision_score, roc_auc_score

    k = k or max(1, int(y.sum()))
    both = len(set(y.tolist())) == 2
    top = np.argsort(-score, kind="stable")[:k]
    return Quality(
        group=group,
        miners=int(y.sum()),
        negatives=int((y == 0).sum()),
        roc_auc=float(roc_auc_score(y, score)) if both else float("nan"),
        pr_auc=float(average_precision_score(y, score)) if both else float("nan"),
        precision_at_k=float(y[top].mean()) if len(top) else float("nan"),
        recall_at_1pct_fpr=recall_at_fpr(y, score),
        kw_error_median=float(np.nanmedian(np.abs(kw_ratio - 1)))
        if np.isfinite(kw_ratio).any()
        else float("nan"),
    )


def evaluate(findings: pa.Table, labels: pa.Table, k: int | None = None) -> list[Quality]:
    """Quality rows: ``overall``, then ``miner:<kind>`` and ``negative:<kind>``.

    ``kw_error_median`` is the median |est_mining_kw / mining_kw − 1| over the group's miners.
    """
    label_rows = {
        a: (int(m), str(kind), float(kw or 0))
        for a, m, kind, kw in zip(
            labels.column("account_id").to_pylist(),
            labels.column("is_mining").to_pylist(),
            labels.column("kind").to_pylist()
            if "kind" in labels.column_names
            else ["unknown"] * labels.num_rows,
            labels.column("mining_kw").to_pylist()
            if "mining_kw" in labels.column_names
            else [0] * labels.num_rows,
            strict=True,
        )
    }
    ids = findings.column("account_id").to_pylist()
    keep = [i for i, a in enumerate(ids) if a in label_rows]
    score = findings.column("score").to_numpy(zero_copy_only=False)[keep].astype(float)
    est = findings.column("est_mining_kw").to_numpy(zero_copy_only=False)[keep].astype(float)
    y = np.array([label_rows[ids[i]][0] for i in keep])
    kinds = np.array([label_rows[ids[i]][1] for i in keep])
    truth = np.array([label_rows[ids[i]][2] for i in keep])
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where((y == 1) & (truth > 0), est / truth, np.nan)
    rows = [_metrics("overall", y, score, ratio, k)]
    for kind in sorted(set(kinds[y == 1].tolist())):
        chosen = (y == 0) | (kinds == kind)
        rows.append(_metrics(f"miner:{kind}", y[chosen], score[chosen], ratio[chosen], k))
    for kind in sorted(set(kinds[y == 0].tolist())):
        chosen = (y == 1) | (kinds == kind)
        rows.append(_metrics(f"negative:{kind}", y[chosen], score[chosen], ratio[chosen], k))
    return rows


def evaluate_files(suspects: Path, labels: Path, k: int | None = None) -> list[Quality]:
    return evaluate(read_table(suspects), read_table(labels), k)


def format_table(rows: list[Quality]) -> str:
    header = f"{'group':<30} {'miners':>6} {'neg':>6} {'ROC-AUC':>8} {'PR-AUC':>7} {'P@k':>6} {'R@1%FPR':>8} {'kW err':>7}"
    lines = [header, "-" * len(header)]
    for r in rows:
        lines.append(
            f"{r.group:<30} {r.miners:>6} {r.negatives:>6} {r.roc_auc:>8.4f} {r.pr_auc:>7.4f} "
            f"{r.precision_at_k:>6.3f} {r.recall_at_1pct_fpr:>8.3f} {r.kw_error_median:>7.3f}"
        )
    return "\n".join(lines)
