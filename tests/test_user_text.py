"""User text is text everywhere (issue #12 item 4, STYLE.md 14).

Payloads (tags, Streamlit directives, LaTeX, javascript: links, Markdown blocks and tables, in
English and Chinese) are written into every user-writable text column of one copy of the demo
factory, and into one code of each kind of master record. Then every page is drawn (AppTest, both
languages), the presenter is walked through every agenda section, and a meeting's minutes are
written (Markdown, PDF, Excel). Each payload carries a marker (Zq01, Zq02, ...) so the checks
can tell where a stored value is drawn:

* in every string Streamlit renders as Markdown or HTML (bodies, captions, alerts, toasts,
  metrics, widget labels, expander/tab labels, radio/segmented options, page links) no payload
  markup is left unescaped, and a drawn value is drawn whole (escaped, not dropped);
* in plain-text places (selectbox options, text inputs, data frames) a value is not escaped
  (the escapes would show);
* plotly figures carry no raw tag from a value;
* the minutes Markdown escapes every value, the PDF shows it as typed, the Excel pack holds no
  formula.
"""
from __future__ import annotations

import html
import io
import json
import re
import shutil
from dataclasses import dataclass
from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from lib.people.auth import SYSTEM, User
from tests.conftest import AS_OF, ROOT, select_page

MARK = re.compile(r"Zq(\d\d)")


def _payload(n: int) -> str:
    """Payload number `n` (its marker is Zq<n>); three kinds take turns over the columns."""
    m = f"Zq{n:02d}"
    return [
        f"# heading {m} <img src=x onerror=alert(1)> :red[RED] $$x^2$$ [click](javascript:alert(1)) **bold** | a | b |",
        f"**bold** {m} <script>alert(1)</script> 中文<img src=x onerror=alert(1)>：:red[红色] $$y^2$$\n# 标题 [点](javascript:alert(1)) | 甲 | 乙 |",
        f"=1+2 {m} - item :smile: :material/home: www.example.com a@b.cn `code` <b>b</b> $a$ b $c$ ~~s~~",
    ][n % 3]


# Free-text columns people type or import. The spec-derived part (lib.store.tables) is checked
# below so that a new text column in the exchange format is not forgotten here.
TEXT_COLUMNS = {
    "work_centers": ["name", "line"], "calendar": ["reason"], "products": ["name", "family", "unit"],
    "suppliers": ["name"], "customers": ["name"], "materials": ["name", "unit"],
    "variance_notes": ["line", "description", "countermeasure", "owner"], "downtime": ["reason"],
    "npi_projects": ["name", "owner"], "npi_milestones": ["milestone", "owner"], "drawings": ["title", "owner"],
    "engineering_changes": ["title", "description", "reason", "owner"], "improvements": ["title", "owner"],
    "inspections": ["line", "lot", "defect_type", "inspector"], "order_lines": ["order_no"],
    "order_changes": ["old_value", "new_value", "reason", "created_by"], "complaints": ["description", "owner"],
    "promise_history": ["promised_by", "reason"], "order_reviews": ["comment", "signer"],
    "meetings": ["title", "chair", "note_taker", "notes"], "meeting_attendance": ["person"],
    "decisions": ["text", "decided_by"],
    "action_items": ["title", "owner", "result", "verifier", "cancel_reason"],
    "action_discussions": ["note"], "action_events": ["note"], "users": ["display_name", "email"],
    "section_updates": ["source"],
}
# columns that hold the same production line, family, ... in several tables: one payload for all,
# so joins still match
SHARED = {"line": ("work_centers", "variance_notes", "inspections")}
# codes (keys): one record of each is renamed in every table that names it
CODES = ("work_center", "product", "customer", "supplier", "material")


def test_every_free_text_column_of_the_exchange_format_gets_a_payload():
    from lib.store import tables
    free = {(s.table, c.column) for s in tables.SPECS for c in s.columns
            if c.kind == "text" and not c.ref and not c.virtual and c.name not in s.key}
    covered = {(t, c) for t, cols in TEXT_COLUMNS.items() for c in cols}
    keys = {("order_lines", "order_no")}
    assert free - covered - keys - {("order_changes", "order"), ("shipments", "order"), ("complaints", "order")} == set()


class Payloads(dict):
    """Marker number -> the payload carrying it; `at[place]` is the marker written to a place
    ("table.column", or what the fixture wrote through lib, e.g. "decision.text")."""

    def __init__(self):
        super().__init__()
        self.at: dict[str, int] = {}

    def new(self, place: str, code: bool = False) -> str:
        """A new payload for `place` (a short one to append to a code)."""
        n = len(self) + 1
        self[n] = f"<img src=x onerror=alert(1)>:red[K]$$k$$Zq{n:02d}" if code else _payload(n)
        self.at[place] = n
        return self[n]


def _write_payloads(path) -> Payloads:
    """Payloads into `path`'s text columns (a payload, a space, the value) and one code of each
    CODES (the code with the payload after it, in every table that names it)."""
    import duckdb
    con = duckdb.connect(str(path))
    out = Payloads()
    shared: dict[str, str] = {}
    for table, cols in TEXT_COLUMNS.items():
        for col in cols:
            if col in SHARED and table in SHARED[col]:
                if col not in shared:
                    shared[col] = out.new(f"{table}.{col}")
                text = shared[col]
                out.at[f"{table}.{col}"] = int(MARK.search(text).group(1))
            else:
                text = out.new(f"{table}.{col}")
            con.execute(f'UPDATE {table} SET "{col}" = ? || \' \' || "{col}" WHERE "{col}" IS NOT NULL', [text])
    columns = con.execute("SELECT c.table_name, c.column_name FROM information_schema.columns c "
                          "JOIN information_schema.tables t USING (table_schema, table_name) "
                          "WHERE c.table_schema = 'main' AND c.data_type = 'VARCHAR' AND t.table_type = 'BASE TABLE'").fetchall()
    for code in CODES:
        old = con.execute(f"SELECT min({code}) FROM {code}s").fetchone()[0]
        text = out.new(f"{code}s.{code}", code=True)
        for table, col in columns:
            if col == code:
                con.execute(f'UPDATE {table} SET "{col}" = ? WHERE "{col}" = ?', [old + text, old])
    con.close()
    return out


# ---------------------------------------------------------------------------- the helpers, by hand

@pytest.mark.parametrize("value, markdown", [
    ("<img src=x onerror=alert(1)>", r"\<img src=x onerror=alert(1)\>"),
    (":red[RED] :blue-background[x]", r"\:red\[RED\] \:blue-background\[x\]"),
    ("$$x^2$$ and $a$", r"\$\$x^2\$\$ and \$a\$"),
    ("[click](javascript:alert(1))", r"\[click\](javascript\:alert(1))"),
    ("**bold** _it_ `code` ~~s~~", r"\*\*bold\*\* \_it\_ \`code\` \~\~s\~\~"),
    ("# heading", r"\# heading"),
    ("| a | b |", r"\| a \| b \|"),
    ("- item", r"\- item"), ("+ item", r"\+ item"), ("1. item", r"1\. item"), ("2) item", r"2\) item"),
    ("> quote", r"\> quote"), ("===", r"\==="), ("&amp; &#60;", r"\&amp; \&\#60;"),
    ("a\n\n# b\n    c", r"a \# b c"),                          # one line, no block can start
    (":smile:", ":\u2060smile:"), (":material/home:", ":\u2060material/home:"),
    ("www.x.cn", "www\u2060.x.cn"), ("https://x.cn", "https\u2060://x.cn"), ("a@b.cn", "a\u2060@b.cn"),
    # what needs no escape stays as typed: codes, dates, prices, times, Chinese
    ("C-001 Co., Ltd. 2026-11-25 09:30 ¥1,200.50 -5 %", "C-001 Co., Ltd. 2026-11-25 09:30 ¥1,200.50 -5 %"),
    ("二号线：周六加班", "二号线：周六加班"), (None, ""), (float("nan"), ""),
])
def test_md_text(value, markdown):
    from lib.text import md_text
    assert md_text(value) == markdown


@pytest.mark.parametrize("n", range(1, 4))
def test_each_payload_reads_back_as_typed_from_md_text_and_html_text(n):
    from lib.text import html_text, md_text
    typed = _normal(_payload(n))
    assert _as_read(md_text(_payload(n))) == typed
    assert _as_read(html_text(_payload(n))) == typed
    assert markup_problems(md_text(_payload(n)), "md", {n: _payload(n)}) == []
    assert markup_problems(html_text(_payload(n)), "html", {n: _payload(n)}) == []
    assert markup_problems(_payload(n), "raw", {n: _payload(n)}) != []          # the check sees raw markup


# ---------------------------------------------------------------------------- what an AppTest drew

def _strings(msg, path: str = ""):
    """(field path, text) of every string in a protobuf message, nested messages included."""
    for field, value in msg.ListFields():
        name = f"{path}.{field.name}" if path else field.name
        items = value if getattr(field, "is_repeated", False) else [value]
        for item in items:
            if isinstance(item, str):
                yield name, item
            elif hasattr(item, "ListFields"):
                yield from _strings(item, name)


def drawn(at):
    """(element type, field path, text) of every string of every element and container drawn."""
    for node in at._tree:
        proto = getattr(node, "proto", None)
        if proto is not None and hasattr(proto, "ListFields"):
            for name, text in _strings(proto):
                yield node.type, name, text


# ---------------------------------------------------------------------------- the checks

# element types whose strings, other than the label and help, are shown as plain text
PLAIN_TYPES = {"selectbox", "multiselect", "text_input", "text_area", "number_input", "date_input", "time_input",
               "code", "text", "arrow_data_frame", "arrow_table", "json", "download_button", "file_uploader",
               "data_editor"}
MARKDOWN_FIELDS = {"label", "help"}
NOT_SHOWN = {"id", "form_id", "page", "page_script_hash", "url_path"}     # internal ids and addresses
# payload markup that must never reach a Markdown/HTML string unescaped; checked after dropping
# backslash-escaped characters (and never unescaping &lt; ...)
RAW = ("<img", "<script", ":red[", "$$", "javascript:", "**bold**", "# heading", "| a |", "| 甲",
       ":smile:", "www.example", "<b>b", "`code`", "~~s~~")


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u2060", "")).strip()


def _as_read(text: str) -> str:
    """What a reader sees of escaped text: backslash escapes and character references resolved."""
    return _normal(html.unescape(re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text)))


def markup_problems(text: str, where: str, payloads: dict[int, str]) -> list[str]:
    """Why `text`, rendered as Markdown (or HTML), would draw a payload as markup, or not whole."""
    out = []
    bare = re.sub(r"\\.", "", text)
    found = [raw for raw in RAW if raw in bare]
    if found:
        m = MARK.search(text)
        out.append(f"{where}: raw {', '.join(found)} in {text[max(0, m.start() - 80) if m else 0:][:200]!r}")
    read = _as_read(text)
    for m in MARK.finditer(read):
        want = _normal(payloads[int(m.group(1))])
        if want not in read:
            out.append(f"{where}: Zq{m.group(1)} not drawn whole in {text[:160]!r}")
    return out


def plain_problems(text: str, where: str) -> list[str]:
    """Why `text`, shown as plain text, would show escapes."""
    if MARK.search(text) and re.search(r"\\[<>:\[$*#|`]|&lt;|&#\d+;|\u2060", text):
        return [f"{where}: escaped in plain text: {text[:160]!r}"]
    return []


def plot_problems(spec: str, where: str, payloads: dict[int, str]) -> list[str]:
    """Why a plotly figure would draw a payload's tags (plotly reads <b>, <a>, <br>, <span>)."""
    out = []

    def walk(v):
        if isinstance(v, dict):
            for x in v.values():
                yield from walk(x)
        elif isinstance(v, list):
            for x in v:
                yield from walk(x)
        elif isinstance(v, str):
            yield v
    for s in walk(json.loads(spec)):
        for m in MARK.finditer(s):
            if re.search(r"<(img|script|b>)", s):
                out.append(f"{where}: raw tag in plotly text {s[:160]!r}")
            elif _normal(payloads[int(m.group(1))]) not in _normal(html.unescape(s)):
                out.append(f"{where}: Zq{m.group(1)} not drawn whole in plotly text {s[:160]!r}")
    return out


def page_problems(at, where: str, payloads: dict[int, str]) -> tuple[list[str], set[int]]:
    """Every problem of one AppTest run, and the markers drawn in Markdown/HTML."""
    problems, seen = [], set()
    if at.exception:
        problems.append(f"{where}: exception {at.exception}")
    for typ, field, text in drawn(at):
        at_ = f"{where} {typ}.{field}"
        if field.split(".")[-1] in NOT_SHOWN:
            continue
        if typ == "plotly_chart" and field == "spec":
            problems += plot_problems(text, at_, payloads)
        elif typ in PLAIN_TYPES and field.split(".")[-1] not in MARKDOWN_FIELDS:
            problems += plain_problems(text, at_)
        else:
            problems += markup_problems(text, at_, payloads)
            seen |= {int(m.group(1)) for m in MARK.finditer(_as_read(text))}
    return problems, seen


# ---------------------------------------------------------------------------- the factory

@dataclass
class Hostile:
    path: object
    payloads: Payloads
    closed: int           # a meeting run and closed on the payloads (its minutes hold them)
    next: int             # the meeting scheduled at that close, not started
    admin: User           # the signed-in user: an admin (every page) named by a payload


@pytest.fixture(scope="module")
def hostile(demo_path, tmp_path_factory) -> Hostile:
    """One copy of the demo factory with payloads everywhere, and a meeting run on it through lib:
    a decision, an action and a report on a carried action, each a payload; then closed."""
    from lib.filters import default_filters
    from lib.meeting import actions, meetings
    from lib.store.db import Database
    path = tmp_path_factory.mktemp("hostile") / "demo.duckdb"
    shutil.copy(demo_path, path)
    p = _write_payloads(path)
    db = Database(path)
    with db.cursor() as cur:
        mid = meetings.active(cur)
        carried = meetings.carried_actions(cur, mid, AS_OF)
        name = cur.execute("SELECT display_name FROM users WHERE username = 'admin'").fetchone()[0]
    meetings.start(db, SYSTEM, mid)
    meetings.record_decision(db, SYSTEM, mid, section="pmc", text=p.new("decision.text"),
                             decided_by=p.new("decision.by"))
    actions.create(db, SYSTEM, title=p.new("action.title"), owner_department="pmc", owner=p.new("action.owner"),
                   due_date=date(2026, 12, 9), section="pmc", meeting_id=mid)
    actions.discuss(db, SYSTEM, int(carried["action_id"].iloc[0]), mid, note=p.new("discussion.note"))
    done = meetings.close(db, SYSTEM, mid, f=default_filters(AS_OF), as_of=AS_OF, lang="en")
    with db.transaction(SYSTEM, source="test") as tx:
        tx.update("meetings", {"meeting_id": done.next_meeting_id}, {"title": p.new("next.title")})
    db.checkpoint()
    db.close()
    return Hostile(path, p, done.meeting_id, done.next_meeting_id, User("admin", "admin", None, name))


def _app(h: Hostile, monkeypatch, lang: str, state: dict | None = None) -> AppTest:
    monkeypatch.setenv("TANDEM_DB", str(h.path))
    monkeypatch.setenv("TANDEM_AS_OF", AS_OF.isoformat())
    monkeypatch.setenv("TANDEM_LANG", lang)
    monkeypatch.setenv("TANDEM_AUTH", "off")     # the session's user acts, as signed in
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["user"] = h.admin
    for k, v in (state or {}).items():
        at.session_state[k] = v
    return at


def _report(problems: list[str]) -> str:
    return "\n".join(problems[:40]) + f"\n... {len(problems)} in all"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_page_draws_stored_text_as_text(hostile, monkeypatch, lang):
    from lib.store.db import get_db
    from lib.ui import nav
    h, at_ = hostile, hostile.payloads.at
    with get_db(str(h.path)).cursor() as cur:
        product = cur.execute("SELECT min(product) FROM routings WHERE product LIKE '%Zq%'").fetchone()[0]
    # Delivery promise: in English the answer names the product; in Chinese the quantity typed is a
    # payload, refused with a message quoting it (the path every TandemError takes to the screen)
    qty = "100" if lang == "en" else h.payloads.new("promise.qty")
    state = {"promise": {"pr_inquiry": (product, qty, date(2026, 12, 16))},
             "meetings": {"meeting_goto": h.closed, f"minutes-md-{h.closed}": True}}   # its minutes opened
    problems, seen = [], {}
    for page in nav.PAGES:
        at = _app(h, monkeypatch, lang, state.get(page.url))
        at.run()
        if page.url != "overview":
            select_page(at, page.url).run()
        p, s = page_problems(at, f"{lang}/{page.url}", h.payloads)
        problems += p
        seen[page.url] = s
    assert problems == [], _report(problems)
    # the places the review found draw their value (escaped, whole): the product on Delivery promise,
    # the display name in every page's sidebar, the meeting's title, chair and decisions (minutes)
    assert ({at_["products.name"], at_["products.product"]} if lang == "en" else {at_["promise.qty"]}) <= seen["promise"]
    assert all(at_["users.display_name"] in s for s in seen.values()), seen
    assert {at_["meetings.title"], at_["meetings.chair"], at_["decision.text"], at_["decision.by"],
            at_["action.title"], at_["discussion.note"]} <= seen["meetings"]


def _button(at, label: str):
    return next(b for b in at.button if b.label == label)


def test_the_presenter_draws_stored_text_as_text_in_every_section(hostile, monkeypatch):
    from lib.meeting import actions, meetings
    from lib.store.db import get_db
    h, at_ = hostile, hostile.payloads.at
    at = _app(h, monkeypatch, "en")
    at.run()
    select_page(at, "presenter").run()
    problems, seen = page_problems(at, "presenter/scheduled", h.payloads)
    assert at_["next.title"] in seen                      # "... is scheduled for ...", the big title
    _button(at, "Start the meeting").click().run()
    db = get_db(str(h.path))                              # the app's own gateway: what the forms call
    meetings.record_decision(db, SYSTEM, h.next, section="decisions", text=h.payloads.new("live.decision"),
                             decided_by=h.payloads.new("live.by"))
    actions.create(db, SYSTEM, title=h.payloads.new("live.action"), owner_department="sales",
                   owner=h.payloads.new("live.owner"), due_date=date(2026, 12, 16), section="decisions",
                   meeting_id=h.next)
    at.run()
    for step in range(1, 9):
        p, s = page_problems(at, f"presenter/{step}", h.payloads)
        problems += p
        seen |= s
        if _button(at, "Next ▶").disabled:
            break
        _button(at, "Next ▶").click().run()
    assert step == 8, step
    assert problems == [], _report(problems)
    # each section's tables name what they list: carried actions, late POs' materials, at-risk order
    # numbers, drawings; the decisions and actions recorded live
    assert {at_["action_items.title"], at_["action_items.owner"], at_["materials.name"], at_["order_lines.order_no"],
            at_["drawings.title"], at_["live.decision"], at_["live.by"], at_["live.action"], at_["live.owner"],
            at_["next.title"]} <= seen


def test_the_minutes_escape_markdown_and_write_text_as_typed_in_pdf_and_excel(hostile):
    import openpyxl
    from pypdf import PdfReader

    from lib.meeting import meetings, minutes
    from lib.store.db import get_db
    h, at_ = hostile, hostile.payloads.at
    with get_db(str(h.path)).cursor() as cur:
        stored = {k: meetings.document(cur, h.closed, k) for k in ("minutes_md", "minutes_pdf", "pack_xlsx")}
        now_zh = minutes.render_all(meetings.record(cur, h.closed, AS_OF), "zh")
    for lang, docs in (("en", stored), ("zh", now_zh)):
        md = docs["minutes_md"].decode("utf-8")
        assert markup_problems(md, f"{lang} minutes.md", h.payloads) == []
        in_md = {int(m.group(1)) for m in MARK.finditer(_as_read(md))}
        assert {at_["meetings.title"], at_["meetings.chair"], at_["meetings.note_taker"], at_["meeting_attendance.person"],
                at_["decision.text"], at_["decision.by"], at_["action.title"], at_["action.owner"],
                at_["discussion.note"]} <= in_md
        # the PDF draws each text as typed: no escapes, every value the Markdown has, the decision whole
        # (pypdf reads this font's text with a NUL after each character)
        pdf = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(docs["minutes_pdf"])).pages).replace("\x00", "")
        assert not re.search(r"\\[<>*#|:\[]|&lt;|&#\d+;", pdf), lang
        compact = re.sub(r"\s+", "", pdf)
        assert {int(m) for m in re.findall(r"Zq(\d\d)", compact)} >= in_md, lang
        for place in ("decision.text", "decision.by", "meetings.chair"):
            assert re.sub(r"\s+", "", h.payloads[at_[place]]) in compact, (lang, place)
        # the pack: no cell is a formula (a payload starting with = is kept as text), values as typed
        book = openpyxl.load_workbook(io.BytesIO(docs["pack_xlsx"]))
        cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
        assert [c.coordinate for c in cells if c.data_type == "f"] == [], lang
        texts = [c.value for c in cells if isinstance(c.value, str)]
        assert [x for x in texts if plain_problems(x, "xlsx")] == [], lang
        assert any(x.startswith("'=1+2 Zq") for x in texts), lang    # neutralised, not dropped
