"""AppTest: a whole meeting driven through the pages, from start to the downloadable minutes."""
from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from lib.meeting import actions, meetings
from lib.people.auth import SYSTEM, User
from lib.store.db import Database
from tests.conftest import AS_OF, ROOT, select_page


@pytest.fixture
def meeting_db(tmp_path, monkeypatch):
    path = tmp_path / "m.duckdb"
    d = Database(path)
    old = meetings.create(d, SYSTEM, meeting_date=date(2026, 11, 18), chair="Zhang Wei", title="W47")
    meetings.start(d, SYSTEM, old)
    late = actions.create(d, SYSTEM, title="Repair press 3", owner_department="pmc", owner="Li Na",
                          due_date=date(2026, 11, 20), section="pmc", meeting_id=old)
    meetings.close(d, SYSTEM, old, f=_f(), as_of=date(2026, 11, 18))
    from lib.people import users
    users.create_user(d, SYSTEM, "lina", "Li Na", "head", "pmc")    # PMC's one head: offered as owner
    d.checkpoint()
    d.close()
    monkeypatch.setenv("TANDEM_DB", str(path))
    monkeypatch.setenv("TANDEM_AS_OF", AS_OF.isoformat())
    monkeypatch.setenv("TANDEM_LANG", "en")
    monkeypatch.setenv("TANDEM_AUTH", "off")   # the acting user is put in the session below
    return path, late


def _f():
    from lib.filters import default_filters
    return default_filters(AS_OF)


CHAIR = User("zhang", "chair", None, "Zhang Wei")


def _app(page: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["user"] = CHAIR
    at.run()
    select_page(at, page)
    at.run()
    return at


def _button(at, label):
    return next(b for b in at.button if b.label == label)


def _db(path):
    from lib.store.db import get_db
    return get_db(str(path))


@pytest.mark.slow
def test_run_a_meeting_from_start_to_minutes(meeting_db):
    path, late = meeting_db
    at = _app("presenter")
    assert not at.exception
    # the meeting scheduled at the last close is the one presented; start it
    _button(at, "Start the meeting").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any("Last meeting's actions" in m.value for m in at.markdown)
    # the tiles show lib's numbers: one open action (carried from W47), overdue since 11-20
    tiles = [m.value for m in at.markdown if "tdm-tile" in m.value]
    assert any("Open actions" in v and ">1</div>" in v for v in tiles), tiles
    assert any("Overdue actions" in v and ">1</div>" in v for v in tiles), tiles
    # PMC reports on the late action: reason and a new date
    report = [f for f in at.text_input if f.label == "Reason / what was said"][0]
    report.input("waiting for spare part")
    at.date_input[0].set_value(date(2026, 12, 4))
    _button(at, "Save report").click().run()
    assert not at.error, [e.value for e in at.error]
    # move to PMC, record a decision and an action without leaving the screen
    _button(at, "Next ▶").click().run()
    _button(at, "Next ▶").click().run()
    assert any(m.value.startswith("<div class='tdm-ptitle'>PMC<") for m in at.markdown)
    at.text_area[0].input("Add a Saturday shift on line 2")
    _button(at, "Record decision").click().run()
    assert not at.error, [e.value for e in at.error]
    # raised in PMC's section: owned by PMC unless the chair says otherwise
    assert at.selectbox(key="p-dept-pmc").value == "pmc"
    title = [f for f in at.text_input if f.label == "Action"][0]
    title.input("Staff the Saturday shift")
    assert at.selectbox(key="p-owner-pmc").value == "lina"    # picked from PMC's users (typing is the browser's)
    _button(at, "Record action").click().run()
    assert not at.error, [e.value for e in at.error]
    assert not at.toast                                   # confirmed in place, not over the clock
    assert any(s.value.startswith("Action #") and "Li Na (lina), PMC" in s.value for s in at.success)
    # a bad action (no title: what is to be done) is refused with a clear message, nothing written
    [f for f in at.text_input if f.label == "Action"][0].input("  ")
    _button(at, "Record action").click().run()
    assert any("title" in e.value for e in at.error)
    # to the close section and close
    for _ in range(5):
        _button(at, "Next ▶").click().run()
    _button(at, "Close the meeting").click().run()
    assert not at.error, [e.value for e in at.error]
    assert any("Meeting closed" in s.value for s in at.success)
    # the closed meeting stays on screen, its close button disabled (also on the next run)
    at.run()
    assert _button(at, "Close the meeting").disabled and any("Meeting closed" in s.value for s in at.success)

    db = _db(path)
    with db.cursor() as cur:
        m = meetings.meeting_list(cur)
        closed = int(m[(m["status"] == "closed")]["meeting_id"].max())
        assert meetings.decisions(cur, closed)["text"].tolist() == ["Add a Saturday shift on line 2"]
        new = actions.action_list(cur, AS_OF, meeting_id=closed)
        assert new[["title", "owner_department", "owner"]].values.tolist() == [["Staff the Saturday shift", "pmc", "lina"]]
        assert cur.execute("SELECT created_by FROM action_items WHERE meeting_id = ?",
                           [closed]).fetchall() == [("zhang",)]     # the session's user acted
        lst = actions.action_list(cur, AS_OF).set_index("action_id")
        assert lst.loc[late, "times_discussed"] == 2
        assert str(lst.loc[late, "due_date"].date()) == "2026-12-04"
        md = meetings.document(cur, closed, "minutes_md").decode()
    assert "Add a Saturday shift on line 2" in md and "waiting for spare part" in md

    # the meetings page offers the frozen minutes of the closed meeting
    at2 = _app("meetings")
    at2.selectbox(key="meeting_pick").set_value(int(closed)).run()
    assert not at2.exception and not at2.error
    assert any("closed and read-only" in i.value for i in at2.info)


@pytest.mark.slow
def test_presenter_shows_each_department_sections_tiles_and_content(demo_path, tmp_path, monkeypatch):
    """On the demo factory: every department section draws without error, its tiles show lib's
    section_kpis values, and its view draws its charts (and tables)."""
    import shutil

    from lib.i18n import set_lang
    from lib.sections import engineering, purchasing, quality, sales
    from lib.ui.widgets import fmt_value
    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_path, path)
    monkeypatch.setenv("TANDEM_DB", str(path))
    monkeypatch.setenv("TANDEM_AS_OF", AS_OF.isoformat())
    monkeypatch.setenv("TANDEM_LANG", "en")
    monkeypatch.setenv("TANDEM_AUTH", "off")
    at = _app("presenter")
    starts = [b for b in at.button if b.label == "Start the meeting"]
    if starts:
        starts[0].click().run()
    while not _button(at, "◀ Previous").disabled:
        _button(at, "◀ Previous").click().run()
    set_lang("en")
    db = _db(path)
    modules = {"Sales / customer service": sales, "Purchasing": purchasing, "Quality": quality,
               "Engineering": engineering}
    seen = set()
    for _ in range(8):
        title = next(m.value for m in at.markdown if m.value.startswith("<div class='tdm-ptitle'>"))
        assert not at.exception and not at.error, (title, [e.value for e in at.error])
        for name, mod in modules.items():
            if f">{name}<" in title:
                seen.add(name)
                with db.cursor() as cur:
                    expected = mod.section_kpis(cur, _f(), AS_OF)
                tiles = [m.value for m in at.markdown if m.value.startswith("<div class='tdm-tile'")]
                for k in expected:
                    assert any(f">{fmt_value(k.value, k.unit)}</div>" in v for v in tiles), (name, k.key)
                assert at.get("plotly_chart"), name                   # its chart(s)
        if _button(at, "Next ▶").disabled:
            break
        _button(at, "Next ▶").click().run()
    assert seen == set(modules)


def test_presenter_links_back_to_meetings_while_running(meeting_db):
    """Presenter mode hides the sidebar; during the meeting a link still leads back to Meetings."""
    at = _app("presenter")
    _button(at, "Start the meeting").click().run()
    assert any(m.value.startswith("<div class='tdm-ptitle'>") for m in at.markdown)
    links = [(e.proto.label, e.proto.page) for e in at.get("page_link")]
    assert ("Meetings", "meetings") in [(label, page.rsplit("/", 1)[-1]) for label, page in links], links


@pytest.mark.slow
def test_capture_beside_the_slide_defaults_lists_at_once_and_shows_no_toolbar(demo_copy, monkeypatch):
    """On the demo: an action raised in a department's section starts with that department and
    its head as owner (picked from its users); once recorded it is listed in the panel in the
    same run, with its confirmation; every chart of the slides is drawn without plotly's toolbar."""
    import json

    from lib.meeting import meetings as mt
    from lib.store.db import get_db
    monkeypatch.setenv("TANDEM_DB", str(demo_copy))
    monkeypatch.setenv("TANDEM_AS_OF", AS_OF.isoformat())
    monkeypatch.setenv("TANDEM_LANG", "en")
    monkeypatch.setenv("TANDEM_AUTH", "off")
    at = _app("presenter")
    _button(at, "Start the meeting").click().run()
    configs = []
    for section in ("sales", "pmc", "purchasing", "quality"):
        _button(at, "Next ▶").click().run()
        assert not at.exception and not at.error, [e.value for e in at.error]
        configs += [json.loads(c.proto.config or "{}") for c in at.get("plotly_chart")]
        dept = at.selectbox(key=f"p-dept-{section}")
        owner = at.selectbox(key=f"p-owner-{section}")
        assert dept.value == section
        assert owner.value == section and owner.options == [owner.format_func(section)]   # the head, e.g. "pmc"
    assert configs and all(c.get("displayModeBar") is False for c in configs), configs
    # in Quality's section: recorded, confirmed and listed at once (no toast over the clock)
    [f for f in at.text_input if f.label == "Action"][0].input("Contain the loose connector lots")
    _button(at, "Record action").click().run()
    assert not at.exception and not at.error and not at.toast
    db = get_db(str(demo_copy))
    with db.cursor() as cur:
        mid = mt.active(cur)
        row = cur.execute("SELECT action_id, owner_department, owner FROM action_items WHERE meeting_id = ?",
                          [mid]).fetchall()
    assert [r[1:] for r in row] == [("quality", "quality")]
    assert any(s.value.startswith(f"Action #{row[0][0]} recorded: 陈静 Quality head (quality), Quality")
               for s in at.success)
    panel = [m.value for m in at.markdown if "tdm-rec" in m.value]
    assert any("0 decisions, 1 actions" in v for v in panel)
    assert any(f"#{row[0][0]}</b> Contain the loose connector lots" in v and "陈静 Quality head" in v for v in panel)
    # in a section without a department the chair chooses one: nothing is guessed
    for _ in range(3):
        _button(at, "Next ▶").click().run()
    assert at.selectbox(key="p-dept-close").value is None
