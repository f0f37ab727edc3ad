"""Time buckets for trends: day, ISO week (Monday first) or calendar month, in SQL.

    >>> bucket_sql("week", "s.ship_date")
    "CAST(date_trunc('week', s.ship_date) AS DATE)"
    >>> label_sql("week", "bucket")
    "strftime(bucket, '%G-W%V')"
    >>> from datetime import date
    >>> bucket_of("week", date(2026, 12, 1)), label_of("week", date(2026, 12, 1)), label_of("month", date(2026, 12, 1))
    (datetime.date(2026, 11, 30), '2026-W49', '2026-12')
"""
from __future__ import annotations

GRAINS = ("day", "week", "month")
_LABEL = {"day": "%Y-%m-%d", "week": "%G-W%V", "month": "%Y-%m"}


def _check(grain: str) -> str:
    if grain not in GRAINS:
        raise ValueError(f"grain is one of {GRAINS}, not {grain!r}")
    return grain


def bucket_sql(grain: str, column: str) -> str:
    """SQL for the first day of the bucket holding `column` (a DATE)."""
    return f"CAST(date_trunc('{_check(grain)}', {column}) AS DATE)"


def label_sql(grain: str, column: str) -> str:
    """SQL for the bucket's label: 2026-11-25, 2026-W48 or 2026-11."""
    return f"strftime({column}, '{_LABEL[_check(grain)]}')"


def bucket_of(grain: str, d):
    """The first day of the bucket holding the date `d` (bucket_sql in Python)."""
    from datetime import timedelta
    grain = _check(grain)
    if grain == "week":
        return d - timedelta(days=d.weekday())
    return d.replace(day=1) if grain == "month" else d


def label_of(grain: str, d) -> str:
    """The label of the bucket holding `d`, as label_sql writes it: the current, partial
    bucket of a trend is the one holding the as-of date."""
    return bucket_of(grain, d).strftime(_LABEL[_check(grain)])
