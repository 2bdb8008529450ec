from __future__ import annotations

import pytest

from minesweep.registry.models import Division, Subject
from minesweep.registry.resident_id import resident_id_check_character
from minesweep.registry.services import subject_create
from minesweep.registry.uscc import make_uscc

BAOTOU_USCC = make_uscc("9", "1", "150203", "55667788")
ORDOS_USCC = make_uscc("9", "1", "150602", "11223344")
_FIRST17 = "15060219800101123"
PERSON_ID = _FIRST17 + resident_id_check_character(_FIRST17)


@pytest.fixture
def baotou_miner(db) -> Subject:  # type: ignore[no-untyped-def]
    return subject_create(
        actor="test",
        kind="enterprise",
        name="包头隐蔽算力科技有限公司",
        uscc=BAOTOU_USCC,
        legal_representative="王强",
        division=Division.objects.get(code="150203"),
        categories=["data_center"],
    )


@pytest.fixture
def ordos_miner(db) -> Subject:  # type: ignore[no-untyped-def]
    return subject_create(
        actor="test",
        kind="enterprise",
        name="鄂尔多斯暗矿数据有限公司",
        uscc=ORDOS_USCC,
        division=Division.objects.get(code="150602"),
        categories=["data_center"],
    )


@pytest.fixture
def ordos_person(db) -> Subject:  # type: ignore[no-untyped-def]
    return subject_create(
        actor="test",
        kind="individual",
        name="李挖矿",
        resident_id=PERSON_ID,
        division=Division.objects.get(code="150602"),
        categories=["individual"],
    )


def propose(subject: Subject, severity: str = "serious", number: str = "包发改信〔2026〕1号"):  # type: ignore[no-untyped-def]
    from minesweep.credit.services import listing_propose

    return listing_propose(
        actor="test",
        subject=subject,
        severity=severity,
        reason="未经报批私自接入动力电源从事虚拟货币“挖矿”活动",
        basis="违反《中华人民共和国电力法》第四条第二款的规定；经包能源罚〔2026〕1号行政处罚决定书认定；国办发〔2020〕49号",
        authority="包头市发展和改革委员会",
        decision_number=number,
        case_number="AJ-2026-000001",
    )
