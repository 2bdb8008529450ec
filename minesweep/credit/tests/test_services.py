"""Listing, objection, repair and expiry over simulated time (dates passed explicitly)."""

from __future__ import annotations

import datetime as dt

import pytest

from minesweep.audit.models import AuditEvent
from minesweep.audit.services import audit_verify
from minesweep.core.errors import DomainError, TransitionError
from minesweep.credit.models import ListingRecord, RepairApplication
from minesweep.credit.selectors import public_listings
from minesweep.credit.services import (
    listing_expire_due,
    listing_notify,
    listing_object,
    listing_objection_decide,
    listing_publish,
    listing_remedies,
    repair_apply,
    repair_decide,
)
from minesweep.registry.models import Division

from .conftest import propose

pytestmark = pytest.mark.django_db
S = ListingRecord.Status
MON = dt.date(2026, 3, 2)  # a Monday with no holiday in the following week
EVIDENCE = [("缴款凭证.pdf", "application/pdf", b"%PDF-1.4 paid")]


def _listed(subject, severity="serious", on=MON):  # type: ignore[no-untyped-def]
    listing = listing_notify(actor="test", listing=propose(subject, severity), on=on)
    return listing_publish(
        actor="test", listing=listing, on=listing.objection_deadline + dt.timedelta(days=1)
    )


def test_it_opens_a_five_working_day_objection_window_on_notice(baotou_miner):
    listing = listing_notify(actor="test", listing=propose(baotou_miner), on=MON)
    assert listing.status == S.NOTIFIED and listing.objection_deadline == dt.date(2026, 3, 9)


def test_it_counts_the_objection_window_in_working_days_across_a_holiday(baotou_miner):
    # 2026-09-30 (Wed) + 5 working days skips the National Day holiday (Oct 1–7) → Oct 13 or later
    listing = listing_notify(actor="test", listing=propose(baotou_miner), on=dt.date(2026, 9, 30))
    assert listing.objection_deadline is not None and listing.objection_deadline >= dt.date(2026, 10, 12)


def test_it_refuses_to_publish_before_the_objection_window_closes(baotou_miner):
    listing = listing_notify(actor="test", listing=propose(baotou_miner), on=MON)
    with pytest.raises(DomainError) as refused:
        listing_publish(actor="test", listing=listing, on=dt.date(2026, 3, 9))
    assert refused.value.code == "credit.objection_window_open"
    assert ListingRecord.objects.get(pk=listing.pk).status == S.NOTIFIED


def test_it_publishes_a_serious_listing_for_one_to_three_years(baotou_miner):
    listing = _listed(baotou_miner)
    assert listing.status == S.LISTED and listing.publication_start == dt.date(2026, 3, 10)
    assert listing.min_end == dt.date(2027, 3, 10) and listing.max_end == dt.date(2029, 3, 10)


def test_it_publishes_a_general_listing_for_three_months_to_a_year(baotou_miner):
    listing = _listed(baotou_miner, "general")
    assert listing.min_end == dt.date(2026, 6, 10) and listing.max_end == dt.date(2027, 3, 10)


def test_it_never_publishes_a_minor_listing(baotou_miner):
    listing = _listed(baotou_miner, "minor")
    assert listing.status == S.LISTED and not listing.published
    assert not public_listings(today=dt.date(2026, 3, 11)).exists()


def test_it_refuses_a_late_objection(baotou_miner):
    listing = listing_notify(actor="test", listing=propose(baotou_miner), on=MON)
    with pytest.raises(DomainError) as refused:
        listing_object(actor="test", listing=listing, text="不服", on=dt.date(2026, 3, 10))
    assert refused.value.code == "credit.objection_late"


def test_it_does_not_list_when_the_objection_is_upheld(baotou_miner):
    listing = listing_notify(actor="test", listing=propose(baotou_miner), on=MON)
    listing = listing_object(actor="test", listing=listing, text="矿机属于他人", on=dt.date(2026, 3, 4))
    assert listing.status == S.OBJECTION
    listing = listing_objection_decide(actor="test", listing=listing, upheld=True, reply="经复核属实")
    assert listing.status == S.REMOVED and "异议成立" in listing.removal_reason
    with pytest.raises(TransitionError):
        listing_publish(actor="test", listing=listing, on=dt.date(2026, 3, 20))


def test_it_publishes_at_once_after_a_rejected_objection(baotou_miner):
    listing = listing_notify(actor="test", listing=propose(baotou_miner), on=MON)
    listing = listing_object(actor="test", listing=listing, text="不服", on=dt.date(2026, 3, 3))
    listing = listing_objection_decide(actor="test", listing=listing, upheld=False, reply="证据确凿")
    listing = listing_publish(actor="test", listing=listing, on=dt.date(2026, 3, 5))
    assert listing.status == S.LISTED and listing.publication_start == dt.date(2026, 3, 5)


def test_it_refuses_repair_before_the_minimum_period(baotou_miner):
    listing = _listed(baotou_miner)
    with pytest.raises(DomainError) as refused:
        repair_apply(
            actor="test",
            listing=listing,
            statement="已拆除",
            pledge="承诺",
            evidence=EVIDENCE,
            on=dt.date(2027, 3, 9),
        )
    assert refused.value.code == "credit.repair_too_early"
    assert not RepairApplication.objects.exists()


def test_it_needs_evidence_and_a_pledge_to_apply_for_repair(baotou_miner):
    listing = _listed(baotou_miner)
    for statement, pledge, evidence in (("已拆除", "", EVIDENCE), ("已拆除", "承诺", [])):
        with pytest.raises(DomainError):
            repair_apply(
                actor="test",
                listing=listing,
                statement=statement,
                pledge=pledge,
                evidence=evidence,
                on=dt.date(2027, 3, 10),
            )
    assert ListingRecord.objects.get(pk=listing.pk).status == S.LISTED


def test_it_removes_a_repaired_listing_from_the_public_list(baotou_miner):
    listing = _listed(baotou_miner)
    application = repair_apply(
        actor="test",
        listing=listing,
        statement="矿机已全部拆除，罚款已缴清",
        pledge="不再从事挖矿",
        evidence=EVIDENCE,
        on=dt.date(2027, 3, 10),
    )
    assert application.evidence.get().sha256 and public_listings(today=dt.date(2027, 3, 11)).exists()
    listing = repair_decide(
        actor="test", application=application, approve=True, reply="符合修复条件", on=dt.date(2027, 3, 15)
    )
    assert listing.status == S.REMOVED and listing.removed_on == dt.date(2027, 3, 15)
    assert not public_listings(today=dt.date(2027, 3, 16)).exists()


def test_it_keeps_a_listing_when_repair_is_rejected(baotou_miner):
    listing = _listed(baotou_miner)
    application = repair_apply(
        actor="test",
        listing=listing,
        statement="已整改",
        pledge="承诺",
        evidence=EVIDENCE,
        on=dt.date(2027, 4, 1),
    )
    listing = repair_decide(actor="test", application=application, approve=False, reply="罚款未缴清")
    assert listing.status == S.LISTED


def test_it_expires_a_listing_at_the_maximum_and_not_before(baotou_miner):
    listing = _listed(baotou_miner)
    assert listing_expire_due(today=dt.date(2029, 3, 9)) == []
    assert public_listings(today=dt.date(2029, 3, 9)).exists()
    expired = listing_expire_due(today=dt.date(2029, 3, 10))
    assert [e.pk for e in expired] == [listing.pk]
    listing.refresh_from_db()
    assert listing.status == S.EXPIRED and listing.removed_on == dt.date(2029, 3, 10)
    assert not public_listings(today=dt.date(2029, 3, 10)).exists()
    assert listing_expire_due(today=dt.date(2029, 3, 11)) == []


def test_it_hides_a_listing_from_the_public_after_its_maximum_even_before_the_daily_job(baotou_miner):
    _listed(baotou_miner)
    assert not public_listings(today=dt.date(2029, 3, 10)).exists()


def test_it_audits_every_step_in_an_intact_chain(baotou_miner):
    listing = _listed(baotou_miner)
    listing_expire_due(today=dt.date(2029, 3, 10))
    actions = list(
        AuditEvent.objects.filter(object_type="credit.listingrecord", object_id=str(listing.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == [
        "credit.listing.propose",
        "credit.listing.notify",
        "credit.listing.publish",
        "credit.listing.expire",
    ]
    assert audit_verify().intact


#: 行政复议法（2023）第二十条 (sixty days) and 行政诉讼法第四十六条 (six months), each with its organ.
REMEDIES = (
    "如不服本决定，可以自收到本决定书之日起六十日内向内蒙古自治区人民政府申请行政复议，"
    "或者自收到本决定书之日起六个月内向内蒙古自治区辖区内有管辖权的人民法院提起行政诉讼"
)


def test_a_listing_states_the_review_organ_court_and_periods_of_its_remedies(baotou_miner):
    """国办发〔2020〕49号 requires the 列入决定书 to state the remedies: the credit office's review organ (the
    region's government, 行政复议法第二十四条) and court with the sixty days and six months, never the bare
    "可依法申请行政复议或者提起行政诉讼" (without a period the party has a year, 法释〔2018〕1号第六十四条). The pack's
    court is still a placeholder, which stays off paper."""
    listing = propose(baotou_miner)
    assert listing.remedies == REMEDIES
    assert listing_remedies("inner_mongolia_2021", baotou_miner.division) == REMEDIES
    sichuan = listing_remedies("sichuan_2022", Division(code="510000", name="四川省"))  # not loaded here
    assert "六十日内向四川省人民政府申请行政复议" in sichuan and "待地区配置" not in sichuan


def test_it_refuses_an_incomplete_or_duplicate_proposal(baotou_miner):
    from minesweep.credit.services import listing_propose

    with pytest.raises(DomainError) as refused:
        listing_propose(
            actor="t",
            subject=baotou_miner,
            severity="serious",
            reason="",
            basis="b",
            authority="a",
            decision_number="n",
        )
    assert refused.value.code == "credit.field_required" and "列入事由" in refused.value.message_zh
    with pytest.raises(DomainError):
        listing_propose(
            actor="t",
            subject=baotou_miner,
            severity="huge",
            reason="r",
            basis="b",
            authority="a",
            decision_number="n",
        )
    propose(baotou_miner)
    with pytest.raises(DomainError) as duplicate:
        propose(baotou_miner)
    assert duplicate.value.code == "credit.duplicate" and ListingRecord.objects.count() == 1


@pytest.mark.parametrize(
    "basis",
    [
        "《关于坚决打击惩戒虚拟货币“挖矿”行为八项措施》第八条",  # the draft without its marker
        "国办发〔2020〕49号；《关于坚决打击惩戒虚拟货币“挖矿”行为八项措施（征求意见稿）》第八条（政策背景）",
        "依据《八项措施》第八条",
    ],
)
def test_it_refuses_a_basis_that_cites_the_draft_eight_measures(baotou_miner, basis):
    """A consultation draft is never a legal basis; the refusal says what to write instead and lists nothing."""
    from minesweep.credit.services import listing_propose

    with pytest.raises(DomainError) as refused:
        listing_propose(
            actor="t",
            subject=baotou_miner,
            severity="serious",
            reason="从事虚拟货币“挖矿”活动",
            basis=basis,
            authority="包头市发展和改革委员会",
            decision_number="包发改信〔2026〕9号",
        )
    assert refused.value.code == "credit.basis_draft" and "认定失信行为的生效文书" in refused.value.message_zh
    assert "49/2020" in refused.value.message_en and not ListingRecord.objects.exists()
