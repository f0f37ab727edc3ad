"""The examples in the library's docstrings run and are right."""
import doctest
import importlib

import pytest

MODULES = ["lib.store.db", "lib.people.auth", "lib.settings", "lib.i18n", "lib.sections.kpi", "lib.store.exports",
           "lib.formats", "lib.text", "lib.ui.frames", "lib.store.imports", "lib.store.lookups", "lib.ui.nav",
           "lib.plan.grid", "lib.plan.planned", "lib.plan.late", "lib.plan.whatif", "lib.store.tables"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0 and result.failed == 0
