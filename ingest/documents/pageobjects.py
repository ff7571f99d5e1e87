"""A cheap look at a page's objects through PDFium's C API: images, paths and their geometry.

The per-page decisions (is there a table grid? an image that may carry text?) are made from this
scan instead of opening pdfplumber, which parses the page about 50 times slower. The raw API is used
because pypdfium2's object wrappers cost several microseconds each on pages with thousands of them.
"""

from __future__ import annotations

import ctypes
from collections.abc import Iterator
from dataclasses import dataclass, field

import pypdfium2.raw as pdfium_c

Matrix = tuple[float, float, float, float, float, float]
BBox = tuple[float, float, float, float]
"""(left, bottom, right, top) in PDF user space (y grows upwards)."""

IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
MAX_OBJECTS = 50_000
"""Pages with more objects are vector drawings (maps, plans); scanning stops there."""
MAX_FORM_DEPTH = 4


@dataclass
class ImageInfo:
    bbox: BBox
    px_width: int
    px_height: int

    @property
    def width(self) -> float:
        return self.bbox[2] - self.bbox[0]

    @property
    def height(self) -> float:
        return self.bbox[3] - self.bbox[1]

    @property
    def ppi(self) -> float:
        """Effective resolution as placed on the page (pixels per inch)."""
        return self.px_width / max(self.width / 72.0, 1e-6)


@dataclass
class PageScan:
    """What a page is made of, as far as the extraction decisions need to know."""

    width: float
    height: float
    n_objects: int = 0
    n_text: int = 0
    images: list[ImageInfo] = field(default_factory=list)
    paths: list[tuple[object, Matrix]] = field(default_factory=list)
    truncated: bool = False


def multiply(m: Matrix, n: Matrix) -> Matrix:
    """``m`` then ``n`` (PDF row-vector convention: p' = p·m·n)."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (
        a * a2 + b * c2,
        a * b2 + b * d2,
        c * a2 + d * c2,
        c * b2 + d * d2,
        e * a2 + f * c2 + e2,
        e * b2 + f * d2 + f2,
    )


def apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = m
    return a * x + c * y + e, b * x + d * y + f


def transform_bbox(m: Matrix, box: BBox) -> BBox:
    if m == IDENTITY:
        return box
    pts = [apply(m, x, y) for x in (box[0], box[2]) for y in (box[1], box[3])]
    xs = [p[0] for p in pts]
    ys = [p[1] for p in pts]
    return min(xs), min(ys), max(xs), max(ys)


def object_matrix(obj: object) -> Matrix:
    mat = pdfium_c.FS_MATRIX()
    if not pdfium_c.FPDFPageObj_GetMatrix(obj, ctypes.byref(mat)):
        return IDENTITY
    return (mat.a, mat.b, mat.c, mat.d, mat.e, mat.f)


_L, _B, _R, _T = (ctypes.c_float(), ctypes.c_float(), ctypes.c_float(), ctypes.c_float())


def object_bounds(obj: object) -> BBox | None:
    ok = pdfium_c.FPDFPageObj_GetBounds(
        obj, ctypes.byref(_L), ctypes.byref(_B), ctypes.byref(_R), ctypes.byref(_T)
    )
    return (_L.value, _B.value, _R.value, _T.value) if ok else None


def _children(page: object, form: object | None) -> Iterator[object]:
    if form is None:
        count = pdfium_c.FPDFPage_CountObjects(page)
        get = pdfium_c.FPDFPage_GetObject
        parent = page
    else:
        count = pdfium_c.FPDFFormObj_CountObjects(form)
        get = pdfium_c.FPDFFormObj_GetObject
        parent = form
    for i in range(max(count, 0)):
        yield get(parent, i)


def scan_page(page: object, width: float, height: float, *, max_objects: int = MAX_OBJECTS) -> PageScan:
    """Walk the page's objects (and Form XObjects, a few levels deep) once."""
    scan = PageScan(width=width, height=height)
    ux, uy = ctypes.c_uint(), ctypes.c_uint()
    stack: list[tuple[object | None, Matrix, int]] = [(None, IDENTITY, 0)]
    while stack:
        form, ctm, depth = stack.pop()
        for obj in _children(page, form):
            scan.n_objects += 1
            if scan.n_objects > max_objects:
                scan.truncated = True
                return scan
            kind = pdfium_c.FPDFPageObj_GetType(obj)
            if kind == pdfium_c.FPDF_PAGEOBJ_TEXT:
                scan.n_text += 1
            elif kind == pdfium_c.FPDF_PAGEOBJ_PATH:
                scan.paths.append((obj, ctm))
            elif kind == pdfium_c.FPDF_PAGEOBJ_IMAGE:
                box = object_bounds(obj)
                if box is None:
                    continue
                pdfium_c.FPDFImageObj_GetImagePixelSize(obj, ctypes.byref(ux), ctypes.byref(uy))
                scan.images.append(ImageInfo(transform_bbox(ctm, box), ux.value, uy.value))
            elif kind == pdfium_c.FPDF_PAGEOBJ_FORM and depth < MAX_FORM_DEPTH:
                # Children of a form are in form space; the form's matrix maps them to the parent.
                stack.append((obj, multiply(object_matrix(obj), ctm), depth + 1))
    return scan


class BoundedText:
    """Text inside rectangles of one text page, with one PDFium call per rectangle.

    pypdfium2's ``get_text_bounded`` asks for the length first and then for the text: two passes
    over every character of the page, per table cell. A reused buffer needs one pass.
    """

    def __init__(self, textpage: object, size: int = 4096):
        self.raw = textpage.raw  # type: ignore[attr-defined]
        self.size = size
        self.buffer = (ctypes.c_ushort * size)()

    def __call__(self, left: float, bottom: float, right: float, top: float) -> str:
        n = pdfium_c.FPDFText_GetBoundedText(self.raw, left, top, right, bottom, self.buffer, self.size)
        if n >= self.size:  # possibly cut off: ask for the real length
            n = pdfium_c.FPDFText_GetBoundedText(self.raw, left, top, right, bottom, None, 0)
            self.size = n + 1
            self.buffer = (ctypes.c_ushort * self.size)()
            n = pdfium_c.FPDFText_GetBoundedText(self.raw, left, top, right, bottom, self.buffer, self.size)
        if n <= 0:
            return ""
        text = bytes(memoryview(self.buffer).cast("B")[: 2 * n]).decode("utf-16-le", errors="ignore")
        return text[:-1] if text.endswith("\x00") else text  # the count includes the final NUL


def path_segments(obj: object, ctm: Matrix) -> Iterator[tuple[float, float, float, float]]:
    """Straight segments (x0, y0, x1, y1) of a path in page space; curves are skipped."""
    matrix = multiply(object_matrix(obj), ctm)
    n = pdfium_c.FPDFPath_CountSegments(obj)
    fx, fy = ctypes.c_float(), ctypes.c_float()
    start: tuple[float, float] | None = None
    current: tuple[float, float] | None = None
    bezier_left = 0
    for i in range(max(n, 0)):
        seg = pdfium_c.FPDFPath_GetPathSegment(obj, i)
        if not seg:
            continue
        pdfium_c.FPDFPathSegment_GetPoint(seg, ctypes.byref(fx), ctypes.byref(fy))
        point = apply(matrix, fx.value, fy.value)
        kind = pdfium_c.FPDFPathSegment_GetType(seg)
        if kind == pdfium_c.FPDF_SEGMENT_MOVETO:
            start = current = point
            bezier_left = 0
        elif kind == pdfium_c.FPDF_SEGMENT_LINETO and current is not None:
            yield current[0], current[1], point[0], point[1]
            current = point
        elif kind == pdfium_c.FPDF_SEGMENT_BEZIERTO:
            # Three points per curve; only the end point becomes the current point.
            bezier_left = 2 if bezier_left == 0 else bezier_left - 1
            if bezier_left == 0:
                current = point
        else:
            current = point
        if pdfium_c.FPDFPathSegment_GetClose(seg) and start is not None and current is not None:
            if current != start:
                yield current[0], current[1], start[0], start[1]
            current = start
