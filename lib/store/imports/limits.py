"""How large an import file may be: the limits a file is measured against before it is parsed.

Every figure is a setting (lib/settings.py, `import_*`), read from the environment or its default,
so an administrator can raise a limit where Tandem is started without touching the code.

    >>> limits = current()
    >>> limits.max_rows, limits.max_columns, limits.excel_dates
    (1000000, 200, (datetime.date(1990, 1, 1), datetime.date(2100, 12, 31)))
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from lib import settings

MB = 1 << 20
MAX_ZIP_PARTS = 10_000          # a workbook has a few dozen parts; a zip of millions is an attack on the reader
MAX_XML_PART = 10 * MB          # workbook.xml and its rels: a few KB in any real file
EXCEL_EPOCH = date(1899, 12, 30)   # serial 1 = 1900-01-01 (Excel's leap-year bug makes day 0 this date)


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_rows: int
    max_columns: int
    max_cells: int
    max_cell_chars: int
    max_uncompressed: int
    max_ratio: int
    reader_memory: int
    reader_timeout: float
    excel_dates: tuple[date, date]

    @property
    def serial_range(self) -> tuple[int, int]:
        """The Excel serial numbers of the first and last date allowed."""
        lo, hi = self.excel_dates
        return (lo - EXCEL_EPOCH).days, (hi - EXCEL_EPOCH).days


def _date(key: str) -> date:
    raw = str(settings.get(key))
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return date.fromisoformat(str(settings.SETTINGS[key].default))


def current() -> Limits:
    """The limits in force (environment overrides, else the declared defaults)."""
    g = settings.get
    return Limits(max_bytes=int(g("import_max_file_mb")) * MB, max_rows=int(g("import_max_rows")),
                  max_columns=int(g("import_max_columns")), max_cells=int(g("import_max_cells")),
                  max_cell_chars=int(g("import_max_cell_chars")),
                  max_uncompressed=int(g("import_xlsx_max_uncompressed_mb")) * MB,
                  max_ratio=int(g("import_xlsx_max_ratio")), reader_memory=int(g("import_reader_memory_mb")) * MB,
                  reader_timeout=float(g("import_reader_timeout_s")),
                  excel_dates=(_date("import_excel_date_min"), _date("import_excel_date_max")))
