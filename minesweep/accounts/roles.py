"""Staff roles and the departments a liaison can belong to. Pure data, no Django models."""

from __future__ import annotations

from enum import StrEnum

from minesweep.policy.codes import DEPARTMENTS as POLICY_DEPARTMENTS


class Role(StrEnum):
    INTAKE_OFFICER = "intake_officer"
    INVESTIGATOR = "investigator"
    DEPARTMENT_LIAISON = "department_liaison"
    ANALYST = "analyst"
    LEADERSHIP = "leadership"
    ADMINISTRATOR = "administrator"


ROLE_NAMES: dict[Role, tuple[str, str]] = {
    Role.INTAKE_OFFICER: ("受理员", "Intake officer"),
    Role.INVESTIGATOR: ("核查办案人员", "Investigator"),
    Role.DEPARTMENT_LIAISON: ("部门联络员", "Department liaison"),
    Role.ANALYST: ("数据分析员", "Analyst"),
    Role.LEADERSHIP: ("领导", "Leadership"),
    Role.ADMINISTRATOR: ("系统管理员", "Administrator"),
}

# Departments named in PRODUCT.md (one table for the whole project: the policy layer's codes);
# a liaison sees only the tasks of their own department.
DEPARTMENTS: dict[str, tuple[str, str]] = {
    code: (item.zh, item.en) for code, item in POLICY_DEPARTMENTS.items()
}
