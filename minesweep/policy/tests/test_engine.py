"""The measures engine against every row of the seed's eight measures, and their combinations."""

from __future__ import annotations

import pytest

from minesweep.policy.engine import Party, evaluate
from minesweep.policy.errors import PolicyInputError
from minesweep.policy.packs import load_pack

IM = "inner_mongolia_2021"


def actions_by_rule(category: str, facts: set[str], pack: str = IM) -> dict[int, list[str]]:
    evaluation = evaluate(load_pack(pack), [Party("p", category)], facts)
    return {m.rule_id: [a.code for a in m.actions] for m in evaluation.measures}


# (measure, category, facts, expected {rule id: actions}) — one row per subject of each measure.
EIGHT_MEASURES = [
    (1, "industrial_park", {"provided_site_or_power"}, {1: ["energy_inspection", "energy_quota_cut"]}),
    (1, "data_center", {"provided_site_or_power"}, {1: ["energy_inspection", "energy_quota_cut"]}),
    (1, "captive_power_plant", {"provided_site_or_power"}, {1: ["energy_inspection", "energy_quota_cut"]}),
    (
        1,
        "data_center",
        {"provided_site_or_power", "concealment"},
        {1: ["energy_inspection", "energy_quota_cut", "accountability"]},
    ),
    (
        1,
        "industrial_park",
        {"provided_site_or_power", "late_shutdown"},
        {1: ["energy_inspection", "energy_quota_cut", "accountability"]},
    ),
    (
        1,
        "captive_power_plant",
        {"provided_site_or_power", "lax_approval"},
        {1: ["energy_inspection", "energy_quota_cut", "accountability"]},
    ),
    (
        2,
        "big_data_or_cloud",
        {"mining_confirmed"},
        {
            2: [
                "cancel_preferences",
                "cancel_tax_preferences",
                "cancel_land_preferences",
                "market_exit",
                "energy_inspection",
            ],
            8: ["credit_blacklist"],
        },
    ),
    (
        3,
        "telecom_or_internet",
        {"mining_confirmed"},
        {3: ["revoke_telecom_licence"], 8: ["credit_blacklist"]},
    ),
    (4, "internet_cafe", {"mining_confirmed"}, {4: ["suspend_business"], 8: ["credit_blacklist"]}),
    (5, "unapproved_power_project", set(), {5: ["recover_theft_charges", "refer_police_theft"]}),
    (5, "enterprise", {"unapproved_power_connection"}, {5: ["recover_theft_charges", "refer_police_theft"]}),
    (6, "enterprise", {"money_laundering"}, {6: ["refer_police_laundering"]}),
    (6, "individual", {"money_laundering"}, {6: ["refer_police_laundering"]}),
    (7, "enterprise", {"illegal_fundraising"}, {7: ["fundraising_handling"]}),
    (7, "individual", {"illegal_fundraising"}, {7: ["fundraising_handling"]}),
    (8, "enterprise", {"mining_confirmed"}, {8: ["credit_blacklist"]}),
    (8, "individual", {"mining_confirmed"}, {8: ["credit_blacklist"]}),
    (8, "public_official", {"official_involvement"}, {8: ["refer_discipline"]}),
]


@pytest.mark.parametrize(("measure", "category", "facts", "expected"), EIGHT_MEASURES)
def test_it_applies_each_row_of_the_eight_measures(measure, category, facts, expected):
    assert measure in expected
    assert actions_by_rule(category, facts) == expected


NOT_APPLICABLE = [
    ("data_center", {"mining_confirmed"}, 1),  # measure 1 needs the site or power to have been provided
    ("industrial_park", {"concealment"}, 1),  # accountability only together with providing site/power
    ("enterprise", {"provided_site_or_power"}, 1),  # an ordinary enterprise is not a measure-1 subject
    ("data_center", {"mining_confirmed"}, 2),  # 2 is for big-data/cloud firms
    ("big_data_or_cloud", {"provided_site_or_power"}, 2),
    ("enterprise", {"mining_confirmed"}, 3),
    ("enterprise", {"mining_confirmed"}, 4),
    ("enterprise", {"mining_confirmed"}, 5),
    ("public_official", {"money_laundering"}, 6),
    ("public_official", {"illegal_fundraising"}, 7),
    ("enterprise", {"official_involvement"}, 8),  # discipline referral is for officials only
]


@pytest.mark.parametrize(("category", "facts", "measure"), NOT_APPLICABLE)
def test_it_does_not_apply_a_measure_outside_its_subjects_or_facts(category, facts, measure):
    assert measure not in actions_by_rule(category, facts)


def test_it_handles_a_data_centre_that_hosted_a_telecom_firms_rigs():
    parties = [
        Party("dc", "data_center", "host", frozenset({"provided_site_or_power"})),
        Party("tel", "telecom_or_internet", "operator", frozenset({"mining_confirmed"})),
    ]
    evaluation = evaluate(load_pack(IM), parties)
    assert [m.rule_id for m in evaluation.for_party("dc")] == [1]
    assert [m.rule_id for m in evaluation.for_party("tel")] == [3, 8]
    assert evaluation.rule_ids() == [1, 3, 8]
    tel = evaluation.for_party("tel")[0]
    assert tel.department == "communications_administration"
    assert "第三条" in tel.reason_zh and "measure 3" in tel.reason_en


def test_it_handles_an_internet_cafe_owned_by_a_public_official():
    parties = [
        Party("cafe", "internet_cafe", "operator", frozenset({"mining_confirmed"})),
        Party("official", "public_official", "owner", frozenset({"official_involvement"})),
    ]
    evaluation = evaluate(load_pack(IM), parties)
    assert {(m.party.ref, m.rule_id, tuple(a.code for a in m.actions)) for m in evaluation.measures} == {
        ("cafe", 4, ("suspend_business",)),
        ("cafe", 8, ("credit_blacklist",)),
        ("official", 8, ("refer_discipline",)),
    }
    merged = {m["id"]: m for m in evaluation.by_measure()}
    assert [a["code"] for a in merged[8]["actions"]] == ["credit_blacklist", "refer_discipline"]
    assert {p["ref"] for p in merged[8]["parties"]} == {"cafe", "official"}


def test_it_handles_an_unapproved_connection_project_that_raised_money_from_the_public():
    parties = [
        Party(
            "proj",
            "unapproved_power_project",
            "operator",
            frozenset({"mining_confirmed", "illegal_fundraising"}),
        )
    ]
    evaluation = evaluate(load_pack(IM), parties)
    assert evaluation.rule_ids() == [5, 7, 8]
    five = evaluation.for_party("proj")[0]
    assert "由主体类别推定" in five.reason_zh
    assert {a.department for a in five.actions} == {"grid_company", "public_security"}


def test_it_applies_case_wide_facts_to_every_party():
    parties = [Party("a", "enterprise"), Party("b", "individual")]
    evaluation = evaluate(load_pack(IM), parties, {"money_laundering"})
    assert [(m.party.ref, m.rule_id) for m in evaluation.measures] == [("a", 6), ("b", 6)]


def test_it_gives_every_action_a_department_and_a_deadline():
    evaluation = evaluate(load_pack(IM), [Party("x", "big_data_or_cloud")], {"mining_confirmed"})
    for measure in evaluation.measures:
        assert measure.basis and measure.source_clause.startswith("八项措施")
        for action in measure.actions:
            assert action.department and action.deadline.amount > 0


def test_it_returns_nothing_without_facts():
    assert evaluate(load_pack(IM), [Party("x", "data_center")]).measures == ()


NATIONAL = [
    (
        "data_center",
        {"mining_confirmed"},
        {
            1: ["register_project"],
            2: ["differential_tariff"],
            3: ["market_exit"],
            4: ["stop_support", "cancel_tax_preferences", "cancel_land_preferences"],
            6: ["credit_pledge_breach"],
        },
    ),
    (
        "individual",
        {"mining_confirmed", "new_project"},
        {
            1: ["register_project"],
            2: ["differential_tariff"],
            4: ["stop_support", "cancel_tax_preferences", "cancel_land_preferences"],
            7: ["double_energy_count"],
        },
    ),
    ("unapproved_power_project", set(), {5: ["power_cut"]}),
    ("captive_power_plant", {"provided_site_or_power"}, {5: ["power_cut"]}),
]


@pytest.mark.parametrize(("category", "facts", "expected"), NATIONAL)
def test_it_applies_the_national_1283_rules(category, facts, expected):
    assert actions_by_rule(category, facts, "national_1283") == expected


@pytest.mark.parametrize(
    ("party", "facts"),
    [
        (Party("x", "mine"), set()),
        (Party("x", "enterprise", role="boss"), set()),
        (Party("x", "enterprise"), {"mined"}),
        (Party("x", "enterprise", facts=frozenset({"mined"})), set()),
    ],
)
def test_it_rejects_unknown_codes(party, facts):
    with pytest.raises(PolicyInputError) as caught:
        evaluate(load_pack(IM), [party], facts)
    assert "未知" in caught.value.message and "unknown" in caught.value.message
