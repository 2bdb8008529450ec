"""The measures engine (措施适用引擎): parties + established facts → the measures that apply.

Pure: no Django, no I/O beyond the pack already loaded. The case workflow calls :func:`evaluate` with
the parties of a determination; the command line calls it with one party per category.

Matching, per party and rule: the party's category is among the rule's categories, the party's facts
(its own, the case-wide ones and those its category implies) contain every ``all_of`` fact and, when
``any_of`` is given, at least one of them. An action may narrow further (``when_any_of``,
``categories``); a rule whose actions are all narrowed away does not apply.

Every action carries its legal track, the authority type that holds the power, its legal basis in force
on the day of the act (``on``) and, for a penalty, the hearing right derived from the penalty type and the
pack's 较大数额 (行政处罚法第六十三条). An action needing a holding the party lacks (a power account, a
project: codes.HOLDINGS) is omitted and listed under ``omitted`` with the reason.

Interpretations (issue 11, also in packs/README.md):
* Hearing right for a fine whose amount is not yet fixed: 行政处罚法第六十三条 gives the right from the
  regional 较大数额 on; before the amount is known the engine answers ``True`` ("may reach") and names the
  threshold, because wrongly denying the right voids the penalty (第六十三条、第三十八条) while granting it
  costs a hearing. :func:`hearing_right` with the amount gives the final answer for the notice.
* Holdings: an individual or public official is presumed to hold no power account or project unless the
  caller says so; an organisation is presumed to hold both (it is the one that signs supply contracts).
  Nobody is presumed to take part in a power market or to enjoy a preference (codes.PRESUMED_HOLDINGS):
  market exit and the withdrawal of a preference or support apply only where one is on record.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from minesweep.policy.codes import (
    ACTIONS,
    CASE_WIDE_FACTS,
    CATEGORY_IMPLIED_FACTS,
    DEPARTMENTS,
    FACTS,
    HEARING_ALWAYS,
    HEARING_FROM_AMOUNT,
    HOLDINGS,
    ORGANISATION_CATEGORIES,
    PENALTY_TYPES,
    PRESUMED_HOLDINGS,
    ROLES,
    SUBJECT_CATEGORIES,
    TRACKS,
    Code,
)
from minesweep.policy.errors import PolicyInputError
from minesweep.policy.packs import (
    AmountRange,
    Deadline,
    LegalBasis,
    PolicyPack,
    RequiredAction,
    Rule,
    department_names,
    hearing_threshold,
)


@dataclass(frozen=True)
class Party:
    """A party to the case (当事人). ``ref`` is the caller's identifier (e.g. the registry pk)."""

    ref: str
    category: str
    role: str = "operator"
    facts: frozenset[str] = frozenset()
    # codes.HOLDINGS the party has; None → presumed from the category (see the module docstring).
    holdings: frozenset[str] | None = None
    name: str = ""
    # An administrative organ (机关, e.g. a park's 管委会): actions the pack keeps off organs
    # (``against_organs: false``) are omitted for it. Never presumed: the caller says so.
    organ: bool = False

    @property
    def organisation(self) -> bool:
        return self.category in ORGANISATION_CATEGORIES

    def held(self) -> frozenset[str]:
        if self.holdings is not None:
            return self.holdings
        return presumed_holdings(self.category)


def presumed_holdings(category: str) -> frozenset[str]:
    """What a party of ``category`` is presumed to hold when nothing is recorded (module docstring)."""
    return PRESUMED_HOLDINGS if category in ORGANISATION_CATEGORIES else frozenset()


@dataclass(frozen=True)
class ApplicableAction:
    code: str
    department: str
    deadline: Deadline
    track: str = "measure"
    authority: str = ""
    legal_basis: tuple[LegalBasis, ...] = ()
    policy_basis: tuple[str, ...] = ()
    penalty_type: str = ""
    amount: AmountRange | None = None
    hearing_right: bool | None = None
    hearing_reason_zh: str = ""
    hearing_reason_en: str = ""
    # A penalty's violated provisions (违法依据), apart from legal_basis (处罚依据): 行政处罚法第四十四条、第五十九条.
    violated_basis: tuple[LegalBasis, ...] = ()
    # The region's department names (pack ``departments`` over codes.DEPARTMENTS), for the *_zh fields.
    names: Mapping[str, Code] = field(default_factory=lambda: DEPARTMENTS, repr=False, compare=False)

    def as_dict(self) -> dict[str, Any]:
        authority = self.authority or self.department
        data: dict[str, Any] = {
            "code": self.code,
            "zh": ACTIONS[self.code].zh,
            "en": ACTIONS[self.code].en,
            "track": self.track,
            "track_zh": TRACKS[self.track].zh,
            "authority": authority,
            "authority_zh": self.names[authority].zh,
            "department": self.department,
            "department_zh": self.names[self.department].zh,
            "deadline": self.deadline.as_dict(),
            "legal_basis": [b.as_dict() for b in self.legal_basis],
            "policy_basis": list(self.policy_basis),
        }
        if self.violated_basis:
            data["violated_basis"] = [b.as_dict() for b in self.violated_basis]
        if self.track == "penalty":
            data.update(
                {
                    "penalty_type": self.penalty_type,
                    "penalty_type_zh": PENALTY_TYPES[self.penalty_type].zh,
                    "amount": self.amount.as_dict() if self.amount else None,
                    "hearing_right": bool(self.hearing_right),
                    "hearing_reason": self.hearing_reason_zh,
                    "hearing_reason_en": self.hearing_reason_en,
                }
            )
        return data


@dataclass(frozen=True)
class OmittedAction:
    """An action the rule names but the party cannot be subject to: it lacks a holding it needs, or it is an
    administrative organ and the action is not taken against organs (``RequiredAction.against_organs``)."""

    code: str
    missing: tuple[str, ...]
    organ: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "zh": ACTIONS[self.code].zh,
            "missing": list(self.missing),
            **self._reason(),
        }

    def _reason(self) -> dict[str, str]:
        if self.organ:
            return {
                "reason": "当事人为行政机关，本项不对其适用",
                "reason_en": "the party is an administrative organ; this action is not taken against it",
            }
        names_zh = "、".join(HOLDINGS[m].zh for m in self.missing)
        names_en = ", ".join(HOLDINGS[m].en for m in self.missing)
        return {
            "reason": f"当事人没有{names_zh}，本项不适用",
            "reason_en": f"the party has no {names_en.lower()}; this action does not apply",
        }


def hearing_right(
    pack: PolicyPack, penalty_type: str, *, organisation: bool, amount: Decimal | None = None
) -> tuple[bool, str, str]:
    """(right, reason_zh, reason_en) for a penalty of ``penalty_type`` under 行政处罚法第六十三条.

    Licence revocation, lowered qualification, suspension of production or business, closure and an
    occupational ban always carry the right; a fine or confiscation carries it from the pack's 较大数额
    for the party's kind (individual / organisation) on; other types (warning, criticism …) do not."""
    name = PENALTY_TYPES[penalty_type].zh
    if penalty_type in HEARING_ALWAYS:
        return (
            True,
            f"拟作出{name}，属行政处罚法第六十三条规定的听证范围",
            f"{PENALTY_TYPES[penalty_type].en} carries a hearing right (Art. 63)",
        )
    if penalty_type not in HEARING_FROM_AMOUNT:
        return (
            False,
            f"{name}不属行政处罚法第六十三条规定的听证范围",
            f"{PENALTY_TYPES[penalty_type].en} carries no hearing right (Art. 63)",
        )
    kind = "fine" if penalty_type == "fine" else "confiscation"
    threshold = hearing_threshold(pack, organisation=organisation, kind=kind)
    who_zh, who_en = ("单位", "an organisation") if organisation else ("个人", "an individual")
    if threshold is None:
        return (
            True,
            f"政策包未设定{who_zh}“较大数额”标准，按享有听证权处理（行政处罚法第六十三条）",
            f"the pack sets no 'large amount' for {who_en}: treated as carrying a hearing right (Art. 63)",
        )
    if amount is None:
        return (
            True,
            f"数额未定：对{who_zh}{name}达到 {threshold} 元即属“较大数额”，享有听证权（行政处罚法第六十三条）",
            f"amount not fixed yet: {who_en} has a hearing right from {threshold} yuan (Art. 63)",
        )
    if amount >= threshold:
        return (
            True,
            f"对{who_zh}{name} {amount} 元，达到较大数额 {threshold} 元（行政处罚法第六十三条）",
            f"{amount} yuan reaches the large amount of {threshold} yuan for {who_en} (Art. 63)",
        )
    return (
        False,
        f"对{who_zh}{name} {amount} 元，低于较大数额 {threshold} 元，不属行政处罚法第六十三条的听证范围",
        f"{amount} yuan is below the large amount of {threshold} yuan for {who_en}: no hearing right",
    )


@dataclass(frozen=True)
class ApplicableMeasure:
    """One measure applying to one party, with the reason it applies (适用理由)."""

    rule_id: int
    title_zh: str
    title_en: str
    party: Party
    department: str
    actions: tuple[ApplicableAction, ...]
    basis: tuple[str, ...]
    source_clause: str
    matched_facts: tuple[str, ...]
    reason_zh: str
    reason_en: str
    omitted: tuple[OmittedAction, ...] = ()
    names: Mapping[str, Code] = field(default_factory=lambda: DEPARTMENTS, repr=False, compare=False)

    def tracks(self) -> list[str]:
        return list(dict.fromkeys(a.track for a in self.actions))

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.rule_id,
            "title": self.title_zh,
            "title_en": self.title_en,
            "party": {"ref": self.party.ref, "category": self.party.category, "role": self.party.role},
            "department": self.department,
            "department_zh": self.names[self.department].zh,
            "actions": [action.as_dict() for action in self.actions],
            "basis": list(self.basis),
            "source_clause": self.source_clause,
            "matched_facts": list(self.matched_facts),
            "reason": self.reason_zh,
            "reason_en": self.reason_en,
            "tracks": self.tracks(),
            "omitted": [o.as_dict() for o in self.omitted],
        }


@dataclass(frozen=True)
class Evaluation:
    pack_id: str
    measures: tuple[ApplicableMeasure, ...] = field(default_factory=tuple)

    def rule_ids(self) -> list[int]:
        return sorted({m.rule_id for m in self.measures})

    def for_party(self, ref: str) -> list[ApplicableMeasure]:
        return [m for m in self.measures if m.party.ref == ref]

    def by_measure(self) -> list[dict[str, Any]]:
        """One entry per measure, merging the parties it applies to (the command-line shape)."""
        merged: dict[int, dict[str, Any]] = {}
        for measure in sorted(self.measures, key=lambda m: m.rule_id):
            entry = merged.setdefault(
                measure.rule_id,
                {
                    "id": measure.rule_id,
                    "title": measure.title_zh,
                    "title_en": measure.title_en,
                    "actions": [],
                    "department": measure.department,
                    "department_zh": measure.names[measure.department].zh,
                    "basis": list(measure.basis),
                    "source_clause": measure.source_clause,
                    "parties": [],
                    "omitted": [],
                },
            )
            for action in measure.actions:
                if action.code not in {a["code"] for a in entry["actions"]}:
                    entry["actions"].append(action.as_dict())
            for omitted in measure.omitted:
                entry["omitted"].append({"party": measure.party.ref, **omitted.as_dict()})
            entry["parties"].append(
                {
                    "ref": measure.party.ref,
                    "category": measure.party.category,
                    "role": measure.party.role,
                    "reason": measure.reason_zh,
                    "reason_en": measure.reason_en,
                }
            )
        return list(merged.values())

    def as_dict(self) -> dict[str, Any]:
        return {"pack": self.pack_id, "measures": self.by_measure()}

    def per_party(self, parties: Iterable[Party]) -> list[dict[str, Any]]:
        """One entry per party (in the given order) with its own measures: the ``--case`` answer."""
        return [
            {
                "ref": party.ref,
                "name": party.name or party.ref,
                "category": party.category,
                "role": party.role,
                "measures": [m.as_dict() for m in self.for_party(party.ref)],
                "tracks": list(dict.fromkeys(t for m in self.for_party(party.ref) for t in m.tracks())),
            }
            for party in parties
        ]


def evaluate(
    pack: PolicyPack,
    parties: Iterable[Party],
    case_facts: Iterable[str] = (),
    *,
    on: dt.date | None = None,
) -> Evaluation:
    """Every (party, measure) pair of ``pack`` that applies on day ``on`` (default today), in rule order
    then party order.

    ``case_facts`` hold for every party; each party may add its own in ``Party.facts``.
    Raises PolicyInputError for an unknown category, role or fact code, and for a day on which a law an
    action rests on has no version in force.
    """
    day = on or dt.date.today()
    shared = _checked_facts(case_facts)
    found: list[ApplicableMeasure] = []
    checked_parties = [_checked_party(p) for p in parties]
    for rule in pack.rules_on(day):
        for party in checked_parties:
            measure = _apply(pack, rule, party, shared | party.facts, day)
            if measure is not None:
                found.append(measure)
    return Evaluation(pack.id, tuple(found))


def evaluate_case(
    pack: PolicyPack,
    parties: Iterable[Party],
    case_facts: Iterable[str] = (),
    *,
    on: dt.date | None = None,
) -> Evaluation:
    """Like :func:`evaluate` for a multi-party case, where facts belong to parties: only
    codes.CASE_WIDE_FACTS may be given for the whole case (issue 11 §2); anything else is refused with
    the fact named, so a host's site never becomes everybody's mining."""
    facts = _checked_facts(case_facts)
    personal = sorted(facts - CASE_WIDE_FACTS)
    if personal:
        raise PolicyInputError(
            f"事实 {personal} 属于具体当事人，请记在当事人名下；全案事实仅限 {sorted(CASE_WIDE_FACTS)}",
            f"facts {personal} belong to a party, record them on that party; case-wide facts are only "
            f"{sorted(CASE_WIDE_FACTS)}",
            facts=personal,
        )
    return evaluate(pack, parties, facts, on=on)


def _checked_facts(facts: Iterable[str]) -> frozenset[str]:
    facts = frozenset(facts)
    unknown = sorted(facts - set(FACTS))
    if unknown:
        raise PolicyInputError(
            f"未知的事实代码 {unknown}，可用：{sorted(FACTS)}",
            f"unknown fact codes {unknown}; known: {sorted(FACTS)}",
            facts=unknown,
        )
    return facts


def _checked_party(party: Party) -> Party:
    if party.category not in SUBJECT_CATEGORIES:
        raise PolicyInputError(
            f"未知的主体类别 “{party.category}”，可用：{sorted(SUBJECT_CATEGORIES)}",
            f"unknown subject category '{party.category}'; known: {sorted(SUBJECT_CATEGORIES)}",
            category=party.category,
        )
    if party.role not in ROLES:
        raise PolicyInputError(
            f"未知的当事人角色 “{party.role}”，可用：{sorted(ROLES)}",
            f"unknown party role '{party.role}'; known: {sorted(ROLES)}",
            role=party.role,
        )
    _checked_facts(party.facts)
    return party


def _apply(
    pack: PolicyPack, rule: Rule, party: Party, facts: frozenset[str], on: dt.date
) -> ApplicableMeasure | None:
    if party.category not in rule.categories:
        return None
    implied = CATEGORY_IMPLIED_FACTS.get(party.category, frozenset())
    facts = facts | implied
    if not rule.all_of <= facts or (rule.any_of and not rule.any_of & facts):
        return None
    required = [a for a in rule.actions if _action_required(a, party, facts)]
    if not required:
        return None
    held = party.held()
    actions = tuple(applicable_action(pack, a, party, on) for a in required if _open_to(a, party, held))
    omitted = tuple(
        OmittedAction(a.code, tuple(sorted(a.requires - held)), party.organ and not a.against_organs)
        for a in required
        if not _open_to(a, party, held)
    )
    matched = tuple(sorted((rule.all_of | rule.any_of) & facts))
    conditional = tuple(sorted({f for a in rule.actions for f in a.when_any_of} & facts - set(matched)))
    reason_zh, reason_en = _reason(rule, party, matched + conditional, implied)
    return ApplicableMeasure(
        rule_id=rule.id,
        title_zh=rule.title_zh,
        title_en=rule.title_en,
        party=party,
        department=rule.department,
        actions=actions,
        basis=rule.basis,
        source_clause=rule.source_clause,
        matched_facts=matched + conditional,
        reason_zh=reason_zh,
        reason_en=reason_en,
        omitted=omitted,
        names=department_names(pack),
    )


def applicable_action(
    pack: PolicyPack, action: RequiredAction, party: Party, on: dt.date, amount: Decimal | None = None
) -> ApplicableAction:
    """The pack action as it applies to ``party`` on day ``on``: the legal basis (for a penalty, the
    provisions violated too) in force that day and, for a penalty, the derived hearing right."""
    right: bool | None = None
    reason_zh = reason_en = ""
    if action.track == "penalty":
        right, reason_zh, reason_en = hearing_right(
            pack, action.penalty_type, organisation=party.organisation, amount=amount
        )
    return ApplicableAction(
        code=action.code,
        department=action.department,
        deadline=action.deadline,
        track=action.track,
        authority=action.authority or action.department,
        legal_basis=action.basis_on(on),
        violated_basis=action.violated_on(on),
        policy_basis=action.policy_basis,
        penalty_type=action.penalty_type,
        amount=action.amount,
        hearing_right=right,
        hearing_reason_zh=reason_zh,
        hearing_reason_en=reason_en,
        names=department_names(pack),
    )


def _open_to(action: RequiredAction, party: Party, held: frozenset[str]) -> bool:
    """Whether ``party`` can be subject to ``action``: it holds what the action needs, and it is not an
    administrative organ where the action is kept off organs."""
    return action.requires <= held and (action.against_organs or not party.organ)


def _action_required(action: RequiredAction, party: Party, facts: frozenset[str]) -> bool:
    if action.categories is not None and party.category not in action.categories:
        return False
    return not action.when_any_of or bool(action.when_any_of & facts)


def _reason(rule: Rule, party: Party, facts: tuple[str, ...], implied: frozenset[str]) -> tuple[str, str]:
    category = SUBJECT_CATEGORIES[party.category]
    facts_zh = "、".join(FACTS[f].zh + ("（由主体类别推定）" if f in implied else "") for f in facts)
    facts_en = "; ".join(FACTS[f].en + (" (implied by the category)" if f in implied else "") for f in facts)
    return (
        f"当事人 {party.ref}（{category.zh}）属于{rule.source_clause}的适用对象；已认定：{facts_zh}",
        # The clause is cited in Chinese only (source_clause): the English sentence names the measure by its
        # English title, and the page shows the clause set apart as the original text.
        f"party {party.ref} ({category.en}) is a subject of measure {rule.id} ({rule.title_en}); "
        f"established: {facts_en}",
    )
