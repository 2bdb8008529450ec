import json

import pytest
from django.test import Client

from minesweep.reports.models import Report, ReportAttachment
from minesweep.reports.tests.conftest import jpeg_with_gps, report_data, solved_challenge, wrong_answer
from minesweep.security.receipts import receipt_generate

pytestmark = pytest.mark.django_db
URL = "/api/v1/reports"
SCRIPT = "<script>alert('x')</script>"


def post_json(client, body, **extra):
    return client.post(
        URL,
        data=body if isinstance(body, (str, bytes)) else json.dumps(body),
        content_type="application/json",
        **extra,
    )


def submit(client=None, **overrides):
    client = client or Client()
    return post_json(client, {**report_data(**overrides), **solved_challenge()})


def test_it_files_a_report_and_returns_the_receipt_once():
    response = submit()
    assert response.status_code == 201, response.content
    body = response.json()
    assert len(body["receipt"].replace("-", "")) == 30 and len(body["sha256"]) == 64
    report = Report.objects.get()
    assert report.channel == "api" and body["receipt"] not in str(Report.objects.values().get())


def test_it_accepts_multipart_with_files_and_reports_removed_metadata():
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {**report_data(), **solved_challenge(), "gps_consent": "on"}
    data["files"] = [
        SimpleUploadedFile("IMG_1.jpg", jpeg_with_gps(), content_type="application/octet-stream")
    ]
    response = Client().post(URL, data)
    assert response.status_code == 201, response.content
    removed = response.json()["removed_metadata"]["IMG_1.jpg"]
    assert "EXIF" in removed
    report = Report.objects.get()
    assert report.location_from_photo and report.latitude is not None


def test_it_shows_status_and_messages_and_takes_a_message():
    receipt = submit().json()["receipt"]
    client = Client()
    status = client.get(f"{URL}/status", HTTP_X_RECEIPT=receipt)
    assert status.status_code == 200 and status.json()["status"] == "received"
    added = client.post(
        f"{URL}/messages",
        data=json.dumps({"body": "补充：夜里有货车"}),
        content_type="application/json",
        HTTP_X_RECEIPT=receipt,
    )
    assert added.status_code == 201
    messages = client.get(f"{URL}/status", HTTP_X_RECEIPT=receipt).json()["messages"]
    assert [m["body"] for m in messages] == ["补充：夜里有货车"]


def test_it_answers_a_wrong_receipt_the_same_whether_or_not_it_existed():
    receipt = submit().json()["receipt"]
    report = Report.objects.get()
    never = receipt_generate()
    # A code whose lookup row exists but whose slow hash does not match (e.g. a pepper or hash mismatch).
    report.verifier = (
        Report._meta.get_field("verifier").get_default()
        or "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"
    )
    report.save()
    client = Client()
    a = client.get(f"{URL}/status", HTTP_X_RECEIPT=never)
    b = client.get(f"{URL}/status", HTTP_X_RECEIPT=receipt)
    assert a.status_code == b.status_code == 404
    assert a.json() == b.json() and a.json()["code"] == "reports.receipt_unknown"


def test_it_names_the_mistyped_group():
    receipt = receipt_generate()
    groups = receipt.split("-")
    groups[2] = groups[2][:3] + str((int(groups[2][3]) + 1) % 10) + groups[2][4:]
    response = Client().get(f"{URL}/status", HTTP_X_RECEIPT="-".join(groups))
    assert response.status_code == 400 and response.json()["extra"]["groups"] == [3]


def test_it_rate_limits_wrong_receipts():
    client = Client()
    codes = [client.get(f"{URL}/status", HTTP_X_RECEIPT=receipt_generate()).status_code for _ in range(10)]
    assert codes[:8] == [404] * 8 and codes[8:] == [429, 429]


def test_it_requires_a_solved_challenge():
    data = report_data()
    assert post_json(Client(), data).status_code == 429
    issued = solved_challenge()
    assert (
        post_json(
            Client(),
            {**data, "challenge": issued["challenge"], "challenge_answer": wrong_answer(issued["challenge"])},
        ).status_code
        == 429
    )
    assert post_json(Client(), {**data, **issued}).status_code == 201
    assert post_json(Client(), {**data, **issued}).status_code == 429  # a challenge is single-use
    assert Report.objects.count() == 1


def test_it_hardens_the_challenge_under_flood(monkeypatch):
    from minesweep.reports import antiabuse

    assert antiabuse.current_difficulty(recent=0) == antiabuse.POW_BASE_BITS
    assert (
        antiabuse.current_difficulty(recent=100)
        > antiabuse.current_difficulty(recent=30)
        > antiabuse.POW_BASE_BITS
    )
    assert antiabuse.current_difficulty(recent=10**9) == antiabuse.POW_MAX_BITS


def test_it_enforces_the_per_client_quota(monkeypatch):
    from minesweep.reports import antiabuse

    monkeypatch.setattr(antiabuse, "QUOTA_PER_HOUR", 2)
    client = Client()
    assert [submit(client).status_code for _ in range(3)] == [201, 201, 429]


BAD = [
    (
        "malformed json",
        lambda: post_json(Client(), '{"category": "mining_enterprise", '),
        "request.malformed_json",
    ),
    ("json array", lambda: post_json(Client(), "[1, 2]"), "request.malformed_json"),
    (
        "nested value",
        lambda: post_json(Client(), {**report_data(), "address": {"a": 1}, **solved_challenge()}),
        "request.field_type",
    ),
    (
        "missing description",
        lambda: post_json(
            Client(), {k: v for k, v in {**report_data(), **solved_challenge()}.items() if k != "description"}
        ),
        "reports.invalid",
    ),
    (
        "missing category",
        lambda: post_json(
            Client(), {k: v for k, v in {**report_data(), **solved_challenge()}.items() if k != "category"}
        ),
        "reports.invalid",
    ),
    (
        "missing division",
        lambda: post_json(
            Client(),
            {k: v for k, v in {**report_data(), **solved_challenge()}.items() if k != "division_code"},
        ),
        "reports.invalid",
    ),
    ("invalid uscc", lambda: submit(uscc="91150602MA0XXXXXX1"), "reports.invalid"),
    ("invalid division", lambda: submit(division_code="999999"), "reports.invalid"),
    ("region is not a place", lambda: submit(division_code="150000"), "reports.invalid"),
    ("bad category", lambda: submit(category="bitcoin"), "reports.invalid"),
    ("latitude only", lambda: submit(latitude=39.7), "reports.invalid"),
    ("latitude out of range", lambda: submit(latitude=123, longitude=109), "reports.invalid"),
    ("too short", lambda: submit(description="挖矿"), "reports.invalid"),
    (
        "wrong content type",
        lambda: Client().post(URL, data="x=1", content_type="application/xml"),
        "request.content_type",
    ),
]
TEXT_FIELDS = [
    "subject_name",
    "address",
    "power_account",
    "observed_scale",
    "description",
    "contact",
    "power_line",
    "observed_use",
]
BAD += [
    (
        f"script in {name}",
        (lambda n: lambda: submit(**{n: f"厂房地址 {SCRIPT} 东胜区"}))(name),
        "reports.invalid",
    )
    for name in TEXT_FIELDS
]
BAD += [
    (
        "event handler in description",
        lambda: submit(description='看这里 <img src=x onerror="alert(1)"> 的厂房'),
        "reports.invalid",
    ),
    (
        "javascript url in address",
        lambda: submit(address="javascript:alert(1)//东胜区某路"),
        "reports.invalid",
    ),
]


@pytest.mark.parametrize("name,send,code", BAD, ids=[b[0] for b in BAD])
def test_it_refuses_bad_input_clearly_and_stores_nothing(name, send, code):
    response = send()
    assert 400 <= response.status_code < 500, response.content
    body = response.json()
    assert body["code"] == code and body["message"]
    assert "<script" not in response.content.decode()
    assert Report.objects.count() == 0 and ReportAttachment.objects.count() == 0


@pytest.mark.parametrize(
    "filename,content,code",
    [
        ("rig.jpg", b"MZ\x90\x00" + b"\x00" * 300, "reports.file_type"),
        ("scan.pdf", b"%PDF-1.4 not really" + b"\x00" * 10, "reports.file_unreadable"),
        ("big.jpg", None, "reports.file_too_large"),
    ],
)
def test_it_refuses_disguised_and_oversized_files_and_stores_nothing(filename, content, code, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.UPLOAD_MAX_BYTES = 4096
    content = content if content is not None else jpeg_with_gps() + b"\x00" * 8192
    data = {
        **report_data(),
        **solved_challenge(),
        "files": [SimpleUploadedFile(filename, content, content_type="image/jpeg")],
    }
    response = Client().post(URL, data)
    assert response.status_code == 400 and response.json()["code"] == code
    assert Report.objects.count() == 0 and ReportAttachment.objects.count() == 0


def test_it_documents_the_routes_in_openapi():
    schema = Client().get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    assert {"/api/v1/reports", "/api/v1/reports/status", "/api/v1/reports/messages"} <= set(paths)
    props = paths["/api/v1/reports"]["post"]["requestBody"]["content"]["application/json"]["schema"][
        "properties"
    ]
    for field in (
        "category",
        "subject_name",
        "uscc",
        "address",
        "division_code",
        "latitude",
        "longitude",
        "power_account",
        "observed_scale",
        "description",
        "contact",
    ):
        assert field in props


def test_it_takes_files_with_a_follow_up_message_and_refuses_script():
    from django.core.files.uploadedfile import SimpleUploadedFile

    receipt = submit().json()["receipt"]
    client = Client()
    photo = SimpleUploadedFile("more.jpg", jpeg_with_gps(), content_type="image/jpeg")
    added = client.post(f"{URL}/messages", {"body": "再补一张照片", "files": [photo]}, HTTP_X_RECEIPT=receipt)
    assert added.status_code == 201 and ReportAttachment.objects.count() == 1
    refused = client.post(
        f"{URL}/messages",
        data=json.dumps({"body": SCRIPT}),
        content_type="application/json",
        HTTP_X_RECEIPT=receipt,
    )
    assert refused.status_code == 400 and refused.json()["code"] == "reports.invalid"
    bodies = [m["body"] for m in client.get(f"{URL}/status", HTTP_X_RECEIPT=receipt).json()["messages"]]
    assert bodies == ["再补一张照片"]


def test_the_schema_says_what_a_receipt_and_a_report_look_like():
    """Issue 14: schema-valid receipts and bodies were refused because the schema left them unconstrained."""
    import re

    from minesweep.reports.models import Category

    schema = Client().get("/api/v1/openapi.json").json()
    for path, method in (("/api/v1/reports/status", "get"), ("/api/v1/reports/messages", "post")):
        (header,) = [p for p in schema["paths"][path][method]["parameters"] if p["name"] == "X-Receipt"]
        assert header["in"] == "header" and header["required"] is True
        pattern = header["schema"]["pattern"]
        assert all(re.fullmatch(pattern, receipt_generate()) for _ in range(20))
        assert not re.fullmatch(pattern, "12345-123456-123456-123456-123456")
    body = schema["paths"]["/api/v1/reports"]["post"]["requestBody"]["content"]
    fields = body["application/json"]["schema"]["properties"]
    assert fields["category"]["enum"] == list(Category.values)
    assert fields["description"]["minLength"] == 10 and fields["division_code"]["pattern"] == "^[0-9]{6}$"
    form = body["multipart/form-data"]["schema"]["properties"]
    assert form["latitude"]["type"] == "number" and "anyOf" not in form["latitude"]  # a form cannot send null
