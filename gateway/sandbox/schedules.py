"""The milestone windows of every sandbox schedule (domain.md section 8).

Where section 8 is silent the values are invented, each marked below:
2021 january and april are 2022's shifted back a year, and 2026 is 2025
shifted forward a year.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from gateway.vocabulary import DeclarationType, ScheduleIdentifier

STANDARD_TYPES = (
    DeclarationType.STARTED,
    DeclarationType.RETAINED_1,
    DeclarationType.RETAINED_2,
    DeclarationType.RETAINED_3,
    DeclarationType.RETAINED_4,
    DeclarationType.COMPLETED,
)
EXTENDED_TYPES = (*STANDARD_TYPES, DeclarationType.EXTENDED_1, DeclarationType.EXTENDED_2, DeclarationType.EXTENDED_3)

# From this cohort on, windows have no end: the order of declarations is checked instead.
OPEN_ENDED_FROM = 2025


@dataclass(frozen=True, slots=True)
class MilestoneWindow:
    declaration_type: DeclarationType
    start_date: date
    milestone_date: date | None

    def contains(self, day: date) -> bool:
        return self.start_date <= day and (self.milestone_date is None or day <= self.milestone_date)


def _windows(pairs: list[tuple[str, str]]) -> list[tuple[date, date]]:
    return [(date.fromisoformat(start), date.fromisoformat(end)) for start, end in pairs]


_STANDARD_2022 = {
    "september": _windows(
        [
            ("2022-06-01", "2022-12-31"),
            ("2023-01-01", "2023-03-31"),
            ("2023-04-01", "2023-07-31"),
            ("2023-08-01", "2023-12-31"),
            ("2024-01-01", "2024-03-31"),
            ("2024-04-01", "2024-07-31"),
        ]
    ),
    "january": _windows(
        [
            ("2023-01-01", "2023-03-31"),
            ("2023-04-01", "2023-07-31"),
            ("2023-08-01", "2023-12-31"),
            ("2024-01-01", "2024-03-31"),
            ("2024-04-01", "2024-07-31"),
            ("2024-08-01", "2024-12-31"),
        ]
    ),
    "april": _windows(
        [
            ("2023-04-01", "2023-07-31"),
            ("2023-08-01", "2023-12-31"),
            ("2024-01-01", "2024-03-31"),
            ("2024-04-01", "2024-07-31"),
            ("2024-08-01", "2024-12-31"),
            ("2025-01-01", "2025-03-31"),
        ]
    ),
}

_STANDARD_2021_SEPTEMBER = _windows(
    [
        ("2021-09-01", "2021-11-30"),
        ("2021-09-01", "2022-01-31"),
        ("2022-02-01", "2022-04-30"),
        ("2022-05-01", "2022-09-30"),
        ("2022-10-01", "2023-01-31"),
        ("2023-02-01", "2023-04-30"),
    ]
)

_OPEN_ENDED_STARTS_2025 = {"september": date(2025, 6, 1), "january": date(2026, 1, 1), "april": date(2026, 4, 1)}


def _shift(day: date, years: int) -> date:
    return day.replace(year=day.year + years)


def _kind_and_month(identifier: ScheduleIdentifier) -> tuple[str, str]:
    _, kind, month = identifier.value.split("-")
    return kind, month


def schedule_name(identifier: ScheduleIdentifier) -> str:
    kind, month = _kind_and_month(identifier)
    return f"ECF {kind.title()} {month.title()}"


def schedule_month_start(cohort_year: int, identifier: ScheduleIdentifier) -> date:
    """The first day of the month a schedule is named after: september of the cohort year, january or april of the next."""
    _, month = _kind_and_month(identifier)
    if month == "september":
        return date(cohort_year, 9, 1)
    return date(cohort_year + 1, 1 if month == "january" else 4, 1)


def _standard_windows(cohort_year: int, month: str) -> list[tuple[date, date | None]]:
    if cohort_year >= OPEN_ENDED_FROM:
        # 2026 is invented: 2025 shifted by a year.
        start = _shift(_OPEN_ENDED_STARTS_2025[month], cohort_year - OPEN_ENDED_FROM)
        return [(start, None)] * len(STANDARD_TYPES)
    if cohort_year == 2021 and month == "september":
        return list(_STANDARD_2021_SEPTEMBER)
    # 2023 and 2024 are 2022 shifted (section 8); 2021 january and april are invented the same way, a year back.
    return [
        (_shift(start, cohort_year - 2022), _shift(end, cohort_year - 2022)) for start, end in _STANDARD_2022[month]
    ]


def milestone_windows(cohort_year: int, identifier: ScheduleIdentifier) -> tuple[MilestoneWindow, ...]:
    kind, month = _kind_and_month(identifier)
    if kind == "standard":
        return tuple(
            MilestoneWindow(declaration_type, start, end)
            for declaration_type, (start, end) in zip(
                STANDARD_TYPES, _standard_windows(cohort_year, month), strict=True
            )
        )
    start = schedule_month_start(cohort_year, identifier)
    types = EXTENDED_TYPES if kind == "extended" else STANDARD_TYPES
    return tuple(MilestoneWindow(declaration_type, start, None) for declaration_type in types)
