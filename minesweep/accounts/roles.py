"""Staff roles and the departments a liaison can belong to. Pure data, no Django models."""

from __future__ import annotations

from enum import StrEnum


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

# Departments named in PRODUCT.md; a liaison sees only the tasks of their own department.
DEPARTMENTS: dict[str, tuple[str, str]] = {
    "development_reform": ("发展改革委（能耗双控办）", "Development and Reform Commission"),
    "grid_company": ("电网企业", "Grid company"),
    "power_trading_center": ("电力交易中心", "Power-trading centre"),
    "energy_conservation_supervision": ("节能监察机构", "Energy-conservation supervision"),
    "communications_administration": ("通信管理局", "Communications administration"),
    "culture_market_regulator": ("文化和旅游/市场监管部门", "Culture and market regulator"),
    "public_security": ("公安机关", "Public security"),
    "financial_regulator": ("金融监管部门", "Financial regulator"),
    "credit_office": ("社会信用体系建设牵头部门", "Credit office"),
    "discipline_commission": ("纪检监察机关", "Discipline inspection and supervision"),
    "tax_authority": ("税务部门", "Tax authority"),
    "land_authority": ("自然资源部门", "Land authority"),
}
