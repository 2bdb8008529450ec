"""The transition table: closed under its own steps, named in both languages, guards that bite."""

from __future__ import annotations

import pytest

from minesweep.cases.models import Case
from minesweep.cases.transitions import (
    ACTION_NAMES,
    CASE_FLOW,
    ENDED,
    FIRST_STEP,
    START_AFTER_APPROVAL,
    STEP_NAMES,
    TRACK_FLOWS,
    TransitionRefused,
    allowed_actions,
    next_step,
    steps,
)
from minesweep.policy.codes import TRACKS


def test_it_has_a_flow_for_every_track_and_every_case_stage():
    assert set(TRACK_FLOWS) == set(TRACKS) == set(FIRST_STEP)
    assert set(CASE_FLOW) == set(Case.Stage.values)


@pytest.mark.parametrize("kind", ["case", *TRACKS])
def test_every_edge_leads_to_a_step_of_its_own_flow_and_every_name_is_bilingual(kind):
    flow = CASE_FLOW if kind == "case" else TRACK_FLOWS[kind]
    for step, edges in flow.items():
        for edge in edges:
            assert edge.to in flow, (kind, step, edge)
            assert edge.action in ACTION_NAMES
        if kind != "case":
            assert step in STEP_NAMES
    if kind != "case":
        assert ENDED in flow and flow[ENDED] == ()
        assert FIRST_STEP[kind] in flow
        assert START_AFTER_APPROVAL.get(kind, FIRST_STEP[kind]) in flow


def test_the_penalty_track_runs_in_the_order_the_law_sets():
    route = [
        ("notice", "notice_issue", set()),
        ("rights", "penalty_review", {"rights_settled", "discussion_required"}),
        ("discussion", "discussion_record", set()),
        ("decision", "decision_issue", set()),
        ("service", "decision_serve", set()),
        ("enforcement", "enforcement_record", set()),
    ]
    step = "notice"
    for expected, action, flags in route:
        assert step == expected
        step = next_step("penalty", step, action, flags)
    assert step == ENDED
    assert next_step("penalty", "rights", "penalty_review", {"rights_settled"}) == "decision"


def test_it_refuses_a_shortcut_and_names_what_is_allowed():
    with pytest.raises(TransitionRefused) as refused:
        next_step("penalty", "rights", "decision_issue", {"rights_settled"})
    assert "penalty_review" in refused.value.allowed
    with pytest.raises(TransitionRefused):
        next_step("penalty", "rights", "penalty_review")  # periods still running: no review yet
    assert "hearing_request" not in allowed_actions("penalty", "rights", {"hearing_period_open"})
    assert "hearing_request" in allowed_actions("penalty", "rights", {"hearing_period_open", "hearing_right"})
    assert allowed_actions("penalty", "awaiting_approval") == []


def test_a_referral_starts_at_once_and_other_tracks_after_approval():
    assert FIRST_STEP["referral"] == "proposed" and FIRST_STEP["accountability"] == "proposed"
    assert all(
        FIRST_STEP[k] == "awaiting_approval" for k in ("penalty", "measure", "other_authority", "credit")
    )
    assert next_step("referral", "proposed", "referral_decline") == ENDED


def test_other_tracks_end_only_when_their_tasks_are_done():
    assert allowed_actions("other_authority", "awaiting_answer") == []
    assert allowed_actions("other_authority", "awaiting_answer", {"tasks_done"}) == ["answer_record"]
    assert allowed_actions("measure", "execution", {"tasks_done"}) == ["execution_complete"]


def test_the_case_offers_an_extension_only_where_a_rule_allows_it_and_once():
    assert "extend_decision" not in allowed_actions("case", "investigating")
    assert "extend_decision" in allowed_actions("case", "investigating", {"extension_rule"})
    assert "extend_decision" not in allowed_actions("case", "notice", {"extension_rule", "extended"})
    assert steps("case")[0] == "investigating"
