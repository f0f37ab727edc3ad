"""All UI text through one function, `t(key, **values)`, in Chinese (zh) and English (en).

Catalogs live beside this file, one module per area (core.py, capacity.py, ...), each with
two dicts, `EN` and `ZH`, holding the same keys. A test checks both are complete and that
every `t("...")` literal in the code has an entry.

The language of the current script run is set once per run (`set_lang`) by app.py; it is
kept per thread because Streamlit runs each session's script on its own thread. Inside the app
the session's own choice wins (`set_provider`, registered by lib.ui): a fragment rerun or a
worker thread does not run app.py, and a thread's last language may be another session's.

    >>> set_lang("zh"); t("app.title")
    'Tandem 产销协调'
    >>> set_lang("en"); t("app.title")
    'Tandem production–sales coordination'
"""
from __future__ import annotations

import importlib
import pkgutil
import threading

LANGS = ("zh", "en")
_local = threading.local()


def _load() -> dict[str, dict[str, str]]:
    catalogs: dict[str, dict[str, str]] = {"en": {}, "zh": {}}
    for mod in sorted(m.name for m in pkgutil.iter_modules(__path__)):
        module = importlib.import_module(f"{__name__}.{mod}")
        for lang in LANGS:
            catalogs[lang].update(getattr(module, lang.upper()))
    return catalogs


CATALOGS = _load()


_provider = None


def set_provider(provider) -> None:
    """Register a function returning the current session's language (or None outside a session)."""
    global _provider
    _provider = provider


def set_lang(lang: str) -> None:
    _local.lang = lang if lang in LANGS else "en"


def get_lang() -> str:
    """The language of this session (when the app registered a provider), else of this thread."""
    if _provider is not None:
        lang = _provider()
        if lang in LANGS:
            return lang
    return getattr(_local, "lang", "en")


# the placeholders that count something: when the first of them given is 1 and the catalogue has
# `key + ".one"`, that text is used ("1 day ago", not "1 days ago"); Chinese needs no .one text
# of its own, but keeps the key (both catalogues hold the same keys)
COUNTS = ("n", "days")


def t(key: str, lang: str | None = None, **values) -> str:
    """The text for `key` in the current language, with `{name}` placeholders filled; the
    singular `key.one` when the count is 1 (COUNTS).

    >>> t("capacity.takes.late", "en", days=1), t("capacity.takes.late", "en", days=2)
    ('1 day late', '2 days late')
    """
    catalog = CATALOGS[lang or get_lang()]
    count = next((values[k] for k in COUNTS if k in values), None)
    if count == 1 and not isinstance(count, bool) and key + ".one" in catalog:
        key += ".one"
    text = catalog.get(key)
    if text is None:
        text = CATALOGS["en"].get(key, key)
    return text.format(**values) if values else text


def pick_lang(setting: str, browser_locale: str | None) -> str:
    """The language to use: a fixed setting wins, else the browser's locale (zh* -> zh), else en."""
    if setting in LANGS:
        return setting
    if browser_locale and browser_locale.lower().startswith("zh"):
        return "zh"
    return "en"
