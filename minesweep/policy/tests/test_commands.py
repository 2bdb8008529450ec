"""The ``measures`` and ``calc`` commands: JSON out, bilingual errors with exit code 2.

They need no database; they run through call_command on the command objects, and by name when Django
settings are configured (pytest-django).
"""

from __future__ import annotations

import io
import json

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from minesweep.policy.management.commands import calc as calc_command
from minesweep.policy.management.commands import measures as measures_command


def run(module, *args: str) -> dict:  # type: ignore[no-untyped-def]
    out = io.StringIO()
    call_command(module.Command(), *args, stdout=out)
    return json.loads(out.getvalue())


def refused(module, *args: str) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(CommandError) as caught:
        call_command(module.Command(), *args, stdout=io.StringIO())
    assert caught.value.returncode == 2
    return str(caught.value)


def test_it_lists_the_measures_for_categories_and_facts():
    payload = run(
        measures_command,
        "--pack",
        "inner_mongolia_2021",
        "--category",
        "data_center",
        "--category",
        "telecom_or_internet",
        "--fact",
        "provided_site_or_power",
        "--fact",
        "mining_confirmed",
    )
    # A data centre that mines also gets measure 2 (issue 11 §2); 9 is the region's 115号 tariff.
    assert [m["id"] for m in payload["measures"]] == [1, 2, 3, 8, 9]
    first = payload["measures"][0]
    assert first["title"] == "对工业园区、数据中心、自备电厂等主体"
    assert first["department"] == "energy_conservation_supervision"
    assert "中华人民共和国节约能源法" in first["basis"]
    assert [a["code"] for a in first["actions"]] == ["energy_inspection", "energy_quota_cut"]
    assert [(a["track"], a["authority"]) for a in first["actions"]] == [
        ("measure", "energy_conservation_supervision"),
        ("measure", "development_reform"),
    ]
    licence = payload["measures"][2]["actions"][0]
    assert licence["track"] == "other_authority" and licence["authority"] == "communications_administration"
    assert "hearing_right" not in licence  # only penalties carry it


def test_it_answers_per_party_for_a_case_file(tmp_path):
    case = tmp_path / "case.json"
    case.write_text(
        json.dumps(
            {
                "parties": [
                    {"name": "园区", "category": "industrial_park", "facts": ["provided_site_or_power"]},
                    {
                        "name": "矿主",
                        "category": "enterprise",
                        "facts": ["mining_confirmed", "unapproved_power_connection"],
                    },
                    {"name": "李某", "category": "public_official", "facts": ["official_involvement"]},
                    {"name": "张某", "category": "individual", "facts": ["mining_confirmed"]},
                ],
                "facts": [],
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    payload = run(
        measures_command, "--pack", "inner_mongolia_2021", "--case", str(case), "--date", "2024-07-01"
    )
    parties = {p["name"]: p for p in payload["parties"]}
    assert [m["id"] for m in parties["园区"]["measures"]] == [1]  # a host is not blacklisted
    assert parties["李某"]["tracks"] == ["referral"]
    fine = parties["矿主"]["measures"][0]["actions"][0]
    assert (fine["code"], fine["track"], fine["hearing_right"]) == ("theft_fine", "penalty", True)
    assert fine["hearing_reason"]
    # 处罚依据 and 违法依据 apart: 第七十一条 grounds the fine, 第四条第二款 is what was violated.
    assert [(b["law"], b["article"]) for b in fine["legal_basis"]] == [
        ("中华人民共和国电力法", "第七十一条"),
        ("电力供应与使用条例", "第四十一条"),
    ]
    assert [(b["law"], b["article"]) for b in fine["violated_basis"]] == [
        ("中华人民共和国电力法", "第四条第二款"),
        ("电力供应与使用条例", "第三十一条"),
    ]
    tariff = parties["张某"]["measures"][1]
    assert tariff["actions"] == [] and tariff["omitted"][0]["missing"] == ["power_account"]


def test_a_case_file_states_a_market_participation_or_preference_never_presumed(tmp_path):
    """1283号 "已参与电力市场交易的…一律退出": market exit and the case authority's own support stopped only for a
    party the file says has them; the power account stays presumed for an organisation."""
    case = tmp_path / "case.json"
    trader = {"name": "甲", "category": "enterprise", "facts": ["mining_confirmed"]}
    case.write_text(
        json.dumps(
            {
                "parties": [
                    {**trader, "market_participation": True, "own_preference": True},
                    {**trader, "name": "乙"},
                ]
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    payload = run(measures_command, "--pack", "national_1283", "--case", str(case), "--date", "2024-07-01")
    codes = {p["name"]: {a["code"] for m in p["measures"] for a in m["actions"]} for p in payload["parties"]}
    assert {"market_exit", "stop_support", "differential_tariff"} <= codes["甲"]
    assert not {"market_exit", "stop_support"} & codes["乙"] and "differential_tariff" in codes["乙"]


def test_it_refuses_a_personal_fact_given_for_the_whole_case(tmp_path):
    case = tmp_path / "case.json"
    case.write_text(
        json.dumps({"parties": [{"name": "a", "category": "enterprise"}], "facts": ["mining_confirmed"]}),
        encoding="utf-8",
    )
    message = refused(measures_command, "--pack", "inner_mongolia_2021", "--case", str(case))
    assert "属于具体当事人" in message and "belong to a party" in message


def test_it_refuses_a_date_outside_every_version(tmp_path):
    message = refused(
        measures_command,
        "--pack",
        "inner_mongolia_2021",
        "--category",
        "enterprise",
        "--fact",
        "mining_confirmed",
        "--fact",
        "unapproved_power_connection",
        "--date",
        "1990-01-01",
    )
    assert "供电营业规则" in message and "no version" in message


def test_it_refuses_an_unknown_category_in_chinese_and_english():
    message = refused(measures_command, "--pack", "inner_mongolia_2021", "--category", "casino")
    assert "未知的主体类别" in message and "unknown subject category" in message


def test_it_refuses_an_unknown_pack():
    message = refused(measures_command, "--pack", "atlantis", "--category", "enterprise")
    assert "找不到政策包" in message and "no policy pack" in message


def test_it_calculates_energy_with_every_figure():
    payload = run(calc_command, "energy", "--kwh", "1000000", "--coefficient", "calorific", "--new-project")
    assert payload["result"]["tce"] == "245.8"
    assert {s["name"] for s in payload["steps"]} >= {
        "kgce_per_kwh",
        "kgce",
        "tce",
        "multiplier",
        "counted_tce",
    }
    equivalent = run(
        calc_command, "energy", "--kwh", "1000000", "--coefficient", "equivalent", "--year", "2021"
    )
    assert equivalent["result"]["tce"] == "302.5"


def test_it_calculates_theft_with_unknown_duration():
    payload = run(calc_command, "theft", "--capacity-kw", "500", "--unknown-duration", "--tariff", "0.5")
    assert payload["result"]["kwh"] == "1080000"
    assert payload["result"]["back_charge_yuan"] == "540000"
    assert payload["inputs"]["unknown_duration"] is True


def test_it_calculates_theft_with_measured_hours_and_lighting_floor():
    assert (
        run(calc_command, "theft", "--capacity-kw", "10", "--hours", "24", "--days", "2")["result"]["kwh"]
        == "480"
    )
    lighting = run(calc_command, "theft", "--capacity-kw", "10", "--unknown-duration", "--lighting")
    assert lighting["result"]["kwh"] == "10800"


def test_it_calculates_the_surcharge_per_pack():
    assert (
        run(calc_command, "surcharge", "--kwh", "1000", "--pack", "inner_mongolia_2021")["result"][
            "surcharge_yuan"
        ]
        == "1000"
    )
    assert (
        run(calc_command, "surcharge", "--kwh", "1000", "--pack", "national_1283")["result"]["surcharge_yuan"]
        == "300"
    )


@pytest.mark.parametrize(
    "args",
    [
        ("theft", "--capacity-kw", "abc", "--unknown-duration"),
        ("theft", "--capacity-kw", "5"),
        ("theft", "--capacity-kw", "5", "--hours", "30", "--days", "1"),
        ("energy", "--kwh", "-3"),
        ("energy", "--kwh", "3", "--coefficient", "equivalent", "--year", "1900"),
        ("surcharge", "--kwh", "10"),
        ("nonsense",),
    ],
)
def test_it_refuses_bad_calc_input_with_exit_code_2(args):
    assert "/" in refused(calc_command, *args)  # "中文 / English"


def test_it_calculates_energy_on_the_packs_default_basis(monkeypatch):
    # inner_mongolia_2021 keeps its energy budget in 等价值 (procedure.energy_basis): 2021 → 0.3025 kgce/kWh
    monkeypatch.delenv("MINESWEEP_POLICY_PACK", raising=False)
    payload = run(calc_command, "energy", "--kwh", "1000000", "--year", "2021")
    assert payload["inputs"]["coefficient"] == "equivalent" and payload["result"]["tce"] == "302.5"


@pytest.mark.skipif(not settings.configured, reason="Django settings not configured")
def test_it_is_reachable_by_name():
    out = io.StringIO()
    call_command("calc", "energy", "--kwh", "1000000", "--coefficient", "calorific", stdout=out)
    assert json.loads(out.getvalue())["result"]["tce"] == "122.9"
    out = io.StringIO()
    call_command(
        "measures",
        "--pack",
        "inner_mongolia_2021",
        "--category",
        "internet_cafe",
        "--fact",
        "mining_confirmed",
        stdout=out,
    )
    # 9 is the region's differential tariff (内发改价费字〔2022〕115号), a rule of its own since issue 11
    assert [m["id"] for m in json.loads(out.getvalue())["measures"]] == [4, 8, 9]


def test_it_calculates_a_tariff_change_and_the_thresholds():
    payload = run(
        calc_command,
        "tariff-change",
        "--monthly-kwh",
        "100000",
        "--tariff-paid",
        "0.35",
        "--tariff-due",
        "0.60",
    )
    assert payload["result"]["payable_yuan"] == "225000"
    threshold = run(calc_command, "threshold", "--fundraising-persons", "150")
    assert threshold["result"]["proposed_actions"] == ["refer_police_fundraising"]
