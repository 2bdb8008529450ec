import pytest
from django.test import Client
from django_otp.oath import totp

from minesweep.accounts.services import totp_enrol

pytestmark = pytest.mark.django_db
KEY = "3132333435363738393031323334353637383930"


@pytest.fixture
def totp_on(settings):
    settings.REQUIRE_TOTP = True
    return settings


def _token() -> str:
    return f"{totp(bytes.fromhex(KEY)):06d}"


def test_it_refuses_a_password_without_the_second_factor(totp_on, intake_officer):
    totp_enrol(actor="test", user=intake_officer, key_hex=KEY)
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": "intake", "password": "pw-intake", "otp_token": ""}
    )
    assert response.status_code == 200 and "动态验证码错误" in response.content.decode()
    assert client.get("/staff/").status_code == 302


def test_it_signs_in_with_password_and_totp(totp_on, intake_officer):
    totp_enrol(actor="test", user=intake_officer, key_hex=KEY)
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": "intake", "password": "pw-intake", "otp_token": _token()}
    )
    assert response.status_code == 302
    assert client.get("/staff/").status_code == 200


def test_it_locks_out_after_repeated_failures(totp_on, intake_officer, settings):
    totp_enrol(actor="test", user=intake_officer, key_hex=KEY)
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "intake", "password": "wrong", "otp_token": "000000"})
    response = client.post(
        "/accounts/login/", {"username": "intake", "password": "pw-intake", "otp_token": _token()}
    )
    assert response.status_code in (403, 429)
    assert client.get("/staff/").status_code == 302


def test_it_stores_no_client_address_for_failed_logins(totp_on, intake_officer):
    from axes.models import AccessAttempt

    Client(REMOTE_ADDR="203.0.113.77", HTTP_USER_AGENT="DistinctiveAgent/9.9").post(
        "/accounts/login/", {"username": "intake", "password": "wrong"}
    )
    attempt = AccessAttempt.objects.get(username="intake")
    assert attempt.ip_address != "203.0.113.77" and "DistinctiveAgent" not in (attempt.user_agent or "")
