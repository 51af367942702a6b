"""Analyst review of a run: accept, edit or reject items, keep the decisions, apply and export them.

Pure by design (the widgets are thin shells over it): a Review is a pydantic value, every
operation returns a new one, and applying it to a RunResult gives a new, reviewed RunResult.
Which items a chain offers, and where they live in its output, come from the chain's own
`review_items` (id, label, fields, path), so this module knows no particular chain.

A review is bound to the article's sha256, so it cannot be loaded onto another article; each
decision keeps the item's fields as they were when decided, so a decision that no longer
matches its item (the chains were re-run and numbered differently) is reported, not applied.
"""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError

from toolkit.errors import ToolkitError
from toolkit.files import write_atomic
from toolkit.schema import RunResult

REVIEW_VERSION = "1"
Status = Literal["accepted", "edited", "rejected"]


class ReviewError(ToolkitError):
    """A review that does not fit its result (another article, a bad edit, an unknown item)."""

    cause = "review"


class Decision(BaseModel):
    status: Status
    #: the edited values (only for "edited"); keys are the item's editable fields
    fields: dict[str, Any] = Field(default_factory=dict)
    #: the item's fields when the decision was made, to detect a changed item
    original: dict[str, Any] = Field(default_factory=dict)
    note: str = ""
    decided_at: str = ""


class Review(BaseModel):
    review_version: str = REVIEW_VERSION
    article_sha256: str
    article_id: str | None = None
    result_created_at: str | None = None
    reviewer: str | None = None
    updated_at: str = ""
    #: chain name -> item id -> decision
    decisions: dict[str, dict[str, Decision]] = Field(default_factory=dict)
    #: chain name -> items the analyst added (complete, as the chain's `new_review_item` built them)
    added: dict[str, list[dict[str, Any]]] = Field(default_factory=dict)

    def decision(self, chain: str, item_id: str) -> Decision | None:
        return self.decisions.get(chain, {}).get(item_id)

    def status(self, chain: str, item_id: str) -> str:
        """accepted, edited, rejected, or pending when not decided yet."""
        found = self.decision(chain, item_id)
        return found.status if found else "pending"


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _chain(name: str) -> Any:
    from toolkit.plugins import get_chain

    return get_chain(name)


def new_review(result: RunResult, reviewer: str | None = None) -> Review:
    """An empty review bound to this result's article."""
    return Review(
        article_sha256=result.article.sha256,
        article_id=result.article.id,
        result_created_at=result.created_at,
        reviewer=reviewer,
        updated_at=_now(),
    )


def review_items(result: RunResult, chain: str) -> list[dict[str, Any]]:
    """The chain's reviewable items in the (unreviewed) result; empty if the chain failed."""
    run = result.chains.get(chain)
    if run is None or run.status != "ok" or chain not in result.outputs:
        return []
    return _chain(chain).review_items(result.output(chain))


def reviewable_chains(result: RunResult) -> list[str]:
    return [name for name in result.chains if review_items(result, name)]


def _find(result: RunResult, chain: str, item_id: str) -> dict[str, Any]:
    for item in review_items(result, chain):
        if item["id"] == item_id:
            return item
    raise ReviewError(f"{chain} has no item '{item_id}' to review")


def decide(
    review: Review,
    result: RunResult,
    chain: str,
    item_id: str,
    status: Status,
    fields: Mapping[str, Any] | None = None,
    note: str = "",
) -> Review:
    """A new review with this decision recorded; an edit is checked against the chain's schema."""
    if review.article_sha256 != result.article.sha256:
        raise ReviewError("this review belongs to another article (sha256 differs)")
    item = _find(result, chain, item_id)
    edits: dict[str, Any] = {}
    if status == "edited":
        unknown = set(fields or {}) - set(item["fields"])
        if unknown:
            raise ReviewError(f"{chain} {item_id}: cannot edit {sorted(unknown)} (editable: {sorted(item['fields'])})")
        edits = {k: v for k, v in (fields or {}).items() if v != item["fields"][k]}
        if not edits:
            status = "accepted"  # an edit that changes nothing is an acceptance
    out = review.model_copy(deep=True)
    out.decisions.setdefault(chain, {})[item_id] = Decision(
        status=status, fields=edits, original=dict(item["fields"]), note=note, decided_at=_now()
    )
    out.updated_at = _now()
    if status == "edited":
        try:
            apply_review(result, out)  # the edited value must fit the chain's schema
        except ReviewError as exc:
            raise ReviewError(f"{chain} {item_id}: edit not saved: {str(exc).split(': ', 1)[-1]}") from None
    return out


def accept(review: Review, result: RunResult, chain: str, item_id: str) -> Review:
    return decide(review, result, chain, item_id, "accepted")


def reject(review: Review, result: RunResult, chain: str, item_id: str, note: str = "") -> Review:
    return decide(review, result, chain, item_id, "rejected", note=note)


def edit(review: Review, result: RunResult, chain: str, item_id: str, **fields: Any) -> Review:
    return decide(review, result, chain, item_id, "edited", fields)


def add_item(review: Review, result: RunResult, chain: str, fields: Mapping[str, Any], article_text: str) -> Review:
    """A new review with an item the analyst adds (a claim by its quote, a pair of claims, ...)."""
    if review.article_sha256 != result.article.sha256:
        raise ReviewError("this review belongs to another article (sha256 differs)")
    reviewed = apply_review(result, review)
    if chain not in reviewed.outputs:
        raise ReviewError(f"{chain} has no output in this result to add to")
    chain_obj = _chain(chain)
    deps = {d: reviewed.output(d) for d in chain_obj.depends_on if d in reviewed.outputs}
    try:
        item = chain_obj.new_review_item(reviewed.output(chain), dict(fields), article_text, deps)
    except ValueError as exc:  # pydantic's ValidationError included
        raise ReviewError(f"{chain}: not added: {str(exc).splitlines()[0]}") from None
    out = review.model_copy(deep=True)
    out.added.setdefault(chain, []).append(item)
    out.updated_at = _now()
    apply_review(result, out)  # the added item must fit the chain's schema
    return out


def remove_added(review: Review, chain: str, item_id: str) -> Review:
    """A new review without this analyst-added item."""
    out = review.model_copy(deep=True)
    items = [i for i in out.added.get(chain, []) if i.get("id") != item_id]
    if len(items) == len(out.added.get(chain, [])):
        raise ReviewError(f"{chain} has no added item '{item_id}'")
    if items:
        out.added[chain] = items
    else:
        out.added.pop(chain, None)
    out.updated_at = _now()
    return out


def decide_pending(review: Review, result: RunResult, status: Status, chain: str | None = None) -> Review:
    """A new review where every pending item (of one chain, or all) gets this status."""
    out = review.model_copy(deep=True)
    for name in [chain] if chain else list(result.chains):
        for item in review_items(result, name):
            if out.status(name, item["id"]) == "pending":
                out.decisions.setdefault(name, {})[item["id"]] = Decision(
                    status=status, original=dict(item["fields"]), decided_at=_now()
                )
    out.updated_at = _now()
    return out


def undo(review: Review, chain: str, item_id: str) -> Review:
    """A new review without a decision on this item (back to pending)."""
    out = review.model_copy(deep=True)
    out.decisions.get(chain, {}).pop(item_id, None)
    if chain in out.decisions and not out.decisions[chain]:
        del out.decisions[chain]
    out.updated_at = _now()
    return out


def conflicts(result: RunResult, review: Review) -> list[str]:
    """Decisions that no longer match their item; apply_review skips them."""
    found = []
    for chain, decisions in review.decisions.items():
        items = {i["id"]: i for i in review_items(result, chain)}
        for item_id, d in decisions.items():
            item = items.get(item_id)
            if item is None:
                found.append(f"{chain} {item_id}: no such item in this result")
            elif d.original and d.original != item["fields"]:
                found.append(f"{chain} {item_id}: the item changed since it was reviewed")
    return found


def progress(result: RunResult, review: Review) -> dict[str, int]:
    """Counts of accepted, edited, rejected, pending and added items over all chains."""
    counts = {"accepted": 0, "edited": 0, "rejected": 0, "pending": 0}
    for chain in result.chains:
        for item in review_items(result, chain):
            counts[review.status(chain, item["id"])] += 1
    counts["added"] = sum(len(items) for items in review.added.values())
    return counts


def _locate(data: Any, path: Sequence[Any]) -> Any:
    for key in path:
        data = data[key]
    return data


def _apply_chain(
    chain: Any, output: BaseModel, decisions: Mapping[str, Decision], hide: Iterable[str] = ()
) -> BaseModel:
    items = {i["id"]: i for i in chain.review_items(output)}
    data = output.model_dump(mode="json")
    removals: list[tuple[Any, ...]] = []
    for item_id, item in items.items():
        d = decisions.get(item_id)
        if d is not None and d.original and d.original != item["fields"]:
            continue  # stale decision: see conflicts()
        path = tuple(item["path"])
        if item_id in hide or (d is not None and d.status == "rejected"):
            removals.append(path)
        elif d is not None and d.status == "edited":
            _locate(data, path).update(d.fields)
    # remove list elements from the back so earlier indices stay valid
    for path in sorted(removals, key=lambda p: [(-k if isinstance(k, int) else 0) for k in p]):
        container = _locate(data, path[:-1])
        del container[path[-1]]
    try:
        return chain.output_schema.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = str((first.get("loc") or ("value",))[-1])
        msg = first.get("msg", "invalid")
        raise ReviewError(f"{chain.name}: an edited {where} is not valid: {msg}") from None


def apply_review(result: RunResult, review: Review) -> RunResult:
    """The reviewed result: rejected items removed, edits applied, dependants made consistent.

    Chains are processed in the result's (dependency) order so each one is reconciled with its
    reviewed dependencies, e.g. a pair that lost a rejected claim disappears.
    """
    if review.article_sha256 != result.article.sha256:
        raise ReviewError("this review belongs to another article (sha256 differs)")
    reviewed: dict[str, BaseModel] = {}
    for name in result.chains:
        if name not in result.outputs:
            continue
        chain = _chain(name)
        output = _apply_chain(chain, result.output(name), review.decisions.get(name, {}))
        if review.added.get(name):
            try:
                output = chain.with_added_items(output, review.added[name])
            except ValueError as exc:
                raise ReviewError(f"{name}: an added item is not valid: {str(exc).splitlines()[0]}") from None
        deps = {d: reviewed[d] for d in chain.depends_on if d in reviewed}
        reviewed[name] = chain.reconcile(output, deps)
    outputs = {**{k: result.output(k) for k in result.outputs}, **reviewed}
    return result.model_copy(update={"outputs": outputs})


def without_items(chain_name: str, output: BaseModel, ids: Iterable[str]) -> BaseModel:
    """The output with these review items left out (the workbench's filters use it for views)."""
    return _apply_chain(_chain(chain_name), output, {}, hide=set(ids))


# --- persistence -------------------------------------------------------------------------------


def review_to_json(review: Review) -> str:
    return review.model_dump_json(indent=2) + "\n"


def review_from_json(text: str, result: RunResult | None = None) -> Review:
    """Parse a saved review; with a result, refuse a review made for another article."""
    try:
        review = Review.model_validate_json(text)
    except ValidationError as exc:
        raise ReviewError(f"not a review file: {exc.errors()[0].get('msg', 'invalid')}") from None
    if review.review_version != REVIEW_VERSION:
        raise ReviewError(f"review format {review.review_version} is not supported (expected {REVIEW_VERSION})")
    if result is not None and review.article_sha256 != result.article.sha256:
        raise ReviewError(
            f"this review was made for article {review.article_id or review.article_sha256[:12]} "
            f"(sha256 {review.article_sha256[:12]}), not {result.article.id or result.article.sha256[:12]} "
            f"(sha256 {result.article.sha256[:12]})"
        )
    return review


def review_path(result_path: str | Path) -> Path:
    """Where a result's review lives: next to it, `<name>.review.json`."""
    path = Path(result_path)
    return path.with_name(path.name.removesuffix(".json") + ".review.json")


def save(result: RunResult, review: Review, result_path: str | Path) -> tuple[Path, Path]:
    """Write the (unreviewed) result and its review side by side; both all-or-nothing."""
    path = Path(result_path)
    write_atomic(path, result.to_json() + "\n")
    write_atomic(review_path(path), review_to_json(review))
    return path, review_path(path)


def result_from_json(text: str) -> RunResult:
    """A RunResult from its JSON (a saved review travels beside it, not inside)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ReviewError(f"not a toolkit result: invalid JSON ({exc.msg} at line {exc.lineno})") from None
    if not isinstance(data, dict):
        raise ReviewError("not a toolkit result: expected a JSON object")
    data.pop("review", None)
    try:
        return RunResult.model_validate(data)
    except ValidationError as exc:
        raise ReviewError(f"not a toolkit result ({exc.errors()[0].get('msg', 'invalid')})") from None


def load(result_path: str | Path) -> tuple[RunResult, Review]:
    """Read a result and its review (a fresh review when none was saved yet)."""
    path = Path(result_path)
    try:
        result = result_from_json(path.read_text("utf-8"))
    except FileNotFoundError:
        raise ReviewError(f"{path}: no such file") from None
    except ReviewError as exc:
        raise ReviewError(f"{path}: {exc}") from None
    side = review_path(path)
    review = review_from_json(side.read_text("utf-8"), result) if side.exists() else new_review(result)
    return result, review


# --- export ------------------------------------------------------------------------------------


def export_json(result: RunResult, review: Review) -> str:
    """The reviewed result in the usual result schema, plus a `review` block (RunResult ignores it
    when read back, so tools that read results read this too)."""
    data = json.loads(apply_review(result, review).to_json())
    data["review"] = {
        **json.loads(review.model_dump_json()),
        "progress": progress(result, review),
        "conflicts": conflicts(result, review),
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def export_rows(result: RunResult, review: Review, *, include_rejected: bool = True) -> list[dict[str, Any]]:
    """Flat rows over every chain (chain, review status, then the chain's own columns).

    Rows follow the original order; edited items show their edited values, rejected ones their
    original values (or are left out with include_rejected=False).
    """
    reviewed = apply_review(result, review)
    rows: list[dict[str, Any]] = []
    for name, run in result.chains.items():
        if run.status != "ok" or name not in result.outputs:
            continue
        chain = _chain(name)
        reviewable = {i["id"] for i in chain.review_items(result.output(name))}
        after = {r.get("id"): r for r in chain.view.table_rows(reviewed.output(name))}
        before = chain.view.table_rows(result.output(name))
        for row in before:
            rid = row.get("id")
            status = review.status(name, rid) if rid in reviewable else ""
            if status == "rejected" and not include_rejected:
                continue
            if rid in reviewable and status != "rejected":
                row = after.get(rid, row)
            elif rid not in reviewable and rid in after:
                row = after[rid]  # derived rows (e.g. uncontested) as reconciled after review
            elif rid not in reviewable:
                continue  # a derived row the review removed
            rows.append({"chain": name, "review": status, **row})
        known = {r.get("id") for r in before}
        rows += [{"chain": name, "review": "", **r} for rid, r in after.items() if rid not in known]
    return rows


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        value = "; ".join(str(v) for v in value)
    elif isinstance(value, dict):
        value = json.dumps(value, ensure_ascii=False)
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        try:
            float(value)
        except ValueError:
            return "'" + value  # article text must not become a spreadsheet formula
    return value


def to_csv(rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None) -> str:
    """CSV text (header + rows); columns default to every key seen, in first-seen order."""
    if columns is None:
        seen: dict[str, None] = {}
        for row in rows:
            seen.update(dict.fromkeys(row))
        columns = list(seen)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_csv_cell(row.get(c)) for c in columns])
    return buffer.getvalue()


def export_csv(result: RunResult, review: Review, *, include_rejected: bool = True) -> str:
    return to_csv(export_rows(result, review, include_rejected=include_rejected))
