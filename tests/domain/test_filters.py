"""Filter values with published rules of their own (gateway.domain.filters)."""

from __future__ import annotations

from gateway.domain.filters import parse_cohort_years


class TestParseCohortYears:
    def test_four_digit_years_are_kept_in_order_and_others_dropped(self):
        assert parse_cohort_years([" 2024", "2023 ", "24", "20245", "abcd", ""]) == [2024, 2023]

    def test_digits_that_int_refuses_name_no_year(self):
        # str.isdigit accepts superscripts, which int() refuses: such a filter once answered 500.
        assert parse_cohort_years(["²⁰²⁴", "2024"]) == [2024]
