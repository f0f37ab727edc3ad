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
    for path in list(ROOT.glob("*.py")) + list(ROOT.glob("views/*.py")) + list(ROOT.glob("lib/**/*.py")):
        used |= set(re.findall(r"""\bt\(\s*["']([a-z0-9_.]+)["']""", path.read_text(encoding="utf-8")))
    missing = sorted(k for k in used if re.search("[a-z]", k) and k not in CATALOGS["en"])
    assert missing == []


def test_every_setting_has_help():
    for s in settings.SETTINGS.values():
        assert len(s.help) > 15, s.key


def test_every_registered_page_exists_and_has_a_title():
    urls = [u for _, u, _, _, _ in nav.PAGES]
    assert len(urls) == len(set(urls))
    for path, _, title, section, _ in nav.PAGES:
        assert (ROOT / path).is_file(), path
        for lang in LANGS:
            assert title in CATALOGS[lang] and section in CATALOGS[lang]


def test_language_follows_setting_then_browser():
    assert pick_lang("en", "zh-CN") == "en"
    assert pick_lang("auto", "zh-CN") == "zh"
    assert pick_lang("auto", "de-DE") == "en"
    assert pick_lang("auto", None) == "en"
