"""Results that pages reuse between runs and sessions, keyed on the data version (every commit
moves it): a lib function's result (`load`), a display view derived from one (`derive`), a
plotly figure (`build`). One server process draws every session's page, so work done once per
data version instead of once per run is the difference under load (bench/README.md)."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from lib.i18n import get_lang


# ------------------------------------------------------------------ data access
@st.cache_data(ttl=3600, show_spinner=False, max_entries=512)
def _cached(_db, db_key: tuple, name: str, _fn, args: tuple, kwargs: tuple):
    with _db.cursor() as cur:
        return _fn(cur, *args, **dict(kwargs))


def load(db, fn, *args, **kwargs):
    """`fn(cursor, *args, **kwargs)`, cached until the next committed write (data version).

    `fn` is a lib domain function taking a connection first; args must be hashable by
    st.cache_data (dates, strings, tuples, Filters, DataFrames).
    """
    key = (db.path, id(db), db.data_version())
    return _cached(db, key, f"{fn.__module__}.{fn.__qualname__}", fn, args, tuple(sorted(kwargs.items())))


@st.cache_resource(ttl=3600, max_entries=128, show_spinner=False)
def _derived(db_key: tuple, name: str, lang: str, key: tuple, _fn, _src):
    return _fn(_src)


def derive(db, fn, src: pd.DataFrame, *key):
    """`fn(src)` (a display view of a loaded frame), computed once per data version, language and
    `key` and shared by every session: at-risk reasons for 36,000 lines cost ~90 ms a run.

    `key` must identify `src` (the arguments it was loaded with); the frame returned is shared
    and must not be changed.
    """
    db_key = (db.path, id(db), db.data_version())
    return _derived(db_key, f"{fn.__module__}.{fn.__qualname__}", get_lang(), key, fn, src)


@st.cache_resource(ttl=3600, max_entries=256, show_spinner=False)
def _figure(name: str, frame_key: int, shape: tuple, spec: str, _builder, _df, _args, _kwargs):
    return _builder(_df, *_args, **_kwargs)


def build(builder, df: pd.DataFrame, *args, **kwargs):
    """`builder(df, *args, **kwargs)` (a lib.ui.charts builder), reused while its inputs are the
    same: building a plotly figure costs tens of milliseconds, and a page reruns on every click.

    The figure is shared between sessions and must not be changed after it is returned.
    """
    frame_key = int(pd.util.hash_pandas_object(df, index=True).sum()) if len(df) else 0
    # the language too: a builder may translate its own labels
    spec = repr((get_lang(), args, sorted(kwargs.items()), list(df.columns)))
    return _figure(f"{builder.__module__}.{builder.__qualname__}", frame_key, df.shape, spec,
                   builder, df, args, kwargs)
