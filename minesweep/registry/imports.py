"""Bulk import of entities, sites and power accounts from CSV or XLSX: all or nothing.

Every row is checked first; if any row is bad, nothing is written and the report lists every problem as
(row, column, reason). Row numbers are as a person sees them in the file (header = row 1).
The file type is decided by content (an XLSX file is a ZIP archive), never by the file name.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from minesweep.core.errors import DomainError
from minesweep.registry.categories import CATEGORIES
from minesweep.registry.models import Division, PowerAccount, Site, Subject
from minesweep.registry.resident_id import resident_id_problem
from minesweep.registry.services import Actor, power_account_create, site_create, subject_create
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


def _read_rows(content: bytes) -> Iterator[tuple[int, dict[str, str]]]:
    if content[:4] == b"PK\x03\x04":
        yield from _read_xlsx(content)
    else:
        yield from _read_csv(content)


def _decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GBK by default
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DomainError(
        "registry.import_encoding",
        "文件既不是 UTF-8 也不是 GBK 编码的 CSV，也不是 XLSX",
        "The file is neither a UTF-8/GBK CSV nor an XLSX workbook",
    )


def _read_csv(content: bytes) -> Iterator[tuple[int, dict[str, str]]]:
    text = _decode(content)
    if "\x00" in text:
        raise DomainError("registry.import_binary", "文件不是文本表格", "The file is not a text table")
    reader = csv.DictReader(io.StringIO(text))
    for number, row in enumerate(reader, start=2):
        yield (
            number,
            {(k or "").strip(): (v or "").strip() if isinstance(v, str) else "" for k, v in row.items()},
        )


def _read_xlsx(content: bytes) -> Iterator[tuple[int, dict[str, str]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise DomainError(
            "registry.import_xlsx", "无法读取 XLSX 文件", f"Cannot read the XLSX workbook ({exc})"
        ) from None
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [str(cell or "").strip() for cell in next(rows, ())]
    for number, values in enumerate(rows, start=2):
        cells = ["" if v is None else str(v).strip() for v in values]
        if any(cells):
            yield number, dict(zip(header, cells, strict=False))


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


def _plan_entity(check: _RowChecker, seen: set[str]) -> Callable[[Actor], Any] | None:
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
    chosen: Division = division
    return lambda actor: subject_create(
        actor=actor,
        kind=kind,
        name=data["name"],
        division=chosen,
        uscc=uscc,
        resident_id=resident_id,
        legal_representative=data.get("legal_representative", ""),
        declared_business=data.get("declared_business", ""),
        address=data.get("address", ""),
        categories=categories,
    )


def _plan_site(check: _RowChecker, known: dict[str, Subject]) -> Callable[[Actor], Any] | None:
    data = check.data
    latitude = check.decimal("latitude", Decimal(-90), Decimal(90))
    longitude = check.decimal("longitude", Decimal(-180), Decimal(180))
    subject = check.subject_by_uscc(known)
    division = check.division()
    if not data.get("name") or not data.get("address"):
        check.problem("name", "名称和地址不能为空", "name and address are required")
    if division is None or (check.report.problems and check.report.problems[-1].row == check.row):
        return None
    chosen: Division = division
    return lambda actor: site_create(
        actor=actor,
        name=data["name"],
        address=data["address"],
        division=chosen,
        subject=subject,
        latitude=latitude,
        longitude=longitude,
    )


def _plan_power_account(
    check: _RowChecker, known: dict[str, Subject], seen: set[str]
) -> Callable[[Actor], Any] | None:
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
    chosen: Division = division
    return lambda actor: power_account_create(
        actor=actor,
        number=number,
        tariff=tariff,
        division=chosen,
        subject=subject,
        site=site,
        contract_kva=contract_kva,
        voltage_kv=voltage_kv,
    )


def registry_import(*, actor: Actor, kind: str, content: bytes) -> ImportReport:
    """Check every row, then create all of them in one transaction, or raise :class:`ImportRejected`."""
    if kind not in COLUMNS:
        raise DomainError("registry.import_kind", f"未知导入类型 {kind}", f"Unknown import kind {kind}")
    report = ImportReport(kind)
    divisions = {d.code: d for d in Division.objects.all()}
    known = {s.uscc: s for s in Subject.objects.exclude(uscc=None) if s.uscc} if kind != "entities" else {}
    seen: set[str] = set()
    plans: list[Callable[[Actor], Any]] = []
    columns = COLUMNS[kind]
    for number, data in _read_rows(content):
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
    with transaction.atomic():
        for plan in plans:
            plan(actor)
            report.created += 1
    return report
