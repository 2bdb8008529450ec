"""The case page by stage: which panel shows which sections, which panel a stage opens on, and the next
required actions read from the transition table (``cases.transitions``) — no stage literal in templates.

A panel is one screenful of work: the header (stage, open deadlines, next required action) is always shown;
below it one panel. A refused or saved action comes back to the panel its form was on.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

from minesweep.cases.transitions import ACTION_NAMES, CASE_FLOW
from minesweep.core.i18n import pick


@dataclass(frozen=True)
class Panel:
    code: str
    zh: str
    en: str

    @property
    def label(self) -> str:
        return pick(self.zh, self.en)


PANELS: tuple[Panel, ...] = (
    Panel("investigation", "调查取证", "Investigation"),
    Panel("determination", "处理意见与审核", "Handling and review"),
    Panel("tracks", "各当事人程序", "Parties' tracks"),
    Panel("tasks", "部门任务与移送", "Tasks and referrals"),
    Panel("closure", "结案与回头看", "Closure and follow-up"),
    Panel("timeline", "办案记录", "Timeline"),
)
CODES = frozenset(p.code for p in PANELS)

# The section anchors each handler returns (views.CASE_ACTIONS) → the panel holding that section.
SECTION_PANEL: Mapping[str, str] = {
    "parties": "investigation",
    "party-form": "investigation",
    "investigation": "investigation",
    "calculations": "investigation",
    "determination": "determination",
    "review": "determination",
    "submit-form": "determination",
    "review-form": "determination",
    "tracks": "tracks",
    "tasks": "tasks",
    "referrals": "tasks",
    "follow-ups": "closure",
    "close-form": "closure",
    "log": "timeline",
}

# Where work happens in each case stage (the stage names come from Case.Stage).
STAGE_PANEL: Mapping[str, str] = {
    "investigating": "investigation",
    "legal_review": "determination",
    "notice": "tracks",
    "decided": "tracks",
    "closed": "closure",
}

# Tracks whose forms are under Referrals (the tasks panel), not under the parties' tracks.
REFERRAL_KINDS = frozenset({"referral", "accountability"})

# Case-level actions that are bookkeeping, not the step that moves the case on.
ROUTINE = frozenset(
    {"calculate", "propose_referral", "cancel_task", "edit_parties", "correct_particulars", "extend_decision"}
)
# The panel each case action's form is on.
ACTION_PANEL: Mapping[str, str] = {
    "evaluate": "determination",
    "submit_review": "determination",
    "review_approve": "determination",
    "review_return": "determination",
    "close": "closure",
    "record_follow_up": "closure",
}


def panel_for_section(anchor: str) -> str:
    if anchor.startswith("track"):
        return "tracks"
    return SECTION_PANEL.get(anchor, "")


def return_query(anchor: str, referer: str) -> str:
    """The query string to come back to after an action: the panel of the section the handler names, and
    the party that was in view when the form was on that same panel (so the officer stays with her)."""
    panel = panel_for_section(anchor)
    came = parse_qs(urlparse(referer).query)
    came_panel, came_party = came.get("p", [""])[0], came.get("party", [""])[0]
    panel = panel or came_panel
    if not panel:
        return ""
    keep_party = came_party.isdigit() and came_panel == panel
    return urlencode({"p": panel, **({"party": came_party} if keep_party else {})})


def chosen_panel(requested: str, stage: str) -> str:
    return requested if requested in CODES else STAGE_PANEL.get(stage, "investigation")


def _moves_on(stage: str, action: str) -> bool:
    return any(edge.action == action and edge.to != stage for edge in CASE_FLOW.get(stage, ()))


def next_actions(
    *, stage: str, case_allowed: Iterable[str], has_parties: bool, determined: bool, tracks: Iterable[Any]
) -> list[dict[str, str]]:
    """What must be done next, in order: the case step (from the transition table), else the preparatory
    work that opens it, then each open track's allowed steps (per party)."""
    allowed = list(case_allowed)
    out: list[dict[str, str]] = []
    if stage == "investigating" and not has_parties:
        out.append(
            {"label": pick("增加当事人", "Add a party"), "panel": "investigation", "anchor": "parties"}
        )
    elif stage == "investigating" and not determined and "evaluate" in allowed:
        zh, en = ACTION_NAMES["evaluate"]
        out.append({"label": pick(zh, en), "panel": "determination", "anchor": "determination"})
    for action in allowed:
        if action in ROUTINE or not (_moves_on(stage, action) or action in ACTION_PANEL):
            continue
        if action == "evaluate" and (out or determined):
            continue
        zh, en = ACTION_NAMES.get(action, (action, action))
        panel = ACTION_PANEL.get(action, STAGE_PANEL.get(stage, "investigation"))
        out.append({"label": pick(zh, en), "panel": panel, "anchor": ""})
    for row in tracks:
        if not row["allowed"]:
            continue
        track = row["track"]
        zh, en = row["step"]  # one entry per track: the step it waits at (its forms offer the choices)
        referral = track.kind in REFERRAL_KINDS
        out.append(
            {
                "label": f"{track.party.name}{pick('：', ': ')}{pick(zh, en)}",
                "panel": "tasks" if referral else "tracks",
                "anchor": "referrals" if referral else "tracks",
                "party": "" if referral else str(track.party_id),
            }
        )
    return out


PARTY_PANELS = frozenset({"determination", "tracks"})


def _party_focus(panel: str, context: Mapping[str, Any], requested: str) -> dict[str, Any]:
    """On the measures and tracks panels of a case with several parties, one party at a time (the first
    with a step to take, unless one is asked for): the page stays short however many parties there are."""
    rows = list(context.get("party_rows", []))
    if panel not in PARTY_PANELS or len(rows) < 2:
        return {"party_tabs": [], "party": None}
    by_pk = {str(row["party"].pk): row for row in rows}
    waiting = [row for row in rows if any(tr["allowed"] for tr in row.get("tracks", []))]
    row = by_pk.get(requested) or (waiting[0] if panel == "tracks" and waiting else rows[0])
    party = row["party"]
    return {
        "party_tabs": [r["party"] for r in rows],
        "party": party,
        "party_rows": [row],
        "measures": [m for m in context.get("measures", []) if m.party_id == party.pk],
    }


def stage_context(
    *, stage: str, context: Mapping[str, Any], requested: str, party: str = ""
) -> dict[str, Any]:
    """The extra context of the case page by stage: the panel shown, the panel tabs, the next actions and
    the deadlines still open (the header shows these; the full list is on the timeline panel)."""
    tracks = [
        tr for row in context.get("party_rows", []) for tr in row.get("tracks", []) if not tr["track"].ended
    ]
    todo = next_actions(
        stage=stage,
        case_allowed=context.get("case_allowed", []),
        has_parties=bool(context.get("parties")),
        determined=context.get("determination") is not None,
        tracks=tracks,
    )
    open_deadlines = [d for d in context.get("deadlines", []) if not d.done]
    panel = chosen_panel(requested, stage)
    return {
        "panel": panel,
        "panels": PANELS,
        "next_actions": todo,
        "open_deadlines": open_deadlines,
        **_party_focus(panel, context, party),
    }
