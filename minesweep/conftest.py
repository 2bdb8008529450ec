"""Shared test personas (DESIGN §3): anonymous reporter, intake officer, Baotou and Ordos investigators,
grid liaison, region administrator, outsider (signed in, no staff profile)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.db import connections
from django.test import Client

from minesweep.accounts.models import StaffProfile
from minesweep.accounts.roles import Role
from minesweep.registry.models import Division

StaffFactory = Callable[..., User]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _reference_data_after_flush(request):  # type: ignore[no-untyped-def]
    """Transactional tests flush the database afterwards, taking the migration-loaded divisions with it:
    put the reference data back for any test that needs a database and finds it missing."""
    if not {"db", "transactional_db", "live_server"} & set(
        request.fixturenames
    ) and not request.node.get_closest_marker("django_db"):
        return
    request.getfixturevalue("transactional_db" if _wants_transactions(request) else "db")
    from minesweep.registry.models import Category
    from minesweep.registry.reference import load_reference_data

    if not Division.objects.exists():
        load_reference_data(Division, Category)


def _wants_transactions(request) -> bool:  # type: ignore[no-untyped-def]
    marker = request.node.get_closest_marker("django_db")
    return (
        "transactional_db" in request.fixturenames
        or "live_server" in request.fixturenames
        or bool(marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])))
    )


@pytest.fixture
def make_staff(db) -> StaffFactory:  # type: ignore[no-untyped-def]
    def make(
        username: str, role: Role, division_code: str, department: str = "", *, legal_reviewer: bool = False
    ) -> User:
        user = User.objects.create_user(username=username, password="pw-" + username)
        StaffProfile.objects.create(
            user=user,
            role=role.value,
            department=department,
            jurisdiction=Division.objects.get(code=division_code),
            display_name=username,
            legal_reviewer=legal_reviewer,
        )
        return user

    return make


@pytest.fixture
def intake_officer(make_staff: StaffFactory) -> User:
    return make_staff("intake", Role.INTAKE_OFFICER, "150000")


@pytest.fixture
def baotou_investigator(make_staff: StaffFactory) -> User:
    return make_staff("baotou_investigator", Role.INVESTIGATOR, "150200")


@pytest.fixture
def ordos_investigator(make_staff: StaffFactory) -> User:
    return make_staff("ordos_investigator", Role.INVESTIGATOR, "150600")


@pytest.fixture
def grid_liaison(make_staff: StaffFactory) -> User:
    return make_staff("grid_liaison", Role.DEPARTMENT_LIAISON, "150000", "grid_company")


@pytest.fixture
def region_admin(make_staff: StaffFactory) -> User:
    return make_staff("admin", Role.ADMINISTRATOR, "150000")


@pytest.fixture
def outsider(db) -> User:  # type: ignore[no-untyped-def]
    return User.objects.create_user(username="outsider", password="pw-outsider")


@pytest.fixture
def client_for() -> Callable[[User], Client]:
    def make(user: User) -> Client:
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return make


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-quic",
    "--disable-sync",
]


@pytest.fixture
def page(live_server):  # type: ignore[no-untyped-def]
    """A real Chromium page (Debian's /usr/bin/chromium via Playwright); ``page.base_url`` is the live server.

    Playwright's sync API runs an event loop in this thread, so Django's async-safety guard is relaxed for
    the test's own database access (the live server runs in another thread).
    """
    import os

    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", base_url=live_server.url)
        context.set_default_timeout(15_000)
        browser_page = context.new_page()
        browser_page.base_url = live_server.url  # type: ignore[attr-defined]
        try:
            yield browser_page
        finally:
            context.close()
            browser.close()
            connections.close_all()
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
