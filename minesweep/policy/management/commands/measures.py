"""``minesweep measures``: which of a pack's measures apply, on which legal track, by which authority.

Two forms:

* ``--category C --fact F …`` — one party per category, the facts holding for all (the quick look-up);
* ``--case FILE.json`` — ``{"parties": [{"name", "category", "role"?, "facts": [...], "power_account"?,
  "project"?, "market_participation"?, "own_preference"?, "tax_preference"?, "land_preference"?,
  "fiscal_support"?, "financial_support"?, "administrative_organ"?}], "facts": [...]}`` (the
  holdings of codes.HOLDINGS and whether the party is an administrative organ, as true/false): facts belong to parties, only case-wide facts (codes.CASE_WIDE_FACTS)
  go in the top-level list; prints ``{"parties": [{"name", "measures": [...]}]}``, the per-party answer
  the case workflow uses.

``--date YYYY-MM-DD`` is the day of the act: the rules and legal bases in force that day apply.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path
from typing import Any

from minesweep.policy.codes import HOLDINGS
from minesweep.policy.engine import Party, evaluate, evaluate_case, presumed_holdings
from minesweep.policy.errors import PolicyError, PolicyInputError
from minesweep.policy.management.bilingual import PolicyCommand, fail
from minesweep.policy.packs import deployment_pack_id, load_pack


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"“{text}” 不是日期（YYYY-MM-DD）/ '{text}' is not a date (YYYY-MM-DD)"
        ) from None


def case_parties(document: Any) -> tuple[list[Party], list[str]]:
    """Parties and case-wide facts from a ``--case`` document; a malformed one is a PolicyInputError."""
    if not isinstance(document, dict) or not isinstance(document.get("parties"), list):
        raise PolicyInputError(
            '案件文件须为 {"parties": [...], "facts": [...]}',
            'the case file must be {"parties": [...], "facts": [...]}',
        )
    parties: list[Party] = []
    for index, raw in enumerate(document["parties"], start=1):
        if not isinstance(raw, dict) or not isinstance(raw.get("category"), str):
            raise PolicyInputError(f"第 {index} 个当事人须有 category", f"party {index} needs a category")
        facts = raw.get("facts") or []
        if not isinstance(facts, list):
            raise PolicyInputError(
                f"第 {index} 个当事人的 facts 须为列表", f"party {index}: facts must be a list"
            )
        holdings = None
        if any(h in raw for h in HOLDINGS):
            # Whatever the file does not state is presumed from the category (engine docstring); a market
            # participation or a preference only when the file says so.
            presumed = presumed_holdings(str(raw["category"]))
            holdings = frozenset(h for h in HOLDINGS if raw.get(h, h in presumed) is True)
        name = str(raw.get("name") or f"party-{index}")
        parties.append(
            Party(
                ref=name,
                name=name,
                category=raw["category"],
                role=str(raw.get("role") or "operator"),
                facts=frozenset(str(f) for f in facts),
                holdings=holdings,
                organ=raw.get("administrative_organ") is True,
            )
        )
    facts = document.get("facts") or []
    if not isinstance(facts, list):
        raise PolicyInputError("全案事实 facts 须为列表", "case facts must be a list")
    return parties, [str(f) for f in facts]


class Command(PolicyCommand):
    help = "适用措施查询：按主体类别和认定事实列出适用的措施及其程序轨道 / Measures, tracks and authorities"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--pack",
            default=None,
            help="政策包 / policy pack id or file (default: MINESWEEP_POLICY_PACK or inner_mongolia_2021)",
        )
        parser.add_argument(
            "--category",
            action="append",
            default=[],
            metavar="CODE",
            help="主体类别（可重复）/ subject category (repeatable)",
        )
        parser.add_argument(
            "--fact",
            action="append",
            default=[],
            metavar="CODE",
            help="认定事实（可重复，对所有主体成立）/ established fact (repeatable, holds for all)",
        )
        parser.add_argument(
            "--case", default=None, metavar="FILE.json", help="多当事人案件 / multi-party case file"
        )
        parser.add_argument(
            "--date", type=_day, default=None, help="行为日期 / day of the act (YYYY-MM-DD, default today)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            pack = load_pack(options["pack"] or deployment_pack_id())
            if options["case"]:
                self.print_json(self._case(pack, options))
                return
            if not options["category"]:
                raise PolicyInputError("请给出 --category 或 --case", "give --category or --case")
            parties = [
                Party(ref=category, category=category) for category in dict.fromkeys(options["category"])
            ]
            evaluation = evaluate(pack, parties, options["fact"], on=options["date"])
        except PolicyError as error:
            raise fail(error) from error
        self.print_json({"pack": pack.id, "pack_status": pack.status, "measures": evaluation.by_measure()})

    def _case(self, pack: Any, options: dict[str, Any]) -> dict[str, Any]:
        path = Path(options["case"])
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise PolicyInputError(
                f"无法读取案件文件 {path}：{exc}", f"cannot read the case file {path}: {exc}"
            ) from exc
        parties, facts = case_parties(document)
        evaluation = evaluate_case(pack, parties, facts, on=options["date"])
        return {"pack": pack.id, "pack_status": pack.status, "parties": evaluation.per_party(parties)}
