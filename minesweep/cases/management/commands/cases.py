"""``minesweep cases digest``: the daily digest per officer of overdue items and deadlines coming up;
``minesweep cases overdue``: every overdue department task, by department (for the duty office).

The digest is printed (text, or JSON with --json) so a scheduler (cron, systemd timer) can mail or post it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from minesweep.accounts.jurisdiction import scope_of
from minesweep.accounts.models import StaffProfile
from minesweep.accounts.roles import Role
from minesweep.cases import selectors
from minesweep.cases.models import Task
from minesweep.policy.management.bilingual import EXIT_BAD_INPUT, BilingualCommandParser


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"日期格式应为 YYYY-MM-DD：{text} / date must be YYYY-MM-DD: {text}"
        ) from None


class Command(BaseCommand):
    help = "案件期限提醒 / case deadlines: digest (per officer), overdue (tasks by department)"

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.__class__ = BilingualCommandParser
        return parser

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, parser_class=BilingualCommandParser)
        digest = sub.add_parser("digest", help="每位办案人员/联络员的每日期限摘要 / daily digest per officer")
        digest.add_argument(
            "--user", action="append", default=[], help="只生成该用户（可重复）/ only this user"
        )
        digest.add_argument("--date", type=_day, default=None, help="以该日为“今天”/ treat this day as today")
        digest.add_argument(
            "--days", type=int, default=7, help="提前提醒天数 / look-ahead in days (default 7)"
        )
        digest.add_argument("--json", action="store_true", help="输出 JSON / print JSON")
        digest.add_argument(
            "--all", action="store_true", help="包含没有事项的人员 / include people with nothing due"
        )
        overdue = sub.add_parser(
            "overdue", help="逾期部门任务（按部门）/ overdue department tasks by department"
        )
        overdue.add_argument("--date", type=_day, default=None)
        overdue.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "digest":
            self._digest(options)
        else:
            self._overdue(options)

    def _people(self, usernames: list[str]) -> list[User]:
        if usernames:
            found = list(User.objects.filter(username__in=usernames, is_active=True))
            missing = sorted(set(usernames) - {u.username for u in found})
            if missing:
                raise CommandError(
                    f"没有该用户：{missing} / no such user: {missing}", returncode=EXIT_BAD_INPUT
                )
            return found
        roles = [Role.INVESTIGATOR.value, Role.DEPARTMENT_LIAISON.value]
        ids = StaffProfile.objects.filter(role__in=roles).values("user_id")
        return list(User.objects.filter(pk__in=ids, is_active=True).order_by("username"))

    def _digest(self, options: dict[str, Any]) -> None:
        if not 0 <= options["days"] <= 90:
            raise CommandError("--days 应在 0–90 之间 / --days must be 0–90", returncode=EXIT_BAD_INPUT)
        day = options["date"] or timezone.localdate()
        digests = []
        for user in self._people(options["user"]):
            if scope_of(user) is None:
                continue
            data = selectors.officer_digest(user, day, horizon_days=options["days"])
            if data["overdue"] or data["upcoming"] or options["all"] or options["user"]:
                digests.append(data)
        if options["json"]:
            payload = [
                {
                    **d,
                    "overdue": [x.as_dict() for x in d["overdue"]],
                    "upcoming": [x.as_dict() for x in d["upcoming"]],
                }
                for d in digests
            ]
            self.stdout.write(
                json.dumps({"date": day.isoformat(), "digests": payload}, ensure_ascii=False, indent=2)
            )
            return
        self.stdout.write(f"期限提醒 / deadline digest {day.isoformat()}")
        for d in digests:
            self.stdout.write(f"\n== {d['user']} ==")
            self.stdout.write(f"  已逾期 / overdue: {len(d['overdue'])}")
            for item in d["overdue"]:
                self.stdout.write(f"    ! {item.due.isoformat()}  {item.case_number}  {item.label_zh}")
            self.stdout.write(f"  即将到期 / coming up: {len(d['upcoming'])}")
            for item in d["upcoming"]:
                self.stdout.write(f"    - {item.due.isoformat()}  {item.case_number}  {item.label_zh}")
        if not digests:
            self.stdout.write("没有需要提醒的事项 / nothing due")

    def _overdue(self, options: dict[str, Any]) -> None:
        day = options["date"] or timezone.localdate()
        rows = (
            Task.objects.filter(status=Task.Status.OPEN, due_on__lt=day)
            .select_related("case")
            .order_by("department", "due_on")
        )
        items = [
            {
                "department": t.department,
                "case": t.case.number,
                "division": t.division_id,
                "task": t.title,
                "due_on": t.due_on.isoformat(),
                "days_late": (day - t.due_on).days,
            }
            for t in rows
        ]
        if options["json"]:
            self.stdout.write(
                json.dumps({"date": day.isoformat(), "overdue": items}, ensure_ascii=False, indent=2)
            )
            return
        self.stdout.write(f"逾期部门任务 / overdue tasks {day.isoformat()}: {len(items)}")
        for item in items:
            self.stdout.write(
                f"  {item['department']:<32} {item['case']}  {item['due_on']} (+{item['days_late']}d)  {item['task']}"
            )
