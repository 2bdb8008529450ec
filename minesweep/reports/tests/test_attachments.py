import io

import pytest
from PIL import Image

from minesweep.reports.attachments import AttachmentError, clean_file
from minesweep.reports.tests.conftest import (
    docx_with_author,
    fake_zip_named_docx,
    jpeg_with_gps,
    mp4_with_gps,
    pdf_with_metadata,
)


def test_it_strips_exif_and_gps_from_a_photo_and_says_so():
    clean = clean_file("IMG_0001.JPG", jpeg_with_gps())
    image = Image.open(io.BytesIO(clean.content))
    assert not image.getexif() and b"SpyCam" not in clean.content
    assert "EXIF" in clean.removed and any("GPS" in r for r in clean.removed)
    assert clean.gps is None and clean.content_type == "image/jpeg" and clean.name == "IMG_0001.jpg"


def test_it_keeps_the_photo_gps_only_with_consent():
    clean = clean_file("photo.jpg", jpeg_with_gps(), keep_gps=True)
    assert clean.gps is not None
    lat, lon = clean.gps
    assert abs(float(lat) - 39.784167) < 1e-4 and abs(float(lon) - 109.96) < 1e-4
    assert not Image.open(io.BytesIO(clean.content)).getexif()  # still removed from the file itself


def test_it_removes_pdf_metadata():
    clean = clean_file("evidence.pdf", pdf_with_metadata())
    assert "举报人张三".encode("utf-16-be") not in clean.content and b"WPS" not in clean.content
    assert any("Author" in r for r in clean.removed)
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(clean.content))
    assert len(reader.pages) == 1 and not (reader.metadata or {}).get("/Author")


def test_it_removes_word_document_properties():
    clean = clean_file("说明.docx", docx_with_author())
    import docx

    props = docx.Document(io.BytesIO(clean.content)).core_properties
    assert props.author == "" and props.last_modified_by == "" and props.comments == ""
    assert any("author" in r for r in clean.removed)
    assert "矿场照片说明" in docx.Document(io.BytesIO(clean.content)).paragraphs[0].text


def test_it_blanks_video_metadata_boxes_in_place():
    original = mp4_with_gps()
    clean = clean_file("clip.mp4", original)
    assert len(clean.content) == len(original) and b"+39.7842" not in clean.content
    assert b"free" in clean.content and clean.kind == "video"


@pytest.mark.parametrize(
    "name,data,code",
    [
        ("photo.jpg", b"MZ\x90\x00" + b"\x00" * 200, "reports.file_type"),  # a Windows program named .jpg
        ("report.pdf", "这不是PDF".encode() * 20, "reports.file_type"),
        ("notes.docx", fake_zip_named_docx(), "reports.file_type"),
        ("broken.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 100, "reports.file_unreadable"),
        ("empty.png", b"", "reports.file_empty"),
    ],
)
def test_it_refuses_disguised_broken_and_empty_files(name, data, code):
    with pytest.raises(AttachmentError) as caught:
        clean_file(name, data)
    assert caught.value.code == code and caught.value.message_zh and caught.value.message_en
    assert f"“{name}”" in caught.value.message_zh and f"“{name}”" in caught.value.message_en  # as it was sent


def test_it_refuses_an_oversized_file(settings):
    settings.UPLOAD_MAX_BYTES = 2048
    with pytest.raises(AttachmentError) as caught:
        clean_file("big.jpg", jpeg_with_gps() + b"\x00" * 4096)
    assert caught.value.code == "reports.file_too_large"


def test_it_names_the_real_type_not_the_senders_extension():
    png = io.BytesIO()
    Image.new("RGB", (4, 4)).save(png, "PNG")
    clean = clean_file("looks-like.pdf", png.getvalue())
    assert clean.content_type == "image/png" and clean.name == "looks-like.png"
