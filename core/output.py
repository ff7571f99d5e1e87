"""Writing rows to stdout as a table, JSON, NDJSON or CSV (data to stdout, messages to stderr)."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable, Sequence
from typing import IO, Any

from rich.console import Console
from rich.table import Table

FORMATS = ("table", "json", "ndjson", "csv")


def stdout_console() -> Console:
    """A console for data on stdout: wide when piped, so rows are not cut at 80 columns."""
    return Console(
        file=sys.stdout, width=None if sys.stdout.isatty() else 200, highlight=False, soft_wrap=False
    )


def stderr_console() -> Console:
    return Console(stderr=True, highlight=False)


def write_json(value: Any, stream: IO[str] | None = None) -> None:
    stream = stream or sys.stdout
    json.dump(value, stream, ensure_ascii=False, indent=2, default=str)
    stream.write("\n")


def write_ndjson(rows: Iterable[dict[str, Any]], stream: IO[str] | None = None) -> None:
    stream = stream or sys.stdout
    for row in rows:
        stream.write(json.dumps(row, ensure_ascii=False, default=str))
        stream.write("\n")


def flat(value: Any) -> str:
    """A cell for CSV: lists joined with '; ', objects as JSON, None as empty."""
    if value is None:
        return ""
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "; ".join(value)
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def write_csv(
    rows: Iterable[dict[str, Any]], columns: Sequence[str] | None = None, stream: IO[str] | None = None
) -> None:
    stream = stream or sys.stdout
    writer: csv.DictWriter[str] | None = None
    for row in rows:
        if writer is None:
            writer = csv.DictWriter(stream, fieldnames=list(columns or row.keys()), extrasaction="ignore")
            writer.writeheader()
        writer.writerow({k: flat(v) for k, v in row.items()})
    if writer is None and columns:
        csv.DictWriter(stream, fieldnames=list(columns)).writeheader()


def write_table(
    rows: Sequence[dict[str, Any]],
    columns: Sequence[tuple[str, str]],
    title: str | None = None,
    console: Console | None = None,
) -> None:
    """``columns`` are (key, heading) pairs; long text columns are cut with an ellipsis."""
    console = console or stdout_console()
    table = Table(title=title, show_lines=False, header_style="bold", title_justify="left")
    for key, heading in columns:
        wide = key in ("name", "snippet", "title", "what")
        table.add_column(
            heading, overflow="fold" if wide else "ellipsis", no_wrap=not wide, ratio=3 if wide else None
        )
    for row in rows:
        table.add_row(*[_cell(row.get(key)) for key, _ in columns])
    console.print(table)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


def mark_to_rich(snippet: str | None) -> str:
    """``<mark>`` highlights as rich markup (bold yellow) for the terminal."""
    if not snippet:
        return ""
    from rich.markup import escape

    out = escape(snippet)
    return (
        out.replace("&lt;mark&gt;", "[bold yellow]")
        .replace("&lt;/mark&gt;", "[/]")
        .replace("<mark>", "[bold yellow]")
        .replace("</mark>", "[/]")
    )
