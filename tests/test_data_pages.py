"""AppTests of Update data and Audit log: a form saves through the page, shown figures equal lib's."""
from datetime import date, timedelta

import pytest

from lib.store import audit
from lib.store.db import get_db
from tests.conftest import run_page


def open_page(monkeypatch, path, url, state=None):
    """The page at `url`, with `state` (e.g. the acting user) put in the session first."""
    at = run_page(monkeypatch, path, url, state=state)
    assert not at.exception, at.exception
    return at


def test_complaint_form_saves_through_the_page(monkeypatch, demo_copy):
    at = open_page(monkeypatch, demo_copy, "data", {"io-mode": "forms"})
    at.text_input(key="form-complaint-complaint").input("CC-TEST-1")
    at.text_area(key="form-complaint-description").input("burrs on the flange")
    at.selectbox(key="form-complaint-severity").select("major")
    at.button(key="FormSubmitter:form-complaint-Save").click()
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.text_input(key="form-complaint-complaint").value == ""             # a saved form is emptied
    db = get_db(str(demo_copy))
    first_customer = db.scalar("SELECT min(customer) FROM customers")
    assert db.query("SELECT customer, severity, status, received_date FROM complaints WHERE complaint = 'CC-TEST-1'"
                    ).values.tolist() == [[first_customer, "major", "open", __import__("pandas").Timestamp(date.today())]]
    assert db.scalar("SELECT count(*) FROM audit_log WHERE row_key = 'CC-TEST-1' AND source = 'form'") >= 6


def test_a_refused_form_says_why_and_saves_nothing(monkeypatch, demo_copy):
    at = open_page(monkeypatch, demo_copy, "data", {"io-mode": "forms"})
    at.text_input(key="form-complaint-complaint").input("CC-TEST-2")     # no description
    at.button(key="FormSubmitter:form-complaint-Save").click()
    at.run()
    assert [e.value for e in at.error] == ["Not saved — description: required, but empty"]
    assert at.text_input(key="form-complaint-complaint").value == "CC-TEST-2"   # what was typed stays
    assert get_db(str(demo_copy)).scalar("SELECT count(*) FROM complaints WHERE complaint = 'CC-TEST-2'") == 0


@pytest.mark.parametrize("mode", ["forms", "edit", "import", "export"])
@pytest.mark.parametrize("dept", ["sales", "pmc", "purchasing", "quality", "engineering"])
def test_every_part_of_update_data_runs_for_every_department(monkeypatch, demo_copy, mode, dept):
    at = open_page(monkeypatch, demo_copy, "data", {"io-mode": mode, "io-dept": dept})
    assert not at.error, [e.value for e in at.error]


def test_audit_page_count_equals_lib(monkeypatch, demo_copy):
    at = open_page(monkeypatch, demo_copy, "audit")
    db = get_db(str(demo_copy))
    with db.cursor() as cur:
        n = audit.count(cur, audit.AuditFilter(start=date.today() - timedelta(days=30), end=date.today()))
    assert n > 0
    assert any(m.value.startswith(f"{n} entries match") for m in at.markdown)


def test_several_files_mode_runs(monkeypatch, demo_copy):
    at = open_page(monkeypatch, demo_copy, "data", {"io-mode": "import", "io-import-many": True})
    assert not at.error, [e.value for e in at.error]


def test_a_head_sees_another_departments_data_read_only(monkeypatch, demo_copy):
    from lib.people.auth import User
    ann = User("ann", "head", "sales", "Ann")
    at = open_page(monkeypatch, demo_copy, "data", {"user": ann, "io-mode": "forms", "io-dept": "pmc"})
    assert any("Read only: you may not change PMC data" in i.value for i in at.info)
    assert all(b.disabled for b in at.button if b.key and b.key.startswith("FormSubmitter:"))
    at = open_page(monkeypatch, demo_copy, "data", {"user": ann, "io-mode": "forms", "io-dept": "sales"})
    assert not any("Read only" in i.value for i in at.info)
    assert not any(b.disabled for b in at.button if b.key and b.key.startswith("FormSubmitter:"))


def test_the_editor_loads_a_bounded_set_and_find_narrows_it(monkeypatch, demo_copy):
    from lib.ui import data_io
    monkeypatch.setattr(data_io, "EDIT_ROWS", 5)
    at = open_page(monkeypatch, demo_copy, "data", {"io-mode": "edit", "io-dept": "sales",
                                                             "io-edit-table-sales": "orders"})
    _, base, total = at.session_state["edit-base-orders"]
    assert len(base) == 5 and total > 5                       # the first rows only, and it says so
    assert any("first 5 of" in c.value for c in at.caption)
    order = base["order"].iloc[0]
    at.text_input(key="edit-orders-find").input(order).run()
    assert not at.exception, at.exception
    _, found, total = at.session_state["edit-base-orders"]
    assert len(found) == total >= 1 and (found["order"] == order).all()
    assert not any("first 5 of" in c.value for c in at.caption)
