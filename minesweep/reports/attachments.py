"""Attachment intake: type by content, limits, metadata stripped. No Django models here.

* The type comes from the bytes (``filetype`` signatures, then Pillow / pypdf / zip parsing), never from
  the file name or the browser's declared type; a file whose content does not parse as its type is refused.
* Photos are re-encoded by Pillow without EXIF, XMP, ICC comments or GPS; if the reporter agreed, the
  photo's GPS position is returned so it can become the report's location.
* PDFs are rebuilt page by page into a new document without the info dictionary or XMP metadata
  (and without document-level scripts); encrypted PDFs are refused.
* Office files (DOCX/XLSX) have their core, app and custom properties replaced by empty parts.
* MP4/MOV videos keep their media but every ``udta``/``meta``/XMP ``uuid`` box (where cameras and phones
  put GPS, device and owner data) is overwritten in place as a ``free`` box, so sample offsets stay valid.

Each result lists what was removed, in words a reporter understands.
"""

from __future__ import annotations

import io
import struct
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import filetype
from django.conf import settings
from PIL import Image, ImageOps, UnidentifiedImageError

from minesweep.core.errors import DomainError

MAX_FILES_PER_SUBMISSION = 5
MAX_FILES_PER_REPORT = 20
IMAGE_MAX_PIXELS = 60_000_000

IMAGE_TYPES = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP", "image/gif": "GIF"}
VIDEO_TYPES = {"video/mp4", "video/quicktime"}
PDF_TYPE = "application/pdf"
OOXML_TYPES = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "sheet",
}
EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "image/gif": "gif",
    "video/mp4": "mp4",
    "video/quicktime": "mov",
    PDF_TYPE: "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
}


class AttachmentError(DomainError):
    pass


@dataclass
class CleanFile:
    """A sanitised file ready to encrypt."""

    name: str
    kind: str
    content_type: str
    content: bytes
    removed: list[str] = field(default_factory=list)
    gps: tuple[Decimal, Decimal] | None = None


def max_file_bytes() -> int:
    return int(settings.UPLOAD_MAX_BYTES)


def safe_name(name: str, content_type: str) -> str:
    """A display name with the extension the content really has (the sender's extension is not trusted)."""
    stem = (name or "file").replace("\\", "/").rsplit("/", 1)[-1].rsplit(".", 1)[0]
    stem = _printable(stem)[:80].strip() or "file"
    return f"{stem}.{EXTENSIONS.get(content_type, 'bin')}"


def _printable(text: str) -> str:
    """``text`` without unprintable characters and those a file name or markup should not carry."""
    return "".join(ch for ch in text if ch.isprintable() and ch not in '<>:"|?*')


def sent_name(name: str) -> str:
    """The file's name as the sender gave it, for messages back to them: no folder, nothing unprintable
    or markup-like, at most 80 characters (its extension kept: "fake.png", not "fake")."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    return _printable(base)[:80].strip() or "file"


def clean_file(name: str, data: bytes, *, keep_gps: bool = False) -> CleanFile:
    """Check and sanitise one upload. Raises :class:`AttachmentError` with a message naming the file."""
    label = sent_name(name)
    if len(data) == 0:
        raise AttachmentError("reports.file_empty", f"文件“{label}”是空的", f"File “{label}” is empty")
    if len(data) > max_file_bytes():
        mb = max_file_bytes() / 1024 / 1024
        raise AttachmentError(
            "reports.file_too_large",
            f"文件“{label}”超过 {mb:.0f} MB 上限",
            f"File “{label}” is larger than the {mb:.0f} MB limit",
        )
    kind = filetype.guess(data)
    mime = kind.mime if kind else ""
    try:
        if mime in IMAGE_TYPES:
            return _clean_image(name, data, mime, keep_gps)
        if mime == PDF_TYPE:
            return _clean_pdf(name, data)
        if mime in OOXML_TYPES:
            return _clean_ooxml(name, data, mime)
        if mime in VIDEO_TYPES:
            return _clean_video(name, data, mime)
    except AttachmentError:
        raise
    except Exception:  # any parser failure means the content is not what its signature claims
        raise _unreadable(label) from None
    raise AttachmentError(
        "reports.file_type",
        f"文件“{label}”的类型不受支持（按内容识别）。可上传照片（JPEG/PNG/WebP）、视频（MP4/MOV）、PDF、Word（DOCX）或 Excel（XLSX）",
        f"File “{label}” has an unsupported type (judged by its content). Allowed: photos (JPEG/PNG/WebP), "
        "video (MP4/MOV), PDF, Word (DOCX) or Excel (XLSX)",
    )


def _unreadable(label: str) -> AttachmentError:
    return AttachmentError(
        "reports.file_unreadable",
        f"文件“{label}”已损坏或与其类型不符",
        f"File “{label}” is damaged or is not what its type claims",
    )


# --- photos -------------------------------------------------------------------------------------------

_EXIF_LABELS = {
    0x8825: "GPS 位置 / GPS location",
    0x010F: "相机厂商 / camera make",
    0x0110: "相机型号 / camera model",
    0x0131: "软件 / software",
    0x013B: "作者 / artist",
    0x8298: "版权 / copyright",
    0x9003: "拍摄时间 / time taken",
    0x0132: "修改时间 / date modified",
    0xA430: "机主姓名 / camera owner",
    0xA431: "设备序列号 / device serial number",
    0x927C: "厂商备注 / maker notes",
}


def _ratio(value: object) -> Decimal:
    return Decimal(str(float(value)))  # type: ignore[arg-type]


def _gps_from_exif(exif: Image.Exif) -> tuple[Decimal, Decimal] | None:
    gps = exif.get_ifd(0x8825)
    try:
        lat_ref, lat, lon_ref, lon = gps[1], gps[2], gps[3], gps[4]
    except KeyError:
        return None
    try:
        latitude = _ratio(lat[0]) + _ratio(lat[1]) / 60 + _ratio(lat[2]) / 3600
        longitude = _ratio(lon[0]) + _ratio(lon[1]) / 60 + _ratio(lon[2]) / 3600
    except (TypeError, ValueError, ZeroDivisionError, IndexError):
        return None
    if str(lat_ref).upper().startswith("S"):
        latitude = -latitude
    if str(lon_ref).upper().startswith("W"):
        longitude = -longitude
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    return latitude.quantize(Decimal("0.000001")), longitude.quantize(Decimal("0.000001"))


def _clean_image(name: str, data: bytes, mime: str, keep_gps: bool) -> CleanFile:
    Image.MAX_IMAGE_PIXELS = IMAGE_MAX_PIXELS
    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()
        image: Image.Image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError, ValueError):
        raise _unreadable(safe_name(name, mime)) from None
    removed: list[str] = []
    exif = image.getexif()
    if exif:
        removed.append("EXIF")
        removed.extend(label for tag, label in _EXIF_LABELS.items() if tag in exif)
    gps = _gps_from_exif(exif) if exif else None
    for key, label in (("xmp", "XMP"), ("icc_profile", "ICC"), ("comment", "注释 / comment")):
        if image.info.get(key):
            removed.append(label)
    if any(k for k in image.info if str(k).lower() in ("parameters", "description", "author", "software")):
        removed.append("文本块 / text chunks")
    # Apply the EXIF orientation to the pixels before the tag is dropped, so the photo still shows upright.
    image = ImageOps.exif_transpose(image)
    out = io.BytesIO()
    fmt = IMAGE_TYPES[mime]
    if fmt == "JPEG":
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        image.save(out, "JPEG", quality=90, optimize=True)
    elif fmt == "GIF":
        image.save(out, "PNG")
        mime, fmt = "image/png", "PNG"
    else:
        image.save(out, fmt)
    return CleanFile(
        safe_name(name, mime),
        "image",
        mime,
        out.getvalue(),
        removed,
        gps if keep_gps else None,
    )


# --- PDF ----------------------------------------------------------------------------------------------


def _clean_pdf(name: str, data: bytes) -> CleanFile:
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        raise AttachmentError(
            "reports.file_encrypted",
            "加密的 PDF 无法受理，请去掉密码后再上传",
            "Encrypted PDFs cannot be accepted; remove the password and upload again",
        )
    removed: list[str] = []
    info: Any = reader.metadata or {}
    removed.extend(f"PDF {str(key).lstrip('/')}" for key, value in info.items() if value)
    root: Any = reader.trailer["/Root"]
    if "/Metadata" in root:
        removed.append("XMP")
    if "/Names" in root and "/JavaScript" in root["/Names"]:
        removed.append("脚本 / scripts")
    if "/OpenAction" in root:
        removed.append("打开动作 / open action")
    writer = PdfWriter()
    for page in reader.pages:
        writer.add_page(page)
    writer._info = None  # type: ignore[assignment]  # no /Info dictionary at all (not even Producer)
    out = io.BytesIO()
    writer.write(out)
    return CleanFile(safe_name(name, PDF_TYPE), "pdf", PDF_TYPE, out.getvalue(), removed)


# --- Office (OOXML) -----------------------------------------------------------------------------------

_EMPTY_PARTS = {
    "docProps/core.xml": (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
        b' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"'
        b' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/>'
    ),
    "docProps/app.xml": (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"/>'
    ),
    "docProps/custom.xml": (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"/>'
    ),
}
_CORE_LABELS = {
    "creator": "作者 / author",
    "lastModifiedBy": "最后修改者 / last modified by",
    "title": "标题 / title",
    "subject": "主题 / subject",
    "description": "备注 / comments",
    "keywords": "关键词 / keywords",
    "created": "创建时间 / created",
    "modified": "修改时间 / modified",
    "lastPrinted": "打印时间 / last printed",
    "revision": "修订号 / revision",
    "category": "类别 / category",
}
MAX_OOXML_EXPANDED = 200 * 1024 * 1024


def _clean_ooxml(name: str, data: bytes, mime: str) -> CleanFile:
    import re

    source = zipfile.ZipFile(io.BytesIO(data))
    names = source.namelist()
    if "[Content_Types].xml" not in names:
        raise _unreadable(safe_name(name, mime))
    if sum(info.file_size for info in source.infolist()) > MAX_OOXML_EXPANDED:
        raise AttachmentError(
            "reports.file_too_large", "文档解压后过大", "The document is too large when unpacked"
        )
    removed: list[str] = []
    if "docProps/core.xml" in names:
        core = source.read("docProps/core.xml").decode("utf-8", "replace")
        for tag, label in _CORE_LABELS.items():
            if re.search(rf"<[^>]*:{tag}\b[^>]*>[^<]+<", core):
                removed.append(label)
    if "docProps/app.xml" in names:
        app = source.read("docProps/app.xml").decode("utf-8", "replace")
        for tag, label in (
            ("Company", "单位 / company"),
            ("Manager", "经理 / manager"),
            ("Application", "软件 / application"),
        ):
            if re.search(rf"<{tag}>[^<]+</{tag}>", app):
                removed.append(label)
    if "docProps/custom.xml" in names and b"<property" in source.read("docProps/custom.xml"):
        removed.append("自定义属性 / custom properties")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = _EMPTY_PARTS.get(info.filename)
            if body is None:
                body = source.read(info.filename)
            target.writestr(info.filename, body)
    cleaned = out.getvalue()
    if mime.endswith("document"):
        import docx

        docx.Document(io.BytesIO(cleaned))  # proves it is a real Word document
    return CleanFile(safe_name(name, mime), OOXML_TYPES[mime], mime, cleaned, removed)


# --- video --------------------------------------------------------------------------------------------

_CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl", b"edts", b"dinf"}
_METADATA_BOXES = {b"udta", b"meta", b"uuid", b"Xtra"}


def _boxes(data: bytearray, start: int, end: int) -> list[tuple[int, int, bytes, int]]:
    """(offset, size, type, header length) of each box between ``start`` and ``end``."""
    found = []
    pos = start
    while pos + 8 <= end:
        size, kind = struct.unpack(">I4s", data[pos : pos + 8])
        header = 8
        if size == 1:
            size = struct.unpack(">Q", data[pos + 8 : pos + 16])[0]
            header = 16
        elif size == 0:
            size = end - pos
        if size < header or pos + size > end:
            raise ValueError("broken box")
        found.append((pos, size, kind, header))
        pos += size
    return found


def _blank_metadata(data: bytearray, start: int, end: int, removed: list[str]) -> None:
    for pos, size, kind, header in _boxes(data, start, end):
        if kind in _METADATA_BOXES:
            data[pos + 4 : pos + 8] = b"free"
            data[pos + header : pos + size] = bytes(size - header)
            removed.append(f"视频元数据 {kind.decode('latin-1')} / video metadata {kind.decode('latin-1')}")
        elif kind in _CONTAINERS:
            _blank_metadata(data, pos + header, pos + size, removed)


def _clean_video(name: str, data: bytes, mime: str) -> CleanFile:
    buffer = bytearray(data)
    top = _boxes(buffer, 0, len(buffer))
    if not any(kind == b"moov" for _, _, kind, _ in top):
        raise _unreadable(safe_name(name, mime))
    removed: list[str] = []
    _blank_metadata(buffer, 0, len(buffer), removed)
    return CleanFile(safe_name(name, mime), "video", mime, bytes(buffer), sorted(set(removed)))
