"""Policy packs (政策包): load a region's rules and settings from YAML and validate them.

A pack is ``packs/<id>.yaml`` with ``pack`` (identity and status), ``settings`` (numbers the calculations
use, each with its source and a ``verified`` flag, optionally in dated ``versions``), ``rules`` (one per
measure, each action on its legal track), and optionally ``authorities`` (who acts, per division) and
``procedure`` (regional procedural figures such as the 较大数额 of 行政处罚法第六十三条). Loading either
returns a fully checked, immutable :class:`PolicyPack` or raises :class:`PolicyPackError` naming the file
and, for a rule, its id. The schema is documented in ``packs/README.md``.

Dates: every dated item (a rule, a setting version, a version of a law in an action's ``legal_basis``
or ``violated_basis``)
applies to acts on days inside ``[effective_from, effective_to]``; versions of one item may not overlap,
and asking for a day outside every version is a :class:`PolicyInputError` (never a silent fallback).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeGuard

import yaml

from minesweep.policy.codes import (
    ACTIONS,
    DEADLINE_UNITS,
    DEPARTMENTS,
    FACTS,
    HOLDINGS,
    PENALTY_TYPES,
    SUBJECT_CATEGORIES,
    TRACKS,
    Code,
)
from minesweep.policy.errors import PolicyInputError, PolicyPackError

PACKS_DIR = Path(__file__).resolve().parent / "packs"
PACK_STATUSES = ("draft", "in_force", "repealed")
DEFAULT_PACK = "inner_mongolia_2021"
PACK_ENV = "MINESWEEP_POLICY_PACK"
AMOUNT_BASES = ("charges_owed", "illegal_gains", "fixed")
PARTIAL_CYCLE_METHODS = ("average_daily",)

# Settings holding one decimal number; every pack must define all of them.
DECIMAL_SETTINGS = (
    "surcharge_yuan_per_kwh",
    "calorific_kgce_per_kwh",
    "new_project_energy_multiplier",
    "theft_hours_per_day_power",
    "theft_hours_per_day_lighting",
    "theft_unknown_duration_days",
    "theft_penalty_multiple",
    "theft_fine_max_multiple",
    "tariff_change_penalty_multiple",
    "tariff_change_unknown_months",
    "theft_criminal_threshold_yuan",
    "fundraising_amount_threshold_yuan",
    "fundraising_persons_threshold",
    "fundraising_loss_threshold_yuan",
    "fundraising_fraud_threshold_yuan",
)
YEARLY_SETTINGS = ("equivalent_kgce_per_kwh_by_year",)
CHOICE_SETTINGS = {"surcharge_partial_cycle": PARTIAL_CYCLE_METHODS}


@dataclass(frozen=True)
class Validity:
    """The days an item applies to: ``effective_from`` to ``effective_to`` inclusive; None is open-ended."""

    effective_from: dt.date | None = None
    effective_to: dt.date | None = None

    def covers(self, day: dt.date) -> bool:
        return (self.effective_from is None or self.effective_from <= day) and (
            self.effective_to is None or day <= self.effective_to
        )

    def overlaps(self, other: Validity) -> bool:
        lo = max(self.effective_from or dt.date.min, other.effective_from or dt.date.min)
        hi = min(self.effective_to or dt.date.max, other.effective_to or dt.date.max)
        return lo <= hi

    def as_dict(self) -> dict[str, str | None]:
        return {
            "effective_from": self.effective_from.isoformat() if self.effective_from else None,
            "effective_to": self.effective_to.isoformat() if self.effective_to else None,
        }

    def describe(self) -> str:
        start = self.effective_from.isoformat() if self.effective_from else "…"
        end = self.effective_to.isoformat() if self.effective_to else "…"
        return f"{start}–{end}"


ALWAYS = Validity()


@dataclass(frozen=True)
class Setting:
    """One pack setting with its provenance; ``verified`` is False for DOMAIN.md "(unverified)" values.

    A setting given as dated ``versions`` yields one Setting per version, each with its ``validity`` and
    ``kind`` (e.g. ``fixed`` or ``ceiling`` for 供电营业规则 1996 vs 2024)."""

    key: str
    value: Any
    source: str
    verified: bool
    validity: Validity = ALWAYS
    kind: str = ""

    def as_dict(self) -> dict[str, Any]:
        value = self.value
        if isinstance(value, Mapping):
            value = {str(k): str(v) for k, v in value.items()}
        elif isinstance(value, Decimal):
            value = str(value)
        cited: dict[str, Any] = {
            "key": self.key,
            "value": value,
            "source": self.source,
            "verified": self.verified,
        }
        if self.validity != ALWAYS:
            cited.update(self.validity.as_dict())
        if self.kind:
            cited["kind"] = self.kind
        return cited


@dataclass(frozen=True)
class PackSettings:
    """All settings of a pack by key. ``decimal(key)`` and ``yearly(key, year)`` are the typed reads.

    ``items`` holds the version in force today (or the only one); ``versions`` every dated version.
    ``on`` picks the version in force on the day of the act; a day outside every version is an error."""

    items: Mapping[str, Setting]
    versions: Mapping[str, tuple[Setting, ...]] = field(default_factory=lambda: MappingProxyType({}))
    # The pack's default basis for converting electricity to standard coal (procedure.energy_basis):
    # "calorific" 当量值 or "equivalent" 等价值; calorific when the pack does not say.
    energy_basis: str = "calorific"

    def at(self, key: str, on: dt.date | None = None) -> Setting:
        dated = self.versions.get(key)
        if not dated or on is None:
            return self.items[key]
        for version in dated:
            if version.validity.covers(on):
                return version
        spans = "、".join(v.validity.describe() for v in dated)
        raise PolicyInputError(
            f"设置 {key} 在 {on.isoformat()} 没有有效版本（有效期：{spans}）",
            f"setting {key} has no version in force on {on.isoformat()} (versions: {spans})",
            setting=key,
            on=on.isoformat(),
        )

    def decimal(self, key: str, on: dt.date | None = None) -> Decimal:
        value = self.at(key, on).value
        assert isinstance(value, Decimal), key
        return value

    def choice(self, key: str) -> str:
        return str(self.items[key].value)

    def yearly(self, key: str) -> Mapping[int, Decimal]:
        value = self.items[key].value
        assert isinstance(value, Mapping), key
        return value

    def cite(self, key: str, on: dt.date | None = None) -> dict[str, Any]:
        return self.at(key, on).as_dict()


@dataclass(frozen=True)
class Deadline:
    """How long a department has for a task. ``unit`` is one of codes.DEADLINE_UNITS."""

    amount: int
    unit: str
    source: str
    verified: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "amount": self.amount,
            "unit": self.unit,
            "unit_zh": DEADLINE_UNITS[self.unit].zh,
            "source": self.source,
            "verified": self.verified,
        }


@dataclass(frozen=True)
class LegalBasis:
    """One provision an action rests on: the law's name without 《》, the article when known, and the
    days this version of the law applies to (e.g. 供电营业规则 1996 until 2024-05-31, 2024 from 2024-06-01)."""

    law: str
    article: str = ""
    validity: Validity = ALWAYS
    note: str = ""
    verified: bool = True  # false: the article (e.g. after a renumbering) is not confirmed from a source

    def cite(self) -> str:
        return f"《{self.law}》{self.article}"

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"law": self.law, "article": self.article}
        if self.validity != ALWAYS:
            data.update(self.validity.as_dict())
        if self.note:
            data["note"] = self.note
        if not self.verified:
            data["verified"] = False
        return data


@dataclass(frozen=True)
class AmountRange:
    """The amount range a law gives for a fine: ``min``/``max`` either in yuan (``base: fixed``) or as
    multiples of a base (``charges_owed``: 电力法第七十一条 "应交电费五倍以下")."""

    base: str
    min: Decimal | None
    max: Decimal | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "base": self.base,
            "min": None if self.min is None else str(self.min),
            "max": None if self.max is None else str(self.max),
        }


@dataclass(frozen=True)
class RequiredAction:
    """An action a rule requires. It is required only if the party also has one of ``when_any_of``
    (when given) and belongs to ``categories`` (when given).

    ``track`` (codes.TRACKS) says what the action legally is and so which procedure runs it; ``authority``
    is the authority type that holds the power (codes.DEPARTMENTS); ``department`` executes the task.
    A penalty names its ``penalty_type`` (行政处罚法第九条), the provisions the conduct violated
    (``violated_basis``, 违法依据: 电力法第四条第二款, 电力供应与使用条例第三十一条) apart from the provisions
    that ground the penalty (``legal_basis``, 处罚依据: 电力法第七十一条, 电力供应与使用条例第四十一条) — a
    notice and a decision must name both (行政处罚法第四十四条、第五十九条) — each with an article and, where
    the law gives one, its ``amount`` range. ``requires`` names holdings (codes.HOLDINGS) the party must
    have. ``against_organs: false`` keeps the action off a party that is an administrative organ (机关):
    the grid's power cut, whose ground is the user's own unlawful use (电力法第二十九条)."""

    code: str
    department: str
    deadline: Deadline
    when_any_of: frozenset[str] = frozenset()
    categories: frozenset[str] | None = None
    track: str = "measure"
    authority: str = ""
    legal_basis: tuple[LegalBasis, ...] = ()
    policy_basis: tuple[str, ...] = ()
    penalty_type: str = ""
    amount: AmountRange | None = None
    requires: frozenset[str] = frozenset()
    violated_basis: tuple[LegalBasis, ...] = ()
    against_organs: bool = True

    def basis_on(self, on: dt.date) -> tuple[LegalBasis, ...]:
        """The provisions in force on ``on``; a law whose every version lies elsewhere is an error."""
        return self._in_force(self.legal_basis, on)

    def violated_on(self, on: dt.date) -> tuple[LegalBasis, ...]:
        """The violated provisions (``violated_basis``) in force on ``on``, dated like ``basis_on``."""
        return self._in_force(self.violated_basis, on)

    def _in_force(self, provisions: tuple[LegalBasis, ...], on: dt.date) -> tuple[LegalBasis, ...]:
        found: list[LegalBasis] = []
        for law in dict.fromkeys(b.law for b in provisions):
            versions = [b for b in provisions if b.law == law]
            current = [b for b in versions if b.validity.covers(on)]
            if not current:
                spans = "、".join(b.validity.describe() for b in versions)
                raise PolicyInputError(
                    f"处置措施 {self.code} 的依据《{law}》在 {on.isoformat()} 没有有效版本（有效期：{spans}）",
                    f"action {self.code}: no version of {law} is in force on {on.isoformat()} "
                    f"(versions: {spans})",
                    action=self.code,
                    law=law,
                    on=on.isoformat(),
                )
            found += current
        return tuple(found)


@dataclass(frozen=True)
class Rule:
    """One measure: who (categories), when (facts: all of ``all_of`` and, if given, one of ``any_of``),
    what (actions), by whom (department), on what basis and from which clause."""

    id: int
    title_zh: str
    title_en: str
    text_zh: str
    text_en: str
    categories: frozenset[str]
    all_of: frozenset[str]
    any_of: frozenset[str]
    department: str
    basis: tuple[str, ...]
    actions: tuple[RequiredAction, ...]
    source_clause: str
    source_verified: bool = True
    validity: Validity = ALWAYS
    # The rule's own source document, where it is not the pack's (a regional tariff notice inside a pack of
    # measures), as an act cites it: 《cited_title》（cited_number）. Empty unless the pack gives its official title.
    cited_title: str = ""
    cited_number: str = ""


@dataclass(frozen=True)
class Authority:
    """An issuing authority of one type in one division: what a document needs to name it, where review
    and lawsuits go, and (for fines) where to pay. Values with ``verified: false`` are placeholders the
    region must confirm."""

    type: str
    division: str
    name: str
    abbreviation: str
    address: str
    contact: str
    review_body: str
    court: str
    payment: Mapping[str, str]
    verified: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "division": self.division,
            "name": self.name,
            "abbreviation": self.abbreviation,
            "address": self.address,
            "contact": self.contact,
            "review_body": self.review_body,
            "court": self.court,
            "payment": dict(self.payment),
            "verified": self.verified,
        }


@dataclass(frozen=True)
class LeadCheck:
    """How long the authority has to check a lead and decide whether to file (working days from receipt),
    by how much it may extend that once with approval, and the rule that says so."""

    days: int = 15
    extension_days: int = 15
    rule: str = "市场监督管理行政处罚程序规定第十八条（参照）"
    verified: bool = False


@dataclass(frozen=True)
class Procedure:
    """Regional procedural figures: 较大数额 for the hearing right (行政处罚法第六十三条), by party kind
    (``individual`` / ``organisation``) and kind of amount (``fine`` / ``confiscation``); the rule that
    allows extending the decision period (第六十条), if any; the rule under which the time a police referral
    spends in criminal proceedings is not counted in that period, if any (第六十条 "法律、法规、规章另有规定的，
    从其规定": without such a rule the period keeps running); the default energy basis."""

    hearing_thresholds: Mapping[str, Mapping[str, Decimal]]
    hearing_source: str
    hearing_verified: bool
    decision_extension_days: int | None = None
    decision_extension_rule: str = ""
    criminal_time_excluded_rule: str = ""
    energy_basis: str = "calorific"
    lead_check: LeadCheck = LeadCheck()


@dataclass(frozen=True)
class PolicyPack:
    id: str
    title_zh: str
    title_en: str
    issuer_zh: str
    issuer_en: str
    region: str
    status: str
    status_zh: str
    published: dt.date | None
    source: str
    path: Path
    rules: tuple[Rule, ...]
    settings: PackSettings = field(repr=False)
    authorities: Mapping[str, Mapping[str, Authority]] = field(
        default_factory=lambda: MappingProxyType({}), repr=False
    )
    case_authority: str = "development_reform"
    division_file: str = ""
    procedure: Procedure | None = field(default=None, repr=False)
    region_name_zh: str = ""
    region_name_en: str = ""
    power_market: str = ""
    # The region's names for codes.DEPARTMENTS (section ``departments``); codes stay stable.
    departments: Mapping[str, Code] = field(default_factory=lambda: MappingProxyType({}), repr=False)
    # The pack's own document as an act cites it, title first, then its number (``pack.cited_as``):
    # 《cited_title》（cited_number）. Empty unless the pack gives the official title.
    cited_title: str = ""
    cited_number: str = ""

    def rule(self, rule_id: int, on: dt.date | None = None) -> Rule:
        """The rule with ``rule_id`` (the version in force on ``on`` when the rule has dated versions)."""
        for rule in self.rules:
            if rule.id == rule_id and (on is None or rule.validity.covers(on)):
                return rule
        raise KeyError(rule_id)

    def rules_on(self, on: dt.date) -> tuple[Rule, ...]:
        return tuple(rule for rule in self.rules if rule.validity.covers(on))


def _count(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


# -- accessors ------------------------------------------------------------------------------------
def deployment_pack_id() -> str:
    """The deployment's pack: ``MINESWEEP_POLICY_PACK`` (default ``inner_mongolia_2021``)."""
    return os.environ.get(PACK_ENV, "").strip() or DEFAULT_PACK


def deployment_pack() -> PolicyPack:
    """The deployment's pack, loaded (``MINESWEEP_POLICY_PACK``)."""
    return load_pack(deployment_pack_id())


def region_name(pack: PolicyPack | None = None, *, english: bool = False) -> str:
    """The region the pack (default: the deployment's) governs, as named in its head (``region_name``),
    else its GB/T 2260 code. Code outside packs never names the region itself."""
    pack = pack or deployment_pack()
    return (pack.region_name_en if english else pack.region_name_zh) or pack.region_name_zh or pack.region


def region_prefix(pack: PolicyPack | None = None) -> str:
    """The GB/T 2260 prefix of the pack's region ("510000" → "51"); "" for a national pack."""
    code = (pack or deployment_pack()).region
    while code.endswith("00"):
        code = code[:-2]
    return code


def power_market(pack: PolicyPack | None = None) -> str:
    """The region's power market (``power_market`` in the pack head), "" when the pack names none."""
    return (pack or deployment_pack()).power_market


def lead_check_period(pack: PolicyPack | None = None) -> LeadCheck:
    """The lead-check period of the pack (default: the deployment's): ``procedure.lead_check``, else
    15 + 15 working days after 市场监督管理行政处罚程序规定第十八条."""
    procedure = (pack or deployment_pack()).procedure
    return procedure.lead_check if procedure is not None else LeadCheck()


def department_names(pack: PolicyPack | None = None) -> Mapping[str, Code]:
    """Every department code with the name the region gives it (the pack's ``departments``), falling back
    to the code table (codes.DEPARTMENTS) for codes the pack does not rename."""
    return MappingProxyType({**DEPARTMENTS, **(pack or deployment_pack()).departments})


def authority_for(pack: PolicyPack, division_code: str, authority_type: str) -> Authority:
    """The authority of ``authority_type`` for ``division_code``: the division's own entry, else the
    nearest higher level (county → league/city → region, by GB/T 2260 code). Raises PolicyInputError
    naming the pack when none is configured."""
    for code in _division_chain(division_code):
        entry = pack.authorities.get(code, {}).get(authority_type)
        if entry is not None:
            return entry
    kind = DEPARTMENTS[authority_type].zh if authority_type in DEPARTMENTS else authority_type
    raise PolicyInputError(
        f"政策包 {pack.id} 未配置 {division_code} 的{kind}（authorities）",
        f"pack {pack.id} configures no {authority_type} for division {division_code} (authorities)",
        pack=pack.id,
        division=division_code,
        authority=authority_type,
    )


def discipline_commission_name(pack: PolicyPack, division_code: str, division_name: str) -> str:
    """The 纪委监委 of the level of the division where the official serves — never a higher level's.

    监察法（2018）第十六条第一款: "各级监察机关按照管理权限管辖本辖区内本法第十五条规定的人员所涉监察事项" — the
    commission follows the cadre-management level (干部管理权限), and a 街道/乡镇 cadre is managed by the county
    (区/旗/县), so a county case goes to the county's commission; the superior commission may take a matter up
    (第十六条第二款), which is its decision, not the sender's. DOMAIN.md §4: "referred to the 纪委监委 of the
    official's level". Unlike :func:`authority_for`, no higher level's entry stands in for the division's own:
    the pack's entry for the division itself when it has one, else "中共{division}纪律检查委员会、{division}监察委员会".
    (The 2024 amendment, in force 2025-06-01, keeps the rule; its article number is to be confirmed.)"""
    entry = pack.authorities.get(str(division_code), {}).get("discipline_commission")
    if entry is not None and entry.name:
        return entry.name
    return f"中共{division_name}纪律检查委员会、{division_name}监察委员会"


def _division_chain(code: str) -> list[str]:
    code = str(code)
    if len(code) != 6 or not code.isdigit():
        return [code]
    chain = [code, code[:4] + "00", code[:2] + "0000"]
    return list(dict.fromkeys(chain))


def hearing_threshold(pack: PolicyPack, *, organisation: bool, kind: str = "fine") -> Decimal | None:
    """较大数额 of 行政处罚法第六十三条 in the pack, or None when the pack sets none."""
    if pack.procedure is None:
        return None
    by_kind = pack.procedure.hearing_thresholds.get("organisation" if organisation else "individual", {})
    return by_kind.get(kind)


def available_packs() -> list[str]:
    """Ids of the packs shipped with the project (file names under ``packs/``)."""
    return sorted(p.stem for p in PACKS_DIR.glob("*.yaml"))


def policy_document(entry: str) -> str:
    """The document a ``policy_basis`` entry names, without a remark after it: 发改运行〔2021〕1283号（按淘汰类执行
    差别电价） names 发改运行〔2021〕1283号 (a draft's own （征求意见稿） is part of its name)."""
    return re.sub(r"（(?!征求意见稿)[^）]*）$", "", entry)


def document_titles() -> dict[str, str]:
    """发文字号 → official title of the shipped packs' documents that give one: a pack's own
    (``pack.cited_as``) and a rule's source document that is not the pack's (``rules[].cited_as``)."""
    titles: dict[str, str] = {}
    for pack in (load_pack(name) for name in available_packs()):
        cited = [
            (pack.cited_number, pack.cited_title),
            *((r.cited_number, r.cited_title) for r in pack.rules),
        ]
        titles.update((number, title) for number, title in cited if number)
    return titles


def load_pack(name_or_path: str | Path) -> PolicyPack:
    """Load and validate a pack by id (``inner_mongolia_2021``) or by file path. Cached per file version."""
    path = _resolve(name_or_path)
    return _load_cached(path, path.stat().st_mtime_ns)


def _resolve(name_or_path: str | Path) -> Path:
    shipped = PACKS_DIR / f"{name_or_path}.yaml"
    if isinstance(name_or_path, str) and "/" not in name_or_path and shipped.is_file():
        return shipped
    path = Path(name_or_path)
    if path.is_file():
        return path.resolve()
    raise PolicyPackError(
        f"找不到政策包 “{name_or_path}”，可用：{', '.join(available_packs())}",
        f"no policy pack '{name_or_path}'; available: {', '.join(available_packs())}",
        pack=str(name_or_path),
    )


@lru_cache(maxsize=32)
def _load_cached(path: Path, _mtime_ns: int) -> PolicyPack:
    return _PackReader(path).read()


class _PackReader:
    """Reads one file; every complaint names the file and, inside ``rules``, the rule id."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.rule_id: object = None

    def fail(self, zh: str, en: str) -> PolicyPackError:
        where_zh = f"政策包 {self.path.name}" + (f" 规则 {self.rule_id}" if self.rule_id is not None else "")
        where_en = f"policy pack {self.path.name}" + (
            f", rule {self.rule_id}" if self.rule_id is not None else ""
        )
        return PolicyPackError(
            f"{where_zh}：{zh}", f"{where_en}: {en}", file=str(self.path), rule=self.rule_id
        )

    def read(self) -> PolicyPack:
        document = self._parse()
        head = self._mapping(document, "pack")
        settings = self._settings(self._mapping(document, "settings"))
        rules = self._rules(document.get("rules"))
        authorities, case_authority, division_file = self._authorities(document.get("authorities"))
        procedure = self._procedure(document.get("procedure"))
        if procedure is not None:
            settings = dataclasses.replace(settings, energy_basis=procedure.energy_basis)
        return PolicyPack(
            id=self._text(head, "id"),
            title_zh=self._text(self._mapping(head, "title"), "zh"),
            title_en=self._text(self._mapping(head, "title"), "en"),
            issuer_zh=self._text(self._mapping(head, "issuer"), "zh"),
            issuer_en=self._text(self._mapping(head, "issuer"), "en"),
            region=str(head.get("region", "")),
            status=self._status(head),
            status_zh=str(head.get("status_zh", "")),
            published=self._date(head.get("published")),
            source=self._text(head, "source"),
            path=self.path,
            rules=rules,
            settings=settings,
            authorities=authorities,
            case_authority=case_authority,
            division_file=division_file,
            procedure=procedure,
            region_name_zh=self._optional_text(head, "region_name", "zh"),
            region_name_en=self._optional_text(head, "region_name", "en"),
            power_market=self._optional_text(head, "power_market", "zh"),
            departments=self._departments(document.get("departments")),
            **self._cited_as(head.get("cited_as")),
        )

    def _cited_as(self, raw: Any) -> dict[str, str]:
        """``cited_as: {title, number}``: the official title and 发文字号 of the pack's (or a rule's) document."""
        if raw is None:
            return {}
        if not isinstance(raw, dict):
            raise self.fail("cited_as 须为 {title, number}", "cited_as must be {title, number}")
        title, number = self._text(raw, "title"), self._text(raw, "number")
        if not re.fullmatch(r"\S+〔\d{4}〕\d+号", number) or "《" in title:
            raise self.fail(
                f"cited_as：文号 “{number}” 或标题 “{title}” 格式不对（标题不加书名号）",
                f"cited_as: number '{number}' or title '{title}' is malformed (no 《》 around the title)",
            )
        return {"cited_title": title, "cited_number": number}

    def _departments(self, raw: Any) -> Mapping[str, Code]:
        """``departments: {code: {zh, en}}``: the region's names for the department codes."""
        if raw is None:
            return MappingProxyType({})
        if not isinstance(raw, dict):
            raise self.fail("departments 必须是映射", "departments must be a mapping")
        names = {}
        for code, entry in raw.items():
            department = self._department(code)
            if not isinstance(entry, dict):
                raise self.fail(
                    f"departments.{code} 须为 {{zh, en}}", f"departments.{code} must be {{zh, en}}"
                )
            names[department] = Code(department, self._text(entry, "zh"), self._text(entry, "en"))
        return MappingProxyType(names)

    def _optional_text(self, raw: Mapping[str, Any], key: str, language: str) -> str:
        value = raw.get(key)
        if value is None:
            return ""
        if not isinstance(value, dict):
            raise self.fail(f"{key} 须为 {{zh, en}}", f"{key} must be {{zh, en}}")
        return str(value.get(language) or "").strip()

    # -- structure -------------------------------------------------------------------------------
    def _parse(self) -> dict[str, Any]:
        try:
            document = yaml.safe_load(self.path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise self.fail(f"无法读取或解析：{exc}", f"cannot read or parse: {exc}") from exc
        if not isinstance(document, dict):
            raise self.fail("顶层必须是映射", "the top level must be a mapping")
        return document

    def _mapping(self, parent: Mapping[str, Any], key: str) -> dict[str, Any]:
        value = parent.get(key)
        if not isinstance(value, dict):
            raise self.fail(f"缺少映射字段 “{key}”", f"missing mapping '{key}'")
        return value

    def _text(self, parent: Mapping[str, Any], key: str) -> str:
        value = parent.get(key)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"缺少文本字段 “{key}”", f"missing text field '{key}'")
        return value.strip()

    def _codes(self, values: Any, table: Mapping[str, Any], kind_zh: str, kind_en: str) -> frozenset[str]:
        if values is None:
            return frozenset()
        if not isinstance(values, list):
            raise self.fail(f"{kind_zh}必须是列表", f"{kind_en} must be a list")
        for value in values:
            if value not in table:
                raise self.fail(f"未知的{kind_zh} “{value}”", f"unknown {kind_en} '{value}'")
        return frozenset(values)

    def _status(self, head: Mapping[str, Any]) -> str:
        status = head.get("status")
        if status not in PACK_STATUSES:
            raise self.fail(
                f"状态 “{status}” 无效，应为 {PACK_STATUSES}", f"status '{status}' not in {PACK_STATUSES}"
            )
        return str(status)

    def _date(self, value: Any) -> dt.date | None:
        if value is None or isinstance(value, dt.date):
            return value
        raise self.fail(f"日期 “{value}” 无效", f"invalid date '{value}'")

    # -- settings --------------------------------------------------------------------------------
    def _settings(self, raw: Mapping[str, Any]) -> PackSettings:
        items: dict[str, Setting] = {}
        versions: dict[str, tuple[Setting, ...]] = {}
        for key in (*DECIMAL_SETTINGS, *YEARLY_SETTINGS, *CHOICE_SETTINGS):
            entry = raw.get(key)
            if isinstance(entry, dict) and isinstance(entry.get("versions"), list) and entry["versions"]:
                dated = tuple(self._setting(key, version) for version in entry["versions"])
                self._no_overlap([v.validity for v in dated], f"设置 {key}", f"setting {key}")
                versions[key] = dated
                items[key] = self._current(dated)
                continue
            if not isinstance(entry, dict) or "value" not in entry:
                raise self.fail(
                    f"缺少设置 “{key}”（需含 value、source，或 versions）",
                    f"missing setting '{key}' (value, source, or versions)",
                )
            items[key] = self._setting(key, entry)
        unknown = sorted(set(raw) - set(items))
        if unknown:
            raise self.fail(f"未知的设置 {unknown}", f"unknown settings {unknown}")
        return PackSettings(MappingProxyType(items), MappingProxyType(versions))

    def _setting(self, key: str, entry: Any) -> Setting:
        if not isinstance(entry, dict) or "value" not in entry:
            raise self.fail(
                f"设置 {key} 的版本需含 value、source", f"setting {key}: a version needs value, source"
            )
        return Setting(
            key,
            self._setting_value(key, entry["value"]),
            self._text(entry, "source"),
            bool(entry.get("verified", False)),
            self._validity(entry),
            str(entry.get("kind", "")),
        )

    @staticmethod
    def _current(dated: tuple[Setting, ...]) -> Setting:
        today = dt.date.today()
        for version in dated:
            if version.validity.covers(today):
                return version
        return max(dated, key=lambda v: v.validity.effective_from or dt.date.min)

    def _validity(self, entry: Mapping[str, Any]) -> Validity:
        start = self._date(entry.get("effective_from"))
        end = self._date(entry.get("effective_to"))
        if start and end and end < start:
            raise self.fail(
                f"有效期结束 {end} 早于开始 {start}", f"effective_to {end} is before effective_from {start}"
            )
        return Validity(start, end)

    def _no_overlap(self, spans: list[Validity], what_zh: str, what_en: str) -> None:
        for i, first in enumerate(spans):
            for second in spans[i + 1 :]:
                if first.overlaps(second):
                    raise self.fail(
                        f"{what_zh} 的有效期重叠：{first.describe()} 与 {second.describe()}",
                        f"{what_en}: overlapping validity {first.describe()} and {second.describe()}",
                    )

    def _setting_value(self, key: str, value: Any) -> Any:
        if key in CHOICE_SETTINGS:
            if value not in CHOICE_SETTINGS[key]:
                raise self.fail(
                    f"设置 {key} 的值 “{value}” 无效",
                    f"setting {key}: '{value}' not in {CHOICE_SETTINGS[key]}",
                )
            return value
        if key in YEARLY_SETTINGS:
            if not isinstance(value, dict) or not value:
                raise self.fail(
                    f"设置 {key} 必须是“年份: 数值”映射", f"setting {key} must map year to number"
                )
            return MappingProxyType({self._year(key, y): self._positive(key, v) for y, v in value.items()})
        return self._positive(key, value)

    def _year(self, key: str, year: Any) -> int:
        if not isinstance(year, int) or not 1990 <= year <= 2100:
            raise self.fail(f"设置 {key} 的年份 “{year}” 无效", f"setting {key}: invalid year '{year}'")
        return year

    def _positive(self, key: str, value: Any) -> Decimal:
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            number = Decimal("NaN")
        if not number.is_finite() or number <= 0 or isinstance(value, bool):
            raise self.fail(
                f"设置 {key} 的值 “{value}” 必须是正数", f"setting {key}: '{value}' must be a positive number"
            )
        return number

    # -- rules -----------------------------------------------------------------------------------
    def _rules(self, raw: Any) -> tuple[Rule, ...]:
        if not isinstance(raw, list) or not raw:
            raise self.fail("缺少规则列表 “rules”", "missing list 'rules'")
        rules = tuple(self._rule(entry) for entry in raw)
        # One id may appear more than once only as dated versions that do not overlap.
        for rule_id in sorted({rule.id for rule in rules}):
            same = [rule for rule in rules if rule.id == rule_id]
            if len(same) > 1:
                self.rule_id = rule_id
                if any(rule.validity == ALWAYS for rule in same):
                    raise self.fail(
                        f"规则编号重复 [{rule_id}]（同一编号的多个版本须注明有效期）",
                        f"duplicate rule ids [{rule_id}] (versions of one rule need effective dates)",
                    )
                self._no_overlap([rule.validity for rule in same], "规则版本", "rule versions")
        self.rule_id = None
        return rules

    def _rule(self, raw: Any) -> Rule:
        self.rule_id = raw.get("id") if isinstance(raw, dict) else None
        if not isinstance(raw, dict) or not isinstance(raw.get("id"), int) or isinstance(raw.get("id"), bool):
            raise self.fail("每条规则需要整数编号 “id”", "each rule needs an integer 'id'")
        facts = self._mapping(raw, "facts")
        all_of = self._codes(facts.get("all_of"), FACTS, "事实代码", "fact code")
        any_of = self._codes(facts.get("any_of"), FACTS, "事实代码", "fact code")
        if not all_of and not any_of:
            raise self.fail(
                "触发事实 all_of / any_of 不能都为空", "triggering facts all_of / any_of are both empty"
            )
        categories = self._codes(raw.get("categories"), SUBJECT_CATEGORIES, "主体类别", "subject category")
        if not categories:
            raise self.fail("主体类别不能为空", "subject categories are empty")
        basis = raw.get("basis")
        if not isinstance(basis, list) or not basis or not all(isinstance(b, str) for b in basis):
            raise self.fail("法律依据 basis 必须是非空文本列表", "basis must be a non-empty list of texts")
        actions = raw.get("actions")
        if not isinstance(actions, list) or not actions:
            raise self.fail("处置措施 actions 不能为空", "actions are empty")
        title = self._mapping(raw, "title")
        return Rule(
            id=raw["id"],
            title_zh=self._text(title, "zh"),
            title_en=self._text(title, "en"),
            text_zh=self._text(raw, "text_zh"),
            text_en=self._text(raw, "text_en"),
            categories=categories,
            all_of=all_of,
            any_of=any_of,
            department=self._department(raw.get("department")),
            basis=tuple(basis),
            actions=tuple(self._action(a) for a in actions),
            source_clause=self._text(raw, "source_clause"),
            source_verified=bool(raw.get("source_verified", True)),
            validity=self._validity(raw),
            **self._cited_as(raw.get("cited_as")),
        )

    def _department(self, code: Any) -> str:
        if code not in DEPARTMENTS:
            raise self.fail(f"未知的部门 “{code}”", f"unknown department '{code}'")
        return str(code)

    def _action(self, raw: Any) -> RequiredAction:
        if not isinstance(raw, dict):
            raise self.fail("处置措施必须是映射", "each action must be a mapping")
        if raw.get("code") not in ACTIONS:
            raise self.fail(f"未知的处置措施 “{raw.get('code')}”", f"unknown action '{raw.get('code')}'")
        categories = raw.get("categories")
        code = raw["code"]
        track = raw.get("track")
        if track not in TRACKS:
            raise self.fail(
                f"处置措施 {code} 的程序轨道 “{track}” 未知，可用：{sorted(TRACKS)}",
                f"action {code}: unknown track '{track}'; known: {sorted(TRACKS)}",
            )
        legal_basis = self._legal_basis(code, raw.get("legal_basis"))
        violated_basis = self._legal_basis(code, raw.get("violated_basis"), "violated_basis")
        policy_basis = raw.get("policy_basis") or []
        if not isinstance(policy_basis, list) or not all(isinstance(p, str) for p in policy_basis):
            raise self.fail(
                f"处置措施 {code} 的 policy_basis 须为文本列表",
                f"action {code}: policy_basis must list texts",
            )
        if not legal_basis and not policy_basis:
            raise self.fail(
                f"处置措施 {code} 没有任何依据", f"action {code} has neither legal_basis nor policy_basis"
            )
        penalty_type = str(raw.get("penalty_type") or "")
        if penalty_type and penalty_type not in PENALTY_TYPES:
            raise self.fail(
                f"处置措施 {code} 的处罚种类 “{penalty_type}” 未知",
                f"action {code}: unknown penalty_type '{penalty_type}'",
            )
        if track == "penalty":
            if not penalty_type:
                raise self.fail(
                    f"行政处罚 {code} 须注明处罚种类 penalty_type（行政处罚法第九条）",
                    f"penalty {code} needs a penalty_type (Administrative Penalty Law Art. 9)",
                )
            if not legal_basis or any(not b.article for b in legal_basis):
                raise self.fail(
                    f"行政处罚 {code} 的每项法律依据须写明条款 article",
                    f"penalty {code}: every legal_basis entry needs an article",
                )
            if not violated_basis or any(not b.article for b in violated_basis):
                raise self.fail(
                    f"行政处罚 {code} 须写明所违反的规定 violated_basis（含条款 article），与处罚依据 "
                    "legal_basis 分列（行政处罚法第四十四条、第五十九条）",
                    f"penalty {code} needs violated_basis (the provisions violated, each with an article), "
                    "apart from its legal_basis (Administrative Penalty Law Arts. 44, 59)",
                )
        return RequiredAction(
            code=code,
            department=self._department(raw.get("department")),
            deadline=self._deadline(raw.get("deadline")),
            when_any_of=self._codes(raw.get("when_any_of"), FACTS, "事实代码", "fact code"),
            categories=None
            if categories is None
            else self._codes(categories, SUBJECT_CATEGORIES, "主体类别", "subject category"),
            track=str(track),
            authority=self._department(raw.get("authority")),
            legal_basis=legal_basis,
            policy_basis=tuple(policy_basis),
            penalty_type=penalty_type,
            amount=self._amount(code, raw.get("amount")),
            requires=self._codes(raw.get("requires"), HOLDINGS, "前提条件", "required holding"),
            violated_basis=violated_basis,
            against_organs=self._flag(code, raw, "against_organs"),
        )

    def _flag(self, code: str, raw: Mapping[str, Any], key: str, default: bool = True) -> bool:
        value = raw.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(
                f"处置措施 {code} 的 {key} 须为 true 或 false", f"action {code}: {key} must be true or false"
            )
        return value

    def _legal_basis(self, code: str, raw: Any, key: str = "legal_basis") -> tuple[LegalBasis, ...]:
        """A list of provisions (``legal_basis`` or ``violated_basis``), each ``{law, article?, note?,
        verified?, effective_from?, effective_to?}``; versions of one law may not overlap."""
        if raw is None:
            return ()
        if not isinstance(raw, list):
            raise self.fail(f"处置措施 {code} 的 {key} 须为列表", f"action {code}: {key} must be a list")
        found: list[LegalBasis] = []
        for entry in raw:
            if (
                not isinstance(entry, dict)
                or not isinstance(entry.get("law"), str)
                or not entry["law"].strip()
            ):
                raise self.fail(
                    f"处置措施 {code} 的法律依据须写明 law（法规名称，不含书名号）",
                    f"action {code}: each {key} entry needs a law name",
                )
            law = entry["law"].strip()
            if "《" in law or "》" in law:
                raise self.fail(f"法规名称 “{law}” 不应带书名号", f"law name '{law}' must not carry 《》")
            found.append(
                LegalBasis(
                    law,
                    str(entry.get("article") or "").strip(),
                    self._validity(entry),
                    str(entry.get("note") or ""),
                    entry.get("verified") is not False,
                )
            )
        for law in dict.fromkeys(b.law for b in found):
            self._no_overlap(
                [b.validity for b in found if b.law == law],
                f"处置措施 {code} 的依据《{law}》",
                f"action {code}: {law}",
            )
        return tuple(found)

    def _amount(self, code: str, raw: Any) -> AmountRange | None:
        if raw is None:
            return None
        if not isinstance(raw, dict) or raw.get("base") not in AMOUNT_BASES:
            raise self.fail(
                f"处置措施 {code} 的 amount 须含 base（{AMOUNT_BASES}）",
                f"action {code}: amount needs a base in {AMOUNT_BASES}",
            )
        bounds = {
            k: None if raw.get(k) is None else self._positive(f"{code}.amount.{k}", raw[k])
            for k in ("min", "max")
        }
        return AmountRange(str(raw["base"]), bounds["min"], bounds["max"])

    # -- authorities and procedure -------------------------------------------------------------------
    def _authorities(self, raw: Any) -> tuple[Mapping[str, Mapping[str, Authority]], str, str]:
        if raw is None:
            return MappingProxyType({}), "development_reform", ""
        if not isinstance(raw, dict):
            raise self.fail("authorities 必须是映射", "authorities must be a mapping")
        case_authority = self._department(raw.get("case_authority"))
        divisions = raw.get("divisions")
        if not isinstance(divisions, dict) or not divisions:
            raise self.fail("authorities.divisions 不能为空", "authorities.divisions is empty")
        found: dict[str, Mapping[str, Authority]] = {}
        for division, by_type in divisions.items():
            code = str(division)
            if len(code) != 6 or not code.isdigit() or not isinstance(by_type, dict):
                raise self.fail(
                    f"authorities 的区划代码 “{division}” 无效（6 位 GB/T 2260 代码）",
                    f"authorities: invalid division code '{division}' (6-digit GB/T 2260)",
                )
            found[code] = MappingProxyType(
                {str(t): self._authority(code, self._department(t), entry) for t, entry in by_type.items()}
            )
        return MappingProxyType(found), case_authority, str(raw.get("division_file") or "")

    def _authority(self, division: str, kind: str, raw: Any) -> Authority:
        if not isinstance(raw, dict):
            raise self.fail(
                f"authorities {division}.{kind} 必须是映射",
                f"authorities {division}.{kind} must be a mapping",
            )
        payment = raw.get("payment") or {}
        if not isinstance(payment, dict):
            raise self.fail(
                f"authorities {division}.{kind}.payment 必须是映射",
                f"authorities {division}.{kind}.payment must be a mapping",
            )
        return Authority(
            type=kind,
            division=division,
            name=self._text(raw, "name"),
            abbreviation=str(raw.get("abbreviation") or ""),
            address=str(raw.get("address") or ""),
            contact=str(raw.get("contact") or ""),
            review_body=str(raw.get("review_body") or ""),
            court=str(raw.get("court") or ""),
            payment=MappingProxyType({k: str(payment.get(k) or "") for k in ("bank", "account", "payee")}),
            verified=bool(raw.get("verified", False)),
        )

    def _procedure(self, raw: Any) -> Procedure | None:
        if raw is None:
            return None
        if not isinstance(raw, dict):
            raise self.fail("procedure 必须是映射", "procedure must be a mapping")
        hearing = self._mapping(raw, "hearing_thresholds")
        thresholds: dict[str, Mapping[str, Decimal]] = {}
        for kind in ("individual", "organisation"):
            figures = self._mapping(hearing, kind)
            thresholds[kind] = MappingProxyType(
                {
                    k: self._positive(f"hearing_thresholds.{kind}.{k}", figures.get(k))
                    for k in ("fine", "confiscation")
                }
            )
        extension = raw.get("decision_extension")
        days, rule = None, ""
        if extension is not None:
            if not isinstance(extension, dict) or not isinstance(extension.get("days"), int):
                raise self.fail(
                    "decision_extension 须含 days、rule", "decision_extension needs days and rule"
                )
            days, rule = extension["days"], self._text(extension, "rule")
        excluded = raw.get("criminal_time_excluded")
        if excluded is not None and not isinstance(excluded, dict):
            raise self.fail("criminal_time_excluded 须含 rule", "criminal_time_excluded needs a rule")
        basis = str(raw.get("energy_basis", "calorific"))
        if basis not in ("equivalent", "calorific"):
            raise self.fail(
                f"energy_basis “{basis}” 无效", f"energy_basis '{basis}' is not equivalent|calorific"
            )
        return Procedure(
            hearing_thresholds=MappingProxyType(thresholds),
            hearing_source=self._text(hearing, "source"),
            hearing_verified=bool(hearing.get("verified", False)),
            decision_extension_days=days,
            decision_extension_rule=rule,
            criminal_time_excluded_rule=self._text(excluded, "rule") if excluded is not None else "",
            energy_basis=basis,
            lead_check=self._lead_check(raw.get("lead_check")),
        )

    def _lead_check(self, raw: Any) -> LeadCheck:
        if raw is None:
            return LeadCheck()
        if not isinstance(raw, dict):
            raise self.fail(
                "lead_check 须含 days、extension_days、rule", "lead_check needs days, extension_days, rule"
            )
        days, extension = raw.get("days"), raw.get("extension_days")
        if not _count(days) or not _count(extension) or days == 0:
            raise self.fail(
                "lead_check 的 days、extension_days 须为非负整数（days 大于零）",
                "lead_check days and extension_days must be non-negative integers (days above zero)",
            )
        return LeadCheck(days, extension, self._text(raw, "rule"), bool(raw.get("verified", False)))

    def _deadline(self, raw: Any) -> Deadline:
        if not isinstance(raw, dict):
            raise self.fail("处置措施缺少期限 deadline", "action has no deadline")
        amount, unit = raw.get("amount"), raw.get("unit")
        if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
            raise self.fail(
                f"期限 “{amount}” 必须是正整数", f"deadline amount '{amount}' must be a positive integer"
            )
        if unit not in DEADLINE_UNITS:
            raise self.fail(f"未知的期限单位 “{unit}”", f"unknown deadline unit '{unit}'")
        return Deadline(amount, str(unit), self._text(raw, "source"), bool(raw.get("verified", False)))
