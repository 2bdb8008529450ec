"""Working days and statutory deadlines across National Day 2025 and Spring Festival 2026 (with 调休)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from minesweep.policy import workdays as w
from minesweep.policy.errors import PolicyInputError, WorkdayCalendarError

D = dt.date


def test_it_knows_make_up_saturdays_and_holiday_weekdays():
    assert w.is_working_day(D(2026, 2, 14))  # Saturday, 调休 before Spring Festival
    assert w.is_working_day(D(2025, 9, 28))  # Sunday, 调休 before National Day
    assert not w.is_working_day(D(2025, 10, 8))  # Wednesday inside the National Day holiday
    assert not w.is_working_day(D(2026, 2, 16))  # Monday inside Spring Festival


def test_it_counts_5_working_days_across_national_day_2025():
    # notice Mon 29 Sep: Tue 30 Sep (1), 1–8 Oct holiday, Thu 9 (2), Fri 10 (3), Sat 11 调休 (4), Mon 13 (5)
    assert w.hearing_request_deadline(D(2025, 9, 29)) == D(2025, 10, 13)


def test_it_counts_5_working_days_across_spring_festival_2026():
    # notice Thu 12 Feb: Fri 13 (1), Sat 14 调休 (2), 15–23 Feb holiday, Tue 24 (3), Wed 25 (4), Thu 26 (5)
    assert w.hearing_request_deadline(D(2026, 2, 12)) == D(2026, 2, 26)
    assert w.add_working_days(D(2026, 2, 13), 1) == D(2026, 2, 14)


def test_it_does_not_count_the_start_day_and_zero_is_the_start():
    assert w.add_working_days(D(2025, 11, 3), 1) == D(2025, 11, 4)
    assert w.add_working_days(D(2025, 11, 3), 0) == D(2025, 11, 3)


def test_it_counts_the_hearing_notice_7_working_days_back_over_a_make_up_sunday():
    # hearing Fri 10 Oct 2025: Thu 9 (1), 30 Sep (2), 29 Sep (3), Sun 28 Sep 调休 (4), 26 (5), 25 (6), 24 (7)
    assert w.hearing_notice_latest(D(2025, 10, 10)) == D(2025, 9, 24)


def test_it_counts_service_in_working_days():
    # announced Fri 26 Sep 2025: Sun 28 (1), Mon 29 (2), Tue 30 (3), Thu 9 Oct (4), Fri 10 (5), Sat 11 (6), Mon 13 (7)
    assert w.service_deadline(D(2025, 9, 26)) == D(2025, 10, 13)


def test_it_moves_a_partys_calendar_deadline_off_a_holiday():
    # payment: 23 Sep 2025 + 15 days = Wed 8 Oct (holiday) → Thu 9 Oct (民法典第二百零三条)
    assert w.payment_deadline(D(2025, 9, 23)) == D(2025, 10, 9)
    # appeal: 1 Dec 2025 + 60 days = Fri 30 Jan 2026, a working day
    assert w.appeal_deadline(D(2025, 12, 1)) == D(2026, 1, 30)


def test_it_keeps_the_authoritys_deadline_in_calendar_days_unmoved():
    # decision: filed 10 Jul 2025 + 90 days = Wed 8 Oct 2025, a holiday, not moved
    assert w.decision_deadline(D(2025, 7, 10)) == D(2025, 10, 8)
    assert w.police_referral_decision_deadline(D(2025, 9, 29)) == D(2025, 10, 2)
    assert w.police_answer_deadline(D(2025, 12, 30)) == D(2026, 1, 2)


def test_it_gives_24_hours_for_the_police_transfer():
    assert w.police_transfer_deadline(dt.datetime(2025, 10, 1, 9, 30)) == dt.datetime(2025, 10, 2, 9, 30)
    with pytest.raises(PolicyInputError):
        w.compute_deadline("police_transfer", D(2025, 10, 1))


def test_it_counts_six_months_to_the_corresponding_or_last_day():
    # 31 Aug 2025 + 6 months → 28 Feb 2026 (no 31st); that Saturday is a 调休 working day, so it stays
    assert w.lawsuit_deadline(D(2025, 8, 31)) == D(2026, 2, 28)
    # 15 Apr 2025 + 6 months = Wed 15 Oct 2025
    assert w.lawsuit_deadline(D(2025, 4, 15)) == D(2025, 10, 15)


def test_it_allows_15_more_working_days_for_a_lead_check_when_extended():
    # received Mon 22 Sep 2025: 23,24,25,26,28(调休),29,30 Sep = 7; 9,10,11(调休),13,14,15,16,17 Oct = 15
    assert w.lead_check_deadline(D(2025, 9, 22)) == D(2025, 10, 17)
    extended = w.compute_deadline("lead_check", D(2025, 9, 22), extended=True)
    assert extended.extended and extended.due == w.add_working_days(D(2025, 10, 17), 15)


def test_it_states_the_unit_and_the_rule_for_every_deadline():
    for rule in w.DEADLINE_RULES.values():
        assert rule.unit in {"working_days", "calendar_days", "months", "hours"}
        assert rule.basis
    assert w.DEADLINE_RULES["hearing_request"].unit == "working_days"
    assert "第八十五条" in w.DEADLINE_RULES["hearing_request"].basis
    assert w.DEADLINE_RULES["payment"].unit == "calendar_days"
    payload = w.compute_deadline("hearing_request", D(2025, 9, 29)).as_dict()
    assert payload["due"] == "2025-10-13" and payload["unit"] == "working_days"


def test_it_refuses_dates_outside_the_holiday_calendar():
    with pytest.raises(WorkdayCalendarError) as caught:
        w.add_working_days(D(w.LAST_SUPPORTED_YEAR, 12, 20), 30)  # past the provisional years too
    assert str(w.LAST_SUPPORTED_YEAR) in caught.value.message and "chinese-calendar" in caught.value.message


def test_it_counts_provisionally_beyond_the_published_schedule_with_statutory_holidays():
    year = w.LAST_OFFICIAL_YEAR + 1
    new_year = D(year, 1, 1)
    assert w.is_provisional(new_year) and not w.is_working_day(new_year)
    assert not w.is_working_day(D(year, 10, 1)) and not w.is_working_day(D(year, 5, 1))
    due = w.compute_deadline("hearing_request", D(year - 1, 12, 30))
    assert due.provisional and due.as_dict()["provisional"] is True
    assert not w.compute_deadline("hearing_request", D(w.LAST_OFFICIAL_YEAR, 3, 2)).provisional
    with pytest.raises(WorkdayCalendarError):
        w.is_working_day(D(1999, 1, 4))


def test_it_refuses_negative_counts_and_unknown_deadlines():
    with pytest.raises(PolicyInputError):
        w.add_working_days(D(2025, 1, 6), -1)
    with pytest.raises(PolicyInputError):
        w.compute_deadline("siesta", D(2025, 1, 6))


@given(start=st.dates(min_value=D(2005, 1, 1), max_value=D(2025, 12, 1)), count=st.integers(1, 20))
def test_it_always_lands_on_a_working_day_and_counts_back_to_the_last_working_day(start, count):
    due = w.add_working_days(start, count)
    assert w.is_working_day(due) and due > start
    back = w.subtract_working_days(due, count)
    assert back <= start and (
        back == start
        or not any(w.is_working_day(back + dt.timedelta(days=i)) for i in range(1, (start - back).days + 1))
    )


def test_it_dates_a_department_task_from_a_pack_deadline():
    assert w.add_period(D(2026, 2, 12), 5, "working_days") == D(2026, 2, 26)
    assert w.add_period(D(2026, 2, 12), 7, "calendar_days") == D(2026, 2, 19)
    assert w.add_period(dt.datetime(2026, 2, 12, 8), 24, "hours") == dt.datetime(2026, 2, 13, 8)
    with pytest.raises(PolicyInputError):
        w.add_period(D(2026, 2, 12), 1, "weeks")
