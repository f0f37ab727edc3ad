"""Time buckets for trends: day, ISO week (Monday first) or calendar month, in SQL.

    >>> bucket_sql("week", "s.ship_date")
    "CAST(date_trunc('week', s.ship_date) AS DATE)"
    >>> label_sql("week", "bucket")
    "strftime(bucket, '%G-W%V')"
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
