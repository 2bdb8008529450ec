import io

import pytest
from openpyxl import Workbook

from minesweep.audit.models import AuditEvent
from minesweep.registry.imports import ImportRejected, registry_import
from minesweep.registry.models import PowerAccount, Subject
from minesweep.registry.uscc import make_uscc

pytestmark = pytest.mark.django_db
GOOD = make_uscc("9", "1", "150203", "12345678")
GOOD2 = make_uscc("9", "1", "150602", "23456789")


def _csv(rows: list[str]) -> bytes:
    return ("\n".join(rows) + "\n").encode()


def test_it_imports_entities_from_csv_with_categories():
    content = _csv(
        [
            "kind,name,uscc,division_code,categories",
            f"enterprise,包头恒通数据科技有限公司,{GOOD},150203,data_center;enterprise",
            f"enterprise,东胜鑫源网咖,{GOOD2},150602,internet_cafe",
        ]
    )
    report = registry_import(actor="test", kind="entities", content=content)
    assert report.created == 2
    subject = Subject.objects.get(uscc=GOOD)
    assert set(subject.categories.values_list("code", flat=True)) == {"data_center", "enterprise"}
    assert AuditEvent.objects.filter(action="registry.subject.create").count() == 2


def test_it_writes_nothing_and_reports_every_bad_row():
    content = _csv(
        [
            "kind,name,uscc,division_code,categories",
            f"enterprise,好公司,{GOOD},150203,data_center",
            "enterprise,坏代码公司,914403001922038217,150203,",
            f"enterprise,坏区划公司,{GOOD2},999999,",
            "robot,坏类型,,150203,spaceship",
        ]
    )
    with pytest.raises(ImportRejected) as caught:
        registry_import(actor="test", kind="entities", content=content)
    problems = {(p.row, p.column) for p in caught.value.report.problems}
    assert (3, "uscc") in problems and (4, "division_code") in problems
    assert (5, "kind") in problems and (5, "categories") in problems
    assert Subject.objects.count() == 0 and AuditEvent.objects.count() == 0


def test_it_reads_xlsx_by_content_whatever_the_name():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["kind", "name", "uscc", "division_code"])
    sheet.append(["enterprise", "乌海金泰实业有限公司", GOOD, "150302"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = registry_import(actor="test", kind="entities", content=buffer.getvalue())
    assert report.created == 1


def test_it_reads_gbk_csv_as_saved_by_chinese_excel():
    content = f"kind,name,uscc,division_code\nenterprise,呼和浩特青城实业有限公司,{GOOD},150102\n".encode(
        "gb18030"
    )
    assert registry_import(actor="test", kind="entities", content=content).created == 1


def test_it_rejects_a_binary_file_disguised_as_csv():
    with pytest.raises(Exception) as caught:
        registry_import(actor="test", kind="entities", content=b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    # read by content (core.tables), not by name
    assert getattr(caught.value, "code", "").startswith("table.")
    assert Subject.objects.count() == 0


def test_it_imports_power_accounts_linked_to_subjects_and_refuses_duplicates():
    registry_import(
        actor="test",
        kind="entities",
        content=_csv(["kind,name,uscc,division_code", f"enterprise,甲公司,{GOOD},150203"]),
    )
    rows = [
        "number,tariff,division_code,subject_uscc,contract_kva",
        f"0472001,large_industry,150203,{GOOD},3150",
        "0472001,large_industry,150203,,100",
    ]
    with pytest.raises(ImportRejected) as caught:
        registry_import(actor="test", kind="power_accounts", content=_csv(rows))
    assert [(p.row, p.column) for p in caught.value.report.problems] == [(3, "number")]
    assert registry_import(actor="test", kind="power_accounts", content=_csv(rows[:2])).created == 1
    assert PowerAccount.objects.get(number="0472001").subject.uscc == GOOD


def test_it_names_missing_columns():
    with pytest.raises(ImportRejected) as caught:
        registry_import(actor="test", kind="sites", content=_csv(["name,division_code", "厂区,150203"]))
    assert caught.value.report.problems[0].column == "address"


def test_it_records_ip_allocations_and_refuses_bad_prefixes_and_periods():
    from datetime import UTC, datetime

    from minesweep.core.errors import DomainError
    from minesweep.registry.models import Division, IPAllocation
    from minesweep.registry.services import ip_allocation_create

    division = Division.objects.get(code="150203")
    start, end = datetime(2025, 1, 1, tzinfo=UTC), datetime(2025, 6, 1, tzinfo=UTC)
    allocation = ip_allocation_create(
        actor="test",
        prefix="10.1.2.77/24",
        valid_from=start,
        valid_to=end,
        subscriber_name="包头某网吧",
        division=division,
    )
    assert (
        allocation.prefix == "10.1.2.0/24"
        and AuditEvent.objects.filter(action="registry.ip_allocation.create").exists()
    )
    for prefix, valid_to in (("10.1.2.300/24", end), ("10.1.3.0/24", start)):
        with pytest.raises(DomainError):
            ip_allocation_create(
                actor="test",
                prefix=prefix,
                valid_from=start,
                valid_to=valid_to,
                subscriber_name="x",
                division=division,
            )
    assert IPAllocation.objects.count() == 1


def test_it_audits_every_imported_row_in_an_intact_chain_like_one_create_per_row():
    """Bulk inserts, one audit event per row naming that row, the chain intact and going on after it."""
    from minesweep.audit.chain import digest
    from minesweep.audit.services import audit_record, audit_verify
    from minesweep.registry.models import Site
    from minesweep.registry.services import subject_snapshot

    registry_import(
        actor="test",
        kind="entities",
        content=_csv(
            [
                "kind,name,uscc,division_code,categories",
                f"enterprise, 甲公司 ,{GOOD.lower()},150203,data_center;enterprise;data_center",
            ]
        ),
    )
    subject = Subject.objects.get()
    assert (subject.name, subject.uscc) == ("甲公司", GOOD)  # normalised as subject_create stores it
    rows = ["name,address,division_code,subject_uscc"] + [
        f"场所{i},某路{i}号,150203,{GOOD}" for i in range(25)
    ]
    assert registry_import(actor="test", kind="sites", content=_csv(rows)).created == 25
    events = AuditEvent.objects.filter(action="registry.site.create").order_by("seq")
    assert [e.object_id for e in events] == [
        str(pk) for pk in Site.objects.order_by("pk").values_list("pk", flat=True)
    ]
    assert {e.actor_label for e in events} == {"test"} and {e.division_code for e in events} == {"150203"}
    created = AuditEvent.objects.get(action="registry.subject.create")
    assert created.after_digest == digest(subject_snapshot(subject, ["data_center", "enterprise"]))
    audit_record(actor="test", action="test.after_import", target=subject)
    assert audit_verify().intact and AuditEvent.objects.count() == 27


def test_a_row_added_by_someone_else_during_the_import_writes_nothing(monkeypatch):
    """The rows are checked, then written: an account created in between (a unique number) rolls the whole
    import back with a refusal that says so, never a 500."""
    from minesweep.core.errors import DomainError
    from minesweep.registry import imports
    from minesweep.registry.models import Division

    real_write = imports._write

    def someone_else_first(actor, kind, plans):  # type: ignore[no-untyped-def]
        PowerAccount.objects.create(
            number="0472002", tariff="large_industry", division=Division.objects.get(code="150203")
        )
        return real_write(actor, kind, plans)

    monkeypatch.setattr(imports, "_write", someone_else_first)
    rows = ["number,tariff,division_code", "0472001,large_industry,150203", "0472002,large_industry,150203"]
    with pytest.raises(DomainError) as caught:
        registry_import(actor="test", kind="power_accounts", content=_csv(rows))
    assert caught.value.code == "registry.import_conflict" and "未写入任何数据" in caught.value.message_zh
    assert list(PowerAccount.objects.values_list("number", flat=True)) == ["0472002"]
    assert not AuditEvent.objects.filter(action="registry.power_account.create").exists()
