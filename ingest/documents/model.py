"""What an extraction returns: the text of each page, how it was obtained, and any error.

``Extraction.to_dict()`` is the ``ratsinfo extract --json`` shape and must not grow keys;
the extra attributes (type, warnings, timing) are for the store and the logs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Method = Literal["text", "ocr"]


@dataclass
class PageText:
    """One page: ``method`` is ``ocr`` when any of its text came from OCR.

    ``confidence`` is Tesseract's mean word confidence (0–100) over the OCR'd words of the
    page, ``None`` for pages read from the text layer only.
    """

    page: int
    text: str
    method: Method = "text"
    confidence: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"page": self.page, "text": self.text, "method": self.method, "confidence": self.confidence}


@dataclass
class Extraction:
    """The result for one file. ``error`` set means the file was not (fully) extracted.

    ``pages`` then holds whatever could be read before the problem (often nothing).
    """

    file: str
    pages: list[PageText] = field(default_factory=list)
    error: str | None = None
    mime_type: str | None = None
    page_count: int | None = None
    warnings: list[str] = field(default_factory=list)
    seconds: float | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def text(self) -> str:
        """All pages, separated by a blank line (what the search index stores)."""
        return "\n\n".join(p.text for p in self.pages if p.text)

    @property
    def ocr_pages(self) -> int:
        return sum(1 for p in self.pages if p.method == "ocr")

    def to_dict(self) -> dict[str, Any]:
        """Exactly ``{"file", "pages": [{"page", "text", "method", "confidence"}], "error"}``."""
        return {"file": self.file, "pages": [p.to_dict() for p in self.pages], "error": self.error}

    def to_record(self) -> dict[str, Any]:
        """Everything, for storage and logs (``to_dict`` plus type, warnings and timing)."""
        out = self.to_dict()
        out.update(
            mime_type=self.mime_type,
            page_count=self.page_count,
            warnings=list(self.warnings),
            seconds=self.seconds,
        )
        return out

    @classmethod
    def failed(cls, file: str, error: str, mime_type: str | None = None) -> Extraction:
        return cls(file=file, pages=[], error=error, mime_type=mime_type)


class ExtractionError(Exception):
    """A file that cannot be extracted; the message becomes ``Extraction.error``."""
