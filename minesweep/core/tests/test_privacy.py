import pytest
from django.test import Client, override_settings
from django.urls import path

from minesweep.core.privacy import ForgetClientMiddleware


def _echo(request):
    from django.http import JsonResponse

    return JsonResponse(
        {
            "meta": {k: v for k, v in request.META.items() if isinstance(v, str)},
            "fingerprint": request.client_fingerprint,
        }
    )


urlpatterns = [path("echo/", _echo)]


@override_settings(ROOT_URLCONF=__name__)
def test_it_hides_the_client_address_and_agent_from_views():
    response = Client(
        REMOTE_ADDR="198.51.100.23", HTTP_USER_AGENT="SpyAgent/1.0", HTTP_X_FORWARDED_FOR="203.0.113.9"
    ).get("/echo/")
    text = response.content.decode()
    assert "198.51.100.23" not in text and "SpyAgent" not in text and "203.0.113.9" not in text
    assert len(response.json()["fingerprint"]) == 32


def test_it_gives_the_same_fingerprint_to_the_same_address_within_the_salt_period():
    from django.test import RequestFactory

    seen = []
    middleware = ForgetClientMiddleware(lambda request: seen.append(request.client_fingerprint) or None)
    factory = RequestFactory()
    middleware(factory.get("/", REMOTE_ADDR="192.0.2.1"))
    middleware(factory.get("/", REMOTE_ADDR="192.0.2.1"))
    middleware(factory.get("/", REMOTE_ADDR="192.0.2.2"))
    assert seen[0] == seen[1] != seen[2]


pytestmark = pytest.mark.django_db


def test_it_keeps_reporter_uploads_in_memory_and_others_on_the_default_path(settings):
    from django.core.files.uploadedfile import InMemoryUploadedFile
    from django.test import RequestFactory

    from minesweep.core.uploads import ReporterUploadInMemory

    settings.UPLOAD_MAX_BYTES = 10
    request = RequestFactory().post("/report/")
    handler = ReporterUploadInMemory(request)
    handler.handle_raw_input(None, {}, 100, b"x")
    handler.new_file("photo", "p.jpg", "image/jpeg", 30)
    assert handler.receive_data_chunk(b"a" * 30, 0) is None
    uploaded = handler.file_complete(30)
    assert isinstance(uploaded, InMemoryUploadedFile) and uploaded.size == 30 and len(uploaded.read()) == 11
    other = ReporterUploadInMemory(RequestFactory().post("/analytics/upload/"))
    other.handle_raw_input(None, {}, 100, b"x")
    other.new_file("f", "a.pcap", "application/octet-stream", 30)
    assert other.receive_data_chunk(b"abc", 0) == b"abc" and other.file_complete(3) is None
