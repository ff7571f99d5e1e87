"""Text extraction from council papers and attachments: PDF (text layer, tables, OCR), HTML, text,
DOCX/ODT and images.

* :func:`extract_file` — one trusted file in this process.
* :func:`extract_isolated` — one untrusted file in a worker process with time and memory limits
  (``ratsinfo extract FILE``).
* :func:`extract_batch` / :class:`ExtractionPool` — many files in long-lived isolated workers,
  results as they finish (crawls).

Every problem with a file (encrypted, truncated, corrupt, mislabelled, unsupported, too large,
too slow, crashing) becomes ``Extraction.error``; none of these functions raises for a bad file.
``Extraction.to_dict()`` is the ``--json`` shape.
"""

from ratsinfo.ingest.documents.extract import SUPPORTED, extract_file
from ratsinfo.ingest.documents.limits import DEFAULT_LIMITS, Limits
from ratsinfo.ingest.documents.model import Extraction, PageText
from ratsinfo.ingest.documents.ocr import ocr_unavailable_reason
from ratsinfo.ingest.documents.sandbox import ExtractionPool, extract_batch, extract_isolated

__all__ = [
    "DEFAULT_LIMITS",
    "SUPPORTED",
    "Extraction",
    "ExtractionPool",
    "Limits",
    "PageText",
    "extract_batch",
    "extract_file",
    "extract_isolated",
    "ocr_unavailable_reason",
]
