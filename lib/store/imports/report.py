"""The report of a refused import: file, row, column, value and reason per problem."""
from __future__ import annotations

import pandas as pd

from lib.errors import ValidationError
from lib.i18n import t

REPORT_COLUMNS = ["file", "row", "column", "value", "reason"]


class ImportRejected(ValidationError):
    """Nothing was written; `problems` lists file, row, column, value and reason."""
    title = "Not imported"

    def __init__(self, detail: str, problems: pd.DataFrame | None = None, *, where: str | None = None):
        super().__init__(detail, where=where, title=t("io.rejected.title"))
        self.problems = problems if problems is not None else pd.DataFrame(columns=REPORT_COLUMNS)
