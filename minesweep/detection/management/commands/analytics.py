"""``minesweep analytics``: promote detection findings to leads from the command line.

    minesweep analytics promote-meter RUN_ID ACCOUNT_ID [--as USERNAME]
    minesweep analytics promote-host SCAN_ID HOST [--as USERNAME]

The same services as the web (evidence pictures attached, registry subject and category linked, audited).
``--as`` names the staff member recorded as the actor and limits the finding to their jurisdiction;
without it the actor is "cli" and the whole region is in reach. Errors are bilingual, exit status 2.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser

from minesweep.accounts.jurisdiction import Scope, require_scope
from minesweep.accounts.roles import Role
from minesweep.core.errors import DomainError, NotFoundError
from minesweep.detection.models import MeterSuspect, NetHost
from minesweep.detection.services import meter_suspect_promote, net_host_promote


class Command(BaseCommand):
    help = "Promote a meter suspect or a network host to a lead. 将检测结果转为线索"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        meter = sub.add_parser(
            "promote-meter", help="promote one account of a meter run / 用电检测结果转线索"
        )
        meter.add_argument("run_id", type=int)
        meter.add_argument("account_id")
        meter.add_argument("--as", dest="username", default="")
        host = sub.add_parser("promote-host", help="promote one host of a network scan / 网络检测结果转线索")
        host.add_argument("scan_id", type=int)
        host.add_argument("host")
        host.add_argument("--as", dest="username", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            actor, scope = self._actor(options["username"])
            if options["action"] == "promote-meter":
                suspect = self._in_scope(
                    MeterSuspect.objects.filter(run_id=options["run_id"], account_id=options["account_id"]),
                    scope,
                )
                lead = meter_suspect_promote(actor=actor, suspect=suspect)
            else:
                host = self._in_scope(
                    NetHost.objects.filter(scan_id=options["scan_id"], host=options["host"]), scope
                )
                lead = net_host_promote(actor=actor, host=host)
        except DomainError as error:
            raise CommandError(error.message, returncode=2) from error
        self.stdout.write(
            json.dumps(
                {"lead": lead.number, "division": lead.division_id, "subject": lead.subject_id},
                ensure_ascii=False,
            )
        )

    def _actor(self, username: str) -> tuple[User | str, Scope | None]:
        if not username:
            return "cli", None
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise DomainError(
                "detection.no_such_user", f"没有该用户：{username}", f"No such user: {username}"
            )
        return user, require_scope(user, Role.ANALYST)

    @staticmethod
    def _in_scope(queryset: Any, scope: Scope | None) -> Any:
        if scope is not None:
            queryset = queryset.filter(scope.q("division"))
        found = queryset.first()
        if found is None:
            raise NotFoundError(
                "detection.not_found",
                "没有该检测结果（或不在您的辖区）",
                "No such finding (or not in your jurisdiction)",
            )
        return found
