"""Policy packs (政策包): load a region's rules and settings from YAML and validate them.

A pack is ``packs/<id>.yaml`` with three parts: ``pack`` (identity and status), ``settings`` (numbers the
calculations use, each with its source and a ``verified`` flag) and ``rules`` (one per measure). Loading
either returns a fully checked, immutable :class:`PolicyPack` or raises :class:`PolicyPackError` naming
the file and, for a rule, its id.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from minesweep.policy.codes import ACTIONS, DEADLINE_UNITS, DEPARTMENTS, FACTS, SUBJECT_CATEGORIES
from minesweep.policy.errors import PolicyPackError

PACKS_DIR = Path(__file__).resolve().parent / "packs"
PACK_STATUSES = ("draft", "in_force", "repealed")
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
class Setting:
    """One pack setting with its provenance; ``verified`` is False for DOMAIN.md "(unverified)" values."""

    key: str
    value: Any
    source: str
    verified: bool

    def as_dict(self) -> dict[str, Any]:
        value = self.value
        if isinstance(value, Mapping):
            value = {str(k): str(v) for k, v in value.items()}
        elif isinstance(value, Decimal):
            value = str(value)
        return {"key": self.key, "value": value, "source": self.source, "verified": self.verified}


@dataclass(frozen=True)
class PackSettings:
    """All settings of a pack by key. ``decimal(key)`` and ``yearly(key, year)`` are the typed reads."""

    items: Mapping[str, Setting]

    def decimal(self, key: str) -> Decimal:
        value = self.items[key].value
        assert isinstance(value, Decimal), key
        return value

    def choice(self, key: str) -> str:
        return str(self.items[key].value)

    def yearly(self, key: str) -> Mapping[int, Decimal]:
        value = self.items[key].value
        assert isinstance(value, Mapping), key
        return value

    def cite(self, key: str) -> dict[str, Any]:
        return self.items[key].as_dict()


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
class RequiredAction:
    """An action a rule requires. It is required only if the party also has one of ``when_any_of``
    (when given) and belongs to ``categories`` (when given)."""

    code: str
    department: str
    deadline: Deadline
    when_any_of: frozenset[str] = frozenset()
    categories: frozenset[str] | None = None


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

    def rule(self, rule_id: int) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)


def available_packs() -> list[str]:
    """Ids of the packs shipped with the project (file names under ``packs/``)."""
    return sorted(p.stem for p in PACKS_DIR.glob("*.yaml"))


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
        )

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
        for key in (*DECIMAL_SETTINGS, *YEARLY_SETTINGS, *CHOICE_SETTINGS):
            entry = raw.get(key)
            if not isinstance(entry, dict) or "value" not in entry:
                raise self.fail(
                    f"缺少设置 “{key}”（需含 value、source）", f"missing setting '{key}' (value, source)"
                )
            items[key] = Setting(
                key,
                self._setting_value(key, entry["value"]),
                self._text(entry, "source"),
                bool(entry.get("verified", False)),
            )
        unknown = sorted(set(raw) - set(items))
        if unknown:
            raise self.fail(f"未知的设置 {unknown}", f"unknown settings {unknown}")
        return PackSettings(MappingProxyType(items))

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
        self.rule_id = None
        ids = [rule.id for rule in rules]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise self.fail(f"规则编号重复 {duplicates}", f"duplicate rule ids {duplicates}")
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
        return RequiredAction(
            code=raw["code"],
            department=self._department(raw.get("department")),
            deadline=self._deadline(raw.get("deadline")),
            when_any_of=self._codes(raw.get("when_any_of"), FACTS, "事实代码", "fact code"),
            categories=None
            if categories is None
            else self._codes(categories, SUBJECT_CATEGORIES, "主体类别", "subject category"),
        )

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
