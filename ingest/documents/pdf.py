"""PDF pages: PDFium's text layer, ruled tables, and OCR only where the text is in images.

Per page, from one cheap scan of the page objects (:mod:`.pageobjects`):

* a usable text layer is read with PDFium (about as fast as poppler's pdftotext);
* paths with horizontal and vertical rulings send the page through the table finder (:mod:`.tables`);
* a page without a usable text layer (scans, Photoshop exports, outlined text) is OCR'd whole and
  its stray text-layer characters are ignored;
* on a page with a good text layer, images that have no text-layer characters on them (Word's
  rasterised text, pasted screenshots) are OCR'd, and only the OCR'd words that fall on those images
  are kept: never text that the text layer already has. Letterhead logos, picture bullets and a
  picture repeated on every page do not start an OCR run.

Each page records ``method="ocr"`` as soon as any of its text came from OCR.
"""

from __future__ import annotations

import itertools
import math
import os
import re
from dataclasses import dataclass, field

import pypdfium2 as pdfium

from ratsinfo.ingest.documents.cleanup import clean_text, remove_furniture
from ratsinfo.ingest.documents.compose import MARGIN_BAND, Block, compose
from ratsinfo.ingest.documents.limits import Limits
from ratsinfo.ingest.documents.model import Extraction, ExtractionError, PageText
from ratsinfo.ingest.documents.ocr import (
    OcrLine,
    OcrWord,
    drop_noise,
    group_lines,
    lines_to_text,
    mean_confidence,
    ocr_unavailable_reason,
    run_tesseract,
)
from ratsinfo.ingest.documents.pageobjects import BBox, BoundedText, ImageInfo, PageScan, scan_page
from ratsinfo.ingest.documents.sniff import PDF
from ratsinfo.ingest.documents.tables import Table, find_tables, find_tables_pdfplumber

MIN_TEXT_CHARS = 40
"""Fewer letters and digits than this and the text layer is not the page's text."""
MIN_IMAGE_COVER = 0.05
"""…if images cover at least this share of the page (or the text is drawn as many paths)."""
AREA_PER_CHAR = 5000.0
"""A text layer thinner than one letter per this many pt² of picture is not the picture's text
(about 100 letters on an A4 scan); denser, it is the OCR layer of a scan and is kept."""
MIN_OUTLINE_PATHS = 300
GARBLED_SHARE = 0.3
MIN_WORD_CONF_PAGE = 10.0
MIN_WORD_CONF_IMAGE = 40.0
"""OCR'd words on images inside a text page must be more certain: photos and logos yield junk."""
MIN_OCR_DPI = 150
MIN_TEXT_IMAGE_WIDTH = 16.0
"""An image narrower than this (in pt) does not start an OCR run on a text page by itself."""
LETTERHEAD_BAND = 0.12
"""Images centred in the top or bottom 12 % of a text page (and smaller than that) are logos."""
REGION_PAD = 3.0
EOF_TAIL = 4096

_GOOD = re.compile(r"[^\W_]")
_BAD = re.compile("[\ufffd\x00\x01\x03-\x08\x0b\x0c\x0e-\x1f\ue000-\uefff\uf100-\uf8ff]")


@dataclass
class _PageOut:
    page: PageText
    margins: list[str] = field(default_factory=list)


def open_error_message(exc: Exception, path: str) -> str:
    """PDFium's load errors in words that say what is wrong with the file."""
    message = str(exc)
    if "password" in message.lower():
        return "encrypted PDF: a password is required to open it"
    if "security" in message.lower():
        return "encrypted PDF with an unsupported security handler"
    if not _has_eof(path):
        return f"truncated or corrupt PDF: it ends without %%EOF and PDFium cannot read it ({message})"
    return f"corrupt PDF: PDFium cannot read it ({message})"


def _has_eof(path: str) -> bool:
    with open(path, "rb") as fh:
        fh.seek(0, os.SEEK_END)
        size = fh.tell()
        fh.seek(max(0, size - EOF_TAIL))
        return b"%%EOF" in fh.read()


def text_stats(raw: str) -> tuple[int, int]:
    """(letters and digits, characters that signal a broken font mapping).

    Letters are only counted up to :data:`MIN_TEXT_CHARS` unless the page has broken characters:
    counting all of them is a measurable share of a text page's time."""
    bad = len(_BAD.findall(raw))
    limit = None if bad >= 10 else MIN_TEXT_CHARS
    return sum(1 for _ in itertools.islice(_GOOD.finditer(raw), limit)), bad


def _area(box: BBox) -> float:
    return max(0.0, box[2] - box[0]) * max(0.0, box[3] - box[1])


def _clip(box: BBox, page: BBox) -> BBox:
    return max(box[0], page[0]), max(box[1], page[1]), min(box[2], page[2]), min(box[3], page[3])


def _is_word_sized(box: BBox) -> bool:
    width, height = box[2] - box[0], box[3] - box[1]
    return width >= MIN_TEXT_IMAGE_WIDTH and height >= 6 and width * height >= 150


def _union(boxes: list[BBox]) -> BBox:
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


class PdfExtractor:
    """Reads one PDF page by page; one instance per file."""

    def __init__(self, path: str, limits: Limits, label: str):
        self.path = path
        self.limits = limits
        self.label = label
        self.warnings: list[str] = []
        self.ocr_pages = 0
        self.seen_images: set[tuple[int, ...]] = set()
        self._ocr_reason: str | bool | None = False  # False: not asked yet

    # --- decisions -------------------------------------------------------------------------

    def ocr_blocked(self) -> str | None:
        """Why OCR cannot be used for this file (disabled, not installed, budget spent)."""
        if not self.limits.ocr:
            return "OCR is disabled"
        if self._ocr_reason is False:
            self._ocr_reason = ocr_unavailable_reason(self.limits.ocr_languages)
        if self._ocr_reason:
            return str(self._ocr_reason)
        if self.ocr_pages >= self.limits.max_ocr_pages:
            return f"the OCR budget of {self.limits.max_ocr_pages} pages per file is spent"
        return None

    @staticmethod
    def needs_page_ocr(raw: str, scan: PageScan, page_box: BBox) -> bool:
        """No usable text layer but something drawn: scanned or rasterised page, or outlined text."""
        good, bad = text_stats(raw)
        if good + bad >= 20 and bad > GARBLED_SHARE * (good + bad):
            return True
        if good >= MIN_TEXT_CHARS:
            return False
        page_area = max(_area(page_box), 1.0)
        covered = min(page_area, sum(_area(_clip(img.bbox, page_box)) for img in scan.images))
        if covered / page_area >= MIN_IMAGE_COVER and good < covered / AREA_PER_CHAR:
            return True  # a few stray characters (a scale bar) on a picture: the picture is the page
        return len(scan.paths) >= MIN_OUTLINE_PATHS  # text drawn as outlines (or a vector plan)

    def text_images(self, scan: PageScan, textpage: pdfium.PdfTextPage, page_box: BBox) -> list[ImageInfo]:
        """Images with no text-layer characters on them: they may carry text a reader sees.

        Empty unless at least one of them is large enough to hold a word: picture bullets and
        icons alone do not start an OCR run (but a "1." image next to a text image is kept)."""
        found = []
        page_h = page_box[3] - page_box[1]
        band_top = page_box[3] - LETTERHEAD_BAND * page_h
        band_bottom = page_box[1] + LETTERHEAD_BAND * page_h
        for img in scan.images:
            box = _clip(img.bbox, page_box)
            if box[2] - box[0] < 4 or box[3] - box[1] < 4 or _area(box) < 30:
                continue
            centre = (box[1] + box[3]) / 2
            if box[3] - box[1] < LETTERHEAD_BAND * page_h and not band_bottom < centre < band_top:
                continue  # a logo in the letterhead or footer: page furniture, not worth an OCR run
            if textpage.get_text_bounded(box[0] + 1, box[1] + 1, box[2] - 1, box[3] - 1).strip():
                continue
            if img.px_width * img.px_height >= 256:
                # The same picture at the same place on several pages is a letterhead: OCR it once.
                key = (*(round(v) for v in box), img.px_width, img.px_height)
                if key in self.seen_images:
                    continue
                self.seen_images.add(key)
            found.append(img)
        if not any(_is_word_sized(_clip(img.bbox, page_box)) for img in found):
            return []
        return found

    # --- OCR -------------------------------------------------------------------------------

    def _render(self, page: pdfium.PdfPage, dpi: float, region: BBox | None) -> tuple[object, object, float]:
        """Render (part of) the page in greyscale; returns (PIL image, position converter, dpi)."""
        width, height = page.get_size()
        if region is not None:
            rw = (region[2] - region[0]) * dpi / 72
            rh = (region[3] - region[1]) * dpi / 72
        else:
            rw, rh = width * dpi / 72, height * dpi / 72
        if rw * rh > self.limits.ocr_max_pixels:
            dpi *= math.sqrt(self.limits.ocr_max_pixels / (rw * rh))
        scale = dpi / 72
        crop = (0.0, 0.0, 0.0, 0.0)
        if region is not None:
            full = pdfium.PdfPosConv(page, (0, 0, math.ceil(width * scale), math.ceil(height * scale), 0))
            xs, ys = [], []
            for x in (region[0], region[2]):
                for y in (region[1], region[3]):
                    px, py = full.to_bitmap(x, y)
                    xs.append(px)
                    ys.append(py)
            src_w, src_h = math.ceil(width * scale), math.ceil(height * scale)
            crop = (
                max(0, min(xs)) / scale,
                max(0, src_h - max(ys)) / scale,
                max(0, src_w - max(xs)) / scale,
                max(0, min(ys)) / scale,
            )
        bitmap = page.render(scale=scale, grayscale=True, crop=crop, draw_annots=False, may_draw_forms=False)
        return bitmap.to_pil(), bitmap.get_posconv(page), dpi

    def _ocr(
        self, page: pdfium.PdfPage, dpi: float, region: BBox | None
    ) -> tuple[list[OcrWord], object, object]:
        image, posconv, used_dpi = self._render(page, dpi, region)
        words = run_tesseract(
            image, languages=self.limits.ocr_languages, dpi=round(used_dpi), timeout=self.limits.ocr_timeout_s
        )
        self.ocr_pages += 1
        return words, posconv, image

    def page_dpi(self, scan: PageScan) -> float:
        """The scan's own resolution (rendering finer adds no detail, only Tesseract time: a 200 dpi
        scan OCRs as well at 200 as at 300 and 40 % faster), at least 200; low-resolution pictures
        (under 100 ppi) at about twice theirs, which measured best on the 68 ppi Maßnahmenplan."""
        dpi = float(self.limits.ocr_dpi)
        if scan.images:
            largest = max(scan.images, key=lambda img: img.width * img.height)
            if largest.px_width > 16:
                ppi = largest.ppi
                target = max(MIN_OCR_DPI, 2.2 * ppi) if ppi < 100 else max(200.0, ppi)
                dpi = min(dpi, target)
        return dpi

    def ocr_page(self, page: pdfium.PdfPage, scan: PageScan) -> tuple[str, float | None, list[str]]:
        """Whole-page OCR: (text, mean confidence, lines in the header/footer bands)."""
        words, _, image = self._ocr(page, self.page_dpi(scan), None)
        words = drop_noise(words, MIN_WORD_CONF_PAGE)
        lines = group_lines(words)
        img_h = image.size[1]  # type: ignore[attr-defined]
        margins = [
            line.text
            for line in lines
            if line.box[3] < MARGIN_BAND * img_h or line.box[1] > (1 - MARGIN_BAND) * img_h
        ]
        return clean_text(lines_to_text(lines)), mean_confidence(words), margins

    def ocr_images(
        self, page: pdfium.PdfPage, images: list[ImageInfo], page_box: BBox
    ) -> tuple[list[Block], list[OcrWord]]:
        """OCR the area of the text-less images; keep the words that lie on those images."""
        boxes = [_clip(img.bbox, page_box) for img in images]
        u = _union(boxes)
        region = _clip((u[0] - REGION_PAD, u[1] - REGION_PAD, u[2] + REGION_PAD, u[3] + REGION_PAD), page_box)
        words, posconv, _ = self._ocr(page, float(self.limits.ocr_dpi), region)
        kept: list[tuple[OcrWord, BBox]] = []
        for word in drop_noise(words, MIN_WORD_CONF_IMAGE):
            x0, y0 = posconv.to_page(word.left, word.top + word.height)  # type: ignore[attr-defined]
            x1, y1 = posconv.to_page(word.left + word.width, word.top)  # type: ignore[attr-defined]
            box = (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
            cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
            if any(b[0] - 2 <= cx <= b[2] + 2 and b[1] - 2 <= cy <= b[3] + 2 for b in boxes):
                kept.append((word, box))
        blocks: list[Block] = []
        by_para: dict[tuple[int, int], list[tuple[OcrWord, BBox]]] = {}
        for word, box in kept:
            by_para.setdefault(word.key[:2], []).append((word, box))
        for items in by_para.values():
            lines: dict[tuple[int, int, int], OcrLine] = {}
            for word, _ in items:
                lines.setdefault(word.key, OcrLine()).words.append(word)
            text = "\n".join(line.text for line in lines.values())
            blocks.append(Block(_union([box for _, box in items]), text, swallow=False))
        return blocks, [word for word, _ in kept]

    # --- tables ----------------------------------------------------------------------------

    def tables(self, scan: PageScan, textpage: pdfium.PdfTextPage, index: int) -> list[Table]:
        engine = self.limits.table_engine
        if engine == "none":
            return []
        if engine == "pdfplumber":
            # Same cheap gate as the PDFium engine: only pages with path objects at all.
            return find_tables_pdfplumber(self.path, index) if len(scan.paths) >= 2 else []
        return find_tables(scan, textpage)

    # --- pages -----------------------------------------------------------------------------

    def margins(self, textpage: pdfium.PdfTextPage, box: BBox) -> list[str]:
        """Lines in the header and footer bands of the text layer."""
        band = (box[3] - box[1]) * MARGIN_BAND
        bounded = BoundedText(textpage, 1024)
        top = bounded(box[0], box[3] - band, box[2], box[3])
        bottom = bounded(box[0], box[1], box[2], box[1] + band)
        return [line for line in clean_text(top + "\n" + bottom).split("\n") if line.strip()]

    def read_page(self, doc: pdfium.PdfDocument, index: int, want_margins: bool) -> _PageOut:
        number = index + 1
        page = doc[index]
        textpage = page.get_textpage()
        try:
            box: BBox = tuple(page.get_bbox())  # type: ignore[assignment]
            raw = textpage.get_text_range()
            width, height = page.get_size()
            scan = scan_page(page.raw, width, height)

            ocr_refused = False
            if self.needs_page_ocr(raw, scan, box):
                blocked = self.ocr_blocked()
                if blocked is None:
                    try:
                        text, conf, margins = self.ocr_page(page, scan)
                        return _PageOut(PageText(number, text, "ocr", conf), margins)
                    except ExtractionError as exc:
                        self.warnings.append(f"page {number}: {exc}; kept its text layer")
                else:
                    ocr_refused = True
                    self.warnings.append(
                        f"page {number} has no usable text layer but was not OCR'd: {blocked}"
                    )

            blocks = [Block(t.bbox, t.to_text(), swallow=True) for t in self.tables(scan, textpage, index)]
            method, conf = "text", None
            wanted = scan.images and self.limits.ocr and not ocr_refused
            images = self.text_images(scan, textpage, box) if wanted else []
            if images:
                blocked = self.ocr_blocked()
                if blocked is None:
                    try:
                        ocr_blocks, words = self.ocr_images(page, images, box)
                    except ExtractionError as exc:
                        self.warnings.append(f"page {number}: OCR of images failed: {exc}")
                        ocr_blocks, words = [], []
                    if ocr_blocks:
                        blocks += ocr_blocks
                        method, conf = "ocr", mean_confidence(words)
                else:
                    self.warnings.append(f"page {number}: images without text layer not OCR'd: {blocked}")
            text = compose(textpage, raw, blocks, box) if blocks else raw
            margins = self.margins(textpage, box) if want_margins else []
            return _PageOut(PageText(number, clean_text(text), method, conf), margins)  # type: ignore[arg-type]
        finally:
            textpage.close()
            page.close()

    def run(self) -> Extraction:
        result = Extraction(file=self.label, mime_type=PDF)
        try:
            doc = pdfium.PdfDocument(self.path)
        except pdfium.PdfiumError as exc:
            raise ExtractionError(open_error_message(exc, self.path)) from exc
        try:
            count = len(doc)
            result.page_count = count
            if count == 0:
                raise ExtractionError(
                    "truncated or corrupt PDF: no pages" if not _has_eof(self.path) else "PDF without pages"
                )
            if count > self.limits.max_pages:
                raise ExtractionError(f"too many pages: {count} (limit {self.limits.max_pages})")
            outs: list[_PageOut] = []
            failed: list[int] = []
            chars = 0
            for index in range(count):
                try:
                    out = self.read_page(doc, index, want_margins=count > 1)
                except pdfium.PdfiumError as exc:
                    failed.append(index + 1)
                    self.warnings.append(f"page {index + 1} could not be read: {exc}")
                    out = _PageOut(PageText(index + 1, "", "text", None))
                outs.append(out)
                chars += len(out.page.text)
                if chars > self.limits.max_text_chars:
                    result.error = (
                        f"text exceeds {self.limits.max_text_chars} characters; stopped at page {index + 1}"
                    )
                    break
        finally:
            doc.close()
        texts = remove_furniture([o.page.text for o in outs], [o.margins for o in outs])
        for out, text in zip(outs, texts, strict=True):
            out.page.text = text
        result.pages = [o.page for o in outs]
        result.warnings = self.warnings
        if result.error is None and failed:
            result.error = (
                f"corrupt PDF: {len(failed)} of {count} pages could not be read ({_ranges(failed)})"
            )
        if result.error is None and not _has_eof(self.path):
            result.error = "truncated PDF: the file ends without %%EOF (incomplete download?)"
        return result


def _ranges(numbers: list[int]) -> str:
    parts: list[str] = []
    start = prev = numbers[0]
    for n in [*numbers[1:], None]:
        if n is not None and n == prev + 1:
            prev = n
            continue
        parts.append(f"page {start}" if start == prev else f"pages {start}–{prev}")
        if n is not None:
            start = prev = n
    return ", ".join(parts)


def extract_pdf(path: str, limits: Limits, label: str | None = None) -> Extraction:
    """Extract a PDF in this process (no time or memory limit: see :mod:`.sandbox` for those)."""
    return PdfExtractor(path, limits, label or path).run()
