"""The transition table of the case and of each legal track (pure: no Django, no I/O).

Services enforce it (:func:`next_step` raises :class:`TransitionRefused`, which the services turn into a
``TransitionError``); views and templates render :func:`allowed_actions` (no stage literals in templates).
Guards are flag names a caller computes from the records (``services.tracks.track_flags``): an edge is
open when every flag in ``needs`` is set and none in ``unless`` is.

Procedures (issue 11; 行政处罚法 2021, 国务院令第310号):

* penalty — notice (第四十四条) → statement / hearing (第六十三、六十四条) → legal review (第五十八条; the
  reviewer took no part in the investigation; after a hearing always) → collective discussion where
  required (第五十七条, minutes) → decision (第五十九条) → service (第六十一条) → enforcement.
* measure — its own letter (处理决定/通知, with basis and remedies), then the departments' tasks.
* other_authority — a 建议函 to the authority that holds the power and a task; its answer ends the track.
* internal — work inside the administration (the weekly register of mining projects, the double count of
  a new project's energy in the region's assessment): tasks to the departments, no act served on the party
  and so no remedies (法释〔2018〕1号第一条第二款第（五）项、第（十）项: acts without external legal effect, or
  with no real effect on a party's rights and duties, are not acts a party can challenge).
* credit — 拟列入告知书 (国办发〔2020〕49号: grounds, basis, rights) → objection period (陈述申辩, working
  days) or written waiver → objection answered → listing decision (列入决定书, numbered) or not listed;
  publication and repair then run in the credit app.
* referral / accountability — propose → decide within 3 days → transfer within 24 h → receipt → answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

ENDED = "ended"


@dataclass(frozen=True)
class Edge:
    action: str
    to: str
    needs: frozenset[str] = frozenset()
    unless: frozenset[str] = frozenset()

    def open(self, flags: frozenset[str]) -> bool:
        return self.needs <= flags and not self.unless & flags


def _edge(action: str, to: str, needs: Iterable[str] = (), unless: Iterable[str] = ()) -> Edge:
    return Edge(action, to, frozenset(needs), frozenset(unless))


Flow = Mapping[str, tuple[Edge, ...]]

# -- the case --------------------------------------------------------------------------------------------
CASE_FLOW: Flow = MappingProxyType(
    {
        "investigating": (
            _edge("evaluate", "investigating"),
            _edge("edit_parties", "investigating"),
            _edge("correct_particulars", "investigating"),
            _edge("calculate", "investigating"),
            _edge("propose_referral", "investigating"),
            _edge("submit_review", "legal_review", needs={"determined"}),
            _edge("extend_decision", "investigating", needs={"extension_rule"}, unless={"extended"}),
        ),
        "legal_review": (
            _edge("review_approve", "notice"),
            _edge("review_return", "investigating"),
            _edge("correct_particulars", "legal_review"),
            _edge("calculate", "legal_review"),
            _edge("propose_referral", "legal_review"),
            _edge("extend_decision", "legal_review", needs={"extension_rule"}, unless={"extended"}),
        ),
        # Tracks are running; the case is "decided" once every penalty party is decided.
        "notice": (
            _edge("calculate", "notice"),
            _edge("correct_particulars", "notice"),
            _edge("propose_referral", "notice"),
            _edge("cancel_task", "notice"),
            _edge("extend_decision", "notice", needs={"extension_rule"}, unless={"extended"}),
        ),
        # The close service names whatever still runs (tracks, tasks, service of decisions).
        "decided": (
            _edge("propose_referral", "decided"),
            _edge("correct_particulars", "decided"),
            _edge("cancel_task", "decided"),
            _edge("close", "closed"),
        ),
        "closed": (_edge("record_follow_up", "closed", needs={"follow_up_due"}),),
    }
)

# -- the tracks ------------------------------------------------------------------------------------------
_REFERRAL: Flow = {
    "proposed": (_edge("referral_approve", "approved"), _edge("referral_decline", ENDED)),
    "approved": (_edge("referral_transfer", "transferred"),),
    "transferred": (_edge("referral_receipt", "received"),),
    "received": (_edge("referral_answer", ENDED),),
    ENDED: (),
}

TRACK_FLOWS: Mapping[str, Flow] = MappingProxyType(
    {
        "penalty": MappingProxyType(
            {
                "awaiting_approval": (),
                # 行政处罚法第五十四条: the authority holding the power files its own case first when
                # another authority filed this one (tracks.needs_own_filing).
                "filing": (_edge("penalty_file", "notice"),),
                # 国务院令第310号第十一条: a fine waits while the criminal process comes first.
                "notice": (_edge("notice_issue", "rights", unless={"criminal_hold"}),),
                "rights": (
                    _edge("statement_record", "rights", unless={"rights_waived"}),
                    _edge("rights_waive", "rights", unless={"rights_waived", "hearing_requested"}),
                    _edge(
                        "hearing_request",
                        "rights",
                        needs={"hearing_right", "hearing_period_open"},
                        unless={"hearing_requested", "rights_waived"},
                    ),
                    _edge(
                        "hearing_schedule",
                        "rights",
                        needs={"hearing_requested"},
                        unless={"hearing_scheduled"},
                    ),
                    _edge("hearing_conclude", "rights", needs={"hearing_scheduled"}, unless={"hearing_over"}),
                    _edge("penalty_review", "discussion", needs={"rights_settled", "discussion_required"}),
                    _edge(
                        "penalty_review", "decision", needs={"rights_settled"}, unless={"discussion_required"}
                    ),
                ),
                "discussion": (_edge("discussion_record", "decision"),),
                "decision": (_edge("decision_issue", "service", unless={"criminal_hold"}),),
                "service": (_edge("decision_serve", "enforcement"),),
                "enforcement": (_edge("enforcement_record", ENDED),),
                ENDED: (),
            }
        ),
        "measure": MappingProxyType(
            {
                "awaiting_approval": (),
                "letter": (_edge("letter_issue", "execution"), _edge("letter_decline", ENDED)),
                "execution": (_edge("execution_complete", ENDED, needs={"tasks_done"}),),
                ENDED: (),
            }
        ),
        "other_authority": MappingProxyType(
            {
                "awaiting_approval": (),
                "letter": (_edge("advice_send", "awaiting_answer"),),
                "awaiting_answer": (_edge("answer_record", ENDED, needs={"tasks_done"}),),
                ENDED: (),
            }
        ),
        "internal": MappingProxyType(
            {
                "awaiting_approval": (),
                "assign": (_edge("internal_assign", "execution"),),
                "execution": (_edge("execution_complete", ENDED, needs={"tasks_done"}),),
                ENDED: (),
            }
        ),
        # 国办发〔2020〕49号: before a party is listed it is told the grounds, basis and its rights (拟列入
        # 告知书) and may state objections; the listing decision waits for the period to end, or for the
        # objection to be answered, or for a written waiver. An upheld objection ends the track unlisted.
        "credit": MappingProxyType(
            {
                "awaiting_approval": (),
                # 49号: the listing rests on a decision with legal effect; one made outside the platform
                # (a judgment, another organ's penalty) is recorded before the notice.
                "handover": (
                    _edge("credit_ground_record", "handover"),
                    _edge("credit_notice_issue", "credit_rights"),
                    # nothing to list on (no statute for the ground: credit.services.require_listing_statute)
                    # or the facts no longer call for it: the track ends unlisted, with the reason
                    _edge("credit_decline", ENDED),
                ),
                "credit_rights": (
                    _edge(
                        "credit_statement_record",
                        "credit_rights",
                        unless={"credit_stated", "credit_waived"},
                    ),
                    _edge("credit_rights_waive", "credit_rights", unless={"credit_stated", "credit_waived"}),
                    _edge(
                        "credit_statement_answer",
                        "credit_rights",
                        needs={"credit_stated"},
                        unless={"credit_answered"},
                    ),
                    _edge("credit_listing_decide", ENDED, needs={"credit_rights_settled"}),
                    _edge("credit_not_listed", ENDED, needs={"credit_objection_upheld"}),
                ),
                ENDED: (),
            }
        ),
        "referral": MappingProxyType(_REFERRAL),
        "accountability": MappingProxyType(_REFERRAL),
    }
)

# Where a track starts: referrals at once (310号令: never held back), the rest once the proposed
# handling is approved (``START_AFTER_APPROVAL``).
FIRST_STEP: Mapping[str, str] = MappingProxyType(
    {
        "penalty": "awaiting_approval",
        "measure": "awaiting_approval",
        "other_authority": "awaiting_approval",
        "internal": "awaiting_approval",
        "credit": "awaiting_approval",
        "referral": "proposed",
        "accountability": "proposed",
    }
)
START_AFTER_APPROVAL: Mapping[str, str] = MappingProxyType(
    {
        "penalty": "notice",
        "measure": "letter",
        "other_authority": "letter",
        "internal": "assign",
        "credit": "handover",
    }
)

# Names shown for steps and actions (bilingual, for views and documents).
STEP_NAMES: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "awaiting_approval": ("待审核拟处理意见", "Awaiting approval of the proposed handling"),
        "filing": ("待有权机关立案", "Penalty authority to file"),
        "notice": ("待送达告知书", "Notice to serve"),
        "rights": ("陈述申辩与听证", "Statement and hearing"),
        "discussion": ("待集体讨论", "Collective discussion"),
        "decision": ("待作出决定", "Decision to make"),
        "service": ("待送达决定书", "Decision to serve"),
        "enforcement": ("执行中", "Enforcement"),
        "letter": ("待出具文书", "Letter to issue"),
        "execution": ("部门执行中", "Departments executing"),
        "assign": ("待交办内部工作", "Internal work to assign"),
        "awaiting_answer": ("待对方机关答复", "Awaiting the authority's answer"),
        "handover": ("待送达拟列入失信主体名单告知书", "Notice of intended listing to serve"),
        "credit_rights": ("陈述申辩（异议）期", "Objection period"),
        "proposed": ("待决定是否移送（3日内）", "Referral to decide (3 days)"),
        "approved": ("待移送（24小时内）", "To transfer (24 h)"),
        "transferred": ("已移送，待回执", "Transferred, awaiting receipt"),
        "received": ("已接收，待答复", "Received, awaiting answer"),
        ENDED: ("已办结", "Ended"),
    }
)
ACTION_NAMES: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "evaluate": ("运行措施引擎", "Run the measures engine"),
        "calculate": ("计算", "Calculate"),
        "propose_referral": ("提出移送", "Propose a referral"),
        "cancel_task": ("撤销部门任务", "Cancel a task"),
        "edit_parties": ("编辑当事人", "Edit parties"),
        "correct_particulars": ("更正当事人身份信息", "Correct a party's particulars"),
        "submit_review": ("提交审核", "Submit for review"),
        "extend_decision": ("延长决定期限", "Extend the decision period"),
        "review_approve": ("审核通过", "Approve"),
        "review_return": ("退回补正", "Return for correction"),
        "close": ("结案", "Close the case"),
        "record_follow_up": ("记录回头看", "Record a follow-up check"),
        "penalty_file": ("有权机关立案", "Filed by the authority holding the power"),
        "notice_issue": ("送达行政处罚告知书", "Serve the penalty notice"),
        "statement_record": ("记录陈述申辩", "Record the statement"),
        "rights_waive": ("记录书面放弃", "Record a written waiver"),
        "hearing_request": ("登记听证申请", "Record a hearing request"),
        "hearing_schedule": ("安排听证", "Schedule the hearing"),
        "hearing_conclude": ("记录听证结果", "Record the hearing"),
        "penalty_review": ("法制审核（决定前）", "Legal review before the decision"),
        "discussion_record": ("记录集体讨论", "Record the collective discussion"),
        "decision_issue": ("作出行政处罚决定", "Issue the penalty decision"),
        "decision_serve": ("送达决定书", "Serve the decision"),
        "enforcement_record": ("记录执行结果", "Record enforcement"),
        "letter_issue": ("出具处理决定（通知）", "Issue the decision letter"),
        "letter_decline": ("不作出处理决定（登记理由）", "Make no decision (with the reason)"),
        "execution_complete": ("确认执行完毕", "Confirm execution"),
        "internal_assign": (
            "交办内部工作（不对外作出决定）",
            "Assign the internal work (no act on the party)",
        ),
        "advice_send": ("发送建议函", "Send the letter of advice"),
        "answer_record": ("确认对方机关已答复", "Confirm the authority's answer"),
        "credit_ground_record": (
            "登记认定失信行为的生效文书（本平台外作出）",
            "Record the effective document that established the conduct (made outside the platform)",
        ),
        "credit_notice_issue": ("送达拟列入失信主体名单告知书", "Serve the notice of intended listing"),
        "credit_statement_record": ("记录陈述申辩（异议）", "Record the objection"),
        "credit_rights_waive": ("记录书面放弃", "Record a written waiver"),
        "credit_statement_answer": ("核实并答复异议", "Verify and answer the objection"),
        "credit_listing_decide": ("作出列入决定", "Decide the listing"),
        "credit_not_listed": ("异议成立，不予列入", "Objection upheld: not listed"),
        "credit_decline": ("不予列入（记明理由）", "Not listed (with the reason)"),
        "referral_approve": ("批准移送", "Approve the referral"),
        "referral_decline": ("不予移送（附理由）", "Decline (with reasons)"),
        "referral_transfer": ("移送", "Transfer"),
        "referral_receipt": ("登记回执", "Record the receipt"),
        "referral_answer": ("登记答复", "Record the answer"),
    }
)


class TransitionRefused(Exception):
    """``action`` is not open from ``step`` with the given flags."""

    def __init__(self, kind: str, step: str, action: str, allowed: list[str]) -> None:
        self.kind, self.step, self.action, self.allowed = kind, step, action, allowed
        super().__init__(f"{kind}: {action} not allowed at {step} (allowed: {allowed})")


def _flow(kind: str) -> Flow:
    return CASE_FLOW if kind == "case" else TRACK_FLOWS[kind]


def allowed_actions(kind: str, step: str, flags: Iterable[str] = ()) -> list[str]:
    """The actions open at ``step`` of ``kind`` (``"case"`` or a track kind), in table order, once each."""
    given = frozenset(flags)
    return list(dict.fromkeys(e.action for e in _flow(kind).get(step, ()) if e.open(given)))


def next_step(kind: str, step: str, action: str, flags: Iterable[str] = ()) -> str:
    """The step ``action`` leads to, or TransitionRefused when the table does not allow it."""
    given = frozenset(flags)
    for edge in _flow(kind).get(step, ()):
        if edge.action == action and edge.open(given):
            return edge.to
    raise TransitionRefused(kind, step, action, allowed_actions(kind, step, given))


def steps(kind: str) -> list[str]:
    return list(_flow(kind))
