"""The measures engine (措施适用引擎): parties + established facts → the measures that apply.

Pure: no Django, no I/O beyond the pack already loaded. The case workflow calls :func:`evaluate` with
the parties of a determination; the command line calls it with one party per category.

Matching, per party and rule: the party's category is among the rule's categories, the party's facts
(its own, the case-wide ones and those its category implies) contain every ``all_of`` fact and, when
``any_of`` is given, at least one of them. An action may narrow further (``when_any_of``,
``categories``); a rule whose actions are all narrowed away does not apply.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from minesweep.policy.codes import (
    ACTIONS,
    CATEGORY_IMPLIED_FACTS,
    DEPARTMENTS,
    FACTS,
    ROLES,
    SUBJECT_CATEGORIES,
)
from minesweep.policy.errors import PolicyInputError
from minesweep.policy.packs import Deadline, PolicyPack, RequiredAction, Rule


@dataclass(frozen=True)
class Party:
    """A party to the case (当事人). ``ref`` is the caller's identifier (e.g. the registry pk)."""

    ref: str
    category: str
    role: str = "operator"
    facts: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ApplicableAction:
    code: str
    department: str
    deadline: Deadline

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "zh": ACTIONS[self.code].zh,
            "en": ACTIONS[self.code].en,
            "department": self.department,
            "department_zh": DEPARTMENTS[self.department].zh,
            "deadline": self.deadline.as_dict(),
        }


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

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.rule_id,
            "title": self.title_zh,
            "title_en": self.title_en,
            "party": {"ref": self.party.ref, "category": self.party.category, "role": self.party.role},
            "department": self.department,
            "department_zh": DEPARTMENTS[self.department].zh,
            "actions": [action.as_dict() for action in self.actions],
            "basis": list(self.basis),
            "source_clause": self.source_clause,
            "matched_facts": list(self.matched_facts),
            "reason": self.reason_zh,
            "reason_en": self.reason_en,
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
                    "department_zh": DEPARTMENTS[measure.department].zh,
                    "basis": list(measure.basis),
                    "source_clause": measure.source_clause,
                    "parties": [],
                },
            )
            for action in measure.actions:
                if action.code not in {a["code"] for a in entry["actions"]}:
                    entry["actions"].append(action.as_dict())
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


def evaluate(pack: PolicyPack, parties: Iterable[Party], case_facts: Iterable[str] = ()) -> Evaluation:
    """Every (party, measure) pair of ``pack`` that applies, in rule order then party order.

    ``case_facts`` hold for every party; each party may add its own in ``Party.facts``.
    Raises PolicyInputError for an unknown category, role or fact code.
    """
    shared = _checked_facts(case_facts)
    found: list[ApplicableMeasure] = []
    checked_parties = [_checked_party(p) for p in parties]
    for rule in pack.rules:
        for party in checked_parties:
            measure = _apply(rule, party, shared | party.facts)
            if measure is not None:
                found.append(measure)
    return Evaluation(pack.id, tuple(found))


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


def _apply(rule: Rule, party: Party, facts: frozenset[str]) -> ApplicableMeasure | None:
    if party.category not in rule.categories:
        return None
    implied = CATEGORY_IMPLIED_FACTS.get(party.category, frozenset())
    facts = facts | implied
    if not rule.all_of <= facts or (rule.any_of and not rule.any_of & facts):
        return None
    actions = tuple(
        ApplicableAction(a.code, a.department, a.deadline)
        for a in rule.actions
        if _action_required(a, party, facts)
    )
    if not actions:
        return None
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
    )


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
        f"party {party.ref} ({category.en}) is a subject of measure {rule.id} ({rule.source_clause}); "
        f"established: {facts_en}",
    )
