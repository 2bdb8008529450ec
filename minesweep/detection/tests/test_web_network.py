# ruff: noqa: F811  (pytest fixtures shared from test_services are imported, then requested by name)
"""Analyst pages for network detection: upload a capture, browse hosts and wallets, open evidence, promote."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from minesweep.accounts.roles import Role
from minesweep.cases.models import Lead
from minesweep.detection.models import NetHost, NetScan
from minesweep.detection.tests.test_services import (  # noqa: F401  (fixtures)
    CAPTURES,
    cafe_allocations,
    data_root,
    simulated,
)
from minesweep.jobs.worker import run_worker

pytestmark = pytest.mark.django_db


def test_it_scans_uploaded_captures_and_promotes_a_host(data_root, cafe_allocations, make_staff, client_for):
    client = client_for(make_staff("analyst", Role.ANALYST, "150000"))
    uploads = [
        SimpleUploadedFile("capture-a.pcapng", (CAPTURES / "ndpi" / "mining.pcapng").read_bytes()),
        SimpleUploadedFile("btc.pcap", (CAPTURES / "ndpi" / "bitcoin.pcap").read_bytes()),
    ]
    response = client.post(
        "/analytics/network/new/", {"name": "抓包测试", "input_kind": "capture", "files": uploads}
    )
    scan = NetScan.objects.get()
    assert response.status_code == 302 and len(scan.params["paths"]) == 2
    run_worker(once=True)
    body = client.get(f"/analytics/network/{scan.pk}/").content.decode()
    assert "192.168.2.148" in body and "包头星海网咖" in body
    assert (
        "4BCeEPhodgPMbPWFN1dPwhWXdRX8q4mhhdZdA1dtSMLTLCEYvAj9QXjXAfF7CugEbmfBhgkqHbdgK9b2wKA6nqRZQCgvCDm"
        in body
    )
    assert NetHost.objects.filter(scan=scan, kind="crypto_p2p").exists()
    only_p2p = client.get(f"/analytics/network/{scan.pk}/", {"kind": "crypto_p2p"}).content.decode()
    assert "192.168.2.148" not in only_p2p.split("钱包地址")[0]
    host = NetHost.objects.get(scan=scan, host="192.168.2.148")
    detail = client.get(f"/analytics/network/hosts/{host.pk}/").content.decode()
    assert "Flypool" in detail and "网咖" in detail and "mining.submit" in detail
    picture = client.get(f"/analytics/network/hosts/{host.pk}/pools.png")
    assert picture["Content-Type"] == "image/png" and picture.content[:4] == b"\x89PNG"
    # the picture's address names the language it is drawn in: a browser keeps images by address
    assert f"/analytics/network/hosts/{host.pk}/pools.png?lang=zh-hans" in detail
    client.post(f"/analytics/network/hosts/{host.pk}/promote/")
    lead = Lead.objects.get()
    assert lead.source == "network_analytics" and lead.subject == cafe_allocations[0]
    assert lead.number in client.get("/staff/").content.decode()


def test_it_reads_flow_records(data_root, make_staff, client_for):
    client = client_for(make_staff("analyst", Role.ANALYST, "150000"))
    rows = ["ts_start,ts_end,src_ip,src_port,dst_ip,dst_port,proto,packets,bytes,sni,dns_query"]
    rows += [
        f"{1700000000 + i * 600},{1700000000 + i * 600 + 590},10.1.2.3,5{i:04d},203.0.113.9,3333,tcp,40,4000,"
        "eu1.ethermine.org,"
        for i in range(12)
    ]
    rows.append("garbage,row")
    flows = SimpleUploadedFile("flows.csv", "\n".join(rows).encode())
    client.post("/analytics/network/new/", {"input_kind": "flows", "files": flows})
    run_worker(once=True)
    scan = NetScan.objects.get()
    assert scan.job.status == "succeeded", scan.job.error_zh
    assert scan.summary["rows"] >= 12
    assert "10.1.2.3" in client.get(f"/analytics/network/{scan.pk}/").content.decode()


def test_it_refuses_a_non_capture_with_a_clear_message(data_root, make_staff, client_for):
    client = client_for(make_staff("analyst", Role.ANALYST, "150000"))
    fake = SimpleUploadedFile("x.pcap", b"hello, I am text\n")
    response = client.post("/analytics/network/new/", {"input_kind": "capture", "files": fake})
    assert response.status_code == 400 and "文件内容不是可接受的格式" in response.content.decode()
    assert not NetScan.objects.exists()


def test_a_web_scan_of_a_garbage_capture_ends_failed(data_root, make_staff, client_for):
    """Issue 14: a file with a capture's magic number but garbage after it used to end "succeeded"."""
    client = client_for(make_staff("analyst", Role.ANALYST, "150000"))
    garbage = SimpleUploadedFile("junk.pcap", b"\xd4\xc3\xb2\xa1" + b"\x00garbage" * 40)
    client.post("/analytics/network/new/", {"name": "垃圾", "input_kind": "capture", "files": garbage})
    scan = NetScan.objects.get()
    run_worker(once=True)
    scan.job.refresh_from_db()
    assert scan.job.status == "failed" and "pcap" in scan.job.error_en
