"""Reusable Streamlit widgets and plotly figure builders. Pages draw only through here."""
