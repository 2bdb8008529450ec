"""The on-site inspection checklist (现场检查表) and the nameplate power of common mining rigs.

Checklist items are stable codes; an inspection stores one answer (yes / no / na) and a note per item.
Rig power: manufacturer nameplate watts (DOMAIN.md §3, nhamilton1/asics-tools asicWattList.ts).
"""

from __future__ import annotations

CHECKLIST_ITEMS: tuple[tuple[str, str, str], ...] = (
    ("rigs_present", "现场有矿机运行或存放", "Mining rigs running or stored on site"),
    ("pool_traffic", "网络设备连接矿池（界面、配置或流量）", "Network gear connected to mining pools"),
    ("power_approved", "动力电源接入经过报批", "Power connection approved"),
    ("meter_intact", "计量装置完好、封印无异常", "Meter intact, seals undisturbed"),
    ("private_line", "存在私拉专线或绕越计量", "Private line or meter bypass found"),
    ("declared_business", "实际经营与登记或申报业务一致", "Actual business matches the declared business"),
    ("preferences", "享受电价、税收或土地优惠", "Enjoys power-price, tax or land preferences"),
    ("cooling_noise", "有集中散热、降噪改造", "Concentrated cooling or noise works"),
    ("official_link", "发现公职人员参与或提供便利线索", "Signs of an official's involvement"),
)
CHECKLIST_ANSWERS: dict[str, tuple[str, str]] = {
    "yes": ("是", "Yes"),
    "no": ("否", "No"),
    "na": ("不适用/未查", "N/A or not checked"),
}

RIG_NAMEPLATE_W: dict[str, int] = {
    "Antminer S9": 1323,
    "Antminer S17": 2520,
    "Antminer S19": 3250,
    "Antminer S19 Pro": 3250,
    "Antminer S19j Pro": 3050,
    "Antminer S19 XP": 3010,
    "Antminer S21": 3500,
    "Whatsminer M30S": 3300,
    "Whatsminer M50": 3422,
    "Avalon A1246": 3420,
}
