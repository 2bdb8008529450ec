import pytest

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_it_signs_a_staff_member_in_and_switches_to_english(page, intake_officer):
    page.goto("/accounts/login/")
    page.fill("#id_username", "intake")
    page.fill("#id_password", "pw-intake")
    page.click("button[type=submit]")
    page.wait_for_url("**/staff/")
    assert "工作台" in page.content()
    page.click("button[name=language][value=en]")
    page.wait_for_load_state()
    assert "Home" in page.inner_text("h1")
