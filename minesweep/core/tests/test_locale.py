import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_it_speaks_chinese_even_to_an_english_browser():
    page = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").get("/").content.decode()
    assert "举报" in page and "Report mining" not in page


def test_it_switches_to_english_when_chosen_and_back():
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Report mining" in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "我要举报" in client.get("/").content.decode()


def test_a_stored_pair_of_texts_is_split_and_a_single_text_serves_both_languages():
    from minesweep.core.i18n import split_pair

    assert split_pair("GPS 位置 / GPS location") == ("GPS 位置", "GPS location")
    assert split_pair("EXIF") == ("EXIF", "EXIF")
