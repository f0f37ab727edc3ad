"""The text of a CSV: its encoding found with confidence, or the file refused — never garbled.

In this order:
1. a byte-order mark: UTF-8, UTF-16 LE or BE;
2. no mark, but NUL bytes in every other position: UTF-16 LE or BE without a BOM;
3. strict UTF-8 (ASCII is UTF-8), unless the UTF-8 reading holds what real text does not (a
   combining mark after no letter, a C1 control, an unassigned code point) and an encoding of
   step 4 reads it too: the GBK bytes of 台 are valid UTF-8 (CC A8, a combining ogonek);
4. the legacy encodings a factory's ERP writes, each accepted only when the bytes decode strictly,
   encode back to the same bytes, and (almost) every non-ASCII character is one that text in
   that encoding is made of: GB18030/GBK (the GB2312 hanzi and punctuation), Big5 (its symbols
   and frequent hanzi), Shift-JIS (kana and JIS level-1/2 kanji), Windows-1252 (accented Latin
   letters). Shift-JIS read as GBK gives GBK-only characters (姅幃夛幮), Big5 read as GBK gives kana
   and GBK-only characters, so neither passes for GB. Exactly one must fit: a short text can fit
   two (the Big5 bytes of 國際 are the GB bytes of 瓣悔), and then, as when none fits, the file is
   refused naming the encodings and the first row that is not UTF-8: saved as UTF-8 it is read
   for certain.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter

from lib.i18n import t
from lib.store.imports.report import ImportRejected

TRIED = "UTF-8, UTF-16, GB18030/GBK, Big5, Shift-JIS, Windows-1252"


def _gb_core(ch: str) -> bool:
    """A GB2312 hanzi (rows 16-87) or its punctuation and full-width forms (rows 1 and 3)."""
    try:
        b = ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return len(b) == 2 and (0xB0 <= b[0] <= 0xF7 or b[0] in (0xA1, 0xA3))


def _big5_core(ch: str) -> bool:
    """A Big5 symbol or frequently used hanzi (0xA140-0xC67E)."""
    try:
        b = ch.encode("big5")
    except UnicodeEncodeError:
        return False
    return len(b) == 2 and 0xA1 <= b[0] <= 0xC6


def _sjis_core(ch: str) -> bool:
    """A JIS X 0208 symbol, kana or level-1/2 kanji, or a half-width katakana."""
    try:
        b = ch.encode("shift_jis")
    except UnicodeEncodeError:
        return False
    if len(b) == 1:
        return 0xA1 <= b[0] <= 0xDF
    return 0x81 <= b[0] <= 0x84 or 0x88 <= b[0] <= 0x9F or 0xE0 <= b[0] <= 0xEA


def _latin_core(ch: str) -> bool:
    """An accented Latin letter of Windows-1252."""
    return ("\u00c0" <= ch <= "\u00ff" and ch not in "\u00d7\u00f7") or ch in "\u0152\u0153\u0160\u0161\u017d\u017e\u0178"


CANDIDATES = (("gb18030", _gb_core), ("big5", _big5_core), ("shift_jis", _sjis_core), ("cp1252", _latin_core))
SHOWN = {"gb18030": "GB18030/GBK", "big5": "Big5", "shift_jis": "Shift-JIS", "cp1252": "Windows-1252"}


def _fits(data: bytes, encoding: str, core) -> str | None:
    """The text when `data` is plausibly in `encoding`, else None."""
    try:
        text = data.decode(encoding)
        if text.encode(encoding) != data:
            return None
    except (UnicodeDecodeError, UnicodeEncodeError):
        return None
    counts = Counter(text)
    odd = {ch: n for ch, n in counts.items() if ord(ch) > 127 and ch != "\ufeff"}
    others = sum(n for ch, n in odd.items() if not core(ch))
    total = sum(odd.values())
    return text if others <= total // 50 else None   # a rare character in fifty is a name, not garbage


def utf16_without_bom(data: bytes) -> str | None:
    """'le' or 'be' when NUL bytes sit in the odd (LE) or even (BE) positions of the start."""
    head = data[:4096]
    if len(head) < 4:
        return None
    head = head[:len(head) // 2 * 2]
    even, odd = head[0::2].count(0), head[1::2].count(0)
    half = len(head) // 2
    if odd >= 0.3 * half and even <= 0.02 * half:
        return "utf-16-le"
    if even >= 0.3 * half and odd <= 0.02 * half:
        return "utf-16-be"
    return None


SAMPLE = 200_000
# what real UTF-8 text does not hold: C1 controls, private-use, unassigned and surrogate code points,
# and a combining mark that follows no letter (the GBK bytes of 台 read as UTF-8 are U+0328 after a comma)
_ODD = re.compile(r"[\x80-\x9f\ue000-\uf8ff]|(?:^|(?<=[\x00-\x40\x5b-\x60\x7b-\x7f]))[\u0300-\u036f\u0483-\u0489]")


def _odd_utf8(text: str) -> bool:
    if _ODD.search(text):
        return True
    return any(unicodedata.category(ch) in ("Cn", "Co", "Cs") for ch in set(re.findall(r"[^\x00-\x7f]", text[:SAMPLE])))


def _also_fits(data: bytes, encoding: str, core) -> bool:
    """Whether `data` (valid UTF-8) also reads as `encoding`; a sample first, as real UTF-8 fails it."""
    if len(data) > SAMPLE:
        cut = data.rfind(b"\n", 0, SAMPLE)
        if cut > 0 and _fits(data[:cut], encoding, core) is None:
            return False
    return _fits(data, encoding, core) is not None


def _first_non_ascii_row(data: bytes) -> int:
    pos = next((i for i, b in enumerate(data) if b > 127), 0)
    return _row_of(data, pos)


def _row_of(data: bytes, position: int) -> int:
    return data.count(b"\n", 0, position) + 1


def decode(data: bytes, file: str) -> tuple[str, str]:
    """(text, encoding name) of a CSV file, or ImportRejected naming the encodings tried."""
    boms = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
    for bom, enc in boms:
        if data.startswith(bom):
            return _strict(data, enc, file), enc
    wide = utf16_without_bom(data)
    if wide:
        return _strict(data, wide, file), wide
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        first_bad = _row_of(data, e.start)
    else:
        # a few GBK characters are also valid UTF-8 (台 = CC A8 = a combining ogonek): without a BOM,
        # UTF-8 text that another encoding reads as plausibly is not certain
        if text.isascii() or not _odd_utf8(text):
            return text, "utf-8"
        others = [enc for enc, core in CANDIDATES if _also_fits(data, enc, core)]
        if not others:
            return text, "utf-8"
        raise ImportRejected(t("io.file.encoding_utf8_odd", encodings=", ".join(SHOWN[e] for e in others),
                               row=_first_non_ascii_row(data)), where=file)
    fitting = [(enc, text) for enc, core in CANDIDATES if (text := _fits(data, enc, core)) is not None]
    if len(fitting) == 1:
        return fitting[0][1], fitting[0][0]
    if len(fitting) > 1:
        raise ImportRejected(t("io.file.encoding_ambiguous", encodings=", ".join(SHOWN[e] for e, _ in fitting),
                               row=first_bad), where=file)
    raise ImportRejected(t("io.file.encoding", tried=TRIED, row=first_bad), where=file)


def _strict(data: bytes, encoding: str, file: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as e:
        raise ImportRejected(t("io.file.encoding_broken", encoding=encoding.upper(), row=_row_of(data, e.start)),
                             where=file) from e
