"""Turning raw text-layer or OCR text into what a reader sees, for search and display.

* PDFium marks a hyphen it saw at a line end with U+FFFE (sometimes U+0002) and drops the break;
  other producers leave ``-\\n``. Both are joined when the next word starts in lower case
  ("Digitali-\\nsierung" → "Digitalisierung"); a capital after the hyphen means a real compound
  ("Smart-City-\\nStrategie" → "Smart-City-Strategie"); a conjunction after it means a German
  suspended hyphen ("Bau-\\nund Umweltausschuss" → "Bau- und Umweltausschuss").
* Ligatures are folded, Symbol/Wingdings glyphs in the private use area become "•"/"→"/"✓" or go.
* Headers and footers repeated on most pages are removed (see :func:`remove_furniture`).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence

HYPHEN_MARKS = "\ufffe\x02"
CONJUNCTIONS = frozenset(
    {"und", "oder", "bzw", "bzw.", "sowie", "bis", "als", "wie", "noch", "beziehungsweise", "u.", "o.", "&"}
)

LIGATURES = {
    "\ufb00": "ff",
    "\ufb01": "fi",
    "\ufb02": "fl",
    "\ufb03": "ffi",
    "\ufb04": "ffl",
    "\ufb05": "st",
    "\ufb06": "st",
    "\u0132": "IJ",
    "\u0133": "ij",
}

_BULLET = "•"
# Symbol and Wingdings glyphs that Word and Ghostscript put in the private use area (U+F0xx).
PUA_MAP = {
    0xF020: " ",
    0xF02D: "-",
    0xF0A7: _BULLET,  # Wingdings small square
    0xF0A8: _BULLET,
    0xF0B7: _BULLET,  # Symbol bullet
    0xF09F: _BULLET,  # Wingdings small bullet
    0xF06C: _BULLET,  # Wingdings filled circle
    0xF06E: _BULLET,  # Wingdings filled square
    0xF071: _BULLET,  # Wingdings hollow square
    0xF075: _BULLET,
    0xF076: _BULLET,  # Wingdings diamond
    0xF077: _BULLET,
    0xF0A1: _BULLET,
    0xF0D8: "→",  # Wingdings arrowhead
    0xF0E0: "→",
    0xF0E8: "→",
    0xF0F0: "→",
    0xF0FC: "✓",
    0xF0FE: "✓",
    0xF0FB: "✗",
    0xF0FD: "✗",
}

_SPACES = {0x00A0: " ", 0x2007: " ", 0x2009: " ", 0x202F: " ", 0x2002: " ", 0x2003: " ", 0x3000: " "}
_DROP = {0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0xFFFD, 0x00AD}


def _build_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    for cp in range(0x20):
        if chr(cp) not in "\t\n" and chr(cp) not in HYPHEN_MARKS:
            table[cp] = None
    table[0x7F] = None
    for cp in range(0x80, 0xA0):
        table[cp] = None
    for lig, repl in LIGATURES.items():
        table[ord(lig)] = repl
    for cp in range(0xE000, 0xF900):
        table[cp] = PUA_MAP.get(cp)
    table.update(_SPACES)
    for cp in _DROP:
        table[cp] = None
    return table


_TRANSLATE = _build_table()


def _char_class(codepoints: list[int]) -> str:
    """A regex character class of the code points, as ranges."""
    parts = []
    start = prev = codepoints[0]
    for cp in [*codepoints[1:], -1]:
        if cp == prev + 1:
            prev = cp
            continue
        parts.append(re.escape(chr(start)) + ("-" + re.escape(chr(prev)) if prev > start else ""))
        start = prev = cp
    return "[" + "".join(parts) + "]"


# Matching the few special characters and mapping only those is several times faster than
# str.translate over every character of the page.
_SPECIAL = re.compile(_char_class(sorted(_TRANSLATE)))
_SUPPLEMENTARY_PUA = re.compile("[\U000f0000-\U0010ffff]")
_WORD_AFTER = r"(?=([^\W_][\w.&]*))"
# The patterns start with the hyphen, not a look-behind, so the regex engine can skip ahead to
# candidates; the character before the hyphen is checked in Python.
_MARKED_HYPHEN = re.compile(r"[\ufffe\x02][ \t]*(?:\n[ \t]*)?" + _WORD_AFTER)
_STRAY_MARK = re.compile("[\ufffe\x02]")
_LINE_HYPHEN = re.compile(r"[-\u2010\u00ad]\n[ \t]*" + _WORD_AFTER)
_SOFT_HYPHEN_BREAK = re.compile(r"\u00ad\s*\n[ \t]*")
_SLASH_CONTINUATION = re.compile(r"-\n[ \t]*(?=/[^\W\d_])")  # "An-\n/Abfahrten"
_MULTI_SPACE = re.compile(r"[ \u00a0]{2,}")
_BLANK_LINES = re.compile(r"\n{3,}")


def _hyphen_join(word: str, letter_before: bool) -> str:
    """What replaces a line-end hyphen before ``word``: nothing, a hyphen, or hyphen + space."""
    if word.lower() in CONJUNCTIONS or word.lower().rstrip(".") in CONJUNCTIONS:
        return "- "
    if letter_before and word[0].islower():
        return ""
    return "-"


def normalize_chars(text: str) -> str:
    """NFC, line ends as ``\\n``, ligatures folded, PUA glyphs mapped or dropped, controls gone."""
    if not text:
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    if "\u00ad" in text:
        text = _SOFT_HYPHEN_BREAK.sub("", text)
    if _SPECIAL.search(text):
        text = _SPECIAL.sub(lambda m: _TRANSLATE.get(ord(m.group())) or "", text)
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    if _SUPPLEMENTARY_PUA.search(text):
        text = _SUPPLEMENTARY_PUA.sub("", text)
    return text


def join_hyphenation(text: str) -> str:
    """Join words broken at line ends (PDFium's U+FFFE marks and plain ``-\\n``)."""
    if "\ufffe" in text or "\x02" in text:

        def marked(m: re.Match[str]) -> str:
            before = text[m.start() - 1] if m.start() else " "
            return _hyphen_join(m.group(1), True) if _is_word(before) else "-" + m.group(0)[1:]

        text = _MARKED_HYPHEN.sub(marked, text)
        text = _STRAY_MARK.sub("-", text)
    if "-\n" in text or "\u2010\n" in text:
        source = text

        def slash(m: re.Match[str]) -> str:
            before = source[m.start() - 1] if m.start() else " "
            return "-" if before.isalpha() else m.group(0)

        text = _SLASH_CONTINUATION.sub(slash, text)
        source = text

        def line_end(m: re.Match[str]) -> str:
            before = source[m.start() - 1] if m.start() else " "
            if not _is_word(before):
                return m.group(0)
            return _hyphen_join(m.group(1), not before.isdigit())

        text = _LINE_HYPHEN.sub(line_end, text)
    return text


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def tidy_whitespace(text: str) -> str:
    """Spaces collapsed and trimmed per line (tabs kept: they separate table cells), one blank line max."""
    lines = [(_MULTI_SPACE.sub(" ", line) if "  " in line else line).strip(" ") for line in text.split("\n")]
    text = "\n".join(lines)
    return (_BLANK_LINES.sub("\n\n", text) if "\n\n\n" in text else text).strip("\n")


def clean_text(text: str) -> str:
    """The full cleanup for running text."""
    return tidy_whitespace(join_hyphenation(normalize_chars(text)))


def clean_cell(text: str) -> str:
    """A table cell on one line: hyphenation joined, all whitespace (tabs too) collapsed to spaces."""
    return " ".join(join_hyphenation(normalize_chars(text)).split())


# --- headers and footers ---------------------------------------------------------------------

_DIGITS = re.compile(r"\d+")


def furniture_key(line: str) -> str:
    """A line with page numbers and spacing neutralised, so "Seite 2 von 5" matches "Seite 3 von 5"."""
    return _DIGITS.sub("#", " ".join(line.split()).lower())


def remove_furniture(pages: Sequence[str], margins: Sequence[Sequence[str]]) -> list[str]:
    """Drop lines that sit in the top/bottom margin of at least half the pages (two at least).

    ``margins[i]`` are the lines found in page i's header and footer bands. Only lines seen in a
    page's own margins are removed from that page, so a title that is the running header of the
    following pages stays on the first.
    """
    n = len(pages)
    if n < 2:
        return list(pages)
    counts: Counter[str] = Counter()
    for lines in margins:
        counts.update({furniture_key(line) for line in lines if line.strip()})
    threshold = max(2, math.ceil(n * 0.5))
    furniture = {key for key, count in counts.items() if count >= threshold}
    if not furniture:
        return list(pages)
    longest = max(len(key) for key in furniture) + 8
    out = []
    for text, lines in zip(pages, margins, strict=True):
        budget = Counter(key for key in (furniture_key(line) for line in lines) if key in furniture)
        if not budget:
            out.append(text)
            continue
        kept = []
        for line in text.split("\n"):
            key = furniture_key(line) if len(line) <= longest else ""
            if key and budget.get(key, 0) > 0:
                budget[key] -= 1
                continue
            kept.append(line)
        out.append(tidy_whitespace("\n".join(kept)))
    return out
