"""Pack loading and validation: shipped packs are valid, broken ones fail naming file and rule."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from minesweep.policy.errors import PolicyPackError
from minesweep.policy.packs import DECIMAL_SETTINGS, PACKS_DIR, available_packs, load_pack

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
    assert [rule.id for rule in pack.rules] == list(range(1, 9))
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
