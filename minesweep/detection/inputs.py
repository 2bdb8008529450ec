"""Where detection input comes from: checked uploads and paths under ``settings.DATA_ROOT``.

Uploads are judged by their content, never by their name: a capture must start with a pcap or pcapng
magic number, a Parquet file must start and end with ``PAR1``, a CSV file must be UTF-8 text. Each is
size-limited (``MINESWEEP_ANALYTICS_UPLOAD_MAX_BYTES``, default 256 MiB; larger data belongs under the
server's data folder). Server paths must resolve inside ``DATA_ROOT`` (no ``..``, no symlink escape).
Every refusal is a :class:`DomainError` with a Chinese and an English message.
"""

from __future__ import annotations

import codecs
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from django.conf import settings

from minesweep.core.errors import DomainError

UPLOAD_MAX_BYTES = settings.ANALYTICS_UPLOAD_MAX_BYTES
MAX_FILES = 20
PCAP_MAGICS = (b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\xc3\xd4", b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
PCAPNG_MAGIC = b"\x0a\x0d\x0d\x0a"
PARQUET_MAGIC = b"PAR1"
SNIFF_BYTES = 64 * 1024
METER_KINDS = ("csv", "parquet")
CAPTURE_KINDS = ("pcap", "pcapng")
FLOW_KINDS = ("csv", "parquet")


class Upload(Protocol):
    """What Django's UploadedFile offers (and what tests can fake)."""

    name: str | None
    size: int | None

    def chunks(self) -> Iterable[bytes]: ...

    def seek(self, offset: int) -> int: ...

    def read(self, size: int = ...) -> bytes: ...


@dataclass(frozen=True)
class CheckedFile:
    original_name: str
    kind: str  # csv, parquet, pcap, pcapng
    size: int


def detection_root() -> Path:
    """Working folder of detection runs (datasets, findings, evidence): ``VAR_DIR/detection``."""
    return Path(settings.VAR_DIR) / "detection"


def _safe_name(name: str | None) -> str:
    base = Path(name or "upload").name
    return "".join(c for c in base if c.isprintable())[:120] or "upload"


def sniff(head: bytes, tail: bytes) -> str | None:
    """The file kind from its first and last bytes: pcap, pcapng, parquet, csv, or None."""
    if head[:4] in PCAP_MAGICS:
        return "pcap"
    if head[:4] == PCAPNG_MAGIC:
        return "pcapng"
    if head[:4] == PARQUET_MAGIC and tail[-4:] == PARQUET_MAGIC:
        return "parquet"
    if not head or b"\x00" in head:
        return None
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return None
    first_line = head.split(b"\n", 1)[0]
    return "csv" if b"," in first_line else None


def _describe(kinds: tuple[str, ...]) -> tuple[str, str]:
    names = {"csv": "CSV (UTF-8)", "parquet": "Parquet", "pcap": "pcap", "pcapng": "pcapng"}
    listed = "、".join(names[k] for k in kinds), ", ".join(names[k] for k in kinds)
    return listed


def check_upload(upload: Upload, allowed: tuple[str, ...]) -> CheckedFile:
    """Size and content check of one upload; raises a bilingual error naming the file."""
    name = _safe_name(upload.name)
    size = int(upload.size or 0)
    if size <= 0:
        raise DomainError("detection.upload_empty", f"文件为空：{name}", f"The file is empty: {name}")
    if size > UPLOAD_MAX_BYTES:
        limit = UPLOAD_MAX_BYTES // (1024 * 1024)
        raise DomainError(
            "detection.upload_too_large",
            f"文件过大：{name}（上限 {limit} MB；更大的数据请放到服务器数据目录后选择路径）",
            f"File too large: {name} (limit {limit} MB; put larger data in the server data folder and choose its path)",
        )
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(max(0, size - 4))
    tail = upload.read(4)
    upload.seek(0)
    kind = sniff(head, tail)
    if kind not in allowed:
        zh, en = _describe(allowed)
        raise DomainError(
            "detection.upload_type",
            f"文件内容不是可接受的格式：{name}（可接受：{zh}）",
            f"The file's content is not an accepted format: {name} (accepted: {en})",
        )
    assert kind is not None
    return CheckedFile(name, kind, size)


def store_upload(upload: Upload, checked: CheckedFile, folder: Path, index: int) -> Path:
    """Write an upload under ``folder`` with a name chosen by us (the suffix follows the content)."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = Path(checked.original_name).stem
    safe_stem = "".join(c if c.isalnum() or c in "-_" else "_" for c in stem)[:60] or "file"
    target = folder / f"{index:02d}-{safe_stem}.{checked.kind}"
    upload.seek(0)
    with target.open("wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    return target


def data_root() -> Path:
    return Path(settings.DATA_ROOT)


def resolve_data_path(relative: str) -> Path:
    """A path under DATA_ROOT from what the user typed or chose; refuses anything outside it."""
    text = (relative or "").strip().lstrip("/\\")
    if not text or "\x00" in text:
        raise DomainError("detection.path_missing", "请选择或填写数据路径", "Choose or enter a data path")
    root = data_root().resolve()
    candidate = (root / text).resolve()
    if candidate != root and root not in candidate.parents:
        raise DomainError(
            "detection.path_outside",
            "路径必须位于服务器数据目录之内",
            "The path must lie inside the server data folder",
        )
    if not candidate.exists():
        raise DomainError(
            "detection.path_not_found",
            f"服务器数据目录中没有：{text}",
            f"Not found in the server data folder: {text}",
        )
    return candidate


def data_choices(
    suffixes: tuple[str, ...],
    limit: int = 200,
    depth: int = 3,
    capture_folders: bool = False,
    datasets: bool = True,
) -> list[str]:
    """Paths (relative to DATA_ROOT) an analyst may pick: matching files and meter datasets, ``depth`` levels
    deep. A dataset folder is offered whole and not entered (it may hold thousands of partitions); with
    ``capture_folders``, a folder holding captures is offered too."""
    root = data_root()
    if not root.is_dir():
        return []
    found: list[str] = []
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        relative = here.relative_to(root)
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        if (here / "_dataset.json").is_file():
            if datasets:
                found.append(f"{relative.as_posix()}/")
            dirs[:] = []
            continue
        if len(relative.parts) >= depth:
            dirs[:] = []
        if (
            capture_folders
            and relative.parts
            and any(n.lower().endswith((".pcap", ".pcapng")) for n in files)
        ):
            found.append(f"{relative.as_posix()}/")  # every capture in the folder, scanned together
        for name in sorted(files):
            if not name.startswith(".") and Path(name).suffix.lower().lstrip(".") in suffixes:
                found.append((relative / name).as_posix())
        if len(found) >= limit:
            break
    return sorted(found)[:limit]
