"""Demo blacklist: listed subjects in every interesting state — one in its objection window, one repaired,
one expired, several published (one individual, shown without any ID number) — dated in the past so the
periods are real. Runs after the cases demo; idempotent."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from minesweep.core.errors import DomainError
from minesweep.credit.models import ListingRecord
from minesweep.credit.services import (
    listing_expire_due,
    listing_from_decision,
    listing_notify,
    listing_object,
    listing_objection_decide,
    listing_propose,
    listing_publish,
    repair_apply,
    repair_decide,
)
from minesweep.registry.models import Subject

# Each listing rests on an effective penalty decision (国办发〔2020〕49号, a normative document, cited last for the
# procedure) and is published under 行政处罚法第四十八条第一款 (documents.context.PENALTY_PUBLICATION): a 处理决定书
# gives no statute to list on (credit.services.require_listing_statute); the draft eight measures are no basis
# and are not cited. (reason, basis before 49号)
_THEFT_BASIS = (
    "违反《中华人民共和国电力法》第四条第二款、《电力供应与使用条例》第三十一条的规定；"
    "经{short}能源罚〔{year}〕{serial}号行政处罚决定书认定；依据《中华人民共和国行政处罚法》第四十八条第一款"
)
REASONS = [
    ("未经报批私自接入动力电源从事虚拟货币“挖矿”活动，经查实构成窃电", _THEFT_BASIS),
    ("绕越供电企业用电计量装置用电从事虚拟货币“挖矿”活动，经查实构成窃电", _THEFT_BASIS),
    ("在供电企业的供电设施上擅自接线用电从事虚拟货币“挖矿”活动，经查实构成窃电", _THEFT_BASIS),
]
AUTHORITY_SHORT = {"150100": "呼", "150200": "包", "150300": "乌", "150600": "鄂", "150800": "巴"}


def _authority(subject: Subject) -> tuple[str, str]:
    league = subject.division.parent if subject.division.level == "county" else subject.division
    assert league is not None
    short = AUTHORITY_SHORT.get(league.code, league.name[:1])
    return f"{league.name}发展和改革委员会", short


def _propose(subject: Subject, severity: str, serial: int, year: int, rng: random.Random) -> ListingRecord:
    authority, short = _authority(subject)
    reason, ground = rng.choice(REASONS)
    return listing_propose(
        actor="demo",
        subject=subject,
        severity=severity,
        reason=reason,
        basis=ground.format(short=short, year=year, serial=serial) + "；国办发〔2020〕49号",
        authority=authority,
        decision_number=f"{short}发改信〔{year}〕{serial}号",
    )


def _listed(
    subject: Subject, severity: str, serial: int, notified: dt.date, rng: random.Random
) -> ListingRecord:
    listing = listing_notify(
        actor="demo", listing=_propose(subject, severity, serial, notified.year, rng), on=notified
    )
    assert listing.objection_deadline is not None
    return listing_publish(
        actor="demo", listing=listing, on=listing.objection_deadline + dt.timedelta(days=1)
    )


def load(*, seed: int) -> str:
    if ListingRecord.objects.filter(case_number="").exists():  # the cases demo lists from its own tracks
        return "blacklist already present"
    rng = random.Random(seed)
    candidates = list(
        Subject.objects.filter(
            kind="enterprise", categories__code__in=["unapproved_power_project", "data_center"]
        )
        .select_related("division__parent")
        .distinct()
        .order_by("pk")
    )
    # Baotou and Ordos first (the demo personas' leagues), alternating, then the rest of the region.
    baotou = [s for s in candidates if s.division_id.startswith("1502")]
    ordos = [s for s in candidates if s.division_id.startswith("1506")]
    paired = [s for pair in zip(baotou, ordos, strict=False) for s in pair]
    enterprises = (paired + [s for s in candidates if s not in paired])[:8]
    people = list(
        Subject.objects.filter(kind="individual").select_related("division__parent").order_by("pk")[:1]
    )
    if len(enterprises) < 6:
        return "no registry subjects: blacklist skipped"
    today = timezone.localdate()
    # published, in force; 一般失信 like every demo listing: no pack names the standard a serious list needs
    # (国办发〔2020〕49号 四(六)(七); credit.services.listing_severity)
    _listed(enterprises[0], "general", 1, dt.date(2026, 5, 11), rng)
    _listed(enterprises[1], "general", 2, dt.date(2026, 8, 3), rng)
    if people:
        _listed(people[0], "general", 3, dt.date(2026, 9, 1), rng)
    # repaired: general listing, minimum of 3 months passed, pledge and evidence, approved
    repaired = _listed(enterprises[2], "general", 4, dt.date(2025, 6, 2), rng)
    assert repaired.min_end is not None
    application = repair_apply(
        actor="demo",
        listing=repaired,
        statement="已拆除全部矿机并恢复原用电性质，已补交电费及违约使用电费，罚款已缴清",
        pledge="本单位郑重承诺不再以任何形式从事或参与虚拟货币“挖矿”活动，如有违反自愿接受惩戒",
        evidence=[("缴款凭证.pdf", "application/pdf", b"%PDF-1.4\n% demo receipt\n")],
        on=repaired.min_end + dt.timedelta(days=10),
    )
    repair_decide(
        actor="demo",
        application=application,
        approve=True,
        reply="符合信用修复条件，准予移出",
        on=repaired.min_end + dt.timedelta(days=20),
    )
    # expired: general listing published in 2023, maximum of one year long passed
    _listed(enterprises[3], "general", 5, dt.date(2023, 3, 1), rng)
    expired = listing_expire_due(actor="demo", today=today)
    # objection upheld (not listed)
    upheld = listing_notify(
        actor="demo", listing=_propose(enterprises[4], "general", 6, 2026, rng), on=dt.date(2026, 10, 12)
    )
    upheld = listing_object(
        actor="demo", listing=upheld, text="涉案矿机系承租方所有，本单位不知情", on=dt.date(2026, 10, 13)
    )
    listing_objection_decide(actor="demo", listing=upheld, upheld=True, reply="经复核异议成立")
    # from a demo case's penalty decision (measure 8), if the cases demo made one
    from minesweep.cases.models import Decision

    decision = (
        Decision.objects.filter(party__category__in=["enterprise", "unapproved_power_project"])
        .select_related("case", "party")
        .order_by("decided_on", "pk")
        .first()
    )
    from_case = ""
    if decision is not None and ListingRecord.objects.filter(decision=decision).exists():
        # the case's own credit track listed it (notice, objection period, listing decision)
        from_case = f", 1 from case {decision.case.number} by its credit track"
    elif decision is not None:
        try:
            listing = listing_from_decision(actor="demo", decision=decision)
            listing = listing_notify(
                actor="demo", listing=listing, on=decision.decided_on + dt.timedelta(days=8)
            )
            assert listing.objection_deadline is not None
            listing_publish(
                actor="demo", listing=listing, on=listing.objection_deadline + dt.timedelta(days=1)
            )
            from_case = f", 1 from case {decision.case.number}"
        except DomainError as error:
            from_case = f", case listing skipped ({error.message_en})"
    # in its objection window right now
    window = "skipped (holiday calendar does not cover today)"
    try:
        listing_notify(
            actor="demo", listing=_propose(enterprises[5], "general", 7, today.year, rng), on=today
        )
        window = "1 in its objection window"
    except DomainError:
        pass
    return f"{ListingRecord.objects.count()} blacklist records ({len(expired)} expired, 1 repaired, {window}{from_case})"
