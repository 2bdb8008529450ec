"""Each calculation against worked examples derived by hand from DOMAIN.md §3."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from minesweep.policy import calc
from minesweep.policy.errors import PolicyInputError
from minesweep.policy.packs import load_pack

D = Decimal


@pytest.fixture(scope="module")
def im():  # type: ignore[no-untyped-def]
    return load_pack("inner_mongolia_2021").settings


@pytest.fixture(scope="module")
def national():  # type: ignore[no-untyped-def]
    return load_pack("national_1283").settings


def test_it_converts_kwh_to_tce_with_the_calorific_coefficient(im):
    # 1,000,000 kWh × 0.1229 kgce/kWh = 122,900 kgce = 122.9 tce
    result = calc.energy_budget_cut(1_000_000, im, coefficient="calorific")
    assert result.figure("kgce") == D("122900")
    assert result.result["tce"] == D("122.9")


def test_it_doubles_a_new_projects_energy_use(im):
    # 122.9 tce × 2 (1283号) = 245.8 tce
    result = calc.energy_budget_cut("1000000", im, coefficient="calorific", new_project=True)
    assert result.figure("multiplier") == 2
    assert result.result["tce"] == D("245.8")


def test_it_uses_the_years_equivalent_coefficient(im):
    # 1,000,000 kWh × 0.3025 kgce/kWh (2021 setting) = 302.5 tce
    result = calc.energy_budget_cut(1_000_000, im, coefficient="equivalent", year=2021)
    assert result.result["tce"] == D("302.5")
    assert any(b["key"] == "equivalent_kgce_per_kwh_by_year" and not b["verified"] for b in result.basis)


def test_it_refuses_an_equivalent_coefficient_for_an_unknown_year(im):
    with pytest.raises(PolicyInputError, match="2030"):
        calc.energy_budget_cut(1, im, coefficient="equivalent", year=2030)


def test_it_applies_the_180_day_12_hour_floor_when_theft_duration_is_unknown(im):
    # 500 kW × 12 h × 180 d = 1,080,000 kWh
    result = calc.electricity_theft(500, im, unknown_duration=True)
    assert result.result["kwh"] == D("1080000")
    assert result.figure("hours_per_day") == 12 and result.figure("days") == 180


def test_it_uses_6_hours_for_lighting_users(im):
    # 10 kW × 6 h × 180 d = 10,800 kWh
    assert calc.electricity_theft(10, im, unknown_duration=True, lighting=True).result["kwh"] == D("10800")


def test_it_computes_back_charge_penalty_and_fine_ceiling(im):
    # 200 kVA (counted as kW) × 24 h × 30 d = 144,000 kWh; × 0.40 yuan = 57,600 back charge;
    # 3 × = 172,800 违约使用电费; payable 230,400; fine ceiling 5 × 57,600 = 288,000
    result = calc.electricity_theft(200, im, hours_per_day=24, days=30, tariff_yuan_per_kwh="0.40")
    assert result.result == {
        "kwh": D("144000"),
        "back_charge_yuan": D("57600"),
        "penalty_yuan": D("172800"),
        "payable_yuan": D("230400"),
        "fine_max_yuan": D("288000"),
        "police_referral_proposed": True,
    }


def test_it_notes_that_a_presumed_quantity_is_no_criminal_amount(im):
    """供电营业规则's 180 d × 12 h fixes the back charge; the amount of a theft is the verified quantity, else the
    usage drop (两高2013年盗窃解释第四条): the calculation says so whenever the time was unknown."""
    presumed = calc.electricity_theft(800, im, unknown_duration=True, tariff_yuan_per_kwh="0.50")
    verified = calc.electricity_theft(80, im, hours_per_day=24, days=30, tariff_yuan_per_kwh="0.50")
    said = "刑事数额须依两高2013年盗窃解释第四条按查实数量核定"
    assert any(said in note for note in presumed.notes)
    assert not any(said in note for note in verified.notes)


def test_it_rounds_money_half_up_to_the_fen(im):
    # 1 kW × 1 h × 1 d × 0.555 yuan = 0.555 → 0.56
    result = calc.electricity_theft(1, im, hours_per_day=1, days=1, tariff_yuan_per_kwh="0.555")
    assert result.result["back_charge_yuan"] == D("0.56")


@pytest.mark.parametrize(
    "kwargs",
    [
        {},  # neither duration nor unknown
        {"hours_per_day": 12},  # days missing
        {"hours_per_day": 12, "days": 10, "unknown_duration": True},  # both
        {"hours_per_day": 25, "days": 10},
    ],
)
def test_it_refuses_an_incomplete_or_impossible_theft_duration(im, kwargs):
    with pytest.raises(PolicyInputError):
        calc.electricity_theft(100, im, **kwargs)


@pytest.mark.parametrize("bad", ["-1", "abc", "NaN", "Infinity", True, 0])
def test_it_refuses_bad_numbers(im, bad):
    with pytest.raises(PolicyInputError) as caught:
        calc.electricity_theft(bad, im, unknown_duration=True)
    assert "capacity_kw" in caught.value.message


def test_it_computes_a_tariff_category_change_with_the_3_month_default(im):
    # 100,000 kWh/month × 3 months = 300,000 kWh; gap 0.60 − 0.35 = 0.25; difference 75,000;
    # 违约使用电费 2 × 75,000 = 150,000; payable 225,000
    result = calc.tariff_category_change(100_000, "0.35", "0.60", im)
    assert result.result == {
        "kwh": D("300000"),
        "difference_yuan": D("75000"),
        "penalty_yuan": D("150000"),
        "payable_yuan": D("225000"),
    }


def test_it_applies_each_packs_surcharge(im, national):
    # 2,000,000 kWh × 1 yuan (内发改价费字〔2022〕115号) = 2,000,000; × 0.30 (1283号) = 600,000
    assert calc.differential_surcharge(im, kwh=2_000_000).result["surcharge_yuan"] == D("2000000")
    assert calc.differential_surcharge(national, kwh=2_000_000).result["surcharge_yuan"] == D("600000")


def test_it_prorates_a_partial_billing_cycle_by_average_daily_kwh(im):
    # cycle of 31 days with 93,000 kWh → 3,000 kWh/day; 10 days of mining → 30,000 kWh → 30,000 yuan
    result = calc.differential_surcharge(im, cycle_kwh=93_000, cycle_days=31, mining_days=10)
    assert result.figure("daily_kwh") == D("3000")
    assert result.result == {"kwh": D("30000"), "surcharge_yuan": D("30000")}


def test_it_applies_sichuans_2_yuan_surcharge_to_a_partial_cycle():
    # 川发改价格规〔2022〕186号: 93,000 kWh over 31 days → 3,000 kWh/day × 10 days = 30,000 kWh × 2 = 60,000 yuan
    sichuan = load_pack("sichuan_2022").settings
    result = calc.differential_surcharge(sichuan, cycle_kwh=93_000, cycle_days=31, mining_days=10)
    assert result.result == {"kwh": D("30000"), "surcharge_yuan": D("60000")}


def test_it_refuses_ambiguous_surcharge_input(im):
    with pytest.raises(PolicyInputError):
        calc.differential_surcharge(im, kwh=1, cycle_kwh=1, cycle_days=1, mining_days=1)
    with pytest.raises(PolicyInputError):
        calc.differential_surcharge(im, cycle_kwh=1, cycle_days=30)
    with pytest.raises(PolicyInputError):
        calc.differential_surcharge(im, cycle_kwh=1, cycle_days=30, mining_days=31)


@pytest.mark.parametrize(
    ("figures", "proposed"),
    [
        ({"theft_value_yuan": 999}, []),
        ({"theft_value_yuan": 1000}, ["refer_police_theft"]),
        ({"fundraising_amount_yuan": 999_999}, []),
        ({"fundraising_amount_yuan": 1_000_000}, ["refer_police_fundraising"]),
        ({"fundraising_persons": 149}, []),
        ({"fundraising_persons": 150}, ["refer_police_fundraising"]),
        ({"fundraising_loss_yuan": 500_000}, ["refer_police_fundraising"]),
        ({"fraud_amount_yuan": 99_999}, []),
        ({"fraud_amount_yuan": 100_000}, ["refer_police_fundraising_fraud"]),
        (
            {"theft_value_yuan": 5000, "fundraising_persons": 200},
            ["refer_police_theft", "refer_police_fundraising"],
        ),
    ],
)
def test_it_proposes_police_referral_at_the_criminal_thresholds(im, figures, proposed):
    result = calc.criminal_threshold_check(im, **figures)
    assert result.result["proposed_actions"] == proposed
    assert result.result["referral_proposed"] is bool(proposed)


def test_it_estimates_stolen_kwh_from_the_drop_in_metered_use():
    # (50,000 − 20,000) kWh/month × 4 months = 120,000 kWh
    assert calc.stolen_kwh_from_usage_drop(50_000, 20_000, 4).result["kwh"] == D("120000")


def test_it_serialises_every_figure_to_json_without_floats(im):
    payload = calc.electricity_theft(500, im, unknown_duration=True, tariff_yuan_per_kwh="0.5").as_dict()
    text = json.dumps(payload, ensure_ascii=False)
    assert json.loads(text)["result"]["kwh"] == "1080000"
    assert [s["name"] for s in payload["steps"]] == [
        "hours_per_day",
        "days",
        "kwh",
        "back_charge_yuan",
        "penalty_yuan",
        "payable_yuan",
        "fine_max_yuan",
    ]
    assert payload["inputs"]["capacity_kw"] == "500"
    assert all("source" in b for b in payload["basis"])


def test_it_adds_3_percent_a_day_for_late_payment_capped_at_the_fine():
    # 10,000 yuan × 3 % × 10 days = 3,000; after 40 days 12,000 would exceed the fine → 10,000
    assert calc.late_payment_fee(10_000, 10).result == {"late_fee_yuan": D("3000"), "capped": False}
    assert calc.late_payment_fee(10_000, 40).result == {"late_fee_yuan": D("10000"), "capped": True}


@given(kwh=st.decimals(min_value=0, max_value=10**9, places=3))
def test_it_never_lets_a_new_project_count_less_than_twice_an_existing_one(kwh):
    settings = load_pack("inner_mongolia_2021").settings
    existing = calc.energy_budget_cut(kwh, settings, year=2021).result["tce"]
    assert calc.energy_budget_cut(kwh, settings, year=2021, new_project=True).result["tce"] == existing * 2


def test_it_applies_the_supply_rules_in_force_on_the_day_of_the_theft():
    import datetime as dt

    settings = load_pack("inner_mongolia_2021").settings
    before = calc.electricity_theft(
        100, settings, hours_per_day=10, days=10, tariff_yuan_per_kwh="0.5", on=dt.date(2024, 5, 31)
    )
    after = calc.electricity_theft(
        100, settings, hours_per_day=10, days=10, tariff_yuan_per_kwh="0.5", on=dt.date(2024, 6, 1)
    )
    assert before.result["penalty_yuan"] == after.result["penalty_yuan"] == Decimal("15000.00")  # 3 × 5,000
    assert not any("上限" in n for n in before.notes)
    assert any("不高于" in n for n in after.notes)  # 2024: a ceiling the supply contract sets
    assert [b["kind"] for b in after.basis if b["key"] == "theft_penalty_multiple"] == ["ceiling"]
    with pytest.raises(PolicyInputError, match="theft_penalty_multiple"):
        calc.electricity_theft(
            100, settings, hours_per_day=10, days=10, tariff_yuan_per_kwh="0.5", on=dt.date(1990, 1, 1)
        )


def _pack_with_basis(tmp_path, basis: str):  # type: ignore[no-untyped-def]
    """The Sichuan pack, its procedure's energy_basis set to ``basis`` (a second region's choice)."""
    from minesweep.policy.packs import PACKS_DIR

    text = (PACKS_DIR / "sichuan_2022.yaml").read_text(encoding="utf-8")
    assert "energy_basis: equivalent" in text
    path = tmp_path / f"sichuan_{basis}.yaml"
    path.write_text(text.replace("energy_basis: equivalent", f"energy_basis: {basis}"), encoding="utf-8")
    return load_pack(str(path))


def test_it_takes_the_default_energy_basis_from_the_pack(tmp_path):
    # Same 1,000,000 kWh in 2021: the equivalent pack counts 0.3025 kgce/kWh (302.5 tce), the calorific
    # one 0.1229 (122.9 tce); an explicit coefficient still overrides the pack.
    equivalent, calorific = load_pack("sichuan_2022"), _pack_with_basis(tmp_path, "calorific")
    assert (equivalent.settings.energy_basis, calorific.settings.energy_basis) == ("equivalent", "calorific")
    assert calc.energy_budget_cut(1_000_000, equivalent.settings, year=2021).result["tce"] == D("302.5")
    assert calc.energy_budget_cut(1_000_000, calorific.settings, year=2021).result["tce"] == D("122.9")
    forced = calc.energy_budget_cut(1_000_000, calorific.settings, coefficient="equivalent", year=2021)
    assert forced.result["tce"] == D("302.5")


def test_it_uses_the_latest_published_equivalent_for_a_year_not_yet_published(im):
    import datetime as dt

    latest = max(im.yearly("equivalent_kgce_per_kwh_by_year"))
    year = latest + 1
    if year > dt.date.today().year:  # a future year has no figure at all
        with pytest.raises(PolicyInputError):
            calc.energy_budget_cut(1_000_000, im, coefficient="equivalent", year=year)
        return
    result = calc.energy_budget_cut(1_000_000, im, coefficient="equivalent", year=year)
    assert result.figure("kgce_per_kwh") == im.yearly("equivalent_kgce_per_kwh_by_year")[latest]
    assert any(f"{year} 年等价值尚未公布" in note for note in result.notes)


_CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def _every_reading(settings):  # type: ignore[no-untyped-def]
    """Every calculation along every path, so that every step label the calculator writes is produced."""
    return [
        calc.energy_budget_cut(1000, settings, coefficient="calorific", new_project=True),
        calc.energy_budget_cut(1000, settings, coefficient="equivalent", year=2021),
        calc.electricity_theft(10, settings, unknown_duration=True, lighting=True, tariff_yuan_per_kwh="0.5"),
        calc.electricity_theft(10, settings, hours_per_day=5, days=3, tariff_yuan_per_kwh="0.5"),
        calc.tariff_category_change(100, "0.3", "0.5", settings),
        calc.tariff_category_change(100, "0.3", "0.5", settings, months=2),
        calc.stolen_kwh_from_usage_drop(100, 50, 3),
        calc.differential_surcharge(settings, kwh=100),
        calc.differential_surcharge(settings, cycle_kwh=100, cycle_days=30, mining_days=5),
        calc.late_payment_fee(100, 5),
        calc.criminal_threshold_check(
            settings,
            theft_value_yuan=5000,
            fundraising_amount_yuan=1,
            fundraising_persons=2,
            fundraising_loss_yuan=3,
            fraud_amount_yuan=4,
        ),
    ]


def test_every_step_has_a_chinese_and_an_english_label(im):
    """The case page shows a worksheet in one language: every step the calculator writes has an English
    label beside the Chinese one, and a worksheet stored with only ``name`` and the Chinese ``label`` (as all
    were before ``label_en``) finds the same English by them; formulas and units read in English too."""
    steps = [step for calculation in _every_reading(im) for step in calculation.steps]
    assert len({(s.name, s.label_zh) for s in steps}) == len(calc.STEP_LABELS), "every label is produced"
    for step in steps:
        assert step.label_zh and step.label_en and step.label_zh != step.label_en, step
        assert _CJK.search(step.label_zh) and not _CJK.search(step.label_en), step
        stored = step.as_dict()
        assert stored["label"] == step.label_zh and stored["label_en"] == step.label_en
        assert calc.step_label_en(stored["name"], stored["label"]) == step.label_en, step
        assert not _CJK.search(calc.formula_en(step.formula) or "中"), step.formula
        assert not _CJK.search(calc.unit_en(step.unit) or "中"), step.unit


def test_the_chinese_labels_stay_as_worksheets_have_always_stored_them(im):
    energy, equivalent, theft = _every_reading(im)[:3]
    assert [s["label"] for s in energy.as_dict()["steps"]] == [
        "电力折标系数（当量值）",
        "折标准煤（千克）",
        "折标准煤（吨）",
        "新增项目加倍系数",
        "计入考核并核减的能耗",
    ]
    assert equivalent.steps[0].label_zh == "电力折标系数（2021 年等价值）"
    assert (
        equivalent.steps[0].label_en
        == "Electricity conversion factor to standard coal (equivalent value, 2021)"
    )
    assert theft.steps[0].label_zh == "每日窃电小时数（推定）"
    threshold = calc.criminal_threshold_check(im, theft_value_yuan=5000).steps[0]
    assert (
        threshold.label_zh
        == f"盗窃数额较大（门槛 {calc._plain(im.decimal('theft_criminal_threshold_yuan'))}）"
    )


def test_an_unknown_stored_step_has_no_english_label():
    assert calc.step_label_en("no_such_step", "某项") is None
    assert calc.step_label_en("kwh", "某种电量") is None  # several readings: the Chinese must tell which
    assert calc.step_label_en("tariff_gap", "电价之差") == "Tariff difference"  # one reading: by name alone
