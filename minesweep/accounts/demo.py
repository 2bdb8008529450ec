"""Demo staff personas: every role, several jurisdictions, one liaison per department."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import User

from minesweep.accounts.roles import DEPARTMENTS, Role
from minesweep.accounts.services import staff_create, totp_enrol
from minesweep.core.demodata import DEMO_PASSWORD
from minesweep.registry.models import Division


@dataclass(frozen=True)
class Persona:
    username: str
    display_name: str
    role: Role
    division_code: str
    department: str = ""
    legal_reviewer: bool = False

    @property
    def description(self) -> str:
        return (
            f"{self.display_name} · {self.role.value} · {self.division_code}"
            + (f" · {self.department}" if self.department else "")
            + (" · legal reviewer (法制审核)" if self.legal_reviewer else "")
        )


PERSONAS: list[Persona] = [
    Persona("admin", "系统管理员", Role.ADMINISTRATOR, "150000"),
    Persona("intake", "自治区受理员 王敏", Role.INTAKE_OFFICER, "150000"),
    Persona("leader", "自治区领导 赵刚", Role.LEADERSHIP, "150000"),
    Persona("analyst", "数据分析员 李娜", Role.ANALYST, "150000"),
    Persona("baotou_investigator", "包头市核查员 张伟", Role.INVESTIGATOR, "150200"),
    Persona("ordos_investigator", "鄂尔多斯市核查员 刘洋", Role.INVESTIGATOR, "150600"),
    Persona("dongsheng_investigator", "东胜区核查员 陈静", Role.INVESTIGATOR, "150602"),
    Persona("baotou_intake", "包头市受理员 杨帆", Role.INTAKE_OFFICER, "150200"),
    # A legal reviewer reviews the acts of her own organ (行政处罚法第五十八条): the 发改委's (no department:
    # the case authority) or the 能源局's, whose penalties under 电力法第七十一条 it decides itself.
    Persona("baotou_legal", "包头市发改委法制审核员 孙丽", Role.INVESTIGATOR, "150200", legal_reviewer=True),
    Persona(
        "baotou_energy_legal",
        "包头市能源局法制审核员 周敏",
        Role.INVESTIGATOR,
        "150200",
        "power_administration",
        legal_reviewer=True,
    ),
    Persona(
        "ordos_legal", "鄂尔多斯市发改委法制审核员 高原", Role.INVESTIGATOR, "150600", legal_reviewer=True
    ),
    Persona(
        "ordos_energy_legal",
        "鄂尔多斯市能源局法制审核员 吴静",
        Role.INVESTIGATOR,
        "150600",
        "power_administration",
        legal_reviewer=True,
    ),
    # An officer (执法人员) of the 能源局: records the penalties it decides (电力法第七十一条; 行政处罚法第四十二条),
    # which the 发改委's investigators may not (cases.services.require_penalty_officer).
    Persona(
        "baotou_energy_officer",
        "包头市能源局执法员 赵刚",
        Role.INVESTIGATOR,
        "150200",
        "power_administration",
    ),
    Persona(
        "ordos_energy_officer",
        "鄂尔多斯市能源局执法员 钱伟",
        Role.INVESTIGATOR,
        "150600",
        "power_administration",
    ),
    # The region's credit office (the pack's credit_office: 内蒙古自治区发展和改革委员会) lists the parties of every
    # city's cases: its notice, the objection, the listing decision (cases.services.require_credit_officer).
    Persona(
        "region_credit_officer",
        "自治区发改委信用处 孙丽",
        Role.INVESTIGATOR,
        "150000",
        "credit_office",
    ),
    Persona("baotou_leader", "包头市领导 周强", Role.LEADERSHIP, "150200"),
    *[
        Persona(f"liaison_{code}", f"{zh}联络员", Role.DEPARTMENT_LIAISON, "150000", code)
        for code, (zh, _en) in DEPARTMENTS.items()
        if code != "development_reform"
    ],
]
# A fixed demo TOTP key so a demo user can try the second factor; never used outside demo mode.
DEMO_TOTP_KEY = "3132333435363738393031323334353637383930"


def load(*, seed: int) -> str:
    if User.objects.filter(username="admin").exists():
        return "personas already present"
    for persona in PERSONAS:
        profile = staff_create(
            actor="demo",
            username=persona.username,
            password=DEMO_PASSWORD,
            display_name=persona.display_name,
            role=persona.role,
            jurisdiction=Division.objects.get(code=persona.division_code),
            department=persona.department,
            legal_reviewer=persona.legal_reviewer,
        )
        totp_enrol(actor="demo", user=profile.user, key_hex=DEMO_TOTP_KEY)
    return f"{len(PERSONAS)} staff personas"
