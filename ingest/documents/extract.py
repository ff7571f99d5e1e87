"""One file in, one :class:`Extraction` out: checks the limits, sniffs the real type, dispatches.

Never raises for a bad file: every problem becomes ``Extraction.error``. Runs in the calling
process, so a PDFium hang or crash would take the caller with it; use :mod:`.sandbox` for files
from the web. PDFium is not thread-safe: call this from one thread per process.
"""

from __future__ import annotations

import os
import time

from ratsinfo.ingest.documents import sniff
from ratsinfo.ingest.documents.limits import DEFAULT_LIMITS, Limits
from ratsinfo.ingest.documents.model import Extraction, ExtractionError

SUPPORTED = (
    sniff.PDF,
    sniff.HTML,
    sniff.TEXT,
    sniff.DOCX,
    sniff.ODT,
    sniff.PNG,
    sniff.JPEG,
    sniff.TIFF,
    sniff.GIF,
)


def _read(path: str) -> bytes:
    with open(path, "rb") as fh:
        return fh.read()


def _dispatch(path: str, actual: str, label: str, limits: Limits) -> Extraction:
    if actual == sniff.PDF:
        from ratsinfo.ingest.documents.pdf import extract_pdf

        return extract_pdf(path, limits, label)
    if actual == sniff.HTML:
        from ratsinfo.ingest.documents.html import extract_html_file

        return extract_html_file(_read(path), label)
    if actual == sniff.TEXT:
        from ratsinfo.ingest.documents.plaintext import extract_text_file

        return extract_text_file(_read(path), label)
    if actual == sniff.DOCX:
        from ratsinfo.ingest.documents.office import extract_docx

        return extract_docx(path, label, limits)
    if actual == sniff.ODT:
        from ratsinfo.ingest.documents.office import extract_odt

        return extract_odt(path, label, limits)
    if actual in (sniff.PNG, sniff.JPEG, sniff.TIFF, sniff.GIF):
        from ratsinfo.ingest.documents.images import extract_image_file

        return extract_image_file(path, label, actual, limits)
    hint = " (convert it to PDF or DOCX)" if actual in (sniff.DOC, sniff.OLE, sniff.RTF) else ""
    raise ExtractionError(f"unsupported file type: {sniff.describe(actual)}{hint}")


def extract_file(
    path: str | os.PathLike[str],
    *,
    mime_type: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    label: str | None = None,
) -> Extraction:
    """Extract one trusted file in this process.

    ``mime_type`` is what the server or OParl claimed (raw-store files have no extension); a PDF
    claim with HTML content is reported as mislabelled. ``label`` is the ``file`` value reported
    (default: the path as given).
    """
    fspath = os.fspath(path)
    label = label if label is not None else fspath
    started = time.perf_counter()
    actual: str | None = None
    try:
        try:
            size = os.stat(fspath).st_size
        except OSError as exc:
            raise ExtractionError(f"cannot read file: {exc.strerror or exc}") from exc
        if size > limits.max_file_bytes:
            raise ExtractionError(f"file too large: {size} bytes (limit {limits.max_file_bytes})")
        if size == 0:
            raise ExtractionError("empty file")
        actual = sniff.sniff_file(fspath)
        claimed = sniff.claimed_type(fspath, mime_type)
        if sniff.mislabelled(claimed, actual):
            raise ExtractionError(
                f"mislabelled file: announced as {sniff.describe(claimed or '')} "
                f"but the content is {sniff.describe(actual)}"
            )
        result = _dispatch(fspath, actual, label, limits)
    except ExtractionError as exc:
        result = Extraction.failed(label, str(exc), actual)
    except MemoryError:
        result = Extraction.failed(label, "out of memory while extracting", actual)
    except RecursionError:
        result = Extraction.failed(label, "document nested too deeply to extract", actual)
    except Exception as exc:  # a library failing on a strange file must not stop a crawl
        result = Extraction.failed(label, f"extraction failed: {type(exc).__name__}: {exc}", actual)
    result.seconds = round(time.perf_counter() - started, 4)
    return result
