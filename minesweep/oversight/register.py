"""The weekly mining-project register of 发改运行〔2021〕1283号 (虚拟货币挖矿项目台账) and the weekly
progress report per league/city (工作台账进展), both scoped to the reader's jurisdiction.

A past week is read from the registry's weekly snapshots (never overwritten); the current week falls
back to the live register when no snapshot has been taken yet.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Sum
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from minesweep.accounts.jurisdiction import Scope, scoped
from minesweep.cases.models import Case, Decision, Lead, Referral, SeizedRigs, Task
from minesweep.cases.selectors import league_code
from minesweep.core.errors import DomainError
from minesweep.core.exports import xlsx_append
from minesweep.credit.models import ListingRecord
from minesweep.policy.packs import region_name
from minesweep.registry.models import Division, MiningProject, MiningProjectSnapshot
from minesweep.registry.services import iso_week

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
STATUS_ZH_FIXED = {
    "existing": "存量在运",
    "under_construction": "在建",
    "shut_down": "已关停",
    "rectifying": "整改中",
}


class RegisterError(DomainError):
    pass


def parse_week(value: str | None) -> str:
    """``YYYY-Www`` (ISO week), or the current week in Beijing time when empty."""
    if not value:
        return iso_week(timezone.localdate())
    match = _WEEK.match(value.strip().upper())
    if match:
        try:
            dt.date.fromisocalendar(int(match[1]), int(match[2]), 1)
            return f"{match[1]}-W{match[2]}"
        except ValueError:
            pass
    raise RegisterError(
        "oversight.week_invalid",
        f"周次格式应为 YYYY-Www（如 2026-W48）：{value}",
        f"Week must look like YYYY-Www (e.g. 2026-W48): {value}",
    )


def week_bounds(week: str) -> tuple[dt.date, dt.date]:
    """Monday and Sunday of an ISO week."""
    year, number = int(week[:4]), int(week[6:])
    monday = dt.date.fromisocalendar(year, number, 1)
    return monday, monday + dt.timedelta(days=6)


@dataclass
class RegisterRow:
    league_code: str
    league: str
    division_code: str
    division: str
    name: str
    owner: str
    owner_uscc: str
    status: str
    rigs: int
    hash_rate_ths: Decimal
    power_kw: Decimal
    planned_start: str
    notes: str = ""

    @property
    def status_zh(self) -> str:
        return STATUS_ZH_FIXED.get(self.status, self.status)

    @property
    def status_label(self) -> str:
        """The status in the active language (the page; the XLSX keeps the fixed Chinese wording)."""
        labels = dict(MiningProject.Status.choices)
        return str(labels.get(self.status, self.status_zh))


def _division_names() -> dict[str, str]:
    return dict(Division.objects.values_list("code", "name"))


def register_rows(*, scope: Scope | None, week: str | None = None) -> tuple[str, str, list[RegisterRow]]:
    """(week, source, rows): one row per project in scope, from the week's snapshot or the live register."""
    week = parse_week(week)
    names = _division_names()
    projects = scoped(MiningProject.objects.select_related("owner", "division"), scope)
    snapshots = list(
        MiningProjectSnapshot.objects.filter(week=week, project__in=projects).select_related("project")
    )
    rows: list[RegisterRow] = []
    if snapshots:
        source = "snapshot"
        for snap in snapshots:
            data: dict[str, Any] = snap.data
            code = str(data.get("division") or snap.project.division_id)
            rows.append(
                RegisterRow(
                    league_code(code),
                    names.get(league_code(code), ""),
                    code,
                    names.get(code, ""),
                    str(data.get("name", "")),
                    str(data.get("owner", "")),
                    str(data.get("owner_uscc", "")),
                    str(data.get("status", "")),
                    int(data.get("rigs") or 0),
                    Decimal(str(data.get("hash_rate_ths") or 0)),
                    Decimal(str(data.get("power_kw") or 0)),
                    str(data.get("planned_start") or ""),
                )
            )
    elif week == iso_week(timezone.localdate()):
        source = "live"
        for p in projects:
            rows.append(
                RegisterRow(
                    league_code(p.division_id),
                    names.get(league_code(p.division_id), ""),
                    p.division_id,
                    p.division.name,
                    p.name,
                    p.owner.name,
                    p.owner.uscc or "",
                    p.status,
                    p.rigs,
                    p.hash_rate_ths,
                    p.power_kw,
                    p.planned_start.isoformat() if p.planned_start else "",
                    p.notes,
                )
            )
    else:
        raise RegisterError(
            "oversight.week_missing",
            f"{week} 没有台账快照（每周由 register snapshot 生成）",
            f"No register snapshot for {week} (taken weekly by `register snapshot`)",
            week=week,
        )
    rows.sort(key=lambda r: (r.division_code, r.name))
    return week, source, rows


@dataclass
class LeagueProgress:
    code: str
    name: str
    projects: dict[str, int] = field(default_factory=dict)
    rigs_registered: int = 0
    power_kw_registered: Decimal = Decimal(0)
    leads_new: int = 0
    cases_filed: int = 0
    decisions: int = 0
    rigs_seized: int = 0
    kw_seized: Decimal = Decimal(0)
    referrals: int = 0
    listings: int = 0
    tasks_done: int = 0
    tasks_overdue: int = 0


def weekly_progress(*, scope: Scope | None, week: str | None = None) -> tuple[str, list[LeagueProgress]]:
    """Per league/city: the register (by status) and what happened in the week (Monday–Sunday, Beijing)."""
    week, _source, rows = register_rows(scope=scope, week=week)
    monday, sunday = week_bounds(week)
    names = _division_names()
    leagues: dict[str, LeagueProgress] = {}

    def league(code: str) -> LeagueProgress:
        key = league_code(code)
        return leagues.setdefault(key, LeagueProgress(key, names.get(key, key)))

    for row in rows:
        item = league(row.division_code)
        item.projects[row.status] = item.projects.get(row.status, 0) + 1
        item.rigs_registered += row.rigs
        item.power_kw_registered += row.power_kw
    in_week = {"__gte": monday, "__lte": sunday}

    def count_by(qs: Any, division_field: str, date_field: str, attr: str) -> None:
        filters = {f"{date_field}{k}": v for k, v in in_week.items()}
        for r in qs.filter(**filters).values(division_field).annotate(n=Count("id")).order_by():
            item = league(r[division_field])
            setattr(item, attr, getattr(item, attr) + r["n"])

    cases = scoped(Case.objects.all(), scope)
    count_by(scoped(Lead.objects.all(), scope), "division_id", "created_at__date", "leads_new")
    count_by(cases, "division_id", "filed_on", "cases_filed")
    count_by(Decision.objects.filter(case__in=cases), "case__division_id", "decided_on", "decisions")
    count_by(
        Referral.objects.filter(case__in=cases, transferred_at__isnull=False),
        "case__division_id",
        "transferred_at__date",
        "referrals",
    )
    count_by(scoped(ListingRecord.objects.all(), scope), "division_id", "publication_start", "listings")
    count_by(
        scoped(Task.objects.filter(status=Task.Status.DONE), scope),
        "division_id",
        "closed_at__date",
        "tasks_done",
    )
    for r in (
        SeizedRigs.objects.filter(case__in=cases, seized_on__gte=monday, seized_on__lte=sunday)
        .values("case__division_id")
        .annotate(n=Sum("count"), w=Sum(F("count") * F("unit_power_w")))
        .order_by()
    ):
        item = league(r["case__division_id"])
        item.rigs_seized += r["n"] or 0
        item.kw_seized += Decimal(r["w"] or 0) / 1000
    for r in (
        scoped(
            Task.objects.filter(status=Task.Status.OPEN, due_on__lt=min(sunday, timezone.localdate())), scope
        )
        .values("division_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        league(r["division_id"]).tasks_overdue += r["n"]
    return week, sorted(leagues.values(), key=lambda x: x.code)


# -- XLSX ------------------------------------------------------------------------------------------
HEADER_FILL = PatternFill("solid", fgColor="EEF1F5")
TITLE_FONT = Font(bold=True, size=14)
BOLD = Font(bold=True)
REGISTER_COLUMNS = [
    ("序号", 6),
    ("盟市", 12),
    ("旗县区", 12),
    ("项目名称", 32),
    ("项目业主", 30),
    ("统一社会信用代码", 22),
    ("项目状态", 10),
    ("矿机数量（台）", 12),
    ("算力（TH/s）", 14),
    ("用电负荷（kW）", 14),
    ("计划投产日期（新建）", 16),
    ("备注", 24),
]
PROGRESS_COLUMNS = [
    ("盟市", 14),
    ("存量在运", 9),
    ("在建", 7),
    ("整改中", 8),
    ("已关停", 8),
    ("登记矿机（台）", 12),
    ("登记负荷（kW）", 12),
    ("本周新增线索", 10),
    ("本周立案", 8),
    ("本周作出处罚决定", 12),
    ("本周查扣矿机（台）", 12),
    ("本周查扣负荷（kW）", 12),
    ("本周移送", 8),
    ("本周列入失信名单", 12),
    ("本周办结任务", 10),
    ("逾期未办任务", 10),
]


def _sheet_header(ws: Any, title: str, subtitle: str, columns: list[tuple[str, int]]) -> None:
    xlsx_append(ws, [title])
    ws["A1"].font = TITLE_FONT
    xlsx_append(ws, [subtitle])
    xlsx_append(ws, [c for c, _ in columns])
    for index, (_, width) in enumerate(columns, start=1):
        cell = ws.cell(row=3, column=index)
        cell.font, cell.fill = BOLD, HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "A4"


def register_xlsx(
    *, scope: Scope | None, week: str | None = None, scope_name: str = ""
) -> tuple[str, int, bytes]:
    """(week, rows, xlsx bytes): sheet 1 the register (one row per project), sheet 2 the weekly progress.
    ``scope_name`` defaults to the region of the deployment's policy pack."""
    scope_name = scope_name or region_name()
    week, source, rows = register_rows(scope=scope, week=week)
    _, progress = weekly_progress(scope=scope, week=week)
    monday, sunday = week_bounds(week)
    generated = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "挖矿项目台账"
    _sheet_header(
        ws,
        f"{scope_name}虚拟货币挖矿项目台账（{week}）",
        f"依据发改运行〔2021〕1283号每周更新；统计周期 {monday}—{sunday}；"
        f"数据来源：{'周快照' if source == 'snapshot' else '实时台账'}；生成时间 {generated}（北京时间）",
        REGISTER_COLUMNS,
    )
    for number, row in enumerate(rows, start=1):
        xlsx_append(
            ws,
            [
                number,
                row.league,
                row.division,
                row.name,
                row.owner,
                row.owner_uscc,
                row.status_zh,
                row.rigs,
                float(row.hash_rate_ths),
                float(row.power_kw),
                row.planned_start,
                row.notes,
            ],
        )
    if rows:
        ws.auto_filter.ref = f"A3:{get_column_letter(len(REGISTER_COLUMNS))}{len(rows) + 3}"
        xlsx_append(
            ws,
            [
                "合计",
                "",
                "",
                f"{len(rows)} 个项目",
                "",
                "",
                "",
                sum(r.rigs for r in rows),
                float(sum((r.hash_rate_ths for r in rows), Decimal(0))),
                float(sum((r.power_kw for r in rows), Decimal(0))),
                "",
                "",
            ],
        )
        ws.cell(row=ws.max_row, column=1).font = BOLD
    ps = book.create_sheet("各盟市周进展")
    _sheet_header(
        ps, f"打击虚拟货币挖矿工作周进展（{week}）", f"统计周期 {monday}—{sunday}", PROGRESS_COLUMNS
    )
    for item in progress:
        ps.append(
            [
                item.name,
                item.projects.get("existing", 0),
                item.projects.get("under_construction", 0),
                item.projects.get("rectifying", 0),
                item.projects.get("shut_down", 0),
                item.rigs_registered,
                float(item.power_kw_registered),
                item.leads_new,
                item.cases_filed,
                item.decisions,
                item.rigs_seized,
                float(item.kw_seized),
                item.referrals,
                item.listings,
                item.tasks_done,
                item.tasks_overdue,
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return week, len(rows), buffer.getvalue()
