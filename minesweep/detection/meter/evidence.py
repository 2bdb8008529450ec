"""Evidence pictures for an account (证据图): carpet plot and daily energy with detected steps, as PNG.

Pure functions from readings (UTC seconds, kWh, native interval) to PNG bytes, drawn with matplotlib's
Agg backend (headless). Days and hours are Asia/Shanghai local time; missing readings are left blank
(white), never drawn as zero. Labels are in the active language (with a CJK font for Chinese). Where the
site's traffic over periods is known, the daily picture draws it beside the energy (its own axis): a load
that jumps while the traffic stays flat is rigs', not servers'.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np

from minesweep.core.i18n import pick
from minesweep.core.plotting import use_cjk_font
from minesweep.detection.meter.kernels.profile import bin_readings, daily_mean_kw
from minesweep.detection.meter.kernels.steps import detect_steps
from minesweep.detection.meter.timebase import (
    SECONDS_PER_DAY,
    SHANGHAI_OFFSET_S,
    ProfileGrid,
    date_of_day_number,
)


@dataclass(frozen=True)
class TrafficSeries:
    """A site's traffic over periods: first and last day (day numbers, inclusive) and mean Mbit/s."""

    first_day: np.ndarray
    last_day: np.ndarray
    mbps: np.ndarray


def _grid_for(ts_utc_s: np.ndarray, interval_s: int) -> ProfileGrid:
    days = (ts_utc_s + SHANGHAI_OFFSET_S) // SECONDS_PER_DAY
    start = int(days.min()) if len(days) else 0
    return ProfileGrid(
        start_day=start, n_days=int(days.max()) - start + 1 if len(days) else 1, interval_s=interval_s
    )


def _png(figure: object) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")  # type: ignore[attr-defined]
    import matplotlib.pyplot as plt

    plt.close(figure)  # type: ignore[arg-type]
    return buffer.getvalue()


def _matrix(
    ts_utc_s: np.ndarray, kwh: np.ndarray, interval_s: int
) -> tuple[np.ndarray, np.ndarray, ProfileGrid]:
    grid = _grid_for(ts_utc_s, interval_s)
    """One account's profile as (days × slots) mean kW and counts, and its grid."""
    mean_kw, counts = bin_readings(np.zeros(len(ts_utc_s), dtype=np.int64), ts_utc_s, kwh, 1, grid)
    return mean_kw[:, 0, :].T, counts[:, 0, :].T, grid


def render_carpet_png(ts_utc_s: np.ndarray, kwh: np.ndarray, interval_s: int, title: str = "") -> bytes:
    """Carpet plot: one row per local day, one column per hour (mean kW as colour)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    use_cjk_font()
    mean_kw, _, grid = _matrix(ts_utc_s, kwh, interval_s)
    figure, axis = plt.subplots(figsize=(7, 5))
    image = axis.imshow(
        np.ma.masked_invalid(mean_kw),
        aspect="auto",
        interpolation="nearest",
        cmap="viridis",
        vmin=0.0,  # from zero, so a flat 24×7 block reads as flat and a day/night pattern as a pattern
        extent=(0, 24, grid.n_days, 0),
    )
    start = date_of_day_number(grid.start_day).isoformat()
    axis.set_xlabel(pick("时刻（北京时间）", "hour of day (Asia/Shanghai)"))
    axis.set_ylabel(pick(f"自 {start} 起第几天", f"day since {start}"))
    axis.set_title(title or pick("用电地毯图", "carpet plot"))
    figure.colorbar(image, ax=axis, label=pick("平均负荷 kW", "kW"))
    return _png(figure)


def render_daily_png(
    ts_utc_s: np.ndarray,
    kwh: np.ndarray,
    interval_s: int,
    title: str = "",
    traffic: TrafficSeries | None = None,
) -> bytes:
    """Daily energy (kWh/day) with the detected steps marked (▲ rise, ▼ fall, size in kW) and, when given,
    the site's traffic per period on a second axis."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    use_cjk_font()
    mean_kw, counts, grid = _matrix(ts_utc_s, kwh, interval_s)
    daily = daily_mean_kw(mean_kw.T[:, None, :], counts.T[:, None, :], grid)
    steps = detect_steps(daily)[0]
    days = np.arange(grid.n_days)
    figure, axis = plt.subplots(figsize=(8, 3.5))
    axis.plot(days, daily[0] * 24.0, color="tab:blue", linewidth=1)
    for day in np.nonzero(steps)[0]:
        colour = "tab:red" if steps[day] > 0 else "tab:green"
        axis.axvline(float(day), color=colour, linestyle="--", linewidth=1)
        axis.annotate(
            f"{steps[day]:+.0f} kW",
            (day, np.nanmax(daily[0]) * 24.0),
            color=colour,
            fontsize=8,
            rotation=90,
            va="top",
        )
    start = date_of_day_number(grid.start_day).isoformat()
    axis.set_xlabel(pick(f"自 {start} 起第几天", f"day since {start}"))
    axis.set_ylabel(pick("日用电量 kWh", "kWh / day"))
    axis.set_title(title or pick("日用电量与检出的负荷跃变", "daily energy and detected steps"))
    if traffic is not None and len(traffic.mbps):
        _draw_traffic(axis, traffic, grid)
    return _png(figure)


def traffic_segments(traffic: TrafficSeries, start_day: int, n_days: int) -> list[tuple[float, float, float]]:
    """(from, to, Mbit/s) on the daily picture's day axis, each period drawn across its days; periods
    outside the picture's days are left out."""
    segments = []
    for first, last, mbps in zip(traffic.first_day, traffic.last_day, traffic.mbps, strict=True):
        left, right = max(int(first) - start_day, 0), min(int(last) - start_day + 1, n_days)
        if right > left:
            segments.append((float(left), float(right), float(mbps)))
    return segments


def _draw_traffic(axis: object, traffic: TrafficSeries, grid: ProfileGrid) -> None:
    segments = traffic_segments(traffic, grid.start_day, grid.n_days)
    if not segments:
        return
    right = axis.twinx()  # type: ignore[attr-defined]
    for left, end, mbps in segments:
        right.hlines(mbps, left, end, color="tab:orange", linewidth=2)
    right.set_ylim(0, max(m for _, _, m in segments) * 1.3)
    right.set_ylabel(
        pick("流量 Mbit/s（橙色，按时段）", "traffic, Mbit/s (orange, per period)"), color="tab:orange"
    )


def render_evidence(
    ts_utc_s: np.ndarray,
    kwh: np.ndarray,
    interval_s: int,
    account_id: str = "",
    traffic: TrafficSeries | None = None,
) -> dict[str, bytes]:
    """Both pictures for one account: ``{"carpet.png": …, "daily.png": …}`` (``traffic``: drawn on the
    daily picture when known)."""
    return {
        "carpet.png": render_carpet_png(
            ts_utc_s, kwh, interval_s, pick(f"户号 {account_id} 用电地毯图", f"{account_id} carpet plot")
        ),
        "daily.png": render_daily_png(
            ts_utc_s,
            kwh,
            interval_s,
            pick(f"户号 {account_id} 日用电量", f"{account_id} daily energy"),
            traffic,
        ),
    }
