"""Stored text is data, never markup (STYLE.md 14): how a value typed by a user or read from a
file is drawn where Streamlit, a browser or plotly would otherwise interpret it.

    md_text(value)          inside Markdown: st.markdown, st.caption, st.title/header/subheader,
                            st.info/warning/error/success, st.toast, st.metric (label, value,
                            delta), and the labels of widgets, expanders, tabs, page links, and
                            the options of radio / segmented_control / pills
    html_text(value)        inside HTML built for st.markdown(..., unsafe_allow_html=True), as
                            element text or in a quoted attribute
    plot_text(value)        inside plotly text: category labels, legend names, hover text
    t_md(key, **values)     a translated Markdown template with its values escaped (the
                            template's own **bold** keeps working); t_html the same for HTML

Plain-text places need none of this and must not get it (the escapes would show): st.text,
st.code, st.dataframe / data_editor cells and headers, selectbox / multiselect options,
text_input values and placeholders, the PDF, CSV and Excel files.

What Streamlit reads as markup: CommonMark (headings, lists, quotes, emphasis, links, code,
HTML, entities), GFM (tables, ~strike~, literal autolinks), LaTeX ($...$, $$...$$) and its own
directives (:red[...], :material/icon:, :smile: shortcodes). md_text backslash-escapes the marks
that can open any of these anywhere in a line (a backslash before ASCII punctuation is always a
literal character), the block markers that count only at the start of a line (- + = and 1. or
1) there; # and > are escaped everywhere), and a colon that could open a directive. Two rewrites
act on the text after escapes are resolved: emoji shortcodes and GFM's literal autolinks
(www.x.com, https://x, a@b.com); an invisible word joiner (U+2060) breaks those patterns.

Streamlit parses Markdown around and between raw HTML tags too (a line that starts with <span>
is a paragraph), so html_text writes every mark Markdown could read as a numeric character
reference: the Markdown parser and the browser both turn it back into the plain character,
never into syntax.

This module imports no streamlit: the minutes (lib.meeting.minutes) use it too.
"""
from __future__ import annotations

import html
import re
import string

import pandas as pd

from lib.i18n import t

# marks that open markup wherever they stand
_MD_ALWAYS = {ord(c): "\\" + c for c in "\\`*_[]<>&|~$#"}
# a colon opening a directive (:red[...], :name, ::leaf, :::container)
_MD_COLON = re.compile(r":(?=[A-Za-z:])")
# block markers that count at the start of a line: a list item (- x, + x, 1. x, 1) x), a setext
# underline or a thematic break (===, ---)
_MD_LINE_START = re.compile(r"^(?:([-+])(?=\s|$)|([-=])(?=[-=]*\s*$)|(\d+)([.)])(?=\s|$))")
# marks Markdown may read somewhere; the rest (" ' , ; ? %) never mean anything
_MD_MARKS = frozenset(string.punctuation) - set("\"',;?%")
_HTML_ESCAPE = {ord(c): f"&#{ord(c)};" for c in _MD_MARKS - set("&<>")}
_HTML_ESCAPE.update({ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;", ord('"'): "&quot;",
                     ord("'"): "&#39;", ord("\n"): "&#10;"})
_NEWLINES = re.compile(r"\r\n?|\u2028|\u2029")
_JOIN = "\u2060"
# a colon opening a shortcode or an icon (:smile:, :material/home:), and the 'www' or 'http' of a
# literal link and the end of an e-mail address's name
_REWRITTEN = re.compile(r"(?i):(?=[\w+-]+[:/])|\bwww(?=\.)|\bhttps?(?=://)|(?<=[-.\w+])(?=@[-\w]+\.)")


def _plain(value) -> str:
    """`value` as text: None and NaN as '' (a missing value is drawn as nothing, not 'None')."""
    if value is None or value is pd.NaT or value is pd.NA or (isinstance(value, float) and value != value):
        return ""
    return _NEWLINES.sub("\n", str(value))


def _unlinked(text: str) -> str:
    """`text` with a word joiner after each match of _REWRITTEN.

    >>> _unlinked(":smile: :material/home: www.x.org a@b.cn").replace(_JOIN, "^")
    ':^smile: :^material/home: www^.x.org a^@b.cn'
    """
    return _REWRITTEN.sub(lambda m: m.group(0) + _JOIN, text)


def _md_line(line: str) -> str:
    line = _MD_COLON.sub(r"\\:", _unlinked(line).translate(_MD_ALWAYS))
    return _MD_LINE_START.sub(lambda m: m.group(3) + "\\" + m.group(4) if m.group(3) else "\\" + m.group(0), line)


def md_text(value, *, breaks: bool = False) -> str:
    r"""`value` as literal text inside Streamlit Markdown.

    Each line's leading blanks are dropped (four would start a code block); lines are joined by
    a space, or with `breaks` by a hard line break (never a blank line, which would end the
    paragraph, list item or table row the value sits in).

    >>> md_text("<img src=x onerror=alert(1)>")
    '\\<img src=x onerror=alert(1)\\>'
    >>> md_text(":red[RED] $$x^2$$ | a | [a](javascript:x)")
    '\\:red\\[RED\\] \\$\\$x^2\\$\\$ \\| a \\| \\[a\\](javascript\\:x)'
    >>> md_text("# heading\n  1. item"), md_text("- a\n+ b", breaks=True), md_text(None)
    ('\\# heading 1. item', '\\- a  \n\\+ b', '')
    >>> md_text("C-001, Co. Ltd. 2026-11-25 09:30"), md_text(2.5), md_text("-5 %"), md_text("---")
    ('C-001, Co. Ltd. 2026-11-25 09:30', '2.5', '-5 %', '\\---')
    """
    lines = [line.strip() for line in _plain(value).split("\n") if line.strip()]
    if not breaks:
        lines = [" ".join(lines)] if lines else []
    return "  \n".join(_md_line(line) for line in lines)


def html_text(value) -> str:
    """`value` as literal text inside HTML given to st.markdown(..., unsafe_allow_html=True), in an
    element or in a quoted attribute: html.escape with quotes, and Markdown's marks and newlines
    as numeric character references.

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
    """plot_text of each text in a column (numbers and dates as they are), for x / y / text."""
    return [plot_text(v) if isinstance(v, str) else v for v in values]


def t_md(key: str, lang: str | None = None, **values) -> str:
    """`t(key, **values)` for Markdown: the template's own Markdown kept, every value escaped."""
    return t(key, lang, **{k: md_text(v) for k, v in values.items()})


def t_html(key: str, lang: str | None = None, **values) -> str:
    """`t(key, **values)` for HTML: every value escaped with html_text."""
    return t(key, lang, **{k: html_text(v) for k, v in values.items()})
