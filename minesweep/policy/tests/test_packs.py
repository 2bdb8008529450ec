"""Pack loading and validation: shipped packs are valid, broken ones fail naming file and rule."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from minesweep.policy.errors import PolicyInputError, PolicyPackError
from minesweep.policy.packs import (
    DECIMAL_SETTINGS,
    PACKS_DIR,
    authority_for,
    available_packs,
    department_names,
    deployment_pack_id,
    discipline_commission_name,
    hearing_threshold,
    load_pack,
    power_market,
    region_name,
    region_prefix,
)

SEED = Path(__file__).resolve().parents[1] / "sources" / "seed_eight_measures_2021-05-25.txt"


def test_it_ships_the_inner_mongolia_and_national_packs():
    assert {"inner_mongolia_2021", "national_1283"} <= set(available_packs())


@pytest.mark.parametrize("name", available_packs())
def test_it_loads_every_shipped_pack_with_sources_for_rules_and_settings(name):
    pack = load_pack(name)
    assert pack.rules
    for rule in pack.rules:
        assert rule.source_clause and rule.basis and rule.actions
    for key in DECIMAL_SETTINGS:
        assert pack.settings.items[key].source


def test_it_keeps_the_inner_mongolia_pack_as_a_draft_of_eight_measures():
    pack = load_pack("inner_mongolia_2021")
    assert pack.status == "draft" and pack.status_zh == "征求意见稿"
    assert str(pack.published) == "2021-05-25"
    eight = [rule.id for rule in pack.rules if rule.source_clause.startswith("八项措施（征求意见稿）")]
    assert eight == list(range(1, 9))
    assert pack.rule(9).source_clause == "内发改价费字〔2022〕115号"  # a rule of its own, dated
    # 115号 as two stored reproductions give it: its title for citing, signed and in force from 2022-01-20
    assert pack.rule(9).cited_number == "内发改价费字〔2022〕115号"
    assert pack.rule(9).cited_title.endswith("关于虚拟货币“挖矿”用电实行差别电价政策的通知")
    assert str(pack.rule(9).validity.effective_from) == "2022-01-20"
    assert pack.settings.decimal("surcharge_yuan_per_kwh") == Decimal("1.00")
    assert load_pack("national_1283").settings.decimal("surcharge_yuan_per_kwh") == Decimal("0.30")


def test_it_marks_unverified_domain_values_as_unverified_settings():
    settings = load_pack("inner_mongolia_2021").settings
    assert settings.items["theft_criminal_threshold_yuan"].verified is False
    assert settings.items["equivalent_kgce_per_kwh_by_year"].verified is False
    assert settings.items["theft_penalty_multiple"].verified is False  # 2024 revision: "不高于"
    assert settings.items["calorific_kgce_per_kwh"].verified is True


def test_it_quotes_the_seeds_chinese_wording_for_each_measure():
    seed = re.sub(r"[\s#]", "", SEED.read_text(encoding="utf-8"))
    for rule in load_pack("inner_mongolia_2021").rules:
        if not rule.source_clause.startswith("八项措施"):
            continue
        assert re.sub(r"\s", "", rule.text_zh) in seed, rule.id


def test_it_rejects_an_unknown_pack_name():
    with pytest.raises(PolicyPackError, match="inner_mongolia_2021"):
        load_pack("atlantis_2030")


def write_broken(tmp_path: Path, change) -> Path:  # type: ignore[no-untyped-def]
    document = yaml.safe_load((PACKS_DIR / "inner_mongolia_2021.yaml").read_text(encoding="utf-8"))
    change(document)
    path = tmp_path / "broken_pack.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path


def rule3(document):  # type: ignore[no-untyped-def]
    return next(rule for rule in document["rules"] if rule["id"] == 3)


def action(document, rule_id: int, code: str):  # type: ignore[no-untyped-def]
    rule = next(rule for rule in document["rules"] if rule["id"] == rule_id)
    return next(a for a in rule["actions"] if a["code"] == code)


def dated_copy_of_rule_9(document):  # type: ignore[no-untyped-def]
    copy = dict(next(rule for rule in document["rules"] if rule["id"] == 9))
    copy["effective_from"] = dt.date(2023, 1, 1)
    document["rules"].append(copy)


BROKEN = [
    ("unknown category", lambda d: rule3(d)["categories"].append("casino"), "casino", 3),
    ("unknown fact", lambda d: rule3(d)["facts"].update(all_of=["mined_a_lot"]), "mined_a_lot", 3),
    ("unknown action", lambda d: rule3(d)["actions"][0].update(code="shame_publicly"), "shame_publicly", 3),
    (
        "unknown department",
        lambda d: rule3(d)["actions"][0].update(department="ministry_of_magic"),
        "ministry_of_magic",
        3,
    ),
    ("unknown lead department", lambda d: rule3(d).update(department="nobody"), "nobody", 3),
    (
        "bad deadline unit",
        lambda d: rule3(d)["actions"][0]["deadline"].update(unit="fortnights"),
        "fortnights",
        3,
    ),
    ("no triggering facts", lambda d: rule3(d).update(facts={}), "all_of", 3),
    ("no actions", lambda d: rule3(d).update(actions=[]), "actions", 3),
    ("duplicate id", lambda d: rule3(d).update(id=2), "[2]", None),
    (
        "missing setting",
        lambda d: d["settings"].pop("surcharge_yuan_per_kwh"),
        "surcharge_yuan_per_kwh",
        None,
    ),
    (
        "negative setting",
        lambda d: d["settings"]["theft_fine_max_multiple"].update(value="-5"),
        "theft_fine_max_multiple",
        None,
    ),
    ("unknown setting", lambda d: d["settings"].update(bonus={"value": "1", "source": "x"}), "bonus", None),
    ("bad status", lambda d: d["pack"].update(status="final-ish"), "final-ish", None),
    ("unknown track", lambda d: rule3(d)["actions"][0].update(track="vigilante"), "vigilante", 3),
    (
        "penalty without an article",
        lambda d: action(d, 5, "theft_fine")["legal_basis"][0].pop("article"),
        "article",
        5,
    ),
    ("penalty without a type", lambda d: action(d, 5, "theft_fine").pop("penalty_type"), "penalty_type", 5),
    (
        "penalty without a violated provision",
        lambda d: action(d, 5, "theft_fine").pop("violated_basis"),
        "violated_basis",
        5,
    ),
    (
        "penalty with a violated provision lacking an article",
        lambda d: action(d, 5, "theft_fine")["violated_basis"][0].pop("article"),
        "violated_basis",
        5,
    ),
    (
        "violated provision not a list",
        lambda d: action(d, 5, "theft_fine").update(violated_basis="电力法第四条"),
        "violated_basis",
        5,
    ),
    (
        "overlapping versions of a law",
        lambda d: action(d, 5, "recover_theft_charges")["legal_basis"][1].update(
            effective_from=dt.date(2024, 5, 1)
        ),
        "2024-05-01",
        5,
    ),
    (
        "overlapping setting versions",
        lambda d: d["settings"]["theft_penalty_multiple"]["versions"][0].update(
            effective_to=dt.date(2024, 6, 30)
        ),
        "theft_penalty_multiple",
        None,
    ),
    ("overlapping rule versions", dated_copy_of_rule_9, "2023-01-01", 9),
    (
        "law name in 《》",
        lambda d: action(d, 5, "theft_fine")["legal_basis"][0].update(law="《电力法》"),
        "《电力法》",
        5,
    ),
    ("unknown authority", lambda d: rule3(d)["actions"][0].update(authority="the_king"), "the_king", 3),
    (
        "authority without a name",
        lambda d: d["authorities"]["divisions"]["150200"]["development_reform"].pop("name"),
        "name",
        None,
    ),
    (
        "cited_as without its number",
        lambda d: d["pack"].update(cited_as={"title": "关于某事的通知"}),
        "number",
        None,
    ),
    (
        "cited_as whose number is no 发文字号",
        lambda d: d["pack"].update(cited_as={"title": "关于某事的通知", "number": "第1283号"}),
        "第1283号",
        None,
    ),
    (
        "a rule's cited_as with its title in 《》",
        lambda d: rule3(d).update(cited_as={"title": "《关于某事的通知》", "number": "某发〔2022〕1号"}),
        "《关于某事的通知》",
        3,
    ),
]


@pytest.mark.parametrize(("label", "change", "named", "rule_id"), BROKEN, ids=[b[0] for b in BROKEN])
def test_it_rejects_a_broken_pack_naming_the_file_and_the_rule(tmp_path, label, change, named, rule_id):
    path = write_broken(tmp_path, change)
    with pytest.raises(PolicyPackError) as caught:
        load_pack(path)
    message = caught.value.message
    assert "broken_pack.yaml" in message and named in message
    assert "政策包" in message and "policy pack" in message
    if rule_id is not None:
        assert f"rule {rule_id}" in message and f"规则 {rule_id}" in message
        assert caught.value.extra["rule"] == rule_id


def test_it_rejects_malformed_yaml(tmp_path):
    path = tmp_path / "garbled.yaml"
    path.write_text("pack: [unclosed", encoding="utf-8")
    with pytest.raises(PolicyPackError, match="garbled.yaml"):
        load_pack(path)


def test_it_picks_the_setting_version_in_force_on_the_day_of_the_act():
    settings = load_pack("inner_mongolia_2021").settings
    assert settings.at("theft_penalty_multiple", dt.date(2024, 5, 31)).kind == "fixed"
    assert settings.at("theft_penalty_multiple", dt.date(2024, 6, 1)).kind == "ceiling"
    with pytest.raises(PolicyInputError, match="1990-01-01"):
        settings.decimal("theft_penalty_multiple", dt.date(1990, 1, 1))


def test_it_finds_the_authority_of_a_division_or_its_nearest_higher_level():
    pack = load_pack("inner_mongolia_2021")
    assert authority_for(pack, "150223", "development_reform").name == "包头市发展和改革委员会"
    assert authority_for(pack, "150223", "development_reform").review_body == "包头市人民政府"
    assert authority_for(pack, "150602", "culture_market_regulator").name == "鄂尔多斯市文化和旅游局"
    assert authority_for(pack, "150602", "grid_company").division == "150000"
    with pytest.raises(PolicyInputError, match="510100"):
        authority_for(pack, "510100", "development_reform")
    assert authority_for(load_pack("sichuan_2022"), "510104", "development_reform").abbreviation == "成发改"


def test_the_discipline_commission_is_the_one_of_the_divisions_own_level():
    """监察法第十六条: 按照管理权限管辖 — a county case's official goes to the county's commission, which no
    city entry stands in for (authority_for would give the city's); a city's or the region's own entry is
    used where the division has one."""
    pack = load_pack("inner_mongolia_2021")
    assert authority_for(pack, "150602", "discipline_commission").division == "150600"  # the fallback
    assert (
        discipline_commission_name(pack, "150602", "东胜区") == "中共东胜区纪律检查委员会、东胜区监察委员会"
    )
    for code, name in (("150600", "鄂尔多斯市"), ("150000", "内蒙古自治区")):
        assert (
            discipline_commission_name(pack, code, name)
            == authority_for(pack, code, "discipline_commission").name
        )


def test_it_reads_the_regional_hearing_thresholds():
    pack = load_pack("inner_mongolia_2021")
    assert hearing_threshold(pack, organisation=False) == Decimal("10000")
    assert hearing_threshold(pack, organisation=True) == Decimal("100000")
    assert hearing_threshold(load_pack("national_1283"), organisation=True) is None


def test_it_selects_the_deployment_pack_from_the_environment(monkeypatch):
    monkeypatch.delenv("MINESWEEP_POLICY_PACK", raising=False)
    assert deployment_pack_id() == "inner_mongolia_2021"
    monkeypatch.setenv("MINESWEEP_POLICY_PACK", "sichuan_2022")
    assert deployment_pack_id() == "sichuan_2022"


REGION_WORDS = re.compile(r"内蒙古|Inner Mongolia|[\"']15(?:\d{4})?[\"']")  # its name or GB/T 2260 code


def _is_demo_or_test(path: Path) -> bool:
    return (
        "tests" in path.parts
        or "migrations" in path.parts
        or path.name in ("conftest.py", "demodata.py")
        or path.stem == "demo"
    )


def test_it_keeps_the_regions_name_and_code_out_of_python():
    # The region is configuration (issue 11 §4): its name and code come from the deployment's pack.
    # Demo data and tests may name it.
    root = PACKS_DIR.parents[1]
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if not _is_demo_or_test(path.relative_to(root))
        and REGION_WORDS.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_it_names_the_region_and_its_market_from_the_deployment_pack(monkeypatch):
    monkeypatch.setenv("MINESWEEP_POLICY_PACK", "sichuan_2022")
    assert (region_name(), region_prefix(), power_market()) == ("四川省", "51", "四川电力交易市场")
    assert region_name(english=True) == "Sichuan Province"
    monkeypatch.delenv("MINESWEEP_POLICY_PACK")
    assert (region_name(), region_prefix()) == ("内蒙古自治区", "15")
    assert region_prefix(load_pack("national_1283")) == ""
    # a pack without a region name falls back to its code
    assert region_name(load_pack("national_1283")) == "000000"


def test_it_names_departments_as_the_region_does_falling_back_to_the_code_table(tmp_path):
    from minesweep.policy.codes import DEPARTMENTS

    im, sichuan = (
        department_names(load_pack("inner_mongolia_2021")),
        department_names(load_pack("sichuan_2022")),
    )
    assert im["power_administration"].zh == "能源局（电力管理部门）"
    assert sichuan["power_administration"].zh.startswith("经济和信息化厅")
    assert im["grid_company"] == DEPARTMENTS["grid_company"] and set(im) == set(DEPARTMENTS)
    assert department_names(load_pack("national_1283")) == dict(DEPARTMENTS)
    text = (PACKS_DIR / "sichuan_2022.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "bad_departments.yaml"
    renamed = "  power_administration: {zh: 经济和信息化厅"
    assert renamed in text
    bad.write_text(
        text.replace(renamed, "  bogus: {zh: 某局, en: Some bureau}\n" + renamed), encoding="utf-8"
    )
    with pytest.raises(PolicyPackError) as error:
        load_pack(str(bad))
    assert "bogus" in error.value.message and "bad_departments.yaml" in error.value.message


def test_it_reads_the_lead_check_period_and_refuses_a_bad_one(tmp_path):
    from minesweep.policy.packs import lead_check_period

    im = lead_check_period(load_pack("inner_mongolia_2021"))
    assert (im.days, im.extension_days, im.verified) == (15, 15, False) and "第十八条" in im.rule
    assert lead_check_period(load_pack("national_1283")).days == 15  # no procedure: the default
    text = (PACKS_DIR / "sichuan_2022.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "bad_lead_check.yaml"
    bad.write_text(text.replace("lead_check: {days: 15", "lead_check: {days: 0"), encoding="utf-8")
    with pytest.raises(PolicyPackError) as error:
        load_pack(str(bad))
    assert "lead_check" in error.value.message and "bad_lead_check.yaml" in error.value.message


def test_it_reads_the_rule_that_leaves_criminal_proceedings_out_of_the_decision_period(tmp_path):
    """行政处罚法第六十条: only a law, regulation or rule the pack names stops the ninety days."""
    shipped = load_pack("inner_mongolia_2021").procedure
    assert shipped is not None and shipped.criminal_time_excluded_rule == ""
    text = (PACKS_DIR / "sichuan_2022.yaml").read_text(encoding="utf-8")
    anchor = "  lead_check: {days: 15"
    assert anchor in text
    named = tmp_path / "named.yaml"
    named.write_text(
        text.replace(anchor, '  criminal_time_excluded: {rule: "某规章第六十四条"}\n' + anchor),
        encoding="utf-8",
    )
    procedure = load_pack(str(named)).procedure
    assert procedure is not None and procedure.criminal_time_excluded_rule == "某规章第六十四条"
    for bad_value in ("yes", "{rule: ''}"):
        bad = tmp_path / "bad_excluded.yaml"
        bad.write_text(
            text.replace(anchor, f"  criminal_time_excluded: {bad_value}\n" + anchor), encoding="utf-8"
        )
        with pytest.raises(PolicyPackError) as error:
            load_pack(str(bad))
        assert "criminal_time_excluded" in error.value.message or "rule" in error.value.message


def test_it_keeps_the_provisions_a_penalty_violates_apart_from_its_penalty_basis():
    """行政处罚法第四十四条、第五十九条: 电力法第四条第二款 is violated, 第七十一条 grounds the fine; the 条例
    article numbers are not confirmed from a stored source and say so."""
    for name in ("inner_mongolia_2021", "sichuan_2022"):
        fine = next(a for r in load_pack(name).rules for a in r.actions if a.code == "theft_fine")
        violated = {(b.law, b.article): b for b in fine.violated_basis}
        penalty = {(b.law, b.article): b for b in fine.legal_basis}
        assert ("中华人民共和国电力法", "第四条第二款") in violated
        assert ("中华人民共和国电力法", "第七十一条") in penalty and not violated.keys() & penalty.keys()
        assert violated[("电力供应与使用条例", "第三十一条")].verified is False
        assert penalty[("电力供应与使用条例", "第四十一条")].verified is False
        assert violated[("中华人民共和国电力法", "第四条第二款")].verified is True
