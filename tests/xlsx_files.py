"""Workbooks built byte by byte for the import tests (never committed as binaries): the parts a
spreadsheet program writes, with the sheet XML given, so a test can make any file an attacker can."""
from __future__ import annotations

import io
import zipfile

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"


def cell(ref: str, value) -> str:
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"><v>{value}</v></c>'
    text = str(value).replace("&", "&amp;").replace("<", "&lt;")
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def sheet_xml(rows: list[list], dimension: str | None = None) -> str:
    """A worksheet of `rows` from A1 (inline strings and numbers)."""
    out = []
    for r, values in enumerate(rows, 1):
        cells = "".join(cell(f"{chr(65 + c)}{r}", v) for c, v in enumerate(values) if v is not None)
        out.append(f'<row r="{r}">{cells}</row>')
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}">{dim}<sheetData>{"".join(out)}</sheetData></worksheet>'


def workbook(sheets: dict[str, str | bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    """An .xlsx holding `sheets` (name -> sheet XML, or bytes, or a callable writing to a file)."""
    names = list(sheets)
    types = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/vnd.openxmlformats-'
                    f'officedocument.spreadsheetml.worksheet+xml"/>' for i in range(1, len(names) + 1))
    parts = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
                               'package/2006/content-types"><Default Extension="rels" ContentType="application/'
                               'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
                               'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType='
                               '"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                               f"{types}</Types>",
        "_rels/.rels": f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG}"><Relationship Id="rId1" '
                       f'Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>'
                           + "".join(f'<sheet name="{n}" sheetId="{i}" r:id="rId{i}"/>' for i, n in enumerate(names, 1))
                           + "</sheets></workbook>",
        "xl/_rels/workbook.xml.rels": f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG}">'
                                      + "".join(f'<Relationship Id="rId{i}" Type="{REL}/worksheet" '
                                                f'Target="worksheets/sheet{i}.xml"/>' for i in range(1, len(names) + 1))
                                      + "</Relationships>",
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as z:
        for name, text in parts.items():
            z.writestr(name, text)
        for i, n in enumerate(names, 1):
            body = sheets[n]
            if callable(body):
                with z.open(f"xl/worksheets/sheet{i}.xml", "w", force_zip64=True) as f:
                    body(f)
            else:
                z.writestr(f"xl/worksheets/sheet{i}.xml", body)
    return buf.getvalue()


def many_rows(n: int, header=("customer", "name")):
    """A sheet writer of `n` data rows, streamed (a small file that expands to millions of rows)."""
    def write(f):
        f.write(f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData>'.encode())
        f.write(f'<row r="1">{cell("A1", header[0])}{cell("B1", header[1])}</row>'.encode())
        block = []
        for r in range(2, n + 2):
            block.append(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>')
            if len(block) == 50_000:
                f.write("".join(block).encode())
                block = []
        f.write(("".join(block) + "</sheetData></worksheet>").encode())
    return write


def whitespace(mb: int):
    """A sheet writer of `mb` MB of whitespace inside the sheet (a zip bomb: ~1000 to 1)."""
    def write(f):
        f.write(f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData>'.encode())
        block = b" " * (1 << 20)
        for _ in range(mb):
            f.write(block)
        f.write(b"</sheetData></worksheet>")
    return write
