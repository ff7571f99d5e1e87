"""Ruled tables, kept as rows of tab-separated cells so a Beratungsfolge or a cost table stays readable.

Two engines share pdfplumber's table finder (edges → intersections → cells → tables, after Nurminen):

* ``pdfium`` (default): the ruling lines come from PDFium's path objects and the cell text from
  PDFium's text page. pdfplumber's pure-geometry functions do the table finding; no pdfminer parse.
* ``pdfplumber``: pdfplumber opens the page itself. Same finder, about 20 times slower per table page
  (pdfminer parses the whole page); kept for comparison and as a fallback.

Either runs only on pages whose path objects contain horizontal *and* vertical rulings.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from ratsinfo.ingest.documents.cleanup import clean_cell
from ratsinfo.ingest.documents.pageobjects import BBox, BoundedText, PageScan, path_segments

SNAP = 3.0
JOIN = 3.0
INTERSECTION = 3.0
EDGE_MIN_LENGTH = 3.0
AXIS_TOLERANCE = 0.5
"""A segment counts as horizontal/vertical when its ends differ by at most this much."""
MAX_PATH_SEGMENTS = 20_000
"""More straight segments than this is a drawing (a map), not a table."""
CELL_INSET = 0.8


@dataclass
class Table:
    """A table found on a page: its box in PDF space and its rows of cleaned cell texts."""

    bbox: BBox
    rows: list[list[str]]

    def to_text(self) -> str:
        lines = []
        for row in self.rows:
            line = "\t".join(row).rstrip("\t")
            if line.strip():
                lines.append(line)
        return "\n".join(lines)


def _edge(x0: float, top: float, x1: float, bottom: float, orientation: str) -> dict[str, object]:
    return {
        "object_type": "line",
        "x0": x0,
        "x1": x1,
        "top": top,
        "bottom": bottom,
        "doctop": top,
        "width": x1 - x0,
        "height": bottom - top,
        "orientation": orientation,
    }


def ruling_edges(scan: PageScan) -> list[dict[str, object]]:
    """Horizontal and vertical segments of the page's paths as pdfplumber edges.

    pdfplumber's coordinates grow downwards; ``top = -y`` gives that without the page height.
    """
    edges: list[dict[str, object]] = []
    seen = 0
    for obj, ctm in scan.paths:
        for x0, y0, x1, y1 in path_segments(obj, ctm):
            seen += 1
            if seen > MAX_PATH_SEGMENTS:
                return []
            if abs(y0 - y1) <= AXIS_TOLERANCE and abs(x1 - x0) > AXIS_TOLERANCE:
                left, right = sorted((x0, x1))
                edges.append(_edge(left, -y0, right, -y0, "h"))
            elif abs(x0 - x1) <= AXIS_TOLERANCE and abs(y1 - y0) > AXIS_TOLERANCE:
                top, bottom = sorted((-y0, -y1))
                edges.append(_edge(x0, top, x0, bottom, "v"))
    return edges


def has_grid_candidates(edges: list[dict[str, object]]) -> bool:
    """At least two long horizontal and two long vertical rulings: worth running the finder."""
    h = sum(1 for e in edges if e["orientation"] == "h" and float(e["width"]) >= EDGE_MIN_LENGTH)  # type: ignore[arg-type]
    v = sum(1 for e in edges if e["orientation"] == "v" and float(e["height"]) >= EDGE_MIN_LENGTH)  # type: ignore[arg-type]
    return h >= 2 and v >= 2


Cell = tuple[float, float, float, float]


def intersections_to_cells(
    intersections: dict[tuple[float, float], dict[str, list[dict[str, object]]]],
) -> list[Cell]:
    """pdfplumber's ``intersections_to_cells``, same result, with each point's edge sets built once
    (pdfplumber rebuilds them for every comparison: two thirds of the finder's time)."""
    edge_sets = {
        point: (
            {(e["x0"], e["top"], e["x1"], e["bottom"]) for e in found["v"]},
            {(e["x0"], e["top"], e["x1"], e["bottom"]) for e in found["h"]},
        )
        for point, found in intersections.items()
    }

    def connects(p1: tuple[float, float], p2: tuple[float, float]) -> bool:
        if p1[0] == p2[0] and not edge_sets[p1][0].isdisjoint(edge_sets[p2][0]):
            return True
        return p1[1] == p2[1] and not edge_sets[p1][1].isdisjoint(edge_sets[p2][1])

    points = sorted(intersections)
    by_x: dict[float, list[tuple[float, float]]] = {}
    by_y: dict[float, list[tuple[float, float]]] = {}
    for point in points:  # sorted, so each list is in the order pdfplumber scans it
        by_x.setdefault(point[0], []).append(point)
        by_y.setdefault(point[1], []).append(point)
    cells: list[Cell] = []
    for pt in points[:-1]:
        below = [p for p in by_x[pt[0]] if p > pt]
        right = [p for p in by_y[pt[1]] if p > pt]
        found = None
        for below_pt in below:
            if not connects(pt, below_pt):
                continue
            for right_pt in right:
                if not connects(pt, right_pt):
                    continue
                corner = (right_pt[0], below_pt[1])
                if corner in edge_sets and connects(corner, right_pt) and connects(corner, below_pt):
                    found = (pt[0], pt[1], corner[0], corner[1])
                    break
            if found:
                break
        if found:
            cells.append(found)
    return cells


def find_cell_grids(edges: list[dict[str, object]]) -> list[list[list[Cell | None]]]:
    """pdfplumber's table finder on ready-made edges: per table, rows of cell boxes (or None)."""
    from pdfplumber import table as plumber_table  # imported on the first table page only
    from pdfplumber.utils import filter_edges

    merged = plumber_table.merge_edges(edges, SNAP, SNAP, JOIN, JOIN)
    merged = filter_edges(merged, min_length=EDGE_MIN_LENGTH)
    intersections = plumber_table.edges_to_intersections(merged, INTERSECTION, INTERSECTION)
    cells = intersections_to_cells(intersections)
    grids = []
    for group in plumber_table.cells_to_tables(cells):
        rows = [list(row.cells) for row in plumber_table.Table(None, group).rows]  # type: ignore[arg-type]
        if len(rows) >= 2 and max(len(r) for r in rows) >= 2:
            grids.append(rows)
    return grids


def _grid_bbox(rows: list[list[Cell | None]]) -> BBox:
    cells = [c for row in rows for c in row if c is not None]
    x0 = min(c[0] for c in cells)
    top = min(c[1] for c in cells)
    x1 = max(c[2] for c in cells)
    bottom = max(c[3] for c in cells)
    return x0, -bottom, x1, -top


def find_tables(scan: PageScan, textpage: object) -> list[Table]:
    """Tables on a PDFium page; ``textpage`` is a ``pypdfium2.PdfTextPage``."""
    if len(scan.paths) < 2 or scan.truncated:
        return []
    edges = ruling_edges(scan)
    if not has_grid_candidates(edges):
        return []
    tables = []
    bounded = BoundedText(textpage)
    for rows in find_cell_grids(edges):
        out_rows = []
        for row in rows:
            cells = []
            for cell in row:
                if cell is None:
                    cells.append("")
                    continue
                x0, top, x1, bottom = cell
                raw = bounded(x0 + CELL_INSET, -bottom + CELL_INSET, x1 - CELL_INSET, -top - CELL_INSET)
                cells.append(clean_cell(raw))
            out_rows.append(cells)
        tables.append(Table(_grid_bbox(rows), out_rows))
    return tables


def find_tables_pdfplumber(path: str | os.PathLike[str], page_index: int) -> list[Table]:
    """The same tables read by pdfplumber itself (slow; for comparison and as a fallback)."""
    import pdfplumber

    with pdfplumber.open(path, pages=[page_index + 1]) as pdf:
        page = pdf.pages[0]
        left, _, _, mb_top = (float(v) for v in page.mediabox)
        tables = []
        for found in page.find_tables():
            rows = [[clean_cell(c or "") for c in row] for row in found.extract()]
            if len(rows) < 2 or max(len(r) for r in rows) < 2:
                continue
            x0, top, x1, bottom = found.bbox
            # pdfplumber measures from the top-left of the media box, PDF space from its bottom.
            tables.append(Table((left + x0, mb_top - bottom, left + x1, mb_top - top), rows))
        return tables
