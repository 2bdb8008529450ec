"""End to end in Debian's Chromium: an anonymous reporter files with a GPS-tagged photo and keeps the receipt;
an intake officer signs in with TOTP, triages and replies; the reporter follows up and reads the reply; the
stored photo has no EXIF; a wrong receipt is refused."""

import io
import os
from pathlib import Path

import pytest
from django_otp.oath import totp
from PIL import Image

from minesweep.accounts.services import totp_enrol
from minesweep.reports.models import Report
from minesweep.reports.services import attachment_open
from minesweep.reports.tests.conftest import jpeg_with_gps
from minesweep.security.receipts import receipt_generate

# The shared conftest reloads reference data (divisions) after a transactional flush.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]
KEY = "3132333435363738393031323334353637383930"
SHOTS = Path(os.environ.get("MINESWEEP_VAR_DIR", "var")) / "screenshots"


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"reports-{name}.png"), full_page=True)


def test_it_runs_the_reporting_loop_end_to_end(page, intake_officer, settings):
    settings.REQUIRE_TOTP = True
    totp_enrol(actor="test", user=intake_officer, key_hex=KEY)

    # 1. The anonymous reporter files a report with a GPS-tagged photo (no consent to use the location).
    page.set_viewport_size({"width": 420, "height": 900})  # a phone screen
    page.goto("/report/")
    page.select_option("#id_category", "illegal_power")
    page.fill("#id_subject_name", "东胜区某养殖场")
    page.select_option("#id_division_code", "150602")
    page.fill("#id_address", "东胜区某村废弃养殖场")
    page.fill("#id_description", "养殖场私拉高压线，变压器嗡嗡响，夜里风扇声很大，怀疑窃电挖矿。")
    page.set_input_files(
        "#files", files=[{"name": "IMG_0420.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_gps()}]
    )
    page.check("#id_acknowledge")
    _shot(page, "submit")
    page.wait_for_selector("form[data-pow-done='1']", state="attached")
    page.click("#submit-btn")
    page.wait_for_selector("#receipt")
    receipt = "-".join(page.locator("#receipt .group").all_inner_texts())
    assert len(receipt) == 34
    assert "GPS" in page.inner_text("main") and page.get_attribute("#proof-download", "download")
    assert page.is_disabled("header .lang button")  # switching the language would lose the code
    _shot(page, "receipt")

    # 2. The intake officer signs in with password and TOTP, finds the report, routes it and replies.
    officer = page.context.browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", base_url=page.base_url
    )
    staff = officer.new_page()
    staff.goto("/accounts/login/")
    staff.fill("#id_username", "intake")
    staff.fill("#id_password", "pw-intake")
    staff.fill("#id_otp_token", f"{totp(bytes.fromhex(KEY)):06d}")
    staff.click("button[type=submit]")
    staff.wait_for_url("**/staff/")
    staff.goto("/intake/")
    _shot(staff, "queue")
    number = Report.objects.get().number
    staff.click(f"text={number}")
    assert "变压器嗡嗡响" in staff.inner_text("#description")
    staff.select_option("#league", "150600")
    staff.click("form[action$='/route/'] button")
    staff.fill("#reply-text", "感谢您的举报，已转鄂尔多斯市核查。")
    staff.click("form[action$='/reply/'] button")
    staff.wait_for_selector("text=感谢您的举报")
    _shot(staff, "detail")
    officer.close()

    # 3. The reporter follows up with the receipt (typed with spaces) and reads the reply.
    page.goto("/report/follow-up/")
    page.fill("#receipt", receipt.replace("-", " "))
    page.click("button[type=submit]")
    page.wait_for_selector("#status")
    assert "感谢您的举报，已转鄂尔多斯市核查。" in page.inner_text("main")
    _shot(page, "status")

    # 4. The stored photo carries no EXIF (decrypted from the database).
    name, content = attachment_open(Report.objects.get().attachments.get())
    assert not Image.open(io.BytesIO(content)).getexif() and b"SpyCam" not in content

    # 5. A wrong receipt is refused.
    page.goto("/report/follow-up/")
    wrong = receipt[:-1] + str((int(receipt[-1]) + 1) % 10)
    page.fill("#receipt", wrong)
    page.click("button[type=submit]")
    assert "第 5 组" in page.inner_text(".error-box") and page.input_value("#receipt") == wrong
    page.fill("#receipt", receipt_generate())  # well formed, but opens nothing
    page.click("button[type=submit]")
    assert "回执码" in page.inner_text(".error-box") and "感谢您的举报" not in page.content()
