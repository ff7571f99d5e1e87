"""One line of plain text for a recorded change (``PaperChange``), for tables, feeds and watches."""

from __future__ import annotations

from typing import Any

MAX = 100
STEP_KEYS = ("date", "organization", "meeting", "role", "result", "state")


def short(value: Any, limit: int = MAX) -> str:
    """A value as a short string: lists joined, long text cut, nothing as ``–``."""
    if value is None or value == "" or value == []:
        return "–"
    if isinstance(value, list):
        text = "; ".join(short(v, limit) for v in value)
    elif isinstance(value, dict):
        text = step_label(value) if "organization" in value or "date" in value else file_label(value)
    else:
        text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def step_label(step: dict[str, Any]) -> str:
    parts = [
        step.get("date") or "",
        step.get("organization") or "",
        f"({step['role']})" if step.get("role") else "",
    ]
    return " ".join(p for p in parts if p) or "step"


def file_label(item: dict[str, Any]) -> str:
    return item.get("name") or item.get("fileName") or item.get("accessUrl") or "file"


def describe(field: str, kind: str, old: Any, new: Any) -> str:
    """``field``/``kind`` as stored by :mod:`ratsinfo.store.papers` and :mod:`ratsinfo.track.changes`."""
    if field == "paper":
        if kind == "new":
            return "new paper"
        if kind == "removed":
            return "disappeared from the source"
    if field == "deleted":
        return "deleted at the source" if new else "restored at the source"
    if field == "consultation":
        if kind == "added":
            return f"Beratungsfolge: step added: {step_label(new or {})}{_result(new)}"
        if kind == "removed":
            return f"Beratungsfolge: step removed: {step_label(old or {})}"
        return f"Beratungsfolge: {step_label(new or {})}: {_step_diff(old or {}, new or {})}"
    if field == "file":
        if kind == "added":
            return f"file added: {file_label(new or {})}"
        if kind == "removed":
            return f"file removed: {file_label(old or {})}"
        return f"file changed: {file_label(new or old or {})}"
    if field.startswith("text."):
        title = field[5:]
        verb = {"added": "added", "removed": "removed"}.get(kind, "changed")
        return f"text section {title!r} {verb}"
    return f"{field}: {short(old)} → {short(new)}"


def _result(step: dict[str, Any] | None) -> str:
    return f": {step['result']}" if step and step.get("result") else ""


def _step_diff(old: dict[str, Any], new: dict[str, Any]) -> str:
    parts = []
    for key in STEP_KEYS:
        if old.get(key) != new.get(key):
            parts.append(f"{key} {short(old.get(key))} → {short(new.get(key))}")
    return "; ".join(parts) or "details changed"
