"""Job status for the progress bar: JSON, scoped to the jurisdiction the job was started in."""

from __future__ import annotations

import importlib

import pytest
from django.test import Client

from minesweep.accounts.roles import Role
from minesweep.jobs.services import job_enqueue
from minesweep.jobs.tests.test_worker import _echo  # noqa: F401  (registers the test handler)
from minesweep.jobs.worker import run_job_inline
from minesweep.registry.models import Division

pytestmark = pytest.mark.django_db


@pytest.fixture
def ordos_job():
    return job_enqueue(
        actor="test", kind="test.echo", division=Division.objects.get(code="150602"), title="鄂尔多斯检测"
    )


def test_it_reports_progress_as_json(ordos_job, make_staff, client_for):
    analyst = make_staff("ordos_analyst", Role.ANALYST, "150600")
    client = client_for(analyst)
    body = client.get(f"/jobs/{ordos_job.pk}/status/").json()
    assert body["status"] == "queued" and body["percent"] == 0 and not body["finished"]
    run_job_inline(ordos_job)
    body = client.get(f"/jobs/{ordos_job.pk}/status/").json()
    assert body["status"] == "succeeded" and body["percent"] == 100 and body["finished"]
    assert "鄂尔多斯检测" in client.get("/jobs/").content.decode()


def test_a_jobs_title_reads_in_one_language_at_a_time(make_staff, client_for):
    job = job_enqueue(
        actor="test",
        kind="test.echo",
        division=Division.objects.get(code="150602"),
        title="用电数据检测：鄂尔多斯一季度",
        title_en="Meter detection: 鄂尔多斯一季度",
    )
    client = client_for(make_staff("ordos_analyst", Role.ANALYST, "150600"))
    assert job.title in client.get("/jobs/").content.decode()
    client.cookies["django_language"] = "en"
    english = client.get("/jobs/").content.decode()
    assert job.title_en in english and job.title not in english


def test_the_migration_gives_the_platforms_earlier_titles_their_english():
    from django.apps import apps

    from minesweep.jobs.models import Job

    migration = importlib.import_module("minesweep.jobs.migrations.0003_job_title_en")
    division = Division.objects.get(code="150602")
    meter = job_enqueue(actor="test", kind="test.echo", division=division, title="用电数据检测：一季度")
    typed = job_enqueue(actor="test", kind="test.echo", division=division, title="网络数据检测：抓包")
    Job.objects.filter(pk=meter.pk).update(kind="detection.meter_run")
    migration.add_english_titles(apps, None)
    meter.refresh_from_db()
    typed.refresh_from_db()
    assert meter.title_en == "Meter detection: 一季度" and meter.title == "用电数据检测：一季度"
    assert typed.title_en == ""  # another kind: not a title the platform wrote


def test_it_hides_jobs_outside_the_jurisdiction(ordos_job, make_staff, client_for):
    analyst = make_staff("baotou_analyst", Role.ANALYST, "150200")
    client = client_for(analyst)
    assert client.get(f"/jobs/{ordos_job.pk}/status/").status_code == 404
    assert "鄂尔多斯检测" not in client.get("/jobs/").content.decode()


def test_it_refuses_other_roles_and_anonymous_visitors(ordos_job, ordos_investigator, client_for):
    assert client_for(ordos_investigator).get(f"/jobs/{ordos_job.pk}/status/").status_code == 403
    assert Client().get(f"/jobs/{ordos_job.pk}/status/").status_code == 302


def test_an_analyst_cancels_a_queued_job_and_returns_to_the_page(ordos_job, make_staff, client_for):
    client = client_for(make_staff("ordos_analyst", Role.ANALYST, "150600"))
    assert "取消任务" in client.get("/jobs/").content.decode()
    response = client.post(f"/jobs/{ordos_job.pk}/cancel/", {"next": "/jobs/?page=1"})
    assert response.status_code == 302 and response["Location"] == "/jobs/?page=1"
    assert client.get(f"/jobs/{ordos_job.pk}/status/").json()["status"] == "cancelled"
    page = client.get("/jobs/").content.decode()
    assert "已取消" in page and "取消任务" not in page


def test_cancelling_is_scoped_refused_to_other_roles_and_never_redirects_off_site(
    ordos_job, make_staff, ordos_investigator, client_for
):
    baotou = client_for(make_staff("baotou_analyst", Role.ANALYST, "150200"))
    assert baotou.post(f"/jobs/{ordos_job.pk}/cancel/").status_code == 404
    assert client_for(ordos_investigator).post(f"/jobs/{ordos_job.pk}/cancel/").status_code == 403
    leader = client_for(make_staff("ordos_leader", Role.LEADERSHIP, "150600"))
    assert "取消任务" not in leader.get("/jobs/").content.decode()
    ordos = client_for(make_staff("ordos_analyst", Role.ANALYST, "150600"))
    assert ordos.get(f"/jobs/{ordos_job.pk}/cancel/").status_code == 405
    response = ordos.post(f"/jobs/{ordos_job.pk}/cancel/", {"next": "https://evil.example/"})
    assert response["Location"] == "/jobs/"
    again = ordos.post(f"/jobs/{ordos_job.pk}/cancel/", follow=True)
    assert "已结束" in again.content.decode()  # a finished job cannot be cancelled: said, not a 500
