"""The ``ratsinfo`` command line: a thin layer over the library.

Data goes to stdout (table, ``--json``, ``--ndjson`` or ``--csv`` through one shared
decorator), progress and messages to stderr. A :class:`RatsinfoError` becomes one line on
stderr and exit status 1, never a traceback.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import click

from ratsinfo.core.config import Settings, load_settings
from ratsinfo.core.errors import RatsinfoError
from ratsinfo.core.output import (
    mark_to_rich,
    stderr_console,
    stdout_console,
    write_csv,
    write_json,
    write_ndjson,
    write_table,
)

# --- plumbing -----------------------------------------------------------------------------------

SECONDS = click.FloatRange(min=0, min_open=True)  # timeouts and intervals: more than nothing


class RatsinfoGroup(click.Group):
    """Turns expected failures into one clear line and a non-zero exit."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except RatsinfoError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(1)
        except KeyboardInterrupt:
            click.echo("Interrupted; run the same command again to continue where it stopped.", err=True)
            sys.exit(130)
        except BrokenPipeError:
            sys.exit(0)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as exc:
            from sqlalchemy.exc import OperationalError

            if isinstance(exc, OperationalError):
                click.echo(f"Error: database problem: {' '.join(str(exc.orig).split())}", err=True)
                sys.exit(1)
            if os.environ.get("RATSINFO_DEBUG"):
                raise
            name = exc.__class__.__name__
            click.echo(f"Error: unexpected {name}: {exc} (RATSINFO_DEBUG=1 shows the traceback)", err=True)
            sys.exit(2)


class Obj:
    """Settings resolved lazily, so ``--help`` works without touching any data."""

    def __init__(self, data_dir: str | None, quiet: bool):
        self.data_dir = data_dir
        self.quiet = quiet
        self._settings: Settings | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(self.data_dir)
        return self._settings

    def say(self, message: str) -> None:
        if not self.quiet:
            click.echo(message, err=True)


pass_obj = click.make_pass_decorator(Obj)


def output_options(
    formats: tuple[str, ...] = ("json", "ndjson", "csv"),
) -> Callable[[Callable[..., Any]], Any]:
    """Adds ``--json``/``--ndjson``/``--csv`` flags and passes the chosen format as ``fmt``."""

    def decorator(func: Callable[..., Any]) -> Any:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            chosen = [f for f in formats if kwargs.pop(f"as_{f}", False)]
            if len(chosen) > 1:
                raise click.UsageError("choose one of " + ", ".join(f"--{f}" for f in chosen))
            kwargs["fmt"] = chosen[0] if chosen else "table"
            return func(*args, **kwargs)

        for f in reversed(formats):
            wrapper = click.option(f"--{f}", f"as_{f}", is_flag=True, help=f"Print {f.upper()} to stdout.")(
                wrapper
            )
        return wrapper

    return decorator


def emit(
    rows: list[dict[str, Any]],
    fmt: str,
    columns: list[tuple[str, str]],
    title: str | None = None,
    json_value: Any = None,
) -> None:
    """Print ``rows`` in the chosen format (``json_value`` replaces the rows for ``--json``)."""
    if fmt == "json":
        write_json(rows if json_value is None else json_value)
    elif fmt == "ndjson":
        write_ndjson(rows)
    elif fmt == "csv":
        write_csv(rows, [k for k, _ in columns] if not rows else None)
    else:
        write_table(rows, columns, title=title)


def iso_date(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        if len(value) == 4 and value.isdigit():
            return date(int(value), 1 if param.name != "until" else 12, 1 if param.name != "until" else 31)
        raise click.BadParameter(f"{value!r} is not a date like 2021-03-23") from None


class ProgressBar:
    """A progress bar on stderr (silent with ``--quiet`` or when stderr is not a terminal)."""

    def __init__(self, obj: Obj, description: str):
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.enabled = not obj.quiet and sys.stderr.isatty()
        self.progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=stderr_console(),
            transient=True,
        )
        self.task = self.progress.add_task(description, total=None)

    def __enter__(self) -> ProgressBar:
        if self.enabled:
            self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.enabled:
            self.progress.stop()

    def update(self, done: int, total: int | None = None) -> None:
        if self.enabled:
            self.progress.update(self.task, completed=done, total=total)


# --- commands -----------------------------------------------------------------------------------


@click.group(cls=RatsinfoGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ratsinfo", prog_name="ratsinfo")
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False),
    envvar="RATSINFO_HOME",
    help="Where ratsinfo keeps its data (default: the user data dir; env RATSINFO_HOME).",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress or messages on stderr.")
@click.pass_context
def main(ctx: click.Context, data_dir: str | None, quiet: bool) -> None:
    """Crawl, parse and search what German councils decided (ALLRIS, SessionNet, OParl)."""
    ctx.obj = Obj(data_dir, quiet)


@main.command()
@click.argument("url")
@click.option(
    "--delay",
    type=click.FloatRange(min=0),
    default=0.5,
    show_default=True,
    help="Seconds between two requests to one host (0 for a local mirror).",
)
@click.option("--since", callback=iso_date, help="Only papers from this date on (HTML sources' lists).")
@click.option("--until", callback=iso_date, help="Only papers up to this date (HTML sources' lists).")
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Processes working the crawl and extracting its files (default: the number of cores; "
    "on SQLite one crawling process, since SQLite has one writer).",
)
@click.option(
    "--per-host",
    type=click.IntRange(1, 16),
    default=1,
    show_default=True,
    help="Requests to one host at the same time, across all workers (be kind to councils).",
)
@click.option("--no-files", is_flag=True, help="Do not download attachments.")
@click.option("--no-html", is_flag=True, help="Skip the ALLRIS/SessionNet page an OParl paper links to.")
@click.option("--body", help="Council an ALLRIS/SessionNet site's papers belong to (joins its OParl papers).")
@click.option("--no-extract", is_flag=True, help="Download attachments but do not extract their text now.")
@click.option(
    "--max-file-size", default="50 MB", show_default=True, help="Skip attachments larger than this."
)
@click.option(
    "--timeout",
    type=SECONDS,
    default=30.0,
    show_default=True,
    help="Seconds to wait for a response.",
)
@click.option(
    "--retries",
    type=click.IntRange(0, 20),
    default=3,
    show_default=True,
    help="Retries for 429, 5xx and timeouts (with backoff and Retry-After).",
)
@click.option(
    "--full", is_flag=True, help="Fetch everything again, not only what changed since the last crawl."
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON to stdout.")
@pass_obj
def crawl(
    obj: Obj,
    url: str,
    delay: float,
    since: date | None,
    until: date | None,
    workers: int | None,
    per_host: int,
    no_files: bool,
    no_html: bool,
    body: str | None,
    no_extract: bool,
    max_file_size: str,
    timeout: float,
    retries: int,
    full: bool,
    as_json: bool,
) -> None:
    """Crawl an OParl System/Body URL (or an ALLRIS/SessionNet site) into the store and index.

    A second crawl fetches only what changed; a crawl that was interrupted continues where it
    stopped. Failed pages and files are recorded and listed at the end.
    """
    import os

    from ratsinfo.core.record import parse_size
    from ratsinfo.ingest.crawlers.base import CrawlOptions
    from ratsinfo.ingest.pipeline import after_crawl
    from ratsinfo.ingest.runner import crawl as run_crawl

    limit = parse_size(max_file_size)
    cores = os.cpu_count() or 1
    if not limit:
        raise click.BadParameter(
            f"{max_file_size!r} is not a size like '50 MB'", param_hint="--max-file-size"
        )
    options = CrawlOptions(
        delay=delay,
        timeout=timeout,
        retries=retries,
        since=since,
        until=until,
        files=not no_files,
        extract=not no_extract,
        max_file_bytes=limit,
        workers=workers or (1 if obj.settings.is_sqlite else cores),
        extract_workers=workers or cores,
        full=full,
        html=not no_html,
        body=body,
        per_host=per_host,
    )
    settings = obj.settings
    obj.say(f"Crawling {url} into {settings.data_dir}")
    with ProgressBar(obj, "crawling") as bar:
        summary = run_crawl(settings, url, options, progress=bar.update)
    post = after_crawl(settings, options, say=obj.say)
    result = summary.to_dict() | post
    if as_json:
        write_json(result)
    stats = summary.stats
    obj.say(
        f"{'Resumed and finished' if summary.resumed else 'Finished'} crawl {summary.crawl_id} of "
        f"{summary.url} "
        f"({summary.kind}) in {summary.seconds:.1f}s: {summary.requests} requests, "
        f"{summary.succeeded} items ok, {summary.failed} failed; papers: {stats.get('papers_new', 0)} new, "
        f"{stats.get('papers_changed', 0)} changed; files: {stats.get('files_downloaded', 0)} downloaded, "
        f"{post.get('extracted', 0)} extracted, {post.get('extract_failed', 0)} failed to extract."
        if summary.finished
        else f"Crawl {summary.crawl_id} is not finished (other workers hold items)."
    )
    for kind, failed_url, error in summary.failures[:10]:
        obj.say(f"  failed {kind}: {error if failed_url in error else failed_url + ': ' + error}")
    if summary.failed > 10:
        obj.say(f"  … and {summary.failed - 10} more failures (see `ratsinfo health`)")


@main.command(context_settings={"ignore_unknown_options": True})
@click.argument("query", nargs=-1)
@click.option("--type", "paper_type", metavar="ART", help="Only this Vorlageart (as art:ART).")
@click.option("--body", metavar="NAME", help="Only papers of this council (as body:NAME).")
@click.option("--since", metavar="DATE", help="Papers dated from DATE on (2020, 2020-03, 2020-03-31).")
@click.option("--until", metavar="DATE", help="Papers dated up to DATE (2021 means to its end).")
@click.option("--topic", metavar="ID", help="Only papers with this topic (as topic:ID, e.g. smartcity).")
@click.option("--federfuehrend", metavar="AMT", help="Only papers this office leads (as federfuehrend:AMT).")
@click.option(
    "--facets",
    "with_facets",
    is_flag=True,
    help="Count the hits by Vorlageart, Federführend, Beteiligt, Gremium, year, body and topic.",
)
@click.option("--limit", type=click.IntRange(1, 10_000), default=20, show_default=True, help="Hits to show.")
@click.option("--offset", type=click.IntRange(0), default=0, help="Skip this many hits (paging).")
@click.option(
    "--sort",
    type=click.Choice(["relevance", "date"]),
    default="relevance",
    show_default=True,
    help="Best matches first, or newest first.",
)
@output_options(("json", "ndjson", "csv"))
@pass_obj
def search(
    obj: Obj,
    query: tuple[str, ...],
    paper_type: str | None,
    body: str | None,
    since: str | None,
    until: str | None,
    topic: str | None,
    federfuehrend: str | None,
    with_facets: bool,
    limit: int,
    offset: int,
    sort: str,
    fmt: str,
) -> None:
    """Search papers: words find their inflections and compounds in Betreff, text and attachments.

    \b
    Words are ANDed; also: "a phrase", OR, NOT/-word, (groups), prefix*,
    fields betreff: art: nummer: federfuehrend: beteiligt: verantwortlich:
    gremium: body: topic: status: ergebnis: text:, and dates
    datum:2020  datum:2020-01-01..2021-06-30  datum:..2021-06.

    \b
    Examples:
      ratsinfo search Glasfaser Ausbau
      ratsinfo search '"Smart City" gremium:Rat datum:2020..2021' --facets
      ratsinfo search --topic smartcity --since 2020 --sort date
    """
    from ratsinfo.index.base import FACETS, SearchRequest
    from ratsinfo.index.query import QuerySyntaxError, filters_from_options, parse_query
    from ratsinfo.index.service import search as run_search

    unknown = [word for word in query if word.startswith("--")]
    if unknown:
        raise click.UsageError(f"no such option: {unknown[0]}")
    text = " ".join(query).strip()
    options = {
        "type": paper_type,
        "body": body,
        "since": since,
        "until": until,
        "topic": topic,
        "federfuehrend": federfuehrend,
    }
    filters = []
    for name, value in options.items():
        if value is None:
            continue
        try:
            filters += filters_from_options(**{name: value})
        except QuerySyntaxError as exc:
            raise RatsinfoError(f"--{name} {value!r}: {exc.reason}") from None
    if not text and not filters:
        raise RatsinfoError("the query is empty (give words, or a filter such as --topic)")
    if with_facets and fmt in ("ndjson", "csv"):
        raise click.UsageError("--facets works with the table and with --json")
    request = SearchRequest(
        parse_query(text), limit=limit, offset=offset, sort=sort, facets=with_facets, filters=filters
    )
    page = run_search(obj.settings, request)
    if fmt == "table":
        shown = text or " ".join(f"--{k} {v}" for k, v in options.items() if v)
        write_table(_with_snippets(page.rows), SEARCH_COLUMNS, title=f"{page.total_text} hits for {shown!r}")
        if with_facets:
            _print_facets(page.facets, FACETS)
    elif fmt == "json" and with_facets:
        write_json({"total": page.total, "total_exact": page.exact, "hits": page.rows, "facets": page.facets})
    else:
        emit(page.rows, fmt, [])
    if not page.total:
        obj.say("No hits. Try fewer words, or a prefix like digital*.")


def _print_facets(facets: dict[str, list[dict[str, Any]]], labels: dict[str, str]) -> None:
    """One small table per facet (value, hits) after the hits, in the terminal."""
    console = stdout_console()
    for key, label in labels.items():
        values = facets.get(key)
        if not values:
            continue
        rows = [
            {"value": f"{v['label']} ({v['value']})" if v.get("label") else v["value"], "count": v["count"]}
            for v in values
        ]
        write_table(rows, [("value", label), ("count", "Treffer")], console=console)


SEARCH_COLUMNS = [
    ("reference", "Nummer"),
    ("date", "Datum"),
    ("paperType", "Art"),
    ("name", "Betreff"),
    ("body", "Körperschaft"),
]


def _with_snippets(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Betreff with the highlighted snippet below it, for the terminal table."""
    return [
        {**r, "name": r["name"] + (f"\n[dim]{mark_to_rich(r['snippet'])}[/]" if r.get("snippet") else "")}
        for r in rows
    ]


@main.command()
@click.argument("reference")
@click.option("--body", help="The body (council) to pick when several have this reference.")
@click.option("--json", "as_json", is_flag=True, help="Print the paper record as JSON.")
@pass_obj
def show(obj: Obj, reference: str, body: str | None, as_json: bool) -> None:
    """Show one paper by its reference (e.g. 21-15513-01) or id, with Beratungsfolge and files."""
    from ratsinfo.store.db import session_scope
    from ratsinfo.store.papers import find_papers, paper_record

    with session_scope(obj.settings.database_url) as session:
        papers = find_papers(session, reference.strip())
        records = [paper_record(session, p) for p in papers]
    if body:
        records = [r for r in records if body.lower() in (r.get("body") or "").lower()]
    if not records:
        raise RatsinfoError(
            f"no paper with reference or id {reference!r}" + (f" in {body!r}" if body else "")
        )
    if len(records) > 1:
        bodies = ", ".join(sorted({r.get("body") or "?" for r in records}))
        raise RatsinfoError(f"{reference!r} matches {len(records)} papers ({bodies}); choose one with --body")
    record = records[0]
    if as_json:
        write_json(record)
    else:
        _print_record(record)


def _print_record(record: dict[str, Any]) -> None:
    from rich.markup import escape

    console = stdout_console()
    console.print(f"[bold]{escape(record.get('reference') or '')}[/] {escape(record['name'])}")
    labels = [
        ("paperType", "Art"),
        ("date", "Datum"),
        ("body", "Körperschaft"),
        ("status", "Status"),
        ("underDirectionOf", "Federführend"),
        ("participating", "Beteiligt"),
        ("responsible", "Verantwortlich"),
        ("originator", "Verfasser"),
        ("relatedPaper", "Bezüglich"),
        ("web", "Web"),
        ("source", "Quelle"),
    ]
    for key, label in labels:
        value = record.get(key)
        if value:
            shown = "; ".join(value) if isinstance(value, list) else str(value)
            console.print(f"  [dim]{label}:[/] {escape(shown)}")
    if record.get("consultation"):
        write_table(
            record["consultation"],
            [
                ("date", "Datum"),
                ("organization", "Gremium"),
                ("meeting", "Sitzung"),
                ("role", "Rolle"),
                ("result", "Beschluss"),
                ("state", "Status"),
            ],
            title="Beratungsfolge",
            console=console,
        )
    if record.get("file"):
        write_table(
            record["file"],
            [("name", "Anlage"), ("mimeType", "Typ"), ("size", "Bytes"), ("accessUrl", "Link")],
            title="Dateien",
            console=console,
        )
    for title, text in (record.get("text") or {}).items():
        console.print(f"\n[bold]{escape(title)}[/]\n{escape(text)}")


@main.command()
@click.option("--format", "fmt", type=click.Choice(["ndjson", "csv"]), default="ndjson", show_default=True)
@click.option(
    "--output", "-o", type=click.Path(dir_okay=False, writable=True), help="File to write (default: stdout)."
)
@click.option(
    "--with-file-text/--without-file-text",
    default=True,
    show_default=True,
    help="Include the extracted text of attachments.",
)
@pass_obj
def export(obj: Obj, fmt: str, output: str | None, with_file_text: bool) -> None:
    """Write every paper record as NDJSON or CSV (bulk export for analysts)."""
    from ratsinfo.core.record import PAPER_KEYS
    from ratsinfo.store.export import iter_records

    records = iter_records(obj.settings, with_file_text=with_file_text)
    stream = open(output, "w", encoding="utf-8", newline="") if output else sys.stdout  # noqa: SIM115
    try:
        counter = _Counter(records)
        if fmt == "ndjson":
            write_ndjson(counter, stream)
        else:
            write_csv(counter, list(PAPER_KEYS), stream)
    finally:
        if output:
            stream.close()
    obj.say(f"Exported {counter.n} papers" + (f" to {output}" if output else ""))


class _Counter:
    def __init__(self, items: Iterator[dict[str, Any]]):
        self.items = items
        self.n = 0

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for item in self.items:
            self.n += 1
            yield item


@main.command()
@pass_obj
def reindex(obj: Obj) -> None:
    """Rebuild the search index from the store (after switching RATSINFO_INDEX, or to repair it)."""
    from ratsinfo.index.sync import reindex as run_reindex

    with ProgressBar(obj, "indexing") as bar:
        n = run_reindex(obj.settings, progress=bar.update)
    obj.say(f"Indexed {n} papers with {obj.settings.index_backend}")


@main.command()
@click.argument("references", nargs=-1)
@click.option(
    "--kind", type=click.Choice(["oparl", "allris", "sessionnet"]), help="Only records of this source kind."
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@pass_obj
def reparse(obj: Obj, references: tuple[str, ...], kind: str | None, as_json: bool) -> None:
    """Parse stored raw responses again, offline (all papers, or the REFERENCES given)."""
    from ratsinfo.index.sync import sync_index
    from ratsinfo.ingest.reparse import reparse as run_reparse

    summary = run_reparse(obj.settings, references, kind)
    sync_index(obj.settings)
    if as_json:
        write_json(summary.to_dict())
    obj.say(
        f"Reparsed {summary.papers} records: {summary.changed} changed, {summary.unchanged} unchanged, "
        f"{summary.failed} failed"
    )
    for error in summary.errors[:10]:
        obj.say(f"  {error}")


@main.group()
def db() -> None:
    """Database schema: migrations and where the store lives."""


@db.command("upgrade")
@pass_obj
def db_upgrade(obj: Obj) -> None:
    """Run pending Alembic migrations on the database (RATSINFO_DATABASE_URL or the data dir's SQLite)."""
    from ratsinfo.store.db import make_engine, upgrade

    engine = make_engine(obj.settings.database_url)
    before, after = upgrade(engine)
    obj.say(
        f"Database at revision {after}"
        + (f" (was {before or 'empty'})" if before != after else " (up to date)")
    )


@db.command("status")
@pass_obj
def db_status(obj: Obj) -> None:
    """Print where the store and index live and the schema revision."""
    from ratsinfo.store.db import current_revision, head_revision, make_engine

    s = obj.settings
    engine = make_engine(s.database_url)
    write_json(
        {
            "data_dir": str(s.data_dir),
            "database": engine.url.render_as_string(hide_password=True),
            "revision": current_revision(engine),
            "head": head_revision(),
            "index": s.index_backend,
            "index_dir": str(s.index_dir),
        }
    )


DEMO_SEARCHES = ("Smart City Strategie", "kostenloses WLAN", "Parkvorgänge Smartphone")


@main.command()
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Processes extracting text from the sample's PDFs (default: the number of cores).",
)
@pass_obj
def demo(obj: Obj, workers: int | None) -> None:
    """Crawl a bundled sample council from a local server, then search it (runs offline).

    The sample is Braunschweig's Smart City Anfrage 21-15513 with its Stellungnahme and some 30
    more papers, served as an OParl API with ALLRIS pages and PDFs on 127.0.0.1.
    """
    import os

    from ratsinfo.demo.run import run_demo
    from ratsinfo.index.base import SearchRequest
    from ratsinfo.index.service import search as run_search

    settings = obj.settings
    obj.say(f"Data dir: {settings.data_dir}")
    with ProgressBar(obj, "crawling the sample council") as bar:
        result = run_demo(settings, obj.say, workers=workers or os.cpu_count() or 1, progress=bar.update)
    s = result.summary
    stats = s.stats
    obj.say(
        f"Crawled {stats.get('papers_new', 0)} new and {stats.get('papers_changed', 0)} changed papers, "
        f"{stats.get('files_downloaded', 0)} files, {s.requests} requests, {s.failed} failures."
    )
    for text in DEMO_SEARCHES:
        page = run_search(settings, SearchRequest(text, limit=5))
        title = f"ratsinfo search {text!r}: {page.total_text} hits"
        write_table(_with_snippets(page.rows), SEARCH_COLUMNS[:4], title=title)
    obj.say(
        "\nTry next:\n"
        "  ratsinfo show 21-15513-01 --json      the seed Stellungnahme as a paper record\n"
        "  ratsinfo search Handyparken --json     hits as JSON with highlighted snippets\n"
        "  ratsinfo export --format csv -o papers.csv\n"
        "  ratsinfo crawl https://<your council>/oparl/v1.1/system   a real council (needs the network)"
    )


@main.command()
@click.argument("file", required=False, type=click.Path(dir_okay=False))
@click.option("--pending", is_flag=True, help="Extract the store's downloaded files that have no text yet.")
@click.option("--retry-failed", is_flag=True, help="With --pending: also files whose extraction failed.")
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Worker processes (default: the number of cores).",
)
@click.option("--no-ocr", is_flag=True, help="Never run Tesseract (pages without a text layer stay empty).")
@click.option("--timeout", type=SECONDS, default=600.0, show_default=True, help="Seconds allowed per file.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (pages with method and OCR confidence).")
@pass_obj
def extract(
    obj: Obj,
    file: str | None,
    pending: bool,
    retry_failed: bool,
    workers: int | None,
    no_ocr: bool,
    timeout: float,
    as_json: bool,
) -> None:
    """Print the text of FILE (PDF, HTML, text, DOCX, ODT, images; scans through German OCR).

    With --pending, extract the store's downloaded attachments instead and index their text.
    """
    from dataclasses import replace

    from ratsinfo.ingest.documents import DEFAULT_LIMITS, extract_isolated

    limits = replace(DEFAULT_LIMITS, ocr=not no_ocr, timeout_s=timeout)
    if pending == bool(file):
        raise click.UsageError("give a FILE or --pending (not both)")
    if pending:
        from ratsinfo.index.sync import sync_index
        from ratsinfo.ingest.extraction import extract_pending
        from ratsinfo.track.links import update_links

        with ProgressBar(obj, "extracting") as bar:
            summary = extract_pending(
                obj.settings, workers=workers, retry_failed=retry_failed, limits=limits, progress=bar.update
            )
        update_links(obj.settings)  # references in the new texts link papers
        sync_index(obj.settings)
        if as_json:
            write_json(summary.to_dict())
        obj.say(
            f"Extracted {summary.extracted} files ({summary.pages} pages, {summary.ocr_pages} by OCR), "
            f"{summary.failed} failed"
        )
        for error in summary.errors[:10]:
            obj.say(f"  {error}")
        return
    path = Path(str(file))
    if not path.exists():
        raise RatsinfoError(f"{file}: no such file")
    result = extract_isolated(path, limits=limits)
    if as_json:
        write_json(result.to_dict())
    else:
        for page in result.pages:
            click.echo(page.text)
            click.echo("\f", nl=False)
    if result.error:
        raise RatsinfoError(f"{file}: {result.error}")


@main.command()
@click.argument("file_or_url")
@click.option(
    "--vendor",
    type=click.Choice(["allris", "sessionnet", "oparl"]),
    help="The RIS that wrote the page (default: detected from the URL or the markup).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the paper record as JSON.")
@pass_obj
def parse(obj: Obj, file_or_url: str, vendor: str | None, as_json: bool) -> None:
    """Print the paper record of one RIS page (a saved file or a URL), without storing it.

    ALLRIS 3/4 (vo020), SessionNet 4/5 (vo0050) pages, and OParl Paper JSON.
    """
    from ratsinfo.ingest.parsers.single import parse_one

    record = parse_one(file_or_url, vendor=vendor, settings=obj.settings if "://" in file_or_url else None)
    if as_json:
        write_json(record)
    else:
        _print_record(record)


@main.command()
@click.option("--crawl", "crawl_ids", type=int, multiple=True, help="Work only this crawl (repeatable).")
@click.option("--forever", is_flag=True, help="Keep waiting for new crawls instead of stopping when idle.")
@click.option("--poll", type=SECONDS, default=2.0, show_default=True, help="Seconds between looks for work.")
@pass_obj
def worker(obj: Obj, crawl_ids: tuple[int, ...], forever: bool, poll: float) -> None:
    """Join the running crawls of this store (e.g. on another machine sharing one PostgreSQL).

    Items are claimed with a lease; if this worker dies, others take its items over. Requests
    to one host stay one at a time across all workers.
    """
    from ratsinfo.ingest.runner import work

    handled = work(obj.settings, list(crawl_ids) or None, forever=forever, poll=poll)
    obj.say(f"Worker handled {handled} items")


# --- tracking: status, track, decisions, changes, watches, health (ratsinfo.track) ---------------


def _paper_filter(**values: Any) -> Any:
    from ratsinfo.track.papers import PaperFilter

    return PaperFilter(**values)


def _exit(code: int) -> None:
    """End with ``code`` (for cron and scripts); SystemExit passes the group's error handling."""
    if code:
        sys.exit(code)


STATUS_COLUMNS = [
    ("reference", "Nummer"),
    ("date", "Datum"),
    ("paperType", "Art"),
    ("name", "Betreff"),
    ("originator", "Verfasser"),
    ("state", "Status"),
    ("answeredBy", "Antwort"),
    ("answerDate", "vom"),
    ("days", "Tage"),
]


@main.command()
@click.option(
    "--type",
    "kind",
    type=click.Choice(["Anfrage", "Antrag"], case_sensitive=False),
    help="Only Anfragen or only Anträge (any council's wording of the type).",
)
@click.option("--open", "only_open", is_flag=True, help="Only unanswered ones (overdue included).")
@click.option("--answered", is_flag=True, help="Only answered or decided ones.")
@click.option("--overdue", is_flag=True, help="Only ones open longer than --due days.")
@click.option(
    "--due",
    type=click.IntRange(0),
    default=30,
    show_default=True,
    help="Days after which an open one counts as overdue.",
)
@click.option("--body", help="Only this body (part of its name).")
@click.option("--originator", help="Only this originator, e.g. a Fraktion (part of the name).")
@click.option("--topic", help="Only papers with this topic (id or part of its label).")
@click.option("--since", callback=iso_date, help="Only papers dated from this day on.")
@click.option(
    "--as-of",
    "as_of",
    callback=iso_date,
    help="As things stood on this day (default: today): later answers and decisions do not count.",
)
@output_options(("json", "csv"))
@pass_obj
def status(
    obj: Obj,
    kind: str | None,
    only_open: bool,
    answered: bool,
    overdue: bool,
    due: int,
    body: str | None,
    originator: str | None,
    topic: str | None,
    since: date | None,
    as_of: date | None,
    fmt: str,
) -> None:
    """Each Anfrage and Antrag with its state: answered (by which Stellungnahme, when, after how
    many days), decided, open (days waiting) or overdue, and a summary line.

    Example: ratsinfo status --type Anfrage --overdue --due 60
    """
    from ratsinfo.store.db import session_scope
    from ratsinfo.track.links import update_links
    from ratsinfo.track.status import request_statuses, summarise, summary_line

    settings = obj.settings
    update_links(settings)
    paper_filter = _paper_filter(body=body, originator=originator, topic=topic, since=since)
    with session_scope(settings.database_url) as session:
        found = request_statuses(session, kind=kind, paper_filter=paper_filter, as_of=as_of, due=due)
    wanted = set()
    if only_open:
        wanted |= {"open", "overdue"}
    if answered:
        wanted |= {"answered", "decided"}
    if overdue:
        wanted |= {"overdue"}
    if wanted:
        found = [s for s in found if s.state in wanted]
    rows = [s.to_dict() for s in found]
    summary = summarise(found)
    line = summary_line(summary)
    if fmt == "json":
        write_json({"summary": summary, "papers": rows})
        return
    emit(rows, fmt, STATUS_COLUMNS)
    if fmt == "table":
        click.echo(line)
    else:
        obj.say(line)


@main.command("track")
@click.argument("reference")
@click.option("--body", help="The body (council) to pick when several have this reference.")
@click.option("--as-of", "as_of", callback=iso_date, help="Count open days up to this day instead of today.")
@click.option("--json", "as_json", is_flag=True, help="Print paper, family and timeline as JSON.")
@pass_obj
def track_command(obj: Obj, reference: str, body: str | None, as_of: date | None, as_json: bool) -> None:
    """The timeline of a paper and its family: filed, each Beratungsfolge step, each
    Stellungnahme, and every change seen between crawls.

    Example: ratsinfo track 21-15513
    """
    from ratsinfo.store.db import session_scope
    from ratsinfo.store.models import Paper
    from ratsinfo.store.papers import find_papers
    from ratsinfo.track.links import update_links
    from ratsinfo.track.timeline import papers_once_numbered, track

    settings = obj.settings
    update_links(settings)
    with session_scope(settings.database_url) as session:
        papers = find_papers(session, reference.strip())
        if not papers:  # a paper deleted at the source keeps its number only in its history
            papers = [p for pid in papers_once_numbered(session, reference) if (p := session.get(Paper, pid))]
        if body:
            papers = [p for p in papers if p.body and body.casefold() in p.body.name.casefold()]
        if not papers:
            where = f" in {body!r}" if body else ""
            raise RatsinfoError(f"no paper with reference or id {reference!r}{where}")
        if len(papers) > 1:
            bodies = ", ".join(sorted({p.body.name if p.body else "?" for p in papers}))
            raise RatsinfoError(
                f"{reference!r} matches {len(papers)} papers ({bodies}); choose one with --body"
            )
        result = track(session, papers[0].id, as_of=as_of)
    if as_json:
        write_json(result)
        return
    from rich.markup import escape

    console = stdout_console()
    paper = result["paper"]
    console.print(f"[bold]{escape(paper['reference'] or '')}[/] {escape(paper['name'])}")
    about = " · ".join(x for x in (paper["paperType"], paper["date"], paper["body"]) if x)
    console.print(f"  [dim]{escape(about)}[/]")
    state = result["status"]
    if state:
        answer = (
            f", answered by {state['answeredBy']} on {state['answerDate']}" if state["answeredBy"] else ""
        )
        days = f" ({state['days']} days)" if state["days"] is not None else ""
        console.print(f"  [dim]Status:[/] {state['state']}{escape(answer)}{days}")
    if len(result["family"]) > 1:
        write_table(
            result["family"],
            [
                ("reference", "Nummer"),
                ("date", "Datum"),
                ("paperType", "Art"),
                ("relation", "Beziehung"),
                ("name", "Betreff"),
            ],
            title="Family",
            console=console,
        )
    write_table(
        result["timeline"],
        [("date", "Datum"), ("reference", "Nummer"), ("event", "Ereignis"), ("what", "Was")],
        title="Timeline",
        console=console,
    )


@main.command()
@click.argument("query", nargs=-1)
@click.option("--since", callback=iso_date, help="Only steps from this day on.")
@click.option("--until", callback=iso_date, help="Only steps up to this day.")
@click.option("--gremium", help="Only this Gremium (part of its name).")
@click.option(
    "--result",
    help="An outcome (beschlossen, geändert, abgelehnt, kenntnis, vertagt, "
    "zurückgezogen, verwiesen, erledigt) or a part of the RIS's wording.",
)
@click.option("--body", help="Only this body (part of its name).")
@click.option("--limit", type=click.IntRange(1), help="At most this many rows (newest first).")
@output_options(("json", "ndjson", "csv"))
@pass_obj
def decisions(
    obj: Obj,
    query: tuple[str, ...],
    since: date | None,
    until: date | None,
    gremium: str | None,
    result: str | None,
    body: str | None,
    limit: int | None,
    fmt: str,
) -> None:
    """Beratungsfolge outcomes, normalised (beschlossen, geändert beschlossen, abgelehnt, zur
    Kenntnis genommen, vertagt, zurückgezogen, verwiesen, erledigt) beside the RIS's wording.

    QUERY (optional) narrows the papers with the search engine. Example:
    ratsinfo decisions "Smart City" --since 2021
    """
    from ratsinfo.store.db import session_scope
    from ratsinfo.track.decisions import decisions as find_decisions
    from ratsinfo.track.decisions import search_paper_ids

    settings = obj.settings
    text = " ".join(query).strip()
    ids = search_paper_ids(settings, text) if text else None
    with session_scope(settings.database_url) as session:
        rows = find_decisions(
            session,
            paper_ids=ids,
            since=since,
            until=until,
            gremium=gremium,
            result=result,
            paper_filter=_paper_filter(body=body),
        )
    total = len(rows)
    rows = rows[:limit] if limit else rows
    title = f"{total} decisions" + (f" on papers matching {text!r}" if text else "")
    emit(
        rows,
        fmt,
        [
            ("date", "Datum"),
            ("gremium", "Gremium"),
            ("reference", "Nummer"),
            ("name", "Betreff"),
            ("outcome", "Ergebnis"),
            ("result", "Wortlaut"),
        ],
        title=title,
    )
    if not rows:
        obj.say("No decisions found.")


@main.command()
@click.option("--since", callback=iso_date, help="Changes seen from this day on (default: the last 7 days).")
@click.option("--until", callback=iso_date, help="Changes seen up to this day.")
@click.option("--body", help="Only this body (part of its name).")
@click.option(
    "--field",
    "field_name",
    help="Only this field: consultation, file, name, text (all sections), paper (new/gone) …",
)
@output_options(("json", "ndjson", "csv"))
@pass_obj
def changes(
    obj: Obj, since: date | None, until: date | None, body: str | None, field_name: str | None, fmt: str
) -> None:
    """What crawls saw change: new papers, fields, Beratungsfolge steps, files, papers gone.

    Example: ratsinfo changes --since 2026-11-01 --field consultation
    """
    from datetime import timedelta

    from ratsinfo.store.db import session_scope
    from ratsinfo.track.changes import list_changes

    since = since or date.today() - timedelta(days=7)
    with session_scope(obj.settings.database_url) as session:
        rows = list_changes(
            session, since=since, until=until, field=field_name, paper_filter=_paper_filter(body=body)
        )
    emit(
        rows,
        fmt,
        [
            ("seen", "Gesehen"),
            ("reference", "Nummer"),
            ("paperType", "Art"),
            ("name", "Betreff"),
            ("what", "Änderung"),
        ],
        title=f"{len(rows)} changes since {since.isoformat()}",
    )


@main.group()
def watch() -> None:
    """Saved queries reporting new and changed papers; `watch run` exits 1 when nothing is new."""


@watch.command("add")
@click.argument("name")
@click.argument("query", nargs=-1, required=True)
@click.option("--type", "paper_type", help="Only papers of this type (its beginning, any case).")
@click.option("--body", help="Only this body (part of its name).")
@click.option("--originator", help="Only this originator (part of the name).")
@click.option("--topic", help="Only this topic (id or part of its label).")
@pass_obj
def watch_add(
    obj: Obj,
    name: str,
    query: tuple[str, ...],
    paper_type: str | None,
    body: str | None,
    originator: str | None,
    topic: str | None,
) -> None:
    """Watch the papers QUERY finds ("*" for all papers, narrowed by the options).

    Example: ratsinfo watch add wlan WLAN --type Anfrage
    """
    from ratsinfo.track.watches import add_watch

    text = " ".join(query).strip()
    add_watch(
        obj.settings,
        name,
        text,
        _paper_filter(paper_type=paper_type, body=body, originator=originator, topic=topic),
    )
    obj.say(f"Watching {text!r} as {name!r}; `ratsinfo watch run {name}` reports what crawls see from now on")


@watch.command("list")
@output_options(("json", "csv"))
@pass_obj
def watch_list(obj: Obj, fmt: str) -> None:
    """The saved watches."""
    from ratsinfo.track.watches import list_watches

    emit(
        list_watches(obj.settings),
        fmt,
        [("name", "Name"), ("query", "Suche"), ("filters", "Filter"), ("lastRun", "Zuletzt")],
    )


@watch.command("remove")
@click.argument("name")
@pass_obj
def watch_remove(obj: Obj, name: str) -> None:
    """Delete a watch."""
    from ratsinfo.track.watches import remove_watch

    remove_watch(obj.settings, name)
    obj.say(f"Removed watch {name!r}")


@watch.command("run")
@click.argument("name", required=False)
@output_options(("json", "ndjson", "csv"))
@pass_obj
def watch_run(obj: Obj, name: str | None, fmt: str) -> None:
    """Print papers new or changed since each watch's last run (or watch NAME's), including
    answers that arrived ("got a Stellungnahme"). Exit status 0 when there is news, 1 when not.
    """
    from ratsinfo.track.watches import run_watches

    reports = run_watches(obj.settings, name)
    rows = [e.to_dict(r.watch) for r in reports for e in r.events]
    if fmt == "table":
        for r in reports:
            since = r.since.isoformat(timespec="minutes") if r.since else "it was added"
            if not r.events:
                click.echo(f"watch {r.watch} ({r.query!r}): nothing new since {since}")
                continue
            write_table(
                [e.to_dict(r.watch) for e in r.events],
                [("reference", "Nummer"), ("paperType", "Art"), ("name", "Betreff"), ("what", "Neu")],
                title=f"watch {r.watch} ({r.query!r}): {len(r.events)} new or changed since {since}",
            )
    else:
        emit(
            rows,
            fmt,
            [
                ("watch", "watch"),
                ("seen", "seen"),
                ("kind", "kind"),
                ("reference", "reference"),
                ("what", "what"),
            ],
        )
    _exit(0 if rows else 1)


@watch.command("feed")
@click.argument("name")
@click.option(
    "--output",
    "-o",
    required=True,
    type=click.Path(dir_okay=False, writable=True),
    help="The Atom file to write.",
)
@click.option("--limit", type=click.IntRange(1), default=50, show_default=True, help="Entries, newest first.")
@click.option(
    "--days", type=click.IntRange(1), default=90, show_default=True, help="Changes of these last days."
)
@pass_obj
def watch_feed(obj: Obj, name: str, output: str, limit: int, days: int) -> None:
    """Write watch NAME's news as an Atom feed (newest first; does not move `watch run` on)."""
    from ratsinfo.track.feed import write_feed
    from ratsinfo.track.watches import feed_events

    watch_row, events = feed_events(obj.settings, name, limit=limit, days=days)
    write_feed(output, watch_row, events)
    obj.say(f"Wrote {len(events)} entries to {output}")


@main.command()
@click.option(
    "--weeks",
    type=click.IntRange(1, 104),
    default=8,
    show_default=True,
    help="Weeks of papers-added counts to show.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_obj
def health(obj: Obj, weeks: int, as_json: bool) -> None:
    """Import health per source: last crawl, papers added per week, failure shares, and a warning
    when a source went silent or started failing. Exit status 1 when a source needs attention.
    """
    from ratsinfo.store.db import session_scope
    from ratsinfo.track.health import health as source_health

    with session_scope(obj.settings.database_url) as session:
        found = source_health(session, weeks=weeks)
    if as_json:
        write_json([h.to_dict() for h in found])
    else:
        rows = []
        for h in found:
            d = h.to_dict()
            last = h.last_crawl
            files = h.files
            rows.append(
                {
                    "source": h.name or h.source,
                    "lastCrawl": f"{last.started[:16]} {last.status}" if last else "never",
                    "papers": h.papers,
                    "weekly": " ".join(str(n) for _, n in h.weekly_added),
                    "newest": d["newestPaper"],
                    "failed": f"{last.failed}/{last.items} ({last.share:.0%})" if last else "",
                    "files": f"{files.get('download_failed', 0)}/{files.get('total', 0)} dl, "
                    f"{files.get('extract_failed', 0)} ext",
                    "what": "; ".join(h.warnings) or "ok",
                }
            )
        write_table(
            rows,
            [
                ("source", "Quelle"),
                ("lastCrawl", "Letzter Crawl"),
                ("papers", "Papiere"),
                ("weekly", f"neu/Woche ({weeks})"),
                ("newest", "Neuestes"),
                ("failed", "Fehler"),
                ("files", "Dateifehler"),
                ("what", "Hinweise"),
            ],
            title="Import health",
        )
    if not found:
        obj.say("No sources yet: crawl one first.")
    _exit(1 if any(h.attention for h in found) else 0)
