"""An .xlsx measured before any cell reader runs, then read where an abort cannot reach the server.

1. The zip directory: number of parts, their unzipped sizes and compression ratios, encryption.
2. The first sheet, found as Excel finds it: _rels/.rels -> workbook.xml -> its rels -> the part.
3. That sheet's XML streamed (never more than the unzipped limit) for its `dimension` and the
   real last row and column of its cells; past the limits the file is refused, and a sheet with
   no values names the sheet that has them.
4. The cells read by a child process (xlsx_child.py) with a memory limit and a timeout; a crash,
   a timeout or a damaged file becomes an ImportRejected with a sentence a person can act on.

A one-cell file at XFD1048576 (1.5 KB) made the Rust cell reader ask for 512 GiB and abort the
process; a 2 MB file expanding to 2 GiB of whitespace took 52 s and 2.2 GB: both are refused in
step 1 or 3 in milliseconds now, and if a reader still dies, only its own process does.
"""
from __future__ import annotations

import io
import json
import posixpath
import re
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from pathlib import Path

from lib.i18n import t
from lib.store.imports.limits import MAX_XML_PART, MAX_ZIP_PARTS, MB, Limits
from lib.store.imports.report import ImportRejected

CHILD = Path(__file__).with_name("xlsx_child.py")
CHUNK = 4 * MB
MAX_TAG = MB                   # no real start tag is this long


@dataclass(frozen=True)
class Sheet:
    """The first sheet of a workbook as measured: its name, zip part, declared and real extent."""
    name: str
    part: str
    dimension: str | None
    rows: int                  # the last row holding a cell (1 = the header only)
    columns: int               # the last column holding a cell
    has_values: bool


def col_number(letters: str) -> int:
    """Excel column letters as a number.

    >>> col_number("A"), col_number("Z"), col_number("AA"), col_number("XFD")
    (1, 26, 27, 16384)
    """
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


# ---------------------------------------------------------------------------- 1. the zip directory

def _refuse(key: str, file: str, **values) -> ImportRejected:
    return ImportRejected(t(key, **values), where=file)


def _zip(data: bytes, file: str, limits: Limits) -> zipfile.ZipFile:
    tail = data[-(0xFFFF + 22):]
    end = tail.rfind(b"PK\x05\x06")
    if end < 0 or len(tail) - end < 22:
        raise _refuse("io.xlsx.not_zip", file)
    parts = struct.unpack("<H", tail[end + 10:end + 12])[0]
    if parts == 0xFFFF or parts > MAX_ZIP_PARTS:      # 0xFFFF: a zip64 count, never needed by a workbook
        raise _refuse("io.xlsx.parts", file, parts=f"{parts:,}", limit=f"{MAX_ZIP_PARTS:,}")
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
        infos = z.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as e:
        raise _refuse("io.xlsx.not_zip", file) from e
    total = sum(i.file_size for i in infos)
    if total > limits.max_uncompressed:
        raise _refuse("io.xlsx.uncompressed", file, mb=f"{total / MB:,.0f}", limit=f"{limits.max_uncompressed / MB:,.0f}")
    for i in infos:
        if i.flag_bits & 0x1:
            raise _refuse("io.xlsx.encrypted", file)
        if i.file_size > MB and i.file_size > limits.max_ratio * max(i.compress_size, 1):
            raise _refuse("io.xlsx.ratio", file, part=i.filename, ratio=f"{i.file_size / max(i.compress_size, 1):,.0f}",
                          limit=limits.max_ratio)
    return z


def _read_part(z: zipfile.ZipFile, name: str, file: str, limit: int = MAX_XML_PART) -> bytes:
    """A small part, read in chunks so a part larger than it says stops at `limit`."""
    try:
        with z.open(name) as f:
            data = f.read(limit + 1)
    except KeyError:
        raise _refuse("io.xlsx.no_part", file, part=name) from None
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as e:
        raise _refuse("io.xlsx.damaged", file, error=str(e)[:120]) from e
    if len(data) > limit:
        raise _refuse("io.xlsx.damaged", file, error=f"{name} is larger than {limit // MB} MB")
    return data


def _xml(z: zipfile.ZipFile, name: str, file: str) -> ET.Element:
    try:
        return ET.fromstring(_read_part(z, name, file))
    except ET.ParseError as e:
        raise _refuse("io.xlsx.damaged", file, error=f"{name}: {e}") from e


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _rels(z: zipfile.ZipFile, part: str, file: str) -> dict[str, tuple[str, str]]:
    """Relationship id -> (type, target part) of `part` (its _rels/<name>.rels)."""
    folder, base = posixpath.split(part)
    name = posixpath.join(folder, "_rels", base + ".rels")
    out = {}
    for el in _xml(z, name, file).iter():
        if _local(el.tag) == "Relationship":
            target = el.get("Target", "")
            target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
            out[el.get("Id", "")] = (el.get("Type", ""), target)
    return out


def sheets(z: zipfile.ZipFile, file: str) -> list[tuple[str, str]]:
    """(name, part) of every sheet in the workbook's order, the first being the one imported."""
    book = next((tgt for typ, tgt in _rels(z, "", file).values() if typ.endswith("/officeDocument")), None)
    if book is None:
        raise _refuse("io.xlsx.no_part", file, part="workbook.xml")
    rels = _rels(z, book, file)
    out = []
    for el in _xml(z, book, file).iter():
        if _local(el.tag) == "sheet":
            rid = next((v for k, v in el.attrib.items() if _local(k) == "id"), "")
            if rid in rels and rels[rid][0].endswith("/worksheet"):
                out.append((el.get("name", ""), rels[rid][1]))
    return out


# ---------------------------------------------------------------------------- 3. the sheet's XML, streamed

# The fast pass reads the cell references the way spreadsheet programs write them (`<c r="B7"`),
# counted against every opening of a c or row element; any other spelling (no reference, r not
# first, single quotes, a namespace prefix) sends the sheet to the exact pass with an XML parser.
_CELL_COL = re.compile(rb'<c r="([A-Z]{1,4})\d')
_CELL_ROW = re.compile(rb'<c r="[A-Z]{1,4}(\d{1,9})"')
_ROW_R = re.compile(rb'<row r="(\d{1,9})"')
_OTHER_C = (b"<co", b"<cf", b"<cu", b"<ce")          # cols, conditionalFormatting, cfRule, customSheetView...
_PREFIXED = (b":c ", b":c>", b":c/", b":row")
_VALUES = (b"<v>", b"<v ", b"<is>", b"<is ", b"<f>", b"<f ", b"<f/")
_DIMENSION = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?dimension\s[^<>]*?\bref\s*=\s*[\"']([^\"']*)[\"']")
_REF = re.compile(r"\$?([A-Z]{1,4})\$?(\d{1,9})$")


def _openings(chunk: bytes) -> tuple[int, int]:
    """How many c and row elements open in `chunk`, however their attributes are written."""
    cells = chunk.count(b"<c") - sum(chunk.count(o) for o in _OTHER_C)
    return cells, chunk.count(b"<row") - chunk.count(b"<rowB")


class _Budget:
    """The unzipped bytes still allowed across every part streamed for one file."""
    def __init__(self, limit: int):
        self.left = limit


def _chunks(z: zipfile.ZipFile, part: str, file: str, budget: _Budget):
    """The part's bytes in chunks that end at a tag boundary, never more than the budget."""
    tail = b""
    try:
        with z.open(part) as f:
            while True:
                block = f.read(CHUNK)
                if not block:
                    break
                budget.left -= len(block)
                if budget.left < 0:
                    raise _refuse("io.xlsx.expands", file, part=part)
                buf = tail + block
                lt, gt = buf.rfind(b"<"), buf.rfind(b">")
                cut = len(buf) if gt > lt else lt
                tail = buf[cut:]
                if len(tail) > MAX_TAG:
                    raise _refuse("io.xlsx.damaged", file, error=f"{part}: a tag longer than 1 MB")
                yield buf[:cut]
    except KeyError:
        raise _refuse("io.xlsx.no_part", file, part=part) from None
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as e:
        raise _refuse("io.xlsx.damaged", file, error=str(e)[:120]) from e
    if tail:
        yield tail


def _extent(ref: str) -> tuple[int, int] | None:
    m = _REF.match(ref.split(":")[-1].strip().upper())
    return (int(m.group(2)), col_number(m.group(1))) if m else None


def _check_extent(rows: int, cols: int, file: str, limits: Limits, where: str) -> None:
    if rows - 1 > limits.max_rows:
        raise _refuse("io.xlsx.rows", file, where=where, rows=f"{rows:,}", limit=f"{limits.max_rows:,}")
    if cols > limits.max_columns:
        raise _refuse("io.xlsx.columns", file, where=where, columns=f"{cols:,}", limit=f"{limits.max_columns:,}")
    if rows * cols > limits.max_cells:
        raise _refuse("io.xlsx.cells", file, where=where, cells=f"{rows * cols:,}", limit=f"{limits.max_cells:,}")


def scan(z: zipfile.ZipFile, name: str, part: str, file: str, limits: Limits, budget: _Budget) -> Sheet:
    """Measure one sheet part: declared dimension, last row and column of any cell, values or not.

    Counts every cell element, a formatted empty one too, so the extent is never less than what
    a reader allocates. Cells or rows without a reference (allowed: they follow the previous one)
    are placed exactly by the slower pass `_scan_exact`.
    """
    dimension, last_row, last_col, values, first = None, 0, 0, False, True
    for chunk in _chunks(z, part, file, budget):
        if first:
            m = _DIMENSION.search(chunk)
            if m:
                dimension = m.group(1).decode("ascii", "replace")
                ext = _extent(dimension)
                if ext:
                    _check_extent(*ext, file, limits, t("io.xlsx.declared", ref=dimension))
            first = False
        cols, rows, row_refs = _CELL_COL.findall(chunk), _CELL_ROW.findall(chunk), _ROW_R.findall(chunk)
        cells, row_tags = _openings(chunk)
        if len(cols) != cells or len(rows) != cells or len(row_refs) != row_tags or any(p in chunk for p in _PREFIXED):
            return _scan_exact(z, name, part, file, limits, _Budget(limits.max_uncompressed), dimension)
        if cols:
            last_col = max(last_col, max(col_number(c.decode()) for c in set(cols)))
            last_row = max(last_row, max(map(int, set(rows))))
        if row_refs:
            last_row = max(last_row, max(map(int, set(row_refs))))
        values = values or any(v in chunk for v in _VALUES)
        _check_extent(last_row, last_col, file, limits, t("io.xlsx.used", sheet=name))
    return Sheet(name, part, dimension, last_row, last_col, values)


def _scan_exact(z, name: str, part: str, file: str, limits: Limits, budget: _Budget, dimension) -> Sheet:
    """The same measure with an XML parser, placing cells and rows that carry no reference."""
    import xml.parsers.expat
    state = {"row": 0, "col": 0, "rows": 0, "cols": 0, "values": False}

    def start(tag, attrs):
        local = tag.rsplit("|", 1)[-1]
        if local == "row":
            r = attrs.get("r")
            state["row"] = int(r) if r and r.isdigit() else state["row"] + 1
            state["col"] = 0
            state["rows"] = max(state["rows"], state["row"])
        elif local == "c":
            ext = _extent(attrs.get("r", "")) if attrs.get("r") else None
            if attrs.get("r") and ext is None:
                raise _refuse("io.xlsx.damaged", file, error=f"cell reference {attrs.get('r')[:20]!r}")
            state["col"] = ext[1] if ext else state["col"] + 1
            state["rows"] = max(state["rows"], ext[0] if ext else state["row"])
            state["cols"] = max(state["cols"], state["col"])
        elif local in ("v", "is", "f"):
            state["values"] = True

    parser = xml.parsers.expat.ParserCreate(namespace_separator="|")
    parser.StartElementHandler = start
    try:
        for chunk in _chunks(z, part, file, budget):
            parser.Parse(chunk, False)
            _check_extent(state["rows"], state["cols"], file, limits, t("io.xlsx.used", sheet=name))
        parser.Parse(b"", True)
    except xml.parsers.expat.ExpatError as e:
        raise _refuse("io.xlsx.damaged", file, error=f"{part}: {e}") from e
    return Sheet(name, part, dimension, state["rows"], state["cols"], state["values"])


def measure(data: bytes, file: str, limits: Limits) -> Sheet:
    """The first sheet of an .xlsx, measured and within the limits, or ImportRejected saying why."""
    z = _zip(data, file, limits)
    found = sheets(z, file)
    if not found:
        raise _refuse("io.xlsx.no_sheet", file)
    budget = _Budget(limits.max_uncompressed)
    first = scan(z, *found[0], file, limits, budget)
    if not first.has_values:
        for name, part in found[1:]:
            if scan(z, name, part, file, limits, budget).has_values:
                raise _refuse("io.xlsx.first_empty", file, sheet=name)
        raise _refuse("io.file.empty", file)
    return first


# ---------------------------------------------------------------------------- 4. the cells, in a child process

def read_cells(data: bytes, file: str, sheet: Sheet, limits: Limits) -> list[list[str]]:
    """The sheet's cells as text, read by xlsx_child.py in its own process (memory-limited, timed)."""
    args = json.dumps({"memory": limits.reader_memory, "sheet": sheet.name, "max_cell_chars": limits.max_cell_chars})
    try:
        done = subprocess.run([sys.executable, "-I", str(CHILD), args], input=data, capture_output=True,
                              timeout=limits.reader_timeout, check=False)
    except subprocess.TimeoutExpired as e:
        raise _refuse("io.xlsx.timeout", file, seconds=f"{limits.reader_timeout:g}") from e
    except OSError as e:
        raise _refuse("io.xlsx.crashed", file, detail=str(e)[:120]) from e
    try:
        out = json.loads(done.stdout) if done.returncode == 0 else None
    except ValueError:
        out = None
    if not isinstance(out, dict):
        raise _refuse("io.xlsx.crashed", file, detail=_exit_text(done.returncode))
    if "error" in out:
        if out["error"] == "memory":
            raise _refuse("io.xlsx.memory", file, mb=f"{limits.reader_memory / MB:,.0f}")
        raise _refuse("io.file.bad_xlsx", file, error=str(out["error"])[:120])
    if "refused" in out:
        r = out["refused"]
        raise _refuse("io.file.cell_too_long", file, row=r["row"], column=r["column"],
                      chars=f"{r['chars']:,}", limit=f"{limits.max_cell_chars:,}")
    return out["rows"]


def _exit_text(code: int) -> str:
    if code < 0:
        return f"signal {-code}"
    return f"exit code {code}"
