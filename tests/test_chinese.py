"""Chinese complete: every page and every presenter section, drawn in Chinese on the demo factory,
shows no English word outside an allowlist.

Every text an AppTest exposes is read: Markdown (and the HTML tiles' tooltips), captions,
titles, alerts, metrics, widget labels, options, help and placeholders, expander and tab labels,
dataframe headers and cells, and plotly figures (titles, axis titles, tick texts, legend and trace
names, hover templates, category labels). A figure with a date axis must carry the Chinese date
locale in its config. Lazy tables (widgets.table's expanders) are opened, so their rows are read.

What may stay in Latin letters: codes (anything holding a digit: SO-2026-00002, SMT-2, 8D), the
units and abbreviations in ALLOWED, and data: the demo's stored names and texts (bilingual
product families, English customer names), collected from the database. Enum values stored as
codes (statuses, departments, kinds, stages, results, ...) are not data: a cell holding "open"
must read 打开/未结. Usernames are data only in the columns that hold people.
"""
from __future__ import annotations

import json
import re
import shutil
from collections import defaultdict
from html import unescape
from pathlib import Path

import pytest

from lib.i18n import set_lang
from lib.store.db import Database
from lib.ui.nav import PAGES
from tests.conftest import AS_OF, ROOT, select_page

# Latin words Chinese screens keep: units, abbreviations a Chinese factory uses as they are,
# product and file-format names, and the language picker's own "English"
ALLOWED = {
    "h", "kg", "pcs", "m", "ppm", "KPI", "KPIs", "OTD", "OTIF", "PMC", "NPI", "ECN", "PO", "BOM", "ERP", "IQC",
    "IPQC", "FQC", "CSV", "Excel", "XLSX", "xlsx", "csv", "PDF", "Markdown", "UTF", "GB", "Tandem", "English",
    "SMED", "Pareto", "Plotly", "ISO", "YYYY-MM-DD", "ID", "CTP", "SO", "WPS", "MB", "GBK", "Shift-JIS", "NUL",
    "README", "Delete", "TRUE", "True", "xls", "YYYY", "MM", "DD", "PostgreSQL", "DuckDB",
}


def allowed(word: str) -> bool:
    """A Latin word a Chinese screen may show: ALLOWED, a setting's name (the settings page and the
    import limits name them), an environment variable."""
    from lib.settings import SETTINGS
    return word in ALLOWED or word in SETTINGS or word.startswith("TANDEM_")


# stored columns holding codes, not words: they must be shown translated
CODE_COLUMNS = {
    "status", "from_status", "to_status", "section", "department", "owner_department", "role", "kind",
    "source", "direction", "cause_category", "category", "severity", "stage", "result", "review_status",
    "action", "table_name", "column_name", "key", "password_hash", "unit",
}
# stored columns holding usernames (people): data only in a column of people
PEOPLE_COLUMNS = {"username", "created_by", "signer", "promised_by", "updated_by", "chair", "note_taker",
                  "verifier", "decided_by", "person", "owner", "row_key"}
# technical tables whose text is no user's data
SKIP_TABLES = {"meta", "schema_migrations", "settings", "login_addresses", "login_throttle", "snapshots",
               "meeting_documents"}

TOKEN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_'’.-]*[A-Za-z0-9_]|[A-Za-z]")


def words(text: str) -> list[str]:
    """The Latin words of `text` that are not codes (a token holding a digit is a code)."""
    out = []
    for tok in TOKEN.findall(text):
        tok = tok.strip(".'’-")
        if not tok or any(ch.isdigit() for ch in tok):
            continue
        out.append(tok)
    return out


def _markdown_text(body: str) -> str:
    """What a reader sees of Markdown/HTML: the text and the tooltips, without tags, styles,
    icons, links' targets or placeholders."""
    titles = " ".join(a or b for a, b in re.findall(r"title='([^']*)'|title=\"([^\"]*)\"", body))
    s = re.sub(r"<style.*?</style>", " ", body, flags=re.S)
    s = re.sub(r"<[^>]+>", " ", s)
    s = re.sub(r":material/[a-z_]+:", " ", s)
    s = re.sub(r"\]\([^)]*\)", "]", s)                    # a Markdown link's target
    s = re.sub(r":[a-z]+\[([^\]]*)\]", r"\1", s)           # :red[...] colour directives
    return unescape(s + " " + titles)


def _template_text(tpl: str) -> str:
    """A plotly hover template without its %{...} placeholders and tags."""
    return re.sub(r"%\{[^}]*\}|<[^>]+>", " ", tpl)


DATE_VALUE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def plotly_texts(spec: str, config: str) -> list[tuple[str, str]]:
    fig = json.loads(spec)
    cfg = json.loads(config) if config else {}
    lay = fig.get("layout", {})
    out = []

    def title(obj):
        t = (obj or {}).get("title")
        return t.get("text") if isinstance(t, dict) else t

    out.append(("plot.title", title(lay)))
    out.append(("plot.legend", title(lay.get("legend"))))
    for a in lay.get("annotations") or []:
        out.append(("plot.annotation", a.get("text")))
    dates = False
    for k, axis in lay.items():
        if re.fullmatch(r"[xy]axis\d*", k) and isinstance(axis, dict):
            out.append((f"plot.{k}.title", title(axis)))
            out += [(f"plot.{k}.ticktext", str(v)) for v in axis.get("ticktext") or []]
            dates |= axis.get("type") == "date"
    for tr in fig.get("data", []):
        out.append(("plot.trace.name", tr.get("name")))
        out.append(("plot.hovertemplate", _template_text(tr.get("hovertemplate") or "")))
        out.append(("plot.texttemplate", _template_text(tr.get("texttemplate") or "")))
        for k in ("x", "y", "text", "labels", "customdata"):
            v = tr.get(k)
            if isinstance(v, dict):      # a typed array: numbers
                continue
            for x in (v if isinstance(v, list) else [v] if isinstance(v, str) else []):
                for y in (x if isinstance(x, list) else [x]):
                    if isinstance(y, str):
                        if k in ("x", "y") and DATE_VALUE.match(y):
                            dates = True
                        else:
                            out.append((f"plot.trace.{k}", y))
        dates |= isinstance(tr.get("base"), list) and any(isinstance(b, str) and DATE_VALUE.match(b)
                                                          for b in tr["base"])
    if dates:
        out.append(("plot.date_locale", "ok" if cfg.get("locale") == "zh-CN" and "zh-CN" in (cfg.get("locales") or {})
                    else "date axis without the Chinese locale"))
    return [(w, s) for w, s in out if s]


NO_NONE_KINDS = {"checkbox", "progress", "line_chart", "bar_chart", "area_chart", "image"}

SKIP_FIELDS = {"id", "form_id", "key", "icon", "css", "page", "url", "type", "element_hash", "page_script_hash",
               "url_path", "main_page", "src", "theme", "data", "value", "default", "format", "spec", "config",
               "columns", "mime", "file_name", "autocomplete"}


def _proto_texts(msg, path: str = "") -> list[tuple[str, str]]:
    out = []
    for f, v in msg.ListFields():
        items = v if f.is_repeated else [v]
        if f.message_type is not None:
            for it in items:
                if hasattr(it, "ListFields"):
                    out += _proto_texts(it, f"{path}.{f.name}")
        elif f.type == f.TYPE_STRING and f.name not in SKIP_FIELDS:
            out += [(f"{path}.{f.name}", s) for s in items if s]
    return out


def texts(at) -> list[tuple[str, str]]:
    """(where, text) for every text the app drew in this run."""
    out = []
    for node in at._tree:
        proto = getattr(node, "proto", None)
        if proto is None or not hasattr(proto, "ListFields"):
            continue
        kind = getattr(node, "type", "?")
        if kind == "plotly_chart":
            out += plotly_texts(proto.spec, proto.config)
        elif kind == "dataframe":
            df = node.value
            config = json.loads(proto.columns) if proto.columns else {}
            for c in df.columns:
                cfg = config.get(str(c)) or {}
                header = cfg.get("label") or str(c)        # a column_config label is the header shown
                out.append(("df.header", header))
                out += [("df.column_config", str(cfg["help"]))] if cfg.get("help") else []
                # these kinds draw a missing value as nothing; every other column draws the
                # table's placeholder, "None" when it has none
                type_config = cfg.get("type_config") or {}
                drawn_blank = type_config.get("type") in NO_NONE_KINDS or proto.HasField("placeholder")
                if proto.HasField("placeholder") and proto.placeholder:
                    out.append(("df.placeholder", proto.placeholder))
                # a selectbox column draws its option's label (format_func)
                labels = {o["value"]: o["label"] for o in type_config.get("options") or []
                          if isinstance(o, dict) and o.get("label") is not None}
                for v in df[c].head(300).tolist():
                    v = labels.get(v, v) if isinstance(v, str) else v
                    if isinstance(v, str) and not v.startswith("data:image/"):
                        out.append((f"df.cell:{header}", v))
                    elif not drawn_blank and (v is None or (isinstance(v, float) and v != v)
                                              or str(v) in ("NaT", "<NA>", "nan")):
                        out.append((f"df.cell:{header}", "None"))
        else:
            for where, s in _proto_texts(proto):
                out.append((kind + where, _markdown_text(s) if where.endswith((".body", ".label")) else s))
            # an empty choice without a placeholder shows Streamlit's own "Choose an option"
            empty = (not proto.HasField("default")) if kind == "selectbox" else (kind == "multiselect" and not proto.default)
            if empty and not proto.placeholder:
                out.append((f"{kind}.placeholder [{proto.label}]", "Streamlit's Choose an option"))
    return out


# ---------------------------------------------------------------------------- what is data

def data_vocabulary(path) -> tuple[set[str], set[str], set[str]]:
    """(data words, data texts, usernames): the words of the stored free text and names that are
    not also code words (which must be translated: "open", "quality"), the stored texts holding
    such a word (a comment "customer insists on date" is data as a whole), and the accounts."""
    from lib.store.tables import SPECS
    choice_cols = {(s.table, c.column) for s in SPECS for c in s.columns if c.kind == "choice"}
    data, codes, people, data_texts = set(), set(), set(), set()
    d = Database(path)
    try:
        with d.cursor() as cur:
            views = {r[0] for r in cur.execute("SELECT table_name FROM information_schema.tables "
                                               "WHERE table_type = 'VIEW'").fetchall()}
            cols = cur.execute("SELECT table_name, column_name FROM information_schema.columns "
                               "WHERE data_type = 'VARCHAR' AND table_schema = 'main'").fetchall()
            for table, col in cols:
                if table in views or table in SKIP_TABLES:
                    continue
                values = [r[0] for r in cur.execute(f'SELECT DISTINCT "{col}" FROM "{table}" '
                                                    f'WHERE "{col}" IS NOT NULL').fetchall()]
                if (table, col) in choice_cols or col in CODE_COLUMNS:
                    target = codes
                elif col in PEOPLE_COLUMNS:
                    target = people
                elif table == "audit_log":
                    continue            # old/new values of any column: checked where they are shown
                else:
                    target = data
                for v in map(str, values):
                    if v.startswith('{"reason"'):
                        continue        # a reason Tandem wrote, as a code (lib.plan.review.coded_reason)
                    if target is data:
                        data_texts.add(v)
                    target.update(words(v) if target is not people else [v])
    finally:
        d.close()
    # a stored text holding a code word is data as a whole when it is more than that word
    # ("customer insists on date"; a bilingual "capacity 产能不足"), never a bare code ("open")
    stored = {x for x in data_texts if set(words(x)) & codes
              and (len(words(x)) > 1 or any(ord(ch) > 0x2e7f for ch in x))}
    # a DuckDB file is its one plant, named by the file (the Group page)
    return (data - codes) | {Path(path).stem}, stored, people


# ---------------------------------------------------------------------------- driving the app

def _open_lazy_tables(at) -> bool:
    """Open every lazy table expander (widgets.table: key '<key>-open'); True if one was closed."""
    opened = False
    for node in at._tree:
        key = getattr(node, "key", None) or "" if getattr(node, "type", "") == "expander" else ""
        if key.endswith("-open") and not (key in at.session_state and at.session_state[key]):
            at.session_state[key] = True
            opened = True
    return opened


def _draw_all(at) -> list[tuple[str, str]]:
    found = texts(at)
    if _open_lazy_tables(at):
        at.run()
        found += texts(at)
    return found


def offenders(found, data: set[str], stored: set[str], people: set[str], person_headers: set[str]
              ) -> dict[str, list[str]]:
    """English word -> where it was seen."""
    headers, guide_columns = _exchange_headers()
    bad = defaultdict(list)
    whole = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, sorted(stored, key=len, reverse=True)))
                       + r")(?![\w-])") if stored else None
    for where, text in found:
        if where.endswith("plot.date_locale"):
            if text != "ok":
                bad["(date locale)"].append(where)
            continue
        if where.split(" ", 1)[-1].startswith("df.cell:") and text == "None":
            bad["None"].append(where)
            continue
        cell = where.split(" ", 1)[-1]
        if cell.startswith("df.cell:"):
            if text.strip() in people and cell[8:] in person_headers:
                continue             # an account's name, in a column of people
            if cell[8:] in guide_columns and all(h.strip() in headers for h in text.split(",")):
                continue             # the headers a file may use, in the column guide
        else:                        # elsewhere, an account's name as a word of its own
            text = re.sub(r"(?<![\w-])(" + "|".join(map(re.escape, people)) + r")(?![\w-])", " ", text)
        text = re.sub(r"`[^`]*`", " ", text)      # code spans: commands, settings, file names
        if whole is not None:
            text = whole.sub(" ", text)
        for w in words(text):
            if allowed(w) or w in data:
                continue
            bad[w].append(f"{where}: {text[:90]!r}")
    return bad


@pytest.fixture(scope="module")
def zh_demo(demo_path, tmp_path_factory):
    path = tmp_path_factory.mktemp("zh") / "demo.duckdb"
    shutil.copy(demo_path, path)
    return path


def _person_headers() -> set[str]:
    """Headers of columns holding people (and the audit log's record key: a user's key is the
    username)."""
    from lib.i18n import CATALOGS
    keys = [k for k in CATALOGS["zh"]
            if re.search(r"(owner|signer|verifier|chair|note_taker|by|user|username|account|person|who)$", k)]
    return {CATALOGS["zh"][k] for k in keys} | {CATALOGS["zh"]["audit.col.row_key"]}


def _exchange_headers() -> tuple[set[str], set[str]]:
    """The exchange format's own headers (codes a file may use) and the column guide's columns
    that list them."""
    from lib.i18n import CATALOGS
    from lib.store.tables import SPECS
    names = {h for s in SPECS for c in s.columns for h in c.headers()}
    return names, {CATALOGS["zh"]["io.guide.column"], CATALOGS["zh"]["io.guide.aliases"]}


def _app(monkeypatch, path):
    from streamlit.testing.v1 import AppTest
    monkeypatch.setenv("TANDEM_DB", str(path))
    monkeypatch.setenv("TANDEM_AS_OF", AS_OF.isoformat())
    monkeypatch.setenv("TANDEM_LANG", "zh")
    monkeypatch.setenv("TANDEM_AUTH", "off")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    return at


@pytest.fixture
def zh_thread():
    """AppTest formats widget options (format_func) on the test's thread too: in Chinese, then
    back to English for the tests after this one."""
    set_lang("zh")
    yield
    set_lang("en")


def _report(bad) -> str:
    return "\n".join(f"{w!r}: {len(v)}× e.g. {v[0]}" for w, v in sorted(bad.items(), key=lambda kv: -len(kv[1])))


def test_every_page_and_presenter_section_in_chinese(monkeypatch, zh_demo, zh_thread):
    data, stored, people = data_vocabulary(zh_demo)
    person_headers = _person_headers()
    found = []
    at = _app(monkeypatch, zh_demo)
    for page in PAGES:
        select_page(at, page.url).run()
        assert not at.exception, (page.url, at.exception)
        found += [(f"{page.url} {w}", s) for w, s in _draw_all(at)]
    # the parts a page draws only when chosen: every department's forms, editor, import and
    # export on Update data; every tab of the variance review
    from lib.departments import DEPARTMENTS
    from lib.i18n import t
    for dept in DEPARTMENTS:
        for mode in ("forms", "edit", "import", "export"):
            at.session_state["io-dept"], at.session_state["io-mode"] = dept, mode
            select_page(at, "data").run()
            assert not at.exception, (dept, mode, at.exception)
            assert mode != "edit" or at.dataframe, (dept, "the table editor was not drawn")
            found += [(f"data/{dept}/{mode} {w}", s) for w, s in texts(at)]
    for tab in ("delivery", "price", "yield"):
        at.session_state["variance-tab"] = t(f"variance.tab.{tab}", "zh")
        select_page(at, "variance").run()
        assert not at.exception, (tab, at.exception)
        found += [(f"variance/{tab} {w}", s) for w, s in _draw_all(at)]
    # the presenter, through every agenda section
    select_page(at, "presenter").run()
    starts = [b for b in at.button if b.key == "p-start"]
    if starts:
        starts[0].click().run()
    from lib.departments import AGENDA
    titles = set()
    for _ in range(len(AGENDA) + 2):
        titles |= {m.value for m in at.markdown if m.value.startswith("<div class='tdm-ptitle'>")}
        found += [(f"presenter {w}", s) for w, s in _draw_all(at)]
        nxt = [b for b in at.button if b.key == "p-next"]
        if not nxt or nxt[0].disabled:
            break
        nxt[0].click().run()
        assert not at.exception, at.exception
    assert len(titles) == len(AGENDA), titles          # every agenda section was drawn
    bad = offenders(found, data, stored, people, person_headers)
    assert not bad, _report(bad)


# ---------------------------------------------------------------------------- the catalogue itself

def test_the_chinese_catalogue_holds_no_english_outside_the_allowlist():
    """Every Chinese text, placeholders and code spans aside: what the pages may not reach (an
    error, a message after a save) is checked here."""
    from lib.i18n import CATALOGS
    bad = defaultdict(list)
    for key, text in CATALOGS["zh"].items():
        text = re.sub(r"\{[^}]*\}|`[^`]*`|<[^>]+>", " ", text)
        for w in words(text):
            if not allowed(w):
                bad[w].append(key)
    assert not bad, dict(bad)


# ---------------------------------------------------------------------------- choices in either language

def _choice_columns():
    from lib.store.tables import SPECS
    return [(s.name, c) for s in SPECS for c in s.columns if c.kind == "choice"]


@pytest.mark.parametrize("table,col", _choice_columns(), ids=lambda x: getattr(x, "name", x))
def test_every_choice_reads_and_parses_in_both_languages(table, col):
    from lib.i18n import CATALOGS
    from lib.store.tables import (
        CHOICE_ALIASES,
        choice_key,
        choice_label,
        choice_spellings,
    )
    spellings = choice_spellings(col)
    claimed: dict[str, str] = {}
    for code in col.choices:
        key = choice_key(col, code)
        assert key in CATALOGS["en"] and key in CATALOGS["zh"], key      # words in both languages
        assert choice_label(col, code, "zh") != code
        for word in (code, CATALOGS["en"][key], CATALOGS["zh"][key], *CHOICE_ALIASES.get(code, ())):
            assert spellings[word.lower()] == code, (word, code)
            # no word means two values of one column
            assert claimed.setdefault(word.lower(), code) == code, (word, claimed[word.lower()], code)


@pytest.fixture
def inspection_db(db):
    from lib.people.auth import SYSTEM
    from lib.store.imports import import_file
    import_file(db, SYSTEM, "suppliers", "供应商,名称\nS1,宏达\n".encode(), "s.csv")
    import_file(db, SYSTEM, "materials", "物料,名称,供应商\nM1,电阻,S1\n".encode(), "m.csv")
    return db


def test_an_import_takes_the_values_the_form_shows(inspection_db):
    """The words a form shows (合格, 来料检验), their short forms (来料, 制程), English words and
    codes all import as the stored code."""
    from lib.people.auth import SYSTEM
    from lib.store.imports import import_file
    rows = ("日期,检验类别,供应商,物料,产线,检验数量,不良数量,判定\n"
            "2026-11-20,来料,S1,M1,,100,0,合格\n"
            "2026-11-20,来料检验,S1,M1,,100,5,不合格\n"
            "2026-11-21,制程,,,SMT,50,1,暂扣\n"
            "2026-11-21,In process,,,SMT,50,0,Pass\n"
            "2026-11-22,final,,,ASSY,20,0,待判定\n")
    result = import_file(inspection_db, SYSTEM, "inspections", rows.encode("utf-8"), "检验.csv")
    assert result.inserted == 5
    stored = inspection_db.query("SELECT stage, result FROM inspections ORDER BY inspection_id")
    assert stored.values.tolist() == [["incoming", "pass"], ["incoming", "fail"], ["in_process", "hold"],
                                      ["in_process", "pass"], ["final", "pending"]]


def test_a_refusal_in_chinese_names_columns_values_and_tables_in_chinese(inspection_db):
    from lib.i18n import set_lang
    from lib.people.auth import SYSTEM
    from lib.store.imports import ImportRejected, add_record, import_file
    set_lang("zh")
    try:
        with pytest.raises(ImportRejected) as e:
            import_file(inspection_db, SYSTEM, "inspections",
                        "date,stage,material,qty_inspected,result\n2026-11-20,来料,M9,10,还行\n".encode(), "x.csv")
        reasons = " ".join(e.value.problems["reason"])
        assert "待判定、合格、不合格、暂扣" in reasons and "物料" in reasons      # choices and the table in words
        with pytest.raises(ImportRejected) as e:       # a form names its fields as it labels them
            add_record(inspection_db, SYSTEM, "inspections", {"date": "2026-11-20", "stage": "incoming",
                                                              "result": "pass", "material": None,
                                                              "qty_inspected": None})
        assert "检验数量" in e.value.detail and "qty_inspected" not in e.value.detail
        for text in [e.value.detail, *e.value.problems["reason"]]:
            assert all(allowed(w) for w in words(text)), text
    finally:
        set_lang("en")


# ---------------------------------------------------------------------------- promise reasons

def test_promise_reasons_are_stored_as_codes_and_read_in_either_language(db):
    """A reason Tandem writes (a quote, a review round) is a code in the database, put in words
    when it is shown; a reason a person typed is kept as typed."""
    from datetime import date

    from lib.people.auth import User
    from lib.plan import promise, review
    from tests.conftest import load_scenario
    load_scenario(db, "promise")
    as_of = date(2026, 11, 25)
    with db.cursor() as cur:
        p = promise.quote(cur, "X", 100, date(2026, 12, 4), as_of=as_of)
    line_id = review.accept(db, User("sue", "head", "sales"), p, "C1", "SO-100")
    later = date(2026, 12, 23)
    for d in ("sales", "pmc", "purchasing", "quality", "engineering"):
        issue = d == "pmc"
        review.sign(db, User(f"h_{d}", "head", d), line_id, d, "issue" if issue else "ok",
                    feasible_date=later if issue else None, comment="产能不足" if issue else None)
    review.override(db, User("chair", "chair"), line_id, date(2026, 12, 30), "客户同意")
    with db.cursor() as cur:
        hist = review.history(cur, line_id)
    assert hist["source"].tolist() == ["ctp", "review", "override"]
    zh = [review.reason_text(r, "zh") for r in hist["reason"]]
    en = [review.reason_text(r, "en") for r in hist["reason"]]
    assert all(r.startswith('{"reason"') for r in hist["reason"][:2])          # codes, not sentences
    assert zh[1] == "订单评审第 1 轮：取各部门最晚的可行日期（PMC）" and zh[2] == en[2] == "客户同意"
    assert zh[0].startswith("交期测算：最早 ") and en[0].startswith("Quoted: earliest ")
    assert all(allowed(w) for z in zh for w in words(z)), zh


def test_every_table_draws_a_missing_value_as_a_blank():
    """st.dataframe draws a missing value as "None" unless given a placeholder: every table and
    table editor in lib/ui and pages passes one."""
    import ast
    missing = []
    for path in [*sorted((ROOT / "lib" / "ui").rglob("*.py")), *sorted((ROOT / "pages").glob("*.py"))]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("dataframe", "data_editor")
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "st"
                    and not any(k.arg == "placeholder" for k in node.keywords)):
                missing.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not missing, missing


def test_every_chart_carries_the_chinese_date_locale():
    """Plotly writes dates in English unless the chart's config names a locale: every chart drawn
    in lib/ui and pages passes its config through lib.ui.charts.locale.config."""
    import ast
    missing = []
    for path in [*sorted((ROOT / "lib" / "ui").rglob("*.py")), *sorted((ROOT / "pages").glob("*.py"))]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "plotly_chart":
                config = next((k.value for k in node.keywords if k.arg == "config"), None)
                if not (isinstance(config, ast.Call) and ast.unparse(config.func).endswith("locale.config")):
                    missing.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not missing, missing
