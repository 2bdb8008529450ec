"""``minesweep measures``: which of a pack's measures apply to given subject categories and facts."""

from __future__ import annotations

from typing import Any

from minesweep.policy.engine import Party, evaluate
from minesweep.policy.errors import PolicyError
from minesweep.policy.management.bilingual import PolicyCommand, fail
from minesweep.policy.packs import load_pack


class Command(PolicyCommand):
    help = "适用措施查询：按主体类别和认定事实列出适用的措施 / Measures that apply to categories and facts"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--pack", required=True, help="政策包 / policy pack id or file, e.g. inner_mongolia_2021"
        )
        parser.add_argument(
            "--category",
            action="append",
            required=True,
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

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            pack = load_pack(options["pack"])
            parties = [
                Party(ref=category, category=category) for category in dict.fromkeys(options["category"])
            ]
            evaluation = evaluate(pack, parties, options["fact"])
        except PolicyError as error:
            raise fail(error) from error
        self.print_json({"pack": pack.id, "pack_status": pack.status, "measures": evaluation.by_measure()})
