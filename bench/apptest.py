"""AppTest page selection for the page benchmarks (the tests have the same in tests/conftest.py)."""


def select_page(at, url: str):
    """Open the page registered at `url` on the next run: pages are st.Page(callable), which
    Streamlit names by the hash of the url path; AppTest.switch_page only finds file pages."""
    from streamlit.util import calc_hash
    at._page_hash = calc_hash(url)
    return at
