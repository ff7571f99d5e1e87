"""Merging the records several sources give of one paper, and diffing two records.

Where a council has both an OParl API and HTML pages, the OParl record is the base and the
HTML record fills what OParl lacks (Beteiligt, Verantwortlich, states of the Beratungsfolge,
text sections). The merged record names the HTML page as its ``source``/``web``, since that is
the page a person opens and the richer view.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from ratsinfo.core.record import LIST_KEYS

HTML_KINDS = ("allris", "sessionnet")
SCALAR_KEYS = ("body", "reference", "name", "paperType", "date", "status")
IDENTITY_KEYS = ("source", "web", "id")
VOLATILE_FILE_KEYS = ("sha256", "text")


def merge_records(records: list[dict[str, Any]]) -> dict[str, Any]:
    """One record from several sources' records of the same paper (OParl first, HTML fills gaps)."""
    if not records:
        raise ValueError("nothing to merge")
    ordered = sorted(records, key=lambda r: 0 if r.get("source") == "oparl" else 1)
    merged = dict(ordered[0])
    for other in ordered[1:]:
        for key, value in other.items():
            if key in IDENTITY_KEYS or key in ("consultation", "file", "text"):
                continue
            if _empty(merged.get(key)) and not _empty(value):
                merged[key] = value
        merged["text"] = {**other.get("text", {}), **merged.get("text", {})}
        merged["consultation"] = _merge_items(
            merged.get("consultation") or [], other.get("consultation") or [], _same_step
        )
        merged["file"] = _merge_items(merged.get("file") or [], other.get("file") or [], _same_file)
    primary = next((r for r in ordered if r.get("source") in HTML_KINDS), ordered[0])
    for key in IDENTITY_KEYS:
        merged[key] = primary.get(key) or merged.get(key)
    if len(ordered) > 1:
        merged["sources"] = sorted({r.get("source") for r in ordered})
    return merged


def content_hash(record: dict[str, Any]) -> str:
    """A fingerprint of what the sources say, ignoring our own download/extraction state."""
    return hashlib.sha256(json.dumps(_comparable(record), sort_keys=True, default=str).encode()).hexdigest()


def diff_records(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, str, Any, Any]]:
    """Changes from ``old`` to ``new`` as (field, kind, old value, new value); kind is
    ``changed``, ``added`` or ``removed``."""
    old, new = _comparable(old), _comparable(new)
    changes: list[tuple[str, str, Any, Any]] = []
    for key in (*SCALAR_KEYS, *LIST_KEYS):
        if old.get(key) != new.get(key):
            changes.append((key, "changed", old.get(key), new.get(key)))
    old_text, new_text = old.get("text") or {}, new.get("text") or {}
    for title in sorted(set(old_text) | set(new_text)):
        a, b = old_text.get(title), new_text.get(title)
        if a != b:
            kind = "added" if a is None else "removed" if b is None else "changed"
            changes.append((f"text.{title}", kind, a, b))
    changes += _diff_keyed(
        "consultation", old.get("consultation") or [], new.get("consultation") or [], _step_key
    )
    changes += _diff_keyed("file", old.get("file") or [], new.get("file") or [], _file_key)
    if bool(old.get("deleted")) != bool(new.get("deleted")):
        changes.append(("deleted", "changed", bool(old.get("deleted")), bool(new.get("deleted"))))
    return changes


def _diff_keyed(field: str, old: list[dict], new: list[dict], key) -> list[tuple[str, str, Any, Any]]:  # type: ignore[no-untyped-def,type-arg]
    old_by = {key(item, i): item for i, item in enumerate(old)}
    new_by = {key(item, i): item for i, item in enumerate(new)}
    out: list[tuple[str, str, Any, Any]] = []
    for k, item in new_by.items():
        if k not in old_by:
            out.append((field, "added", None, item))
        elif old_by[k] != item:
            out.append((field, "changed", old_by[k], item))
    for k, item in old_by.items():
        if k not in new_by:
            out.append((field, "removed", item, None))
    return out


def _step_key(step: dict[str, Any], position: int) -> str:
    return f"{step.get('organization') or ''}|{step.get('role') or ''}|{position}"


def _file_key(item: dict[str, Any], position: int) -> str:
    return item.get("accessUrl") or item.get("id") or item.get("name") or str(position)


def _comparable(record: dict[str, Any]) -> dict[str, Any]:
    out = dict(record)
    out["file"] = [
        {k: v for k, v in f.items() if k not in VOLATILE_FILE_KEYS} for f in record.get("file") or []
    ]
    return out


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _merge_items(base: list[dict[str, Any]], other: list[dict[str, Any]], same) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    """``base``'s items with what the matching item of ``other`` adds; unmatched items of
    ``other`` are appended (a step or attachment only one source shows)."""
    out = [dict(item) for item in base]
    used: set[int] = set()
    for candidate in other:
        match = next((i for i, item in enumerate(out) if i not in used and same(item, candidate)), None)
        if match is None:
            if not base:
                out.append(dict(candidate))
            continue
        used.add(match)
        for key, value in candidate.items():
            if _empty(out[match].get(key)) and not _empty(value):
                out[match][key] = value
    return out


def _same_step(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """One Beratungsfolge step seen by two sources: same Gremium, and same date where both know it."""
    if (a.get("organization") or "").casefold() != (b.get("organization") or "").casefold():
        return False
    return not (a.get("date") and b.get("date") and a["date"] != b["date"])


def _same_file(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return bool(a.get("name")) and (a.get("name") or "").casefold() == (b.get("name") or "").casefold()
