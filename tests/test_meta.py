"""Keeps the app honest: every UI string in both languages, every setting documented, every page routed."""
import re
from pathlib import Path

from lib import settings
from lib.i18n import CATALOGS, LANGS, pick_lang
from lib.ui import nav

ROOT = Path(__file__).resolve().parent.parent


def test_both_catalogs_have_the_same_keys():
    en, zh = set(CATALOGS["en"]), set(CATALOGS["zh"])
    assert sorted(en - zh) == [], "missing in zh"
    assert sorted(zh - en) == [], "missing in en"


def test_placeholders_match_between_languages():
    for key, text in CATALOGS["en"].items():
        assert set(re.findall(r"{(\w+)}", text)) == set(re.findall(r"{(\w+)}", CATALOGS["zh"][key])), key


def test_every_t_literal_in_code_exists():
    used = set()
    for path in list(ROOT.glob("*.py")) + list(ROOT.glob("pages/*.py")) + list(ROOT.glob("lib/**/*.py")):
        # t, and lib.text's t_md / t_html (the same catalog, values escaped)
        used |= set(re.findall(r"""\bt(?:_md|_html)?\(\s*["']([a-z0-9_.]+)["']""", path.read_text(encoding="utf-8")))
    missing = sorted(k for k in used if re.search("[a-z]", k) and k not in CATALOGS["en"])
    assert missing == []


def test_every_setting_has_help():
    for s in settings.SETTINGS.values():
        assert len(s.help) > 15, s.key


def test_every_registered_page_exists_and_has_a_title():
    import importlib
    urls = [p.url for p in nav.PAGES]
    assert len(urls) == len(set(urls))
    for p in nav.PAGES:
        assert callable(importlib.import_module(p.module).render), p.module
        for lang in LANGS:
            assert p.title in CATALOGS[lang] and p.section in CATALOGS[lang]


def test_language_follows_setting_then_browser():
    assert pick_lang("en", "zh-CN") == "en"
    assert pick_lang("auto", "zh-CN") == "zh"
    assert pick_lang("auto", "de-DE") == "en"
    assert pick_lang("auto", None) == "en"


def _catalog_modules():
    import importlib
    import pkgutil

    import lib.i18n as pkg
    return {m.name: importlib.import_module(f"lib.i18n.{m.name}") for m in pkgutil.iter_modules(pkg.__path__)}


def test_each_catalogue_holds_only_its_own_prefixes():
    """A key lives in the catalogue named for its area (lib/i18n/promise.py holds promise.*), so
    the text of a screen is found from the folder listing alone."""
    owners: dict[str, str] = {}
    for name, module in _catalog_modules().items():
        for prefix in module.PREFIXES:
            assert prefix not in owners, f"{prefix} claimed by {owners.get(prefix)} and {name}"
            owners[prefix] = name
        for lang in ("EN", "ZH"):
            strays = [k for k in getattr(module, lang) if not k.startswith(module.PREFIXES)]
            assert strays == [], (name, lang, strays[:5])


def test_no_catalogue_key_is_defined_twice():
    """Within a dict a second entry silently wins; across catalogues the later module would."""
    import ast
    seen: dict[tuple[str, str], str] = {}
    twice = []
    for name in _catalog_modules():
        tree = ast.parse((ROOT / "lib" / "i18n" / f"{name}.py").read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict):
                lang = node.targets[0].id
                for key in node.value.keys:
                    if (lang, key.value) in seen:
                        twice.append((lang, key.value, seen[(lang, key.value)], name))
                    seen[(lang, key.value)] = name
    assert twice == []
