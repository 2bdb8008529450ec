"""Who issues a case's acts: the issuing authority's full name and its 文号 abbreviation (发文机关代字).

Until the region's pack names its authorities, the development and reform commission of the case's league
(or of the region) issues, abbreviated by the league's short name + 发改 (e.g. 包发改).
"""

from __future__ import annotations

from dataclasses import dataclass

from minesweep.cases.models import Case
from minesweep.documents.kinds import AUTHORITY_SHORT
from minesweep.registry.models import Division


@dataclass(frozen=True)
class Issuer:
    name: str  # 包头市发展和改革委员会
    code: str  # 文号 abbreviation: 包发改


def league_of(case: Case) -> Division:
    division = case.division
    while division.level == Division.Level.COUNTY and division.parent is not None:
        division = division.parent
    return division


def case_issuer(case: Case) -> Issuer:
    league = league_of(case)
    return Issuer(
        f"{league.name}发展和改革委员会", AUTHORITY_SHORT.get(league.code, league.name[:1]) + "发改"
    )
