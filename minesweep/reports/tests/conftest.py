"""Fixtures for the reporting platform: cheap Argon2, an easy challenge, fresh counters, sample files."""

from __future__ import annotations

import io
import itertools
import zipfile
from typing import Any

import pytest
from PIL import Image

from minesweep.reports import antiabuse

GPS_LAT, GPS_LON = (39, 47, 3), (109, 57, 36)  # 39.784167, 109.96


@pytest.fixture(autouse=True)
def _fast_reports(settings, monkeypatch):  # type: ignore[no-untyped-def]
    settings.ARGON2_TIME_COST = 1
    settings.ARGON2_MEMORY_KIB = 64
    monkeypatch.setattr(antiabuse, "POW_BASE_BITS", 4)
    # Counters live in the database (minesweep.core.ratelimit): each test's transaction starts them fresh.


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"
    exif[0x0110] = "Model-X9"
    exif[0x0132] = "2026:11:20 22:10:00"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", GPS_LAT, "E", GPS_LON
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def pdf_with_metadata() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.add_metadata({"/Author": "举报人张三", "/Creator": "WPS", "/Title": "secret"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def docx_with_author() -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("矿场照片说明")
    document.core_properties.author = "李四"
    document.core_properties.last_modified_by = "李四"
    document.core_properties.comments = "内部资料"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def mp4_with_gps() -> bytes:
    def box(kind: bytes, payload: bytes) -> bytes:
        return (8 + len(payload)).to_bytes(4, "big") + kind + payload

    udta = box(b"udta", box(b"\xa9xyz", b"\x00\x12\x15\xc7+39.7842+109.9600/"))
    moov = box(b"moov", box(b"mvhd", bytes(100)) + udta)
    return box(b"ftyp", b"isom\x00\x00\x02\x00isomiso2mp41") + moov + box(b"mdat", b"\x00" * 64)


def fake_zip_named_docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("hello.txt", "not a document")
    return out.getvalue()


_SERIAL = itertools.count(1)


def report_data(**overrides: Any) -> dict[str, Any]:
    """A valid report; each call differs slightly (observed scale), so two calls are not exact duplicates."""
    data: dict[str, Any] = {
        "category": "mining_enterprise",
        "subject_name": "东胜区某算力科技有限公司",
        "uscc": "",
        "address": "东胜区铜川镇工业园区 8 号厂房",
        "division_code": "150602",
        "power_account": "150602000188",
        "observed_scale": f"约 {400 + next(_SERIAL)} 台",
        "description": "厂房昼夜风扇轰鸣，冬天屋顶不积雪。",
        "contact": "",
    }
    data.update(overrides)
    return data


def wrong_answer(token: str) -> str:
    """An answer that does not solve the challenge (at the tests' 4 bits, 1 in 16 random ones would)."""
    import hashlib

    from django.core import signing

    payload = signing.loads(token, salt=antiabuse.CHALLENGE_SALT)
    counter = 0
    while (
        antiabuse.leading_zero_bits(hashlib.sha256(f"{payload['n']}:x{counter}".encode()).digest())
        >= payload["b"]
    ):
        counter += 1
    return f"x{counter}"


def solved_challenge() -> dict[str, str]:
    issued = antiabuse.challenge_issue()
    return {"challenge": issued.token, "challenge_answer": antiabuse.challenge_solve(issued.token)}
