"""The measures engine: every measure × category × legal track of the seed, the national notice, and the
multi-party cases of issue 11 (facts per party; each action on its own track by its own authority)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from minesweep.policy.codes import ACTIONS, CASE_WIDE_FACTS, DEPARTMENTS, TRACKS
from minesweep.policy.engine import Party, evaluate, evaluate_case, hearing_right
from minesweep.policy.errors import PolicyInputError
from minesweep.policy.packs import LegalBasis, Validity, load_pack

IM = "inner_mongolia_2021"
ON = dt.date(2024, 7, 1)


def tracks_by_rule(category: str, facts: set[str], pack: str = IM, **party: object) -> dict[int, list[tuple]]:
    evaluation = evaluate(load_pack(pack), [Party("p", category, **party)], facts, on=ON)  # type: ignore[arg-type]
    return {m.rule_id: [(a.code, a.track, a.authority) for a in m.actions] for m in evaluation.measures}


INSPECT = ("energy_inspection", "measure", "energy_conservation_supervision")
QUOTA = ("energy_quota_cut", "measure", "development_reform")
ACCOUNT = ("accountability", "accountability", "discipline_commission")
CREDIT = ("credit_blacklist", "credit", "credit_office")
TARIFF = ("differential_tariff", "measure", "price_authority")  # asked by 建议函 from a city: route_action
THEFT = [
    ("theft_fine", "penalty", "power_administration"),
    ("recover_theft_charges", "other_authority", "grid_company"),
    ("refer_police_theft", "referral", "public_security"),
]
# Measure 2 for a firm with no preference and no market participation on record: nothing to cancel or exit,
# of its own or through the tax and land authorities (test_it_withdraws_only_what_the_party_is_on_record_as_having).
MEASURE_2 = [INSPECT]
MINING = {8: [CREDIT], 9: [TARIFF]}  # every organisation that mines: blacklist and the 115号 tariff

# (measure, category, facts, expected {rule: [(action, track, authority)]}) — every subject of every measure.
EIGHT_MEASURES = [
    (1, "industrial_park", {"provided_site_or_power"}, {1: [INSPECT, QUOTA]}),
    (1, "data_center", {"provided_site_or_power"}, {1: [INSPECT, QUOTA]}),
    (1, "captive_power_plant", {"provided_site_or_power"}, {1: [INSPECT, QUOTA]}),
    (1, "big_data_or_cloud", {"provided_site_or_power"}, {1: [INSPECT, QUOTA]}),  # the seed's "等主体"
    (1, "data_center", {"provided_site_or_power", "concealment"}, {1: [INSPECT, QUOTA, ACCOUNT]}),
    (1, "industrial_park", {"provided_site_or_power", "late_shutdown"}, {1: [INSPECT, QUOTA, ACCOUNT]}),
    (1, "captive_power_plant", {"provided_site_or_power", "lax_approval"}, {1: [INSPECT, QUOTA, ACCOUNT]}),
    (2, "big_data_or_cloud", {"mining_confirmed"}, {2: MEASURE_2, **MINING}),
    (2, "data_center", {"mining_confirmed"}, {2: MEASURE_2, **MINING}),  # a data centre that mines
    (
        3,
        "telecom_or_internet",
        {"mining_confirmed"},
        {3: [("revoke_telecom_licence", "other_authority", "communications_administration")], **MINING},
    ),
    (
        4,
        "internet_cafe",
        {"mining_confirmed"},
        {4: [("suspend_business", "other_authority", "culture_market_regulator")], **MINING},
    ),
    (5, "unapproved_power_project", {"mining_confirmed"}, {5: THEFT, **MINING}),
    (5, "enterprise", {"unapproved_power_connection", "mining_confirmed"}, {5: THEFT, **MINING}),
    (
        6,
        "enterprise",
        {"money_laundering"},
        {6: [("refer_police_laundering", "referral", "public_security")]},
    ),
    (
        6,
        "individual",
        {"money_laundering"},
        {6: [("refer_police_laundering", "referral", "public_security")]},
    ),
    (
        7,
        "enterprise",
        {"illegal_fundraising"},
        {7: [("fundraising_handling", "referral", "financial_regulator")]},
    ),
    (
        7,
        "individual",
        {"illegal_fundraising"},
        {7: [("fundraising_handling", "referral", "financial_regulator")]},
    ),
    (8, "enterprise", {"mining_confirmed"}, MINING),
    (8, "individual", {"mining_confirmed"}, {8: [CREDIT], 9: []}),  # no power account: tariff omitted
    (
        8,
        "public_official",
        {"official_involvement"},
        {8: [("refer_discipline", "referral", "discipline_commission")]},
    ),
]


@pytest.mark.parametrize(("measure", "category", "facts", "expected"), EIGHT_MEASURES)
def test_it_applies_each_measure_to_each_category_on_its_track(measure, category, facts, expected):
    assert measure in expected
    assert tracks_by_rule(category, facts) == expected


def test_it_covers_every_track_in_the_table():
    eight = {t for row in EIGHT_MEASURES for actions in row[3].values() for _, t, _ in actions}
    national = tracks_by_rule("data_center", {"mining_confirmed"}, "national_1283")
    assert eight | {t for actions in national.values() for _, t, _ in actions} == set(TRACKS)


def test_the_project_register_is_internal_work_not_an_act_on_the_party():
    """1283号's register and the double count in the region's assessment stay inside the administration
    (法释〔2018〕1号第一条第二款第（五）项、第（十）项), so no 处理决定书 carries them."""
    register = tracks_by_rule("data_center", {"mining_confirmed"}, "national_1283")[1]
    assert register == [("register_project", "internal", "development_reform")]
    double = [
        a for r in load_pack("national_1283").rules for a in r.actions if a.code == "double_energy_count"
    ]
    assert [(a.track, a.authority) for a in double] == [("internal", "development_reform")]


NOT_APPLICABLE = [
    ("data_center", {"mining_confirmed"}, 1),  # measure 1 needs the site or power to have been provided
    ("industrial_park", {"concealment"}, 1),  # accountability only together with providing site/power
    ("enterprise", {"provided_site_or_power"}, 1),  # an ordinary enterprise is not a measure-1 subject
    ("data_center", {"provided_site_or_power"}, 2),  # hosting is measure 1, mining is measure 2
    ("big_data_or_cloud", {"provided_site_or_power"}, 2),
    ("enterprise", {"mining_confirmed"}, 3),
    ("enterprise", {"mining_confirmed"}, 4),
    ("enterprise", {"mining_confirmed"}, 5),
    ("enterprise", {"unapproved_power_connection"}, 5),  # 第五条 concerns mining projects
    ("unapproved_power_project", set(), 5),
    ("public_official", {"money_laundering"}, 6),
    ("public_official", {"illegal_fundraising"}, 7),
    ("enterprise", {"official_involvement"}, 8),  # discipline referral is for officials only
    ("industrial_park", {"provided_site_or_power"}, 8),  # a pure host is not blacklisted
]


@pytest.mark.parametrize(("category", "facts", "measure"), NOT_APPLICABLE)
def test_it_does_not_apply_a_measure_outside_its_subjects_or_facts(category, facts, measure):
    assert measure not in tracks_by_rule(category, facts)


def test_it_derives_the_hearing_right_of_the_theft_fine():
    evaluation = evaluate(
        load_pack(IM), [Party("p", "enterprise")], {"unapproved_power_connection", "mining_confirmed"}
    )
    fine = next(a for m in evaluation.measures for a in m.actions if a.code == "theft_fine")
    assert fine.penalty_type == "fine" and fine.amount and fine.amount.max == Decimal("5")
    assert fine.hearing_right is True and "100000" in fine.hearing_reason_zh  # organisation threshold
    assert [b.cite() for b in fine.legal_basis] == [
        "《中华人民共和国电力法》第七十一条",
        "《电力供应与使用条例》第四十一条",
    ]
    as_json = fine.as_dict()
    assert as_json["track"] == "penalty" and as_json["authority"] == "power_administration"
    assert as_json["hearing_right"] is True and as_json["hearing_reason"]


def test_it_names_the_authority_as_the_packs_region_does():
    facts = {"unapproved_power_connection", "mining_confirmed"}
    by_pack = {}
    for pack in (IM, "sichuan_2022"):
        evaluation = evaluate(load_pack(pack), [Party("p", "enterprise")], facts, on=ON)
        fine = next(a for m in evaluation.measures for a in m.actions if a.code == "theft_fine")
        by_pack[pack] = fine.as_dict()["authority_zh"]
    assert by_pack[IM] == "能源局（电力管理部门）"
    assert by_pack["sichuan_2022"].startswith("经济和信息化厅")


@pytest.mark.parametrize(
    ("penalty", "organisation", "amount", "right"),
    [
        ("fine", False, Decimal("9999"), False),
        ("fine", False, Decimal("10000"), True),
        ("fine", True, Decimal("10000"), False),
        ("fine", True, Decimal("100000"), True),
        ("fine", True, None, True),  # not fixed yet: may reach the threshold
        ("confiscate_gains", False, Decimal("20000"), True),
        ("warning", True, None, False),
        ("revoke_licence", False, None, True),
        ("suspend_production", True, None, True),
    ],
)
def test_it_derives_hearing_rights_from_article_63_and_the_pack_thresholds(
    penalty, organisation, amount, right
):
    got, reason_zh, reason_en = hearing_right(
        load_pack(IM), penalty, organisation=organisation, amount=amount
    )
    assert got is right and "第六十三条" in reason_zh and reason_en


def test_it_omits_actions_an_individual_cannot_be_subject_to_and_says_why():
    individual = Party("z", "individual", facts=frozenset({"mining_confirmed", "new_project"}))
    evaluation = evaluate(load_pack("national_1283"), [individual], on=ON)
    by_rule = {m.rule_id: m for m in evaluation.measures}
    assert by_rule[2].actions == () and by_rule[2].omitted[0].missing == ("power_account",)
    assert by_rule[7].omitted[0].code == "double_energy_count"
    assert "没有" in by_rule[2].omitted[0].as_dict()["reason"]
    with_account = Party(
        "z", "individual", facts=individual.facts, holdings=frozenset({"power_account", "project"})
    )
    evaluation = evaluate(load_pack("national_1283"), [with_account], on=ON)
    assert [a.code for m in evaluation.measures if m.rule_id == 2 for a in m.actions] == [
        "differential_tariff"
    ]


def test_it_applies_the_legal_basis_in_force_on_the_day_of_the_act():
    party = [Party("p", "enterprise", facts=frozenset({"unapproved_power_connection", "mining_confirmed"}))]

    def recovery(day: dt.date) -> list[dict]:
        evaluation = evaluate(load_pack(IM), party, on=day)
        action = next(a for m in evaluation.measures for a in m.actions if a.code == "recover_theft_charges")
        return [b.as_dict() for b in action.legal_basis]

    assert recovery(dt.date(2024, 5, 31))[0]["article"] == "第一百零二条"
    assert recovery(dt.date(2024, 6, 1))[0]["effective_from"] == "2024-06-01"
    with pytest.raises(PolicyInputError, match="供电营业规则"):
        recovery(dt.date(1995, 1, 1))


def test_it_applies_a_dated_rule_only_from_its_start():
    party = [Party("p", "enterprise", facts=frozenset({"mining_confirmed"}))]
    assert 9 not in {m.rule_id for m in evaluate(load_pack(IM), party, on=dt.date(2021, 6, 1)).measures}
    assert 9 in {m.rule_id for m in evaluate(load_pack(IM), party, on=dt.date(2022, 6, 1)).measures}
    assert evaluate(load_pack("national_1283"), party, on=dt.date(2021, 9, 2)).measures == ()


# -- multi-party cases (issue 11 "Done when") ---------------------------------------------------------
def per_party(parties: list[Party], pack: str = IM) -> dict[str, dict[int, list[str]]]:
    evaluation = evaluate_case(load_pack(pack), parties, on=ON)
    return {
        p.ref: {m.rule_id: [f"{a.code}:{a.track}" for a in m.actions] for m in evaluation.for_party(p.ref)}
        for p in parties
    }


def test_a_park_hosting_a_miner_with_an_official_involved():
    got = per_party(
        [
            Party("park", "industrial_park", "host", frozenset({"provided_site_or_power", "concealment"})),
            Party(
                "miner",
                "enterprise",
                "operator",
                frozenset({"mining_confirmed", "unapproved_power_connection"}),
            ),
            Party("li", "public_official", "facilitator", frozenset({"official_involvement"})),
        ]
    )
    assert got["park"] == {
        1: ["energy_inspection:measure", "energy_quota_cut:measure", "accountability:accountability"]
    }  # no blacklist for a host whose facts are the site and the concealment
    assert got["miner"][5] == [
        "theft_fine:penalty",
        "recover_theft_charges:other_authority",
        "refer_police_theft:referral",
    ]
    assert got["miner"][8] == ["credit_blacklist:credit"]
    assert got["li"] == {8: ["refer_discipline:referral"]}  # the official: only the discipline referral


def test_a_data_centre_that_mines_and_hosts_others():
    facts = frozenset({"mining_confirmed", "provided_site_or_power"})
    got = per_party([Party("dc", "data_center", "operator", facts, ALL_HOLDINGS)])
    assert set(got["dc"]) == {1, 2, 8, 9}
    assert "market_exit:measure" in got["dc"][2]


def test_a_cafe_owned_by_an_official():
    got = per_party(
        [
            Party("cafe", "internet_cafe", "operator", frozenset({"mining_confirmed"})),
            Party("owner", "public_official", "owner", frozenset({"official_involvement"})),
        ]
    )
    assert got["cafe"][4] == ["suspend_business:other_authority"]  # 文旅's power: a letter of advice
    assert not any(a.endswith(":penalty") for actions in got["cafe"].values() for a in actions)
    assert got["owner"] == {8: ["refer_discipline:referral"]}


def test_theft_plus_fundraising():
    got = per_party(
        [
            Party(
                "proj",
                "unapproved_power_project",
                "operator",
                frozenset({"mining_confirmed", "illegal_fundraising"}),
            )
        ]
    )
    assert sorted(got["proj"]) == [5, 7, 8, 9]
    assert got["proj"][7] == ["fundraising_handling:referral"]
    assert "refer_police_theft:referral" in got["proj"][5]


def test_it_refuses_personal_facts_as_case_wide_facts():
    with pytest.raises(PolicyInputError, match="mining_confirmed"):
        evaluate_case(load_pack(IM), [Party("a", "enterprise")], {"mining_confirmed"})
    assert "new_project" in CASE_WIDE_FACTS
    evaluate_case(load_pack(IM), [Party("a", "enterprise")], {"new_project"})


def test_it_names_the_reason_and_the_implied_fact():
    evaluation = evaluate(
        load_pack(IM), [Party("proj", "unapproved_power_project", facts=frozenset({"mining_confirmed"}))]
    )
    five = next(m for m in evaluation.measures if m.rule_id == 5)
    assert "由主体类别推定" in five.reason_zh and "measure 5" in five.reason_en


def test_it_gives_every_action_a_track_authority_deadline_and_basis():
    for pack in ("inner_mongolia_2021", "national_1283", "sichuan_2022"):
        for rule in load_pack(pack).rules:
            for action in rule.actions:
                assert action.track in TRACKS and action.authority in DEPARTMENTS
                assert action.deadline.amount > 0 and (action.legal_basis or action.policy_basis)
                assert all("《" not in b.law for b in action.legal_basis)
                assert all("征求意见稿" in p for p in action.policy_basis if "八项措施" in p)


#: what only another organ grants or withdraws, by the word its action's name uses
OTHER_ORGANS_SUPPORT = {
    "税收": "tax_authority",
    "土地": "land_authority",
    "财政": "finance_department",
    "金融": "financial_regulator",
}


def test_the_case_authority_never_withdraws_support_another_organ_grants():
    """An act of the 发改委 that stopped tax, land, fiscal or financial support would exceed its powers
    (行政诉讼法第七十条第（四）项): every such action is the granting organ's, asked by 建议函."""
    for pack in ("inner_mongolia_2021", "national_1283", "sichuan_2022"):
        for rule in load_pack(pack).rules:
            for action in rule.actions:
                for word, organ in OTHER_ORGANS_SUPPORT.items():
                    if word in ACTIONS[action.code].zh:
                        assert (action.track, action.authority) == ("other_authority", organ), (
                            pack,
                            rule.id,
                            action.code,
                        )


def test_it_returns_nothing_without_facts():
    assert evaluate(load_pack(IM), [Party("x", "data_center")]).measures == ()


#: 1283号's "停止财政、税收、房租、电价、金融等一切支持": the case authority stops what it grants, the rest is asked of
#: the organs that grant it — each only where the party has it on record: nothing here
SUPPORT_ASKED: list[str] = []
NATIONAL = [
    (
        "data_center",
        {"mining_confirmed"},
        {
            1: ["register_project"],
            2: ["differential_tariff"],
            3: [],  # no market participation on record
            4: SUPPORT_ASKED,  # no preference of the case authority on record
        },  # no credit pledge found signed: nothing to breach (rule 6)
    ),
    (
        "individual",
        {"mining_confirmed", "new_project"},
        {
            1: ["register_project"],
            2: [],  # no power account
            4: SUPPORT_ASKED,
            7: [],  # no project
        },
    ),
    ("unapproved_power_project", set(), {5: ["power_cut"]}),  # the category is the connection
    ("captive_power_plant", {"provided_site_or_power", "unapproved_power_connection"}, {5: ["power_cut"]}),
    ("captive_power_plant", {"provided_site_or_power"}, {}),  # a host: no ground to cut its supply
]


@pytest.mark.parametrize(("category", "facts", "expected"), NATIONAL)
def test_it_applies_the_national_1283_rules(category, facts, expected):
    got = tracks_by_rule(category, facts, "national_1283")
    assert {rule: [a[0] for a in actions] for rule, actions in got.items()} == expected


@pytest.mark.parametrize(
    ("category", "facts"),
    [
        ("industrial_park", {"provided_site_or_power", "concealment"}),
        ("data_center", {"provided_site_or_power"}),
        ("enterprise", {"provided_site_or_power", "mining_confirmed"}),
    ],
)
def test_it_asks_no_power_cut_of_a_party_that_only_provided_a_site(category, facts):
    """1283号 targets "违规私拉电线、直供电", and 电力法第二十九条 allows an interruption only on a legal ground such
    as the user's own unlawful use: a host that provided a site or power has given none."""
    assert 5 not in tracks_by_rule(category, facts, "national_1283")
    connected = tracks_by_rule(category, facts | {"unapproved_power_connection"}, "national_1283")
    assert connected[5] == [("power_cut", "other_authority", "grid_company")]


def test_it_never_asks_a_power_cut_against_an_administrative_organ():
    """A park's 管委会 is an organ of the government: its part is answered by its cadres, and no 建议函 asks the
    grid to cut its supply — not even where it connected without approval; the omission says why."""
    facts = frozenset({"provided_site_or_power", "unapproved_power_connection", "concealment"})
    organ = Party("gwh", "industrial_park", "host", facts, organ=True)
    measure = next(m for m in evaluate(load_pack("national_1283"), [organ], on=ON).measures if m.rule_id == 5)
    assert measure.actions == ()
    assert measure.omitted[0].as_dict() == {
        "code": "power_cut",
        "zh": "停限电",
        "missing": [],
        "reason": "当事人为行政机关，本项不对其适用",
        "reason_en": "the party is an administrative organ; this action is not taken against it",
    }
    company = dataclasses.replace(organ, organ=False)
    assert tracks_by_rule("industrial_park", set(facts), "national_1283")[5][0][0] == "power_cut"
    regional = {a.code for m in evaluate(load_pack(IM), [organ], on=ON).measures for a in m.actions}
    assert regional == {a.code for m in evaluate(load_pack(IM), [company], on=ON).measures for a in m.actions}


@pytest.mark.parametrize("conduct", ["mining_confirmed", "provided_site_or_power"])
def test_a_pledge_breach_needs_a_signed_pledge_and_goes_to_the_credit_record_not_a_list(conduct):
    """1283号: data-centre firms sign a pledge not to mine, and "违反承诺的纳入信用记录". Without a pledge found
    signed there is no breach; with one, the breach is a task of the credit office to enter it in the credit
    record (internal), never the credit track that ends in a 失信主体名单 listing (国办发〔2020〕49号 keeps public
    credit information records apart from the list)."""
    for category in ("data_center", "big_data_or_cloud"):
        assert 6 not in tracks_by_rule(category, {conduct}, "national_1283")
        signed = tracks_by_rule(category, {conduct, "credit_pledge_signed"}, "national_1283")
        assert signed[6] == [("credit_pledge_breach", "internal", "credit_office")]
    pledge = next(
        a for r in load_pack("national_1283").rules for a in r.actions if a.code == "credit_pledge_breach"
    )
    assert pledge.department == "credit_office" and "国办发〔2020〕49号" in pledge.policy_basis
    assert 6 not in tracks_by_rule("enterprise", {conduct, "credit_pledge_signed"}, "national_1283")


ALL_HOLDINGS = frozenset(
    {
        "power_account",
        "project",
        "market_participation",
        "own_preference",
        "tax_preference",
        "land_preference",
        "fiscal_support",
        "financial_support",
    }
)


@pytest.mark.parametrize("category", ["big_data_or_cloud", "data_center", "enterprise", "internet_cafe"])
def test_it_withdraws_only_what_the_party_is_on_record_as_having(category):
    """1283号: "已参与电力市场交易的…一律退出"; a preference or support is cancelled or stopped only where it was
    granted. An order without such an object has no content that can be carried out (行政诉讼法第七十条、第七十五条):
    market exit needs a market participation, the case authority's own preference or support needs one on
    record — never presumed of an organisation — and the omission says what is missing."""
    party = Party("p", category, facts=frozenset({"mining_confirmed"}))
    bare = [m for p in (IM, "national_1283") for m in evaluate(load_pack(p), [party], on=ON).measures]
    withdrawals = {
        "market_exit",
        "stop_support",
        "cancel_preferences",
        "cancel_tax_preferences",
        "cancel_land_preferences",
        "stop_fiscal_support",
        "stop_financial_support",
    }
    assert not {a.code for m in bare for a in m.actions} & withdrawals
    omitted = {o.code: o.as_dict() for m in bare for o in m.omitted}
    assert omitted["market_exit"]["missing"] == ["market_participation"]
    assert omitted["market_exit"]["reason"] == "当事人没有已参与的电力市场交易，本项不适用"
    assert omitted["stop_support"]["missing"] == ["own_preference"]
    assert "participation in a power market" in omitted["market_exit"]["reason_en"]
    # A tax or land preference likewise: the 建议函 asking its organ to cancel it needs one on record.
    assert omitted["cancel_tax_preferences"]["missing"] == ["tax_preference"]
    assert omitted["cancel_tax_preferences"]["reason"] == "当事人没有享受的税收优惠，本项不适用"
    assert omitted["cancel_land_preferences"]["missing"] == ["land_preference"]
    # Fiscal and financial support too: the finance department and the financial regulator are asked to stop
    # only support the party is on record as receiving (1283号; 行政诉讼法第七十条、第七十五条).
    assert omitted["stop_fiscal_support"]["missing"] == ["fiscal_support"]
    assert omitted["stop_fiscal_support"]["reason"] == "当事人没有享受的财政补贴、资金支持，本项不适用"
    assert omitted["stop_financial_support"]["missing"] == ["financial_support"]
    # Each on record alone gets its own letter alone.
    for holding, action in (
        ("tax_preference", "cancel_tax_preferences"),
        ("financial_support", "stop_financial_support"),
    ):
        only = dataclasses.replace(party, holdings=frozenset({holding}))
        asked = {
            a.code for m in evaluate(load_pack("national_1283"), [only], on=ON).measures for a in m.actions
        }
        assert asked & withdrawals == {action}

    recorded = dataclasses.replace(party, holdings=ALL_HOLDINGS)
    national = tracks_by_rule(category, {"mining_confirmed"}, "national_1283", holdings=ALL_HOLDINGS)
    assert national[3] == [("market_exit", "measure", "development_reform")]
    assert national[4][0] == ("stop_support", "measure", "development_reform")
    assert {
        "cancel_tax_preferences",
        "cancel_land_preferences",
        "stop_fiscal_support",
        "stop_financial_support",
    } <= {a[0] for a in national[4]}
    if category in ("big_data_or_cloud", "data_center"):  # measure 2 of the eight
        regional = {a.code for m in evaluate(load_pack(IM), [recorded], on=ON).measures for a in m.actions}
        assert {
            "cancel_preferences",
            "market_exit",
            "cancel_tax_preferences",
            "cancel_land_preferences",
        } <= regional
    only_account = frozenset({"power_account", "project"})
    assert tracks_by_rule(category, {"mining_confirmed"}, "national_1283", holdings=only_account)[3] == []


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


def test_it_carries_the_provisions_a_penalty_violates_on_the_action():
    """The violated provisions (违法依据) travel with the penalty beside its basis; other actions have none."""
    evaluation = evaluate(
        load_pack(IM), [Party("p", "enterprise")], {"unapproved_power_connection", "mining_confirmed"}
    )
    actions = {a.code: a for m in evaluation.measures for a in m.actions}
    fine = actions["theft_fine"].as_dict()
    assert [(b["law"], b["article"]) for b in fine["violated_basis"]] == [
        ("中华人民共和国电力法", "第四条第二款"),
        ("电力供应与使用条例", "第三十一条"),
    ]
    assert fine["violated_basis"][1]["verified"] is False and "verified" not in fine["violated_basis"][0]
    assert "violated_basis" not in actions["refer_police_theft"].as_dict()


def test_it_dates_the_violated_provisions_like_the_penalty_basis():
    """A dated violated provision: the version in force on the act's day, an error outside every version."""
    fine = next(a for r in load_pack(IM).rules for a in r.actions if a.code == "theft_fine")
    old = LegalBasis("某条例", "第一条", Validity(None, dt.date(2019, 12, 31)))
    new = LegalBasis("某条例", "第二条", Validity(dt.date(2020, 1, 1), None))
    dated = dataclasses.replace(fine, violated_basis=(old, new))
    assert dated.violated_on(dt.date(2019, 6, 1)) == (old,)
    assert dated.violated_on(dt.date(2021, 6, 1)) == (new,)
    only_old = dataclasses.replace(fine, violated_basis=(old,))
    with pytest.raises(PolicyInputError):
        only_old.violated_on(dt.date(2021, 6, 1))
