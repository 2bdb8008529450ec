"""Evidence picture for a network finding (网络证据图): when the host talked to which pool, as PNG.

A pure function of a host's evidence dictionary (:func:`report._evidence_dict`): one bar per pool
endpoint from its first to its last sighting (Asia/Shanghai time), labelled with the pool, how the
mining was recognised and the shares submitted; below it, the flow counts behind the score. Drawn
with matplotlib's Agg backend (headless); labels are in the active language (CJK font for Chinese).
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from minesweep.core.i18n import pick
from minesweep.core.plotting import use_cjk_font

SHANGHAI = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")
FLOW_LABELS = {
    "mining_protocol": ("挖矿协议", "mining protocol"),
    "pool_name": ("连接矿池域名", "to pool names"),
    "pool_endpoint": ("连接矿池地址", "to pool endpoints"),
    "pool_lookups": ("查询矿池域名", "pool name lookups"),
    "long_lived_low_volume": ("长时低流量", "long-lived, low volume"),
    "periodic_pairs": ("周期性连接", "periodic"),
    "mining_port": ("挖矿常用端口", "on mining ports"),
    "p2p_peers": ("P2P 节点", "P2P peers"),
}


def _when(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(SHANGHAI)
    except ValueError:
        return None


def pool_spans(evidence: dict[str, Any]) -> list[tuple[str, dt.datetime, dt.datetime]]:
    """(label, first seen, last seen) per pool endpoint with both times, earliest first."""
    spans = []
    for pool in evidence.get("pools", []):
        first, last = _when(pool.get("first_seen")), _when(pool.get("last_seen"))
        if first is None or last is None:
            continue
        messages = sum(int(n) for n in pool.get("methods", {}).values())
        how = pool.get("match") or "flows"
        seen = (
            pick(f"{messages} 条报文", f"{messages} messages")
            if messages
            else pick(f"依据 {how} 匹配", f"matched by {how}")
        )
        shares = pool.get("shares", 0)
        label = f"{pool.get('pool') or '?'} {pool.get('address', '')} · {pick(f'{shares} 份额', f'{shares} shares')} · {seen}"
        spans.append((label, first, max(last, first)))
    return sorted(spans, key=lambda span: span[1])


def render_host_png(evidence: dict[str, Any], host: str) -> bytes:
    """The host's pool timeline and flow counts as one PNG."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    use_cjk_font()
    spans = pool_spans(evidence)
    counts = [
        (pick(*FLOW_LABELS[k]), int(v))
        for k, v in evidence.get("flows", {}).items()
        if k in FLOW_LABELS and v
    ]
    figure, (timeline, bars) = plt.subplots(
        2,
        1,
        figsize=(8, 2.2 + 0.35 * (len(spans) + len(counts))),
        height_ratios=[max(1, len(spans)), max(1, len(counts))],
    )
    for row, (label, first, last) in enumerate(spans):
        start = mdates.date2num(first)
        width = max(mdates.date2num(last) - start, 1 / 86400)
        timeline.barh(row, width, left=start, height=0.35, color="tab:red")
        note = timeline.annotate(
            label,
            (start, row + 0.2),
            xytext=(0, 2),
            textcoords="offset points",
            fontsize=8,
            annotation_clip=False,
        )
        note.set_in_layout(False)  # a long label must not squeeze the axes
    timeline.set_yticks([])
    timeline.set_ylim(-0.6, max(1, len(spans)) - 0.2)
    if spans:  # at least a few minutes wide, so one short capture still gets readable ticks
        first_seen, last_seen = min(span[1] for span in spans), max(span[2] for span in spans)
        pad = max((last_seen - first_seen) * 0.05, dt.timedelta(minutes=2))
        timeline.set_xlim(mdates.date2num(first_seen - pad), mdates.date2num(last_seen + pad))
    locator = mdates.AutoDateLocator(tz=SHANGHAI, minticks=3, maxticks=7)
    timeline.xaxis.set_major_locator(locator)
    timeline.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, tz=SHANGHAI))
    timeline.tick_params(axis="x", labelsize=8)
    timeline.set_title(
        pick(f"{host}：与矿池的连接（北京时间）", f"{host}: connections to mining pools (Asia/Shanghai)")
        if spans
        else pick(f"{host}：无带时间的矿池连接", f"{host}: no timed pool connections")
    )
    bars.barh([label for label, _ in counts], [value for _, value in counts], color="tab:blue")
    bars.set_xlabel(pick("流数", "flows"))
    bars.xaxis.set_major_locator(MaxNLocator(integer=True))
    bars.invert_yaxis()
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110)
    plt.close(figure)
    return buffer.getvalue()
