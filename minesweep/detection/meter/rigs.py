"""Mining rig nameplate power (矿机额定功率), from DOMAIN §3.

Sources: manufacturer and reseller tables (nhamilton1/asics-tools ``asicWattList.ts``). Values are
wall power in kW for one rig running at its rated hash rate.
"""

from __future__ import annotations

from minesweep.detection.meter.errors import MeterDataError

RIG_POWER_KW: dict[str, float] = {
    "S9": 1.323,
    "S17": 2.520,
    "S19": 3.250,
    "S19PRO": 3.250,
    "S19JPRO": 3.050,
    "S19XP": 3.010,
    "S21": 3.500,
    "M30S": 3.300,
    "M50": 3.422,
    "A1246": 3.420,
}
DEFAULT_RIG = "S19"
# About three current rigs: up to this a steady load is also what a site's own round-the-clock equipment
# draws (a fridge and standby, a telecom base station, a pump house out of season); the meter's scoring and
# the next step both take it as that size (scoring.MIN_FIXED_FLOOR_KW, fusion.standby_sized)
STANDBY_SIZED_KW = 10.0


def rig_power_kw(model: str) -> float:
    """Power of one rig of ``model`` in kW (case, spaces and dashes ignored: "S19 Pro" = "S19PRO")."""
    key = model.upper().replace(" ", "").replace("-", "").replace("_", "")
    key = key.removeprefix("ANTMINER").removeprefix("WHATSMINER").removeprefix("AVALON")
    if key not in RIG_POWER_KW:
        known = ", ".join(RIG_POWER_KW)
        raise MeterDataError(
            "rig_unknown",
            f"未知矿机型号：{model}（可选：{known}）",
            f"Unknown rig model: {model} (known: {known})",
        )
    return RIG_POWER_KW[key]
