"""Putting a page back together when parts of it come from elsewhere than the text stream.

A table (rows with tabs) replaces the text-layer characters inside its box; OCR'd text from images
has no characters in the text layer at all. Each such block is placed after the last text line that
lies above it, so the text keeps PDFium's stream order (which follows the author's reading order
better than sorting by position) and blocks land where a reader meets them. Lines in the header and
footer bands do not count for placement: Word often writes the footer first.

Positions come from PDFium's per-line rectangles (a few calls per line) rather than per-character
boxes (two calls per character), which keeps table pages nearly as cheap as plain ones.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass

import pypdfium2.raw as pdfium_c

from ratsinfo.ingest.documents.pageobjects import BBox

MARGIN_BAND = 0.1
"""Top and bottom share of the page treated as header/footer area."""


@dataclass
class Block:
    bbox: BBox
    text: str
    swallow: bool
    """True: text-layer characters inside the box belong to this block (tables)."""


@dataclass
class _Line:
    text: str
    y: float | None


def _inside(boxes: list[BBox], x: float, y: float) -> bool:
    return any(b[0] <= x <= b[2] and b[1] <= y <= b[3] for b in boxes)


class _Rects:
    """PDFium's text rectangles for a range of characters (one per run on a line)."""

    def __init__(self, textpage: object):
        self.raw = textpage.raw  # type: ignore[attr-defined]
        self.vals = [ctypes.c_double() for _ in range(4)]
        self.refs = [ctypes.byref(v) for v in self.vals]

    def __call__(self, start: int, count: int) -> list[tuple[float, float]]:
        """Centres of the runs covering characters ``start .. start+count``."""
        n = pdfium_c.FPDFText_CountRects(self.raw, start, count)
        out = []
        for i in range(max(n, 0)):
            if pdfium_c.FPDFText_GetRect(self.raw, i, *self.refs):
                left, top, right, bottom = (v.value for v in self.vals)
                out.append(((left + right) / 2, (top + bottom) / 2))
        return out


def _split_line(rects: _Rects, start: int, line: str, swallowing: list[BBox]) -> tuple[str, float | None]:
    """A line partly inside a table: keep the characters outside, one by one."""
    kept = []
    ys = []
    for offset, ch in enumerate(line):
        centres = rects(start + offset, 1)
        if not centres:
            kept.append(ch)
            continue
        x, y = centres[0]
        if not _inside(swallowing, x, y):
            kept.append(ch)
            ys.append(y)
    return "".join(kept), (sum(ys) / len(ys) if ys else None)


def page_lines(textpage: object, text: str, swallowing: list[BBox]) -> list[_Line]:
    """The text stream's lines with their height on the page, minus what tables swallow."""
    n_chars = pdfium_c.FPDFText_CountChars(textpage.raw)  # type: ignore[attr-defined]
    rects = _Rects(textpage)
    aligned = len(text) == n_chars  # False with surrogate pairs: positions become unreliable
    lines: list[_Line] = []
    pos = 0
    for line in text.split("\r\n"):
        start = pos
        pos += len(line) + 2
        if not line.strip() or not aligned:
            lines.append(_Line(line, None))
            continue
        centres = rects(start, len(line))
        if not centres:
            lines.append(_Line(line, None))
            continue
        inside = [_inside(swallowing, x, y) for x, y in centres] if swallowing else [False]
        if all(inside):
            continue
        if any(inside):
            kept, y = _split_line(rects, start, line, swallowing)
            lines.append(_Line(kept, y))
            continue
        lines.append(_Line(line, sum(y for _, y in centres) / len(centres)))
    return lines


def compose(textpage: object, text: str, blocks: list[Block], page_box: BBox) -> str:
    """The page's text with ``blocks`` placed in reading position (see module docstring)."""
    if not blocks:
        return text
    lines = page_lines(textpage, text, [b.bbox for b in blocks if b.swallow])
    height = page_box[3] - page_box[1]
    body_top = page_box[3] - MARGIN_BAND * height
    body_bottom = page_box[1] + MARGIN_BAND * height

    def after_line(block: Block) -> int:
        """Index of the last body line above the block (-1: before everything)."""
        last = -1
        for i, line in enumerate(lines):
            if line.y is not None and body_bottom < line.y < body_top and line.y > block.bbox[3]:
                last = i
        if last == -1 and block.bbox[3] < body_top:
            # Only header lines above it: place it after the header lines that open the stream.
            for i, line in enumerate(lines):
                if line.y is not None and line.y >= body_top:
                    last = i
                elif line.y is not None:
                    break
        return last

    placed: dict[int, list[Block]] = {}
    for block in blocks:
        placed.setdefault(after_line(block), []).append(block)
    out: list[str] = [b.text for b in sorted(placed.get(-1, []), key=lambda b: -b.bbox[3])]
    for i, line in enumerate(lines):
        out.append(line.text)
        for block in sorted(placed.get(i, []), key=lambda b: -b.bbox[3]):
            out.append(block.text)
    return "\n".join(out)
