"""The screens: one module per page, each defining render() (registered in lib/ui/nav.py)."""
