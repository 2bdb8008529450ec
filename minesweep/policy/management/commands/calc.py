"""``minesweep calc``: energy-budget cut, theft recovery, tariff-category change, surcharge, thresholds."""

from __future__ import annotations

import datetime as dt
from typing import Any

from minesweep.policy import calc
from minesweep.policy.errors import PolicyError
from minesweep.policy.management.bilingual import (
    BilingualCommandParser,
    PolicyCommand,
    decimal_value,
    fail,
    year_value,
)
from minesweep.policy.packs import deployment_pack_id, load_pack


class Command(PolicyCommand):
    help = "计算：能耗核减、窃电追补、改变用电类别、差别电价加价、追诉门槛 / Policy calculations (JSON)"

    def add_arguments(self, parser: Any) -> None:
        kinds = parser.add_subparsers(
            dest="kind", required=True, metavar="KIND", parser_class=BilingualCommandParser
        )
        self._energy(kinds.add_parser("energy", help="能耗预算核减（吨标准煤）/ energy-budget cut in tce"))
        self._theft(kinds.add_parser("theft", help="窃电量与追补电费 / electricity-theft recovery"))
        self._tariff(kinds.add_parser("tariff-change", help="擅自改变用电类别 / tariff-category change"))
        self._surcharge(kinds.add_parser("surcharge", help="差别电价加价 / differential surcharge"))
        self._threshold(kinds.add_parser("threshold", help="刑事追诉门槛 / criminal-threshold check"))

    @staticmethod
    def _pack(parser: Any, required: bool = False) -> None:
        parser.add_argument(
            "--pack",
            required=required,
            default=None,
            help="政策包 / policy pack (default: MINESWEEP_POLICY_PACK, else inner_mongolia_2021)",
        )

    def _energy(self, parser: Any) -> None:
        parser.add_argument("--kwh", type=decimal_value, required=True, help="电量 kWh")
        parser.add_argument(
            "--coefficient",
            choices=calc.COEFFICIENTS,
            default="calorific",
            help="当量值 calorific（默认）或等价值 equivalent",
        )
        parser.add_argument("--year", type=year_value, help="等价值年份 / year of the equivalent coefficient")
        parser.add_argument(
            "--new-project", action="store_true", help="新增项目（加倍）/ new project (doubled)"
        )
        self._pack(parser)

    def _theft(self, parser: Any) -> None:
        parser.add_argument(
            "--capacity-kw",
            type=decimal_value,
            required=True,
            help="窃电设备容量 kW（kVA 按 kW 计）/ tapped capacity, kVA counted as kW",
        )
        parser.add_argument("--hours", type=decimal_value, help="每日小时数 / hours per day")
        parser.add_argument("--days", type=decimal_value, help="天数 / days")
        parser.add_argument("--unknown-duration", action="store_true", help="时间无法查明 / duration unknown")
        parser.add_argument("--lighting", action="store_true", help="照明用户（6 小时/日）/ lighting user")
        parser.add_argument("--tariff", type=decimal_value, help="电价 元/kWh / tariff yuan/kWh")
        parser.add_argument(
            "--date",
            type=dt.date.fromisoformat,
            default=None,
            help="窃电行为日期（选用当时有效的供电营业规则）/ day of the act (picks the rules then in force)",
        )
        self._pack(parser)

    def _tariff(self, parser: Any) -> None:
        parser.add_argument("--monthly-kwh", type=decimal_value, required=True, help="月均电量 kWh")
        parser.add_argument("--tariff-paid", type=decimal_value, required=True, help="实际执行电价 元/kWh")
        parser.add_argument("--tariff-due", type=decimal_value, required=True, help="应执行电价 元/kWh")
        parser.add_argument(
            "--months", type=decimal_value, help="使用月数（不填按三个月）/ months (default: 3)"
        )
        self._pack(parser)

    def _surcharge(self, parser: Any) -> None:
        parser.add_argument("--kwh", type=decimal_value, help="整周期电量 kWh")
        parser.add_argument(
            "--cycle-kwh", type=decimal_value, help="不足周期：该周期电量 / partial cycle's kWh"
        )
        parser.add_argument("--cycle-days", type=decimal_value, help="该周期天数 / days in that cycle")
        parser.add_argument("--mining-days", type=decimal_value, help="其中涉及天数 / days of mining in it")
        self._pack(parser, required=True)

    def _threshold(self, parser: Any) -> None:
        parser.add_argument("--theft-value", type=decimal_value, help="窃电价值 元")
        parser.add_argument("--fundraising-amount", type=decimal_value, help="非法吸收资金 元")
        parser.add_argument("--fundraising-persons", type=int, help="集资对象人数")
        parser.add_argument("--fundraising-loss", type=decimal_value, help="直接经济损失 元")
        parser.add_argument("--fraud-amount", type=decimal_value, help="集资诈骗数额 元")
        self._pack(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = self._calculate(options["kind"], options)
        except PolicyError as error:
            raise fail(error) from error
        self.print_json({"pack": options["pack"], **result.as_dict()})

    @staticmethod
    def _calculate(kind: str, o: dict[str, Any]) -> calc.Calculation:
        settings = load_pack(o["pack"] or deployment_pack_id()).settings
        if kind == "energy":
            return calc.energy_budget_cut(
                o["kwh"], settings, coefficient=o["coefficient"], year=o["year"], new_project=o["new_project"]
            )
        if kind == "theft":
            return calc.electricity_theft(
                o["capacity_kw"],
                settings,
                hours_per_day=o["hours"],
                days=o["days"],
                unknown_duration=o["unknown_duration"],
                lighting=o["lighting"],
                tariff_yuan_per_kwh=o["tariff"],
                on=o["date"],
            )
        if kind == "tariff-change":
            return calc.tariff_category_change(
                o["monthly_kwh"], o["tariff_paid"], o["tariff_due"], settings, months=o["months"]
            )
        if kind == "surcharge":
            return calc.differential_surcharge(
                settings,
                kwh=o["kwh"],
                cycle_kwh=o["cycle_kwh"],
                cycle_days=o["cycle_days"],
                mining_days=o["mining_days"],
            )
        return calc.criminal_threshold_check(
            settings,
            theft_value_yuan=o["theft_value"],
            fundraising_amount_yuan=o["fundraising_amount"],
            fundraising_persons=o["fundraising_persons"],
            fundraising_loss_yuan=o["fundraising_loss"],
            fraud_amount_yuan=o["fraud_amount"],
        )
