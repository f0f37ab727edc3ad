"""Stored text is data, never markup (STYLE.md 14): how a value typed by a user or read from a
file is drawn where Streamlit, a browser or plotly would otherwise interpret it.

    md_text(value)          inside Markdown: st.markdown, st.caption, st.title/header/subheader,
                            st.info/warning/error/success, st.toast, st.metric, and the labels of
                            widgets, expanders, tabs, page links, radio/segmented/pills options
    html_text(value)        inside HTML built for st.markdown(..., unsafe_allow_html=True), text or
                            attribute
    plot_text(value)        inside plotly text: category labels, legend names, hover text
    t_md(key, **values)     a translated Markdown template with its values escaped (the template's
                            own **bold** keeps working); t_html the same for HTML

Plain-text places need none of this and must not get it (the escapes would show): st.text,
st.code, st.dataframe / data_editor cells and headers, selectbox / multiselect options,
text_input values and placeholders, download file contents other than Markdown.

Why every ASCII punctuation mark is escaped: Streamlit's Markdown is CommonMark + GFM (tables,
autolinks, ~strike~) + its own directives (:red[...], :material/icon:, :smile: shortcodes) +
$...$ / $$...$$ LaTeX + raw HTML where allowed, and which mark matters depends on where in a line
it lands. A backslash before any ASCII punctuation is always a literal character in CommonMark,
so escaping them all is simple and provably enough. Streamlit also parses Markdown *around* raw
HTML (a line starting with <span> is a paragraph), so html_text writes those marks as numeric
character references, which both the Markdown parser and the browser turn back into the plain
character, never into syntax.

This module imports no streamlit: the minutes (lib.meeting.minutes) use it too.
"""
from __future__ import annotations

import html
import re
import string

import pandas as pd

from lib.i18n import t

# Marks that mean something somewhere in Streamlit's Markdown; the rest (" ' , ; ? %) never do.
_MD_SPECIAL = frozenset(string.punctuation) - set("\"',;?%")
_MD_ESCAPE = {ord(c): "\\" + c for c in _MD_SPECIAL}
_HTML_ESCAPE = {ord(c): f"&#{ord(c)};" for c in _MD_SPECIAL - set("&<>")}
_HTML_ESCAPE.update({ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;", ord('"'): "&quot;",
                     ord("'"): "&#39;", ord("\n"): "&#10;"})
_NEWLINES = re.compile(r"\r\n?|\u2028|\u2029")
# Two of Streamlit's Markdown rewrites work on the text after escapes are resolved, so no escape
# stops them: emoji shortcodes (:smile:) and GFM's literal autolinks (www.x.com, https://x,
# a@b.com). An invisible word joiner breaks each pattern without changing what a reader sees.
_JOIN = "\u2060"
_REWRITTEN = re.compile(r"(?i):(?=[\w+-]+:)|\bwww(?=\.)|\bhttps?(?=://)|(?<=[-.\w+])(?=@[-\w]+\.)")


def _plain(value) -> str:
    """`value` as text: None and NaN as '' (a missing value is drawn as nothing, not 'None')."""
    if value is None or value is pd.NaT or value is pd.NA or (isinstance(value, float) and value != value):
        return ""
    return _NEWLINES.sub("\n", str(value))


def _unlinked(text: str) -> str:
    """`text` with a word joiner after each match of _REWRITTEN (a colon opening a shortcode,
    the 'www' or 'http' of a link, the end of an e-mail's name).

    >>> _unlinked(":smile: www.x.org a@b.cn").replace(_JOIN, "^")
    ':^smile: www^.x.org a^@b.cn'
    """
    return _REWRITTEN.sub(lambda m: m.group(0) + _JOIN, text)


def md_text(value, *, breaks: bool = False) -> str:
    r"""`value` as literal text inside Streamlit Markdown.

    Every ASCII punctuation mark that Markdown, GFM or Streamlit could read as syntax is
    backslash-escaped; each line's leading blanks are dropped (four would start a code block);
    lines are joined by a space, or with `breaks` by a hard line break (never a blank line,
    which would end the paragraph, list item or table row the value sits in).

    >>> md_text("<img src=x onerror=alert(1)>")
    '\\<img src\\=x onerror\\=alert\\(1\\)\\>'
    >>> md_text(":red[RED] $$x^2$$ | a |")
    '\\:red\\[RED\\] \\$\\$x\\^2\\$\\$ \\| a \\|'
    >>> md_text("# heading\n  1. item"), md_text("a\nb", breaks=True), md_text(None), md_text(12.5)
    ('\\# heading 1\\. item', 'a  \nb', '', '12\\.5')
    """
    lines = [line.strip() for line in _plain(value).split("\n")]
    text = ("  \n" if breaks else " ").join(line for line in lines if line)
    return _unlinked(text).translate(_MD_ESCAPE)


def html_text(value) -> str:
    """`value` as literal text inside HTML given to st.markdown(..., unsafe_allow_html=True), in an
    element or in a quoted attribute: html.escape with quotes, and Markdown's marks and newlines
    as numeric character references (Streamlit parses Markdown around and between the tags).

    >>> html_text("<script>alert(1)</script>")
    '&lt;script&gt;alert&#40;1&#41;&lt;&#47;script&gt;'
    >>> html_text("O'Neil & \\"Sons\\"\\n:red[x]")
    'O&#39;Neil &amp; &quot;Sons&quot;&#10;&#58;red&#91;x&#93;'
    """
    return _unlinked(_plain(value)).translate(_HTML_ESCAPE)


def plot_text(value) -> str:
    """`value` as literal text in a plotly figure (tick labels, legend, hover, annotations).

    plotly.js reads a few tags in any text (<b>, <br>, <a href>, <span style>) and decodes
    &lt; &gt; &amp; and numeric references, but not &quot;: so only & < > are escaped, which
    also leaves dates and numbers in axis values as they are.

    >>> plot_text("<b>Acme</b> & Co"), plot_text(None)
    ('&lt;b&gt;Acme&lt;/b&gt; &amp; Co', '')
    """
    return html.escape(_plain(value), quote=False)


def plot_values(values) -> list:
    """plot_text of each value of a column (numbers and dates as they are), for x / y / text."""
    return [plot_text(v) if isinstance(v, str) else v for v in values]


def t_md(key: str, lang: str | None = None, **values) -> str:
    """`t(key, **values)` for Markdown: the template's own Markdown kept, every value escaped."""
    return t(key, lang, **{k: md_text(v) for k, v in values.items()})


def t_html(key: str, lang: str | None = None, **values) -> str:
    """`t(key, **values)` for HTML: every value escaped with html_text."""
    return t(key, lang, **{k: html_text(v) for k, v in values.items()})
