"""Tandem: the production–sales coordination dashboard's library.

Layers (arrows point down only): pages -> lib.ui -> lib.<domain> -> lib.store.db.
Nothing in lib (outside lib.ui) imports streamlit.
"""

# Tandem's own version, recorded in every backup's manifest (lib.store.backup) beside the schema
# version (the applied migrations), which is what a restore actually checks.
__version__ = "0.1.0"
