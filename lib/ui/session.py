"""The acting user of this browser session.

Until login exists every page acts as lib.auth.SYSTEM; the login page puts the signed-in
lib.auth.User into st.session_state["user"]. Keep the name `current_user`: pages call it.
"""
from __future__ import annotations

import streamlit as st

from lib.auth import SYSTEM, User


def current_user() -> User:
    """The signed-in user, or SYSTEM while login is off."""
    return st.session_state.get("user", SYSTEM)
