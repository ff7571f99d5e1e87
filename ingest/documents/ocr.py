"""Local German OCR with the ``tesseract`` binary (Debian: tesseract-ocr, tesseract-ocr-deu).

The binary is called with TSV output so that every word comes with its box and confidence: the
boxes let a page mix its text layer with OCR'd images without duplicating text, the confidences
give the page's mean word confidence. ``OMP_THREAD_LIMIT=1`` because parallelism comes from the
worker processes; OpenMP threads on top of them only add contention.
"""

from __future__ import annotations

import functools
import io
import os
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field

from ratsinfo.ingest.documents.model import ExtractionError

TESSERACT = os.environ.get("RATSINFO_TESSERACT", "tesseract")
SYMBOL_CONF = 95.0
"""A symbol-only word at a line end is kept only when Tesseract is this sure of it."""
MIDDLE_SYMBOL_CONF = 60.0


@dataclass
class OcrWord:
    text: str
    conf: float
    left: int
    top: int
    width: int
    height: int
    key: tuple[int, int, int]
    """(block, paragraph, line) as numbered by Tesseract."""

    @property
    def center(self) -> tuple[float, float]:
        return self.left + self.width / 2, self.top + self.height / 2


@dataclass
class OcrLine:
    words: list[OcrWord] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def box(self) -> tuple[int, int, int, int]:
        """(left, top, right, bottom) in image pixels."""
        return (
            min(w.left for w in self.words),
            min(w.top for w in self.words),
            max(w.left + w.width for w in self.words),
            max(w.top + w.height for w in self.words),
        )


@functools.cache
def tesseract_languages() -> frozenset[str]:
    """Installed Tesseract languages; empty when the binary is missing."""
    if shutil.which(TESSERACT) is None:
        return frozenset()
    try:
        out = subprocess.run(
            [TESSERACT, "--list-langs"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    lines = (out.stdout + out.stderr).splitlines()
    return frozenset(line.strip() for line in lines[1:] if line.strip() and " " not in line.strip())


def ocr_unavailable_reason(languages: str = "deu") -> str | None:
    """Why OCR cannot run here (``None`` when it can)."""
    installed = tesseract_languages()
    if not installed:
        return (
            f"the {TESSERACT!r} binary is not installed (Debian: apt install tesseract-ocr tesseract-ocr-deu)"
        )
    missing = [lang for lang in languages.split("+") if lang not in installed]
    if missing:
        return f"Tesseract language data missing: {', '.join(missing)} (Debian: tesseract-ocr-{missing[0]})"
    return None


def parse_tsv(tsv: str) -> list[OcrWord]:
    """Words (level 5 rows with text) from Tesseract's TSV output."""
    words = []
    for row in tsv.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != "5":
            continue
        text = cols[11].strip()
        if not text:
            continue
        try:
            conf = float(cols[10])
            left, top, width, height = (int(v) for v in cols[6:10])
            key = (int(cols[2]), int(cols[3]), int(cols[4]))
        except ValueError:
            continue
        if conf < 0:
            continue
        words.append(OcrWord(text, conf, left, top, width, height, key))
    return words


def group_lines(words: Iterable[OcrWord]) -> list[OcrLine]:
    """Words into lines, in Tesseract's reading order."""
    lines: dict[tuple[int, int, int], OcrLine] = {}
    for word in words:
        lines.setdefault(word.key, OcrLine()).words.append(word)
    return list(lines.values())


def drop_noise(words: list[OcrWord], min_conf: float) -> list[OcrWord]:
    """Words below ``min_conf``, and symbol-only "words" at line ends (Tesseract reads pictograms,
    map symbols and bullets as ``"``, ``=``, ``©``), are dropped; a dash inside a line stays."""
    kept = []
    for line in group_lines(w for w in words if w.conf >= min_conf):
        ws = line.words
        while ws and not _has_alnum(ws[0].text) and ws[0].conf < SYMBOL_CONF:
            ws = ws[1:]
        while ws and not _has_alnum(ws[-1].text) and ws[-1].conf < SYMBOL_CONF:
            ws = ws[:-1]
        kept.extend(w for w in ws if _has_alnum(w.text) or w.conf >= MIDDLE_SYMBOL_CONF)
    return kept


def _has_alnum(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


def lines_to_text(lines: Iterable[OcrLine]) -> str:
    """Lines joined; a new Tesseract block or paragraph starts after a blank line."""
    parts: list[str] = []
    previous: tuple[int, int] | None = None
    for line in lines:
        para = line.words[0].key[:2]
        if previous is not None and para != previous:
            parts.append("")
        parts.append(line.text)
        previous = para
    return "\n".join(parts)


def mean_confidence(words: Iterable[OcrWord]) -> float | None:
    confs = [w.conf for w in words]
    return round(sum(confs) / len(confs), 1) if confs else None


def run_tesseract(
    image: object, *, languages: str = "deu", dpi: int = 300, psm: int = 3, timeout: float = 120.0
) -> list[OcrWord]:
    """OCR a PIL image (or encoded image bytes) and return its words with boxes and confidences."""
    if isinstance(image, bytes | bytearray):
        data = bytes(image)
    else:
        buf = io.BytesIO()
        image.save(buf, format="PPM")  # type: ignore[attr-defined]  # PGM/PPM: no compression cost
        data = buf.getvalue()
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    cmd = [TESSERACT, "stdin", "stdout", "-l", languages, "--psm", str(psm), "--dpi", str(dpi), "tsv"]
    try:
        out = subprocess.run(cmd, input=data, capture_output=True, timeout=timeout, env=env, check=False)
    except subprocess.TimeoutExpired as exc:
        raise ExtractionError(f"OCR timed out after {timeout:.0f} s") from exc
    except OSError as exc:
        raise ExtractionError(f"OCR failed to start: {exc}") from exc
    if out.returncode != 0:
        message = out.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ExtractionError(f"OCR failed: {message[-1] if message else f'exit code {out.returncode}'}")
    return parse_tsv(out.stdout.decode("utf-8", "replace"))
