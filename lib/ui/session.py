import streamlit as st

from lib.auth import SYSTEM


def current_user():
    return st.session_state.get("user") or SYSTEM
