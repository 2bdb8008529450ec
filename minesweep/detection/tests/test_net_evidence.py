"""The network evidence picture: pool spans from a host's evidence, drawn as a PNG."""

from __future__ import annotations

import io

from django.utils import translation

from minesweep.detection.network.evidence import SHANGHAI, pool_spans, render_host_png

EVIDENCE = {
    "pools": [
        {
            "address": "203.0.113.9:3333",
            "pool": "Ethermine",
            "methods": {"mining.submit": 12, "mining.subscribe": 1},
            "shares": 12,
            "first_seen": "2023-11-14T22:13:20Z",
            "last_seen": "2023-11-15T00:03:20Z",
        },
        {"address": "198.51.100.7:4444", "pool": None, "methods": {}, "shares": 0, "first_seen": None},
    ],
    "flows": {"mining_protocol": 3, "pool_name": 12, "periodic_pairs": 0, "unknown_counter": 5},
}


def test_it_lists_timed_pool_connections_in_asia_shanghai_time():
    spans = pool_spans(EVIDENCE)
    assert len(spans) == 1  # the endpoint without times is not drawn
    label, first, last = spans[0]
    # The picture speaks the viewer's language: Chinese by default, English after the switch.
    assert "Ethermine 203.0.113.9:3333" in label and "12 份额" in label and "13 条报文" in label
    with translation.override("en"):
        label = pool_spans(EVIDENCE)[0][0]
    assert "12 shares" in label and "13 messages" in label and "份额" not in label
    assert first.tzinfo == SHANGHAI and (first.hour, last.hour) == (6, 8)  # 22:13 and 00:03 UTC


def test_it_draws_a_png_even_without_any_timed_pool():
    from PIL import Image

    for evidence in (EVIDENCE, {"pools": [], "flows": {}}, {}):
        png = render_host_png(evidence, "10.1.2.3")
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and Image.open(io.BytesIO(png)).size[0] > 400


def test_it_draws_a_single_instant_without_matplotlib_complaining():
    import warnings

    instant = {"pools": [{**EVIDENCE["pools"][0], "last_seen": EVIDENCE["pools"][0]["first_seen"]}]}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert render_host_png(instant, "10.1.2.3")[:4] == b"\x89PNG"
