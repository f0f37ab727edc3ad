"""Tandem: the production–sales coordination dashboard's library.

Layers (arrows point down only): pages -> lib.ui -> lib.<domain> -> lib.store.db.
Nothing in lib (outside lib.ui) imports streamlit.
"""
