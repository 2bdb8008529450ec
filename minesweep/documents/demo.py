"""Issue every document each demo case can carry (runs after the cases and credit demos; idempotent:
an issued document is returned as it is, never renumbered): each kind for each party it concerns, and a
建议函 to each authority that holds a power over a party."""

from __future__ import annotations

from minesweep.cases.models import Case, CaseParty
from minesweep.core.errors import DomainError
from minesweep.documents.context import other_authority_actions
from minesweep.documents.kinds import KINDS
from minesweep.documents.models import IssuedDocument
from minesweep.documents.services import document_issue


def _requests(case: Case) -> list[tuple[str, CaseParty | None, str]]:
    parties = list(case.parties.all())
    wanted: list[tuple[str, CaseParty | None, str]] = []
    for kind in KINDS:
        if kind in ("proposal", "measure_letter"):
            track_kind = "other_authority" if kind == "proposal" else "measure"
            for track in case.tracks.filter(kind=track_kind).exclude(letter_on=None):
                wanted.append((kind, track.party, track.authority))
            if kind == "proposal" and not case.tracks.exists():  # cases from before the tracks
                for party in parties:
                    addressees = dict.fromkeys(
                        str(a.get("authority")) for a in other_authority_actions(party)
                    )
                    wanted += [(kind, party, addressee) for addressee in addressees]
        else:
            wanted += [(kind, None, "")] + [(kind, party, "") for party in parties]
    return wanted


def load(*, seed: int) -> str:
    if IssuedDocument.objects.exists():
        return "documents already present"
    for case in Case.objects.select_related("division", "lead").order_by("number"):
        for kind, party, addressee in _requests(case):
            try:
                document_issue(actor="demo", case=case, kind=kind, party=party, addressee=addressee)
            except DomainError:
                continue  # this case has nothing to render that kind from (e.g. no decision yet)
    issued = IssuedDocument.objects.count()
    return f"{issued} documents issued for {Case.objects.count()} cases"
