"""The public page, the public API and the exports: published records only, never a resident ID."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from minesweep.core.errors import DomainError
from minesweep.credit.services import listing_notify, listing_publish

from .conftest import BAOTOU_USCC, PERSON_ID, propose

pytestmark = pytest.mark.django_db


def _publish_today(subject, number="包发改信〔2026〕1号"):  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    listing = listing_notify(actor="test", listing=propose(subject, number=number), on=dt.date(2026, 3, 2))
    return listing_publish(actor="test", listing=listing, on=min(today, dt.date(2026, 12, 31)))


@pytest.fixture
def published(baotou_miner, ordos_person):  # type: ignore[no-untyped-def]
    return _publish_today(baotou_miner), _publish_today(ordos_person, "鄂发改信〔2026〕2号")


def test_it_finds_a_listed_enterprise_by_name_and_by_uscc(published):
    for q in ("隐蔽算力", BAOTOU_USCC):
        body = Client().get("/credit/", {"q": q}).content.decode()
        assert "包头隐蔽算力科技有限公司" in body and "包发改信〔2026〕1号" in body
        assert "未经报批私自接入动力电源" in body and "包头市发展和改革委员会" in body


def test_it_shows_a_listed_person_without_any_id_number(published):
    body = Client().get("/credit/", {"q": "李某"}).content.decode()
    assert '<span lang="zh-Hans">李某</span>' in body and "李挖矿" not in body
    assert PERSON_ID not in body and PERSON_ID[-4:] + "<" not in body and "********" not in body


def test_it_never_publishes_a_persons_full_name(
    published, ordos_person, ordos_investigator, client_for, tmp_path
):
    """A person is 李某 on the page, in the public API and in the export for the national platform, also in a
    reason that names them; a search by the full name finds nothing. Staff see the name as decided."""
    from minesweep.credit.services import listing_propose

    named = listing_propose(
        actor="test",
        subject=ordos_person,
        severity="general",
        reason="经查，李挖矿存在下列情形：未经报批私自接入动力电源从事虚拟货币“挖矿”活动。",
        basis="经鄂发改处〔2026〕9号处理决定书认定；国办发〔2020〕49号",
        authority="鄂尔多斯市发展和改革委员会",
        decision_number="鄂发改信〔2026〕9号",
        case_number="AJ-2026-000009",
    )
    named = listing_publish(
        actor="test",
        listing=listing_notify(actor="test", listing=named, on=dt.date(2026, 3, 2)),
        on=min(timezone.localdate(), dt.date(2026, 12, 31)),
    )
    client = Client()
    page = client.get("/credit/").content.decode()
    assert "经查，李某存在下列情形" in page and "包头隐蔽算力科技有限公司" in page  # organisations in full
    assert not client.get("/credit/", {"q": "李挖矿"}).context["page"].object_list
    assert len(client.get("/credit/", {"q": "李某"}).context["page"].object_list) == 2
    api = client.get("/api/v1/credit/public").json()
    assert {r["name"] for r in api} == {"李某", "包头隐蔽算力科技有限公司"}
    exported = [client.get("/api/v1/credit/public", {"q": "李"}).content.decode()]
    for kind in ("csv", "json"):
        call_command("credit", "export", "--format", kind, "--out", str(tmp_path / f"list.{kind}"))
        exported.append((tmp_path / f"list.{kind}").read_text(encoding="utf-8-sig"))
    for text in (page, *exported):
        assert "李挖矿" not in text and "李某" in text
    staff = client_for(ordos_investigator)
    assert "李挖矿" in staff.get("/credit/staff/").content.decode()
    assert "经查，李挖矿存在" in staff.get(f"/credit/staff/{named.pk}/").content.decode()
    assert {r["name"] for r in staff.get("/api/v1/credit/listings").json()} >= {"李挖矿"}


def test_it_refuses_a_search_by_resident_id_with_a_clear_message(published):
    response = Client().get("/credit/", {"q": PERSON_ID})
    body = response.content.decode()
    assert response.status_code == 400 and "不支持身份证号" in body and "李挖矿" not in body


def test_it_does_not_show_proposed_or_notified_records(baotou_miner):
    listing_notify(actor="test", listing=propose(baotou_miner), on=dt.date(2026, 3, 2))
    body = Client().get("/credit/", {"q": "隐蔽算力"}).content.decode()
    assert "包头隐蔽算力科技有限公司" not in body


def test_it_shows_the_latest_records_without_a_query_and_survives_bad_input(published):
    client = Client()
    assert "包头隐蔽算力科技有限公司" in client.get("/credit/").content.decode()
    for params in ({"q": "x" * 5000}, {"page": "abc"}, {"q": "'; drop table"}, {"q": "\x00"}):
        assert client.get("/credit/", params).status_code in (200, 400)


def test_it_serves_the_public_list_as_json_without_resident_ids(published):
    response = Client().get("/api/v1/credit/public", {"q": "李某"})
    assert response.status_code == 200
    rows = response.json()
    assert [r["name"] for r in rows] == ["李某"] and rows[0]["uscc"] == ""
    assert PERSON_ID not in response.content.decode()


def test_it_exports_csv_and_json_for_the_national_platform_without_resident_ids(published, tmp_path):
    csv_file, json_file = tmp_path / "list.csv", tmp_path / "list.json"
    call_command("credit", "export", "--format", "csv", "--out", str(csv_file))
    call_command("credit", "export", "--format", "json", "--out", str(json_file))
    text = csv_file.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("number,name,uscc")
    assert BAOTOU_USCC in text and "李某" in text and "李挖矿" not in text and PERSON_ID not in text
    data = json.loads(json_file.read_text(encoding="utf-8"))
    assert data["count"] == 2 and PERSON_ID not in json_file.read_text(encoding="utf-8")
    assert {r["decision_number"] for r in data["records"]} == {"包发改信〔2026〕1号", "鄂发改信〔2026〕2号"}


def test_it_expires_from_the_command_line(published, capsys):
    call_command("credit", "expire", "--today", "2031-01-01")
    assert "expired 2 records" in capsys.readouterr().out


def test_it_refuses_a_bad_date_on_the_command_line():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("credit", "expire", "--today", "tomorrow")


def test_it_drops_control_characters_from_searches_and_texts(baotou_miner):
    from minesweep.credit.services import listing_notify, listing_object

    assert Client().get("/credit/", {"q": "隐蔽\x00算力"}).status_code == 200
    listing = listing_notify(actor="test", listing=propose(baotou_miner), on=dt.date(2026, 3, 2))
    with pytest.raises(DomainError):
        listing_object(actor="test", listing=listing, text="\x00\x01 ", on=dt.date(2026, 3, 3))
    listing = listing_object(actor="test", listing=listing, text="不\x00服", on=dt.date(2026, 3, 3))
    assert listing.objection_text == "不服"


def test_it_says_when_nothing_matches_and_explains_a_partial_uscc(published):
    body = Client().get("/credit/", {"q": "没有这家公司"}).content.decode()
    assert 'id="no-result"' in body and "未查询到公示期内的失信记录" in body
    body = Client().get("/credit/", {"q": "91150"}).content.decode()
    assert 'id="no-result"' in body and "须完整输入 18 位" in body and "您输入了 5" in body


def test_the_public_list_states_each_basis_and_never_cites_the_draft(published):
    """The page's own text and each record's 列入依据: the decision that established the conduct and 49号;
    the draft eight measures (征求意见稿) are no basis, so neither the page nor a record cites them."""
    for lang in ("zh-hans", "en"):
        client = Client()
        client.cookies["django_language"] = lang
        body = client.get("/credit/").content.decode()
        assert "八项措施" not in body and "征求意见稿" not in body and "measure 8" not in body
    body = Client().get("/credit/").content.decode()
    assert "经包能源罚〔2026〕1号行政处罚决定书认定；国办发〔2020〕49号" in body
