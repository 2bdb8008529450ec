"""Template filters: departments are shown by the names the deployment's pack gives them."""

from __future__ import annotations

from minesweep.cases.templatetags.case_codes import code_label


def test_it_shows_a_department_by_the_deployment_packs_name(monkeypatch):
    monkeypatch.delenv("MINESWEEP_POLICY_PACK", raising=False)
    assert code_label("power_administration", "departments") == "能源局（电力管理部门）"
    assert code_label("grid_company", "departments") == "电网企业"  # not renamed: the code table
    monkeypatch.setenv("MINESWEEP_POLICY_PACK", "sichuan_2022")
    assert code_label("power_administration", "departments").startswith("经济和信息化厅")
    assert code_label("no_such_department", "departments") == "no_such_department"
