"""Bulk import of entities, sites and power accounts from CSV or XLSX: all or nothing.

Every row is checked first; if any row is bad, nothing is written and the report lists every problem as
(row, column, reason). Row numbers are as a person sees them in the file (header = row 1).
The file type is decided by content (an XLSX file is a ZIP archive), never by the file name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.forms.models import model_to_dict

from minesweep.audit.services import AuditEntry, audit_record_many
from minesweep.core.errors import DomainError
from minesweep.core.tables import read_table_rows
from minesweep.registry.categories import CATEGORIES
from minesweep.registry.models import Division, PowerAccount, Site, Subject
from minesweep.registry.resident_id import resident_id_problem
from minesweep.registry.services import Actor, subject_new, subject_snapshot
from minesweep.registry.uscc import validate_uscc

MAX_ROWS = 200_000


@dataclass(frozen=True)
class RowProblem:
    row: int
    column: str
    reason: str


@dataclass
class ImportReport:
    kind: str
    rows: int = 0
    created: int = 0
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class ImportRejected(DomainError):
    def __init__(self, report: ImportReport) -> None:
        self.report = report
        super().__init__(
            "registry.import_rejected",
            f"导入被拒绝：{len(report.problems)} 处错误，未写入任何数据",
            f"Import rejected: {len(report.problems)} problems, nothing was written",
            problems=[p.__dict__ for p in report.problems[:1000]],
        )


@dataclass
class _Columns:
    required: tuple[str, ...]
    optional: tuple[str, ...]


COLUMNS = {
    "entities": _Columns(
        ("kind", "name", "division_code"),
        ("uscc", "resident_id", "legal_representative", "declared_business", "address", "categories"),
    ),
    "sites": _Columns(("name", "address", "division_code"), ("subject_uscc", "latitude", "longitude")),
    "power_accounts": _Columns(
        ("number", "tariff", "division_code"), ("subject_uscc", "site_name", "contract_kva", "voltage_kv")
    ),
}


class _RowChecker:
    """Collects problems for one row; helpers return the parsed value or None."""

    def __init__(self, report: ImportReport, row: int, data: dict[str, str], divisions: dict[str, Division]):
        self.report, self.row, self.data, self.divisions = report, row, data, divisions

    def problem(self, column: str, zh: str, en: str) -> None:
        self.report.problems.append(RowProblem(self.row, column, f"{zh} / {en}"))

    def division(self) -> Division | None:
        code = self.data.get("division_code", "")
        division = self.divisions.get(code)
        if division is None:
            self.problem("division_code", f"未知行政区划代码 {code!r}", f"unknown division code {code!r}")
        return division

    def decimal(self, column: str, low: Decimal, high: Decimal) -> Decimal | None:
        raw = self.data.get(column, "")
        if not raw:
            return None
        try:
            value = Decimal(raw)
        except InvalidOperation:
            self.problem(column, f"不是数字：{raw!r}", f"not a number: {raw!r}")
            return None
        if not value.is_finite() or not low <= value <= high:
            self.problem(column, f"超出范围 {low}–{high}", f"out of range {low}–{high}")
            return None
        return value

    def subject_by_uscc(self, known: dict[str, Subject]) -> Subject | None:
        uscc = self.data.get("subject_uscc", "").upper()
        if not uscc:
            return None
        subject = known.get(uscc)
        if subject is None:
            self.problem(
                "subject_uscc", f"登记簿中没有该主体 {uscc}", f"no subject with USCC {uscc} in the registry"
            )
        return subject


@dataclass(frozen=True)
class _Planned:
    """One checked row: the record to insert (not saved yet) and, for a subject, its category codes."""

    row: Subject | Site | PowerAccount
    categories: tuple[str, ...] = ()


def _plan_entity(check: _RowChecker, seen: set[str]) -> _Planned | None:
    data = check.data
    kind = data.get("kind", "")
    if kind not in Subject.Kind.values:
        check.problem(
            "kind",
            f"主体类型应为 {'/'.join(Subject.Kind.values)}",
            f"kind must be one of {', '.join(Subject.Kind.values)}",
        )
    uscc = data.get("uscc", "").upper() or None
    if uscc:
        result = validate_uscc(uscc)
        if not result.valid:
            check.problem("uscc", "统一社会信用代码无效", result.reason)
        elif uscc in seen or Subject.objects.filter(uscc=uscc).exists():
            check.problem("uscc", "统一社会信用代码重复", "duplicate USCC")
        seen.add(uscc)
    elif kind == "enterprise":
        check.problem("uscc", "企业必须填写统一社会信用代码", "an enterprise needs its USCC")
    resident_id = data.get("resident_id", "")
    if resident_id and (problem := resident_id_problem(resident_id)):
        check.problem("resident_id", "身份证号无效", problem)
    categories = [c.strip() for c in data.get("categories", "").replace(",", ";").split(";") if c.strip()]
    for code in set(categories) - set(CATEGORIES):
        check.problem("categories", f"未知主体类别 {code}", f"unknown category {code}")
    if not data.get("name"):
        check.problem("name", "名称不能为空", "name is required")
    division = check.division()
    if division is None or (check.report.problems and check.report.problems[-1].row == check.row):
        return None
    subject = subject_new(
        kind=kind,
        name=data["name"],
        division=division,
        uscc=uscc,
        resident_id=resident_id,
        legal_representative=data.get("legal_representative", ""),
        declared_business=data.get("declared_business", ""),
        address=data.get("address", ""),
    )
    return _Planned(subject, tuple(dict.fromkeys(categories)))


def _plan_site(check: _RowChecker, known: dict[str, Subject]) -> _Planned | None:
    data = check.data
    latitude = check.decimal("latitude", Decimal(-90), Decimal(90))
    longitude = check.decimal("longitude", Decimal(-180), Decimal(180))
    subject = check.subject_by_uscc(known)
    division = check.division()
    if not data.get("name") or not data.get("address"):
        check.problem("name", "名称和地址不能为空", "name and address are required")
    if division is None or (check.report.problems and check.report.problems[-1].row == check.row):
        return None
    return _Planned(
        Site(
            name=data["name"],
            address=data["address"],
            division=division,
            subject=subject,
            latitude=latitude,
            longitude=longitude,
        )
    )


def _plan_power_account(check: _RowChecker, known: dict[str, Subject], seen: set[str]) -> _Planned | None:
    data = check.data
    number = data.get("number", "")
    if not number:
        check.problem("number", "户号不能为空", "account number is required")
    elif number in seen or PowerAccount.objects.filter(number=number).exists():
        check.problem("number", f"户号 {number} 重复", f"duplicate account number {number}")
    seen.add(number)
    tariff = data.get("tariff", "")
    if tariff not in PowerAccount.Tariff.values:
        check.problem(
            "tariff",
            f"电价类别应为 {'/'.join(PowerAccount.Tariff.values)}",
            f"tariff must be one of {', '.join(PowerAccount.Tariff.values)}",
        )
    contract_kva = check.decimal("contract_kva", Decimal(0), Decimal(10_000_000))
    voltage_kv = check.decimal("voltage_kv", Decimal(0), Decimal(1000))
    subject = check.subject_by_uscc(known)
    site = Site.objects.filter(name=data["site_name"]).first() if data.get("site_name") else None
    if data.get("site_name") and site is None:
        check.problem("site_name", "场所不存在", "no such site")
    division = check.division()
    if division is None or (check.report.problems and check.report.problems[-1].row == check.row):
        return None
    return _Planned(
        PowerAccount(
            number=number,
            tariff=tariff,
            division=division,
            subject=subject,
            site=site,
            contract_kva=contract_kva,
            voltage_kv=voltage_kv,
        )
    )


def registry_import(*, actor: Actor, kind: str, content: bytes) -> ImportReport:
    """Check every row, then create all of them in one transaction, or raise :class:`ImportRejected`."""
    if kind not in COLUMNS:
        raise DomainError("registry.import_kind", f"未知导入类型 {kind}", f"Unknown import kind {kind}")
    report = ImportReport(kind)
    divisions = {d.code: d for d in Division.objects.all()}
    known = {s.uscc: s for s in Subject.objects.exclude(uscc=None) if s.uscc} if kind != "entities" else {}
    seen: set[str] = set()
    plans: list[_Planned] = []
    columns = COLUMNS[kind]
    for number, data in read_table_rows(content):
        if number == 2:
            missing = [c for c in columns.required if c not in data]
            if missing:
                report.problems.append(
                    RowProblem(1, ",".join(missing), f"缺少列 / missing columns: {', '.join(missing)}")
                )
                raise ImportRejected(report)
        report.rows += 1
        if report.rows > MAX_ROWS:
            report.problems.append(
                RowProblem(number, "", f"行数超过上限 {MAX_ROWS} / more than {MAX_ROWS} rows")
            )
            break
        check = _RowChecker(report, number, data, divisions)
        plan = (
            _plan_entity(check, seen)
            if kind == "entities"
            else _plan_site(check, known)
            if kind == "sites"
            else _plan_power_account(check, known, seen)
        )
        if plan is not None:
            plans.append(plan)
    if report.rows == 0:
        report.problems.append(RowProblem(1, "", "文件没有数据行 / the file has no data rows"))
    if report.problems:
        raise ImportRejected(report)
    report.created = _write(actor, kind, plans)
    return report


# Per kind: the model its rows are, and the audit action its service records for one of them.
WRITES: dict[str, tuple[type[Subject] | type[Site] | type[PowerAccount], str]] = {
    "entities": (Subject, "registry.subject.create"),
    "sites": (Site, "registry.site.create"),
    "power_accounts": (PowerAccount, "registry.power_account.create"),
}
BULK_BATCH = 1000


def _write(actor: Actor, kind: str, plans: list[_Planned]) -> int:
    """Insert the checked rows, their categories and one audit event per row (the events
    ``subject_create``, ``site_create`` and ``power_account_create`` record) in one transaction, with bulk
    inserts: 200,000 rows one service call at a time held the database's write lock for minutes (SQLite:
    every other write failed after its 30 s wait). A row another user created since the check (a unique
    account number or USCC) rolls back everything, with a clear refusal."""
    rows = [plan.row for plan in plans]
    try:
        with transaction.atomic():
            inserted: Any = WRITES[kind][0]._default_manager  # the rows are all of this kind's model
            inserted.bulk_create(rows, batch_size=BULK_BATCH)
            if kind == "entities":
                _link_categories(plans)
            audit_record_many(actor=actor, entries=[_audit_entry(kind, plan) for plan in plans])
    except IntegrityError as error:
        raise DomainError(
            "registry.import_conflict",
            "导入期间登记簿已有同号记录（户号或统一社会信用代码重复），未写入任何数据，请核对后重新导入",
            "A record with the same number (account number or USCC) was added while the file was checked; "
            "nothing was written, check and import again",
        ) from error
    return len(rows)


def _link_categories(plans: list[_Planned]) -> None:
    through = Subject.categories.through
    links = [through(subject_id=plan.row.pk, category_id=code) for plan in plans for code in plan.categories]
    through.objects.bulk_create(links, batch_size=BULK_BATCH)


def _audit_entry(kind: str, plan: _Planned) -> AuditEntry:
    row = plan.row
    after = subject_snapshot(row, plan.categories) if isinstance(row, Subject) else model_to_dict(row)
    return AuditEntry(WRITES[kind][1], row, after=after, division_code=row.division_id)
