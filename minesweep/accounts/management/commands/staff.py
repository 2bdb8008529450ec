from __future__ import annotations

import getpass
import io
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandParser

from minesweep.accounts.models import StaffProfile
from minesweep.accounts.roles import DEPARTMENTS, Role
from minesweep.accounts.services import staff_create, staff_unlock, totp_enrol
from minesweep.core.errors import DomainError
from minesweep.registry.models import Division


class Command(BaseCommand):
    help = "Staff accounts: `staff create`, `staff totp USER` (new second-factor key, shown once), `staff list`, `staff unlock USER`. 工作人员账号"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a staff member and enrol TOTP")
        create.add_argument("--username", required=True)
        create.add_argument("--name", required=True, help="display name, e.g. 包头市核查员 张伟")
        create.add_argument("--role", required=True, choices=[r.value for r in Role])
        create.add_argument(
            "--division", required=True, help="GB/T 2260 code of the jurisdiction, e.g. 150200"
        )
        create.add_argument(
            "--department",
            default="",
            choices=["", *DEPARTMENTS],
            help="a liaison's department; for a legal reviewer, her organ (e.g. power_administration: the "
            "能源局; none: the case authority) / 联络员所属部门；法制审核人员所属机关",
        )
        create.add_argument(
            "--legal-reviewer",
            action="store_true",
            help="holds the legal-review post of her organ (法制审核岗位, 行政处罚法第五十八条); investigators only",
        )
        totp = sub.add_parser("totp", help="issue a new TOTP key for a user (old devices are removed)")
        totp.add_argument("username")
        sub.add_parser("list", help="list staff with role and jurisdiction")
        unlock = sub.add_parser("unlock", help="lift the sign-in delays on an account after failed attempts")
        unlock.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except DomainError as error:
            self.stderr.write(error.message)
            raise SystemExit(2) from None

    def _create(self, options: dict[str, Any]) -> None:
        division = Division.objects.filter(code=options["division"]).first()
        if division is None:
            raise DomainError(
                "accounts.division_unknown",
                f"未知行政区划 {options['division']}",
                f"Unknown division {options['division']}",
            )
        if User.objects.filter(username=options["username"]).exists():
            raise DomainError("accounts.username_taken", "用户名已存在", "User name already exists")
        password = getpass.getpass("password / 密码: ")
        if len(password) < 12:
            raise DomainError(
                "accounts.password_short", "密码至少12位", "Password needs at least 12 characters"
            )
        profile = staff_create(
            actor="cli",
            username=options["username"],
            password=password,
            display_name=options["name"],
            role=Role(options["role"]),
            jurisdiction=division,
            department=options["department"],
            legal_reviewer=options["legal_reviewer"],
        )
        self._show_key(profile.user)

    def _totp(self, options: dict[str, Any]) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise DomainError("accounts.user_unknown", "没有该用户", "No such user")
        from django_otp.plugins.otp_totp.models import TOTPDevice

        TOTPDevice.objects.filter(user=user).delete()
        self._show_key(user)

    def _unlock(self, options: dict[str, Any]) -> None:
        cleared = staff_unlock(actor="cli", username=options["username"])
        self.stdout.write(f"unlocked {options['username']} ({cleared} counters cleared) / 已解除登录限制")

    def _show_key(self, user: User) -> None:
        import segno

        device = totp_enrol(actor="cli", user=user)
        self.stdout.write("Scan with an authenticator app (shown once) / 请用身份验证器扫描（仅显示一次）:")
        picture = io.StringIO()
        segno.make(device.config_url, error="m").terminal(out=picture, compact=True)
        self.stdout.write(picture.getvalue())
        self.stdout.write(device.config_url)

    def _list(self, options: dict[str, Any]) -> None:
        for profile in StaffProfile.objects.select_related("user", "jurisdiction").order_by(
            "jurisdiction_id"
        ):
            self.stdout.write(
                f"{profile.user.username:<30} {profile.role:<20} {profile.jurisdiction_id} "
                f"{profile.jurisdiction.name} {profile.department}"
                + (" legal-reviewer/法制审核" if profile.legal_reviewer else "")
            )
