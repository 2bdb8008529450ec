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


def _fail(client: Client, username: str = "intake") -> int:
    return client.post(
        "/accounts/login/", {"username": username, "password": "wrong", "otp_token": "000000"}
    ).status_code


def test_it_slows_down_repeated_failures_then_an_administrator_unlocks(totp_on, intake_officer):
    """Repeated failures are answered 429 + Retry-After at once (was: a lock for everyone, django-axes)."""
    from minesweep.accounts.services import staff_unlock
    from minesweep.accounts.signin_limits import PAIR_FREE_FAILURES

    totp_enrol(actor="test", user=intake_officer, key_hex=KEY)
    client = Client()
    codes = [_fail(client) for _ in range(PAIR_FREE_FAILURES + 2)]
    assert codes[:PAIR_FREE_FAILURES] == [200] * PAIR_FREE_FAILURES and codes[-1] == 429
    right = {"username": "intake", "password": "pw-intake", "otp_token": _token()}
    refused = client.post("/accounts/login/", right)
    assert refused.status_code == 429 and int(refused["Retry-After"]) >= 1
    assert client.get("/staff/").status_code == 302
    staff_unlock(actor="admin", username="intake")
    assert client.post("/accounts/login/", right).status_code == 302


def test_someone_elses_failures_do_not_lock_the_real_user_out(totp_on, intake_officer):
    totp_enrol(actor="test", user=intake_officer, key_hex=KEY)
    attacker = Client(REMOTE_ADDR="198.51.100.9")
    assert [_fail(attacker) for _ in range(8)][-1] == 429
    owner = Client(REMOTE_ADDR="203.0.113.5")
    right = {"username": "intake", "password": "pw-intake", "otp_token": _token()}
    assert owner.post("/accounts/login/", right).status_code == 302


def test_a_client_trying_many_accounts_hits_its_own_limit(totp_on, intake_officer):
    from minesweep.accounts.signin_limits import CLIENT_FAILURES_ALLOWED

    client = Client(REMOTE_ADDR="198.51.100.10")
    codes = [_fail(client, f"user{i}") for i in range(CLIENT_FAILURES_ALLOWED + 1)]
    assert codes[-1] == 429 and codes[0] == 200


def test_it_stores_no_client_address_for_failed_logins(totp_on, intake_officer):
    """(Was checked on django-axes' AccessAttempt; sign-in limits now live in core.Counter.)"""
    import json

    from minesweep.core.models import Counter

    Client(REMOTE_ADDR="203.0.113.77", HTTP_USER_AGENT="DistinctiveAgent/9.9").post(
        "/accounts/login/", {"username": "intake", "password": "wrong"}
    )
    stored = json.dumps(list(Counter.objects.values()), default=str)
    assert "signin-pair:" in stored and "203.0.113.77" not in stored and "DistinctiveAgent" not in stored
    assert "intake" not in stored


def test_the_unlock_command_clears_every_client_and_is_audited(totp_on, intake_officer):
    from django.core.management import call_command

    from minesweep.audit.models import AuditEvent
    from minesweep.core.models import Counter

    for address in ("198.51.100.1", "198.51.100.2"):
        _fail(Client(REMOTE_ADDR=address))
    assert Counter.objects.filter(key__startswith="signin-pair:").count() == 2
    call_command("staff", "unlock", "intake")
    assert not Counter.objects.filter(key__startswith="signin-pair:").exists()
    assert AuditEvent.objects.filter(action="accounts.unlock").exists()
