"""Every number the room sees is the same wherever it appears (STYLE.md 15, docs/rules.md).

On one copy of the demo factory: `python -m lib kpis` is run once; then every page with tiles,
every section of presenter mode, the minutes and the Excel pack written at close are rendered, and
each KPI they show must equal the `kpis` row of its section (value as the tile writes it, status,
"to date"). Counts shown in two places must agree: open actions (tiles, presenter, what the close
carries), late lines (tiles, the at-risk and late lists, presenter, `python -m lib late`, the
capacity page's planned view and its what-if "late lines before -> after"), open complaints
(tiles, the complaints chart), late POs (tile, the late-PO table). Every other page is drawn too,
without an error.
"""
from __future__ import annotations

import contextlib
import html
import io
import json
import re
import shutil
from datetime import timedelta

import pandas as pd
import pytest

from lib import cli
from lib.filters import default_filters
from lib.formats import fmt_value
from lib.i18n import set_lang, t
from lib.people.auth import User
from tests.conftest import AS_OF, select_page

CHAIR = User("chair", "chair", None, "Wang")
PAGES = {"overview": "overview", "actions": "actions", "sales": "sales", "pmc": "pmc", "purchasing": "purchasing",
         "quality": "quality", "engineering": "engineering", "variance": "variance"}
OTHER_PAGES = ("promise", "order-review", "capacity", "meetings", "data", "audit", "settings", "users")
STATUS = {"green": "ok", "amber": "warn", "red": "bad", "none": "none"}
TILE = re.compile(r"data-kpi='([^']+)' data-status='(\w+)'.*?<div class='tdm-value'[^>]*>([^<]*)</div>(.*)", re.S)


def _cli(*args) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli.main(list(args)) == 0
    return out.getvalue()


@pytest.fixture(scope="module")
def room(demo_path, tmp_path_factory):
    """A copy of the demo, and what `kpis` and `late` say about it before anything is drawn."""
    path = tmp_path_factory.mktemp("room") / "demo.duckdb"
    shutil.copy(demo_path, path)
    rows = json.loads(_cli("kpis", "--db", str(path), "--as-of", AS_OF.isoformat(), "--lang", "en",
                           "--format", "json"))
    late = json.loads(_cli("late", "--db", str(path), "--as-of", AS_OF.isoformat(), "--format", "json"))
    return path, {(r["section"], r["key"]): r for r in rows}, len(late)


def tiles_of(at) -> list[tuple[str, str, str, bool]]:
    """(key, status code, value text, says "to date") of every tile the run drew."""
    out = []
    for m in at.markdown:
        for part in m.value.split("<div class='tdm-tile'")[1:]:
            hit = TILE.search(part)
            if hit:
                out.append((hit[1], STATUS[hit[2]], html.unescape(hit[3]), t("kpi.to_date") in hit[4]))
    return out


def expected(row) -> tuple[str, str, bool]:
    return fmt_value(row["value"], row["unit"], "en"), row["status"], bool(row["partial"])


def check(shown, rows, section, where) -> set[str]:
    assert shown, where
    for key, status, value, to_date in shown:
        row = rows[(section, key)]
        assert (value, status, to_date) == expected(row), (where, key)
    return {k for k, *_ in shown}


def _app(monkeypatch, path):
    from streamlit.testing.v1 import AppTest

    from tests.conftest import ROOT
    for k, v in (("TANDEM_DB", str(path)), ("TANDEM_AS_OF", AS_OF.isoformat()), ("TANDEM_LANG", "en"),
                 ("TANDEM_AUTH", "off")):
        monkeypatch.setenv(k, v)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.session_state["user"] = CHAIR
    at.run()
    return at


def _subheader_count(at, key: str) -> int:
    """The n of a subheader drawn from t(key, n=...)."""
    pattern = re.escape(t(key, n=999999)).replace("999999", r"([\d,]+)")
    for h in at.subheader:
        hit = re.fullmatch(pattern, h.value)
        if hit:
            return int(hit[1].replace(",", ""))
    raise AssertionError(f"no subheader {key}")


@pytest.mark.slow
def test_every_page_presenter_minutes_and_pack_show_what_kpis_reports(room, monkeypatch):
    path, rows, n_late = room
    set_lang("en")
    counts: dict[str, set] = {"kpi.open_actions": set(), "kpi.late_lines": set(), "kpi.open_complaints": set(),
                              "purchasing.kpi.late_pos": set()}

    def note(section, key):
        if key in counts:
            counts[key].add(rows[(section, key)]["value"])

    # ---------------------------------------------------------------- every page with tiles
    at = _app(monkeypatch, path)
    for url, section in PAGES.items():
        if url != "overview":
            select_page(at, url).run()
        assert not at.exception, (url, at.exception)
        seen = check(tiles_of(at), rows, section, url)
        assert seen == {k for s, k in rows if s == section}, url            # every tile of the section
        for key in seen:
            note(section, key)
        if url == "sales":
            counts["kpi.late_lines"].add(_subheader_count(at, "sales.at_risk"))
            complaints = next(c for c in at.get("plotly_chart")
                              if any(tr.get("name") == t("sales.open") for tr in json.loads(c.proto.spec)["data"]))
            trace = next(tr for tr in json.loads(complaints.proto.spec)["data"] if tr.get("name") == t("sales.open"))
            counts["kpi.open_complaints"].add(float(sum(_numbers(trace["y"]))))
        if url == "pmc":
            counts["kpi.late_lines"].add(_subheader_count(at, "pmc.late"))
        if url == "purchasing":
            table = next(d.value for d in at.dataframe if t("purchasing.col.days_late") in d.value.columns
                         and t("purchasing.col.lines_endangered") in d.value.columns)
            counts["purchasing.kpi.late_pos"].add(len(table))
    counts["kpi.late_lines"].add(n_late)                                   # python -m lib late

    # ---------------------------------------------------------------- every other page draws; capacity's late list
    from lib.demo import BOTTLENECK
    for url in OTHER_PAGES:
        select_page(at, url).run()
        assert not at.exception and not at.error, (url, at.exception, at.error)
        if url == "capacity":
            at.button_group(key="cap_view").set_value("planned").run()
            counts["kpi.late_lines"].add(_count_in(at.warning, "capacity.late_flag", "n", hours="[\\d,.]+"))
            # the what-if's "late lines before -> after" starts from the same list
            monday = AS_OF + timedelta(days=7 - AS_OF.weekday())
            at.session_state["cap_whatif"] = {"calendar": [(monday, BOTTLENECK, 24.0)], "due": []}
            at.run()
            assert not at.exception, at.exception
            counts["kpi.late_lines"].add(_count_in([m for m in at.markdown if m.value.startswith("#### ")],
                                                   "capacity.whatif.late", "before", after=r"\d+", prefix="#### "))
            at.session_state["cap_whatif"] = {"calendar": [], "due": []}

    # ---------------------------------------------------------------- presenter mode, section by section
    select_page(at, "presenter").run()
    next(b for b in at.button if b.label == t("meeting.start")).click().run()
    sections_seen = set()
    for _ in range(8):
        title = next(m.value for m in at.markdown if m.value.startswith("<div class='tdm-ptitle'>"))
        section = next(s for s in ("actions", "sales", "pmc", "purchasing", "quality", "engineering", "decisions", "close")
                       if f">{t(f'meeting.section.{s}')}<" in title)
        assert not at.exception and not at.error, section
        shown = tiles_of(at)
        if section in ("actions", "sales", "pmc", "purchasing", "quality", "engineering", "close"):
            check(shown, rows, "overview" if section == "close" else section, f"presenter {section}")
            for key, *_ in shown:
                note("overview" if section == "close" else section, key)
        if section == "sales":
            counts["kpi.late_lines"].add(_subheader_count_md(at, "sales.at_risk"))
        sections_seen.add(section)
        nxt = next(b for b in at.button if b.label == t("meeting.presenter.next") + " ▶")
        if nxt.disabled:
            break
        nxt.click().run()
    assert sections_seen >= {"actions", "sales", "pmc", "purchasing", "quality", "engineering", "close"}

    # ---------------------------------------------------------------- close: the snapshot, minutes and pack
    from lib.meeting import actions, meetings
    from lib.meeting.minutes import _sheet_name
    from lib.store.db import get_db
    db = get_db(str(path))
    with db.cursor() as cur:
        mid = meetings.active(cur)
        open_ids = set(actions.open_action_list(cur, AS_OF)["action_id"])
    closed = meetings.close(db, CHAIR, mid, f=default_filters(AS_OF), as_of=AS_OF, lang="en")
    counts["kpi.open_actions"].add(closed.carried)
    with db.cursor() as cur:
        assert set(meetings.carried_actions(cur, closed.next_meeting_id, AS_OF)["action_id"]) == open_ids
        docs = {k: meetings.document(cur, mid, k) for k in ("minutes_md", "pack_xlsx")}
        snap = meetings.snapshot(cur, mid)
    minutes = docs["minutes_md"].decode("utf-8")
    for s in snap.itertuples():
        row = rows[(s.section if s.section != "close" else "overview", s.kpi)]
        value, status, _ = expected(row)
        assert s.status == status, s.kpi
        line = next(x for x in minutes.splitlines() if x.startswith("| ") and f"| {t(s.kpi)} |" in x)
        assert f"| {value} |" in line.replace("\\", ""), (s.kpi, line)
    pack = pd.read_excel(io.BytesIO(docs["pack_xlsx"]), sheet_name=None, header=None, engine="openpyxl")
    # the pack's KPI sheet: section, KPI, value (a real number), target, status (rows below its header)
    sheet = pack[_sheet_name(t("meeting.minutes.sheet_kpis"))]
    for section in ("sales", "pmc", "purchasing", "quality", "engineering"):
        for s in snap[snap["section"] == section].itertuples():
            row = rows[(section, s.kpi)]
            hit = sheet[(sheet[0] == t(f"meeting.section.{section}")) & (sheet[1] == t(s.kpi))]
            assert len(hit) == 1, (section, s.kpi)
            assert float(hit.iloc[0, 2]) == pytest.approx(float(row["value"])), (section, s.kpi)
            assert str(hit.iloc[0, 4]).startswith(t(f"kpi.status.{row['status']}")) or row["status"] == "none", \
                (section, s.kpi, hit.iloc[0, 4])

    # ---------------------------------------------------------------- counts shown in two places
    assert {k: v for k, v in counts.items() if len(v) != 1} == {}, counts


def _numbers(values) -> list:
    """A plotly JSON array: a list, or plotly 6's typed array {"dtype": ..., "bdata": base64}."""
    if isinstance(values, dict) and "bdata" in values:
        import base64

        import numpy as np
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"]).tolist()
    return list(values)


def _count_in(elements, key: str, name: str, prefix: str = "", **others) -> int:
    """The {name} of the first element whose text starts with t(key, ...); `others` are the
    patterns of the key's other placeholders."""
    marker = "\x00"
    text = t(key, **{name: marker}, **{k: "\x01" + k for k in others})
    pattern = re.escape(prefix + text).replace(re.escape(marker), r"([\d,]+)")
    for k, v in others.items():
        pattern = pattern.replace(re.escape("\x01" + k), v)
    for e in elements:
        hit = re.match(pattern, e.value)
        if hit:
            return int(hit[1].replace(",", ""))
    raise AssertionError(f"nothing shows {key}")


def _subheader_count_md(at, key: str) -> int:
    """The n of a presenter heading drawn as Markdown ### t(key, n=...)."""
    pattern = re.escape(t(key, n=999999)).replace("999999", r"([\d,]+)")
    for m in at.markdown:
        hit = re.fullmatch(r"###\s+" + pattern, m.value.strip())
        if hit:
            return int(hit[1].replace(",", ""))
    raise AssertionError(f"no heading {key}")


def test_a_label_means_one_number(room):
    """Two tiles that carry the same label, in any section, show the same value: a room that
    reads "Price variance" on two pages must not see two amounts."""
    _, rows, _ = room
    values: dict[str, set] = {}
    for r in rows.values():
        values.setdefault(r["label"], set()).add(r["value"])
    assert {label: v for label, v in values.items() if len(v) > 1} == {}
