"""Reads the cells of one .xlsx sheet in a process of its own, as text.

Run by lib.store.imports.xlsx as `python -I xlsx_child.py '{"memory": ..., "sheet": ..., ...}'`
with the file on stdin; it writes one JSON object to stdout: {"rows": [[text, ...], ...]} or
{"refused": {...}} (a cell longer than allowed) or {"error": "..."} (a damaged file). The native
cell reader (calamine, in Rust) aborts the whole process on some files (a huge allocation, a
panic): here that ends this process, never the server. Its address space is limited first
(RLIMIT_AS), so a file that would need more memory fails here too.

It imports nothing of Tandem and nothing beyond the standard library and the cell reader, so it
starts in a fraction of a second.
"""
import io
import json
import sys
from datetime import date, datetime, time, timedelta


def text(v) -> str:
    """A cell as the text an import reads (lib.store.imports.read.cell_text, without pandas):
    whole floats without '.0', date cells as YYYY-MM-DD, booleans as true/false."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        if v != v:                      # NaN
            return ""
        return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)
    if isinstance(v, datetime):
        return v.date().isoformat() if (v.hour, v.minute, v.second) == (0, 0, 0) else v.isoformat(sep=" ")
    if isinstance(v, (date, time)):
        return v.isoformat()
    if isinstance(v, timedelta):
        return str(v)
    return str(v)


def _rows_calamine(data: bytes, sheet: str):
    from python_calamine import CalamineWorkbook
    wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    ws = wb.get_sheet_by_name(sheet) if sheet in wb.sheet_names else wb.get_sheet_by_index(0)
    return ws.to_python(skip_empty_area=False)


def _rows_openpyxl(data: bytes, sheet: str):
    import openpyxl
    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    ws = wb[sheet] if sheet in wb.sheetnames else wb.worksheets[0]
    return ws.iter_rows(values_only=True)


def main() -> int:
    args = json.loads(sys.argv[1])
    try:
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (args["memory"], args["memory"]))
    except (ImportError, ValueError, OSError):     # no resource module (Windows) or a lower hard limit
        pass
    data = sys.stdin.buffer.read()
    try:
        try:
            rows = _rows_calamine(data, args["sheet"])
        except ImportError:
            rows = _rows_openpyxl(data, args["sheet"])
        out, longest = [], args["max_cell_chars"]
        for r, row in enumerate(rows, 1):
            cells = [v if type(v) is str else text(v) for v in row]
            if cells and max(map(len, cells)) > longest:
                c = next(i for i, s in enumerate(cells, 1) if len(s) > longest)
                json.dump({"refused": {"code": "cell_too_long", "row": r, "column": c, "chars": len(cells[c - 1])}},
                          sys.stdout)
                return 0
            out.append(cells)
        del rows
        json.dump({"rows": out}, sys.stdout, ensure_ascii=False, separators=(",", ":"))
    except MemoryError:
        sys.stdout.write('{"error": "memory"}')
    except Exception as e:  # noqa: BLE001 - the reader raises many kinds for a damaged file
        json.dump({"error": (str(e).splitlines() or [type(e).__name__])[0][:200]}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
