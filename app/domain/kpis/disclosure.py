"""Small-number protection of KPI figures: primary and complementary suppression.

The rule, as a BI analyst reads it (k = MIN_CELL_SIZE, default 5):

1. A group resting on fewer than k trajectories is suppressed whole (every figure null,
   `suppressed: true`). A count inside a group's details (closures per reason, the
   respondents of a satisfaction item, resolved complaints, goals partly achieved) of 1
   to k-1 is suppressed too (null); a count of 0 is shown as 0, and every category is
   always listed, so null always means "suppressed" and never "absent".
2. Complementary suppression, as CBS does it: wherever shown numbers add up to a total
   a reader can obtain (the group's own n for the closure reasons; the figure without one
   of the breakdown dimensions for a row or column of groups), never exactly one number
   of that sum is hidden. If it would be, the smallest other non-zero number of the same
   sum is hidden as well, and this repeats until every sum holds none or at least two
   hidden numbers. Subtracting shown numbers from a total then gives only the sum of two
   or more hidden ones.

Limits (documented, not prevented): every request is protected on its own. Tables of
different breakdowns of the same population (by team; by month; by team and month), or
differently filtered requests, can still be played off against each other where a table
is sparse (a team without cases in some month); that is why k is a setting.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, replace
from typing import Any

from app.domain.kpis.figures import Cell, DurationStats
from app.domain.vocabulary import CloseReason

# The categories of each detail breakdown: always all listed, 0 where absent.
BREAKDOWN_CATEGORIES: dict[str, tuple[str, ...]] = {
    "close_reason": tuple(r.value for r in CloseReason),
}

Key = tuple[tuple[str, Any], ...]
Atom = tuple[Key, int]  # (where it sits, its count)


def complete(atoms: Sequence[Atom], hidden: set[int], dims: Iterable[str]) -> set[int]:
    """Hide more atoms until no one-dimensional sum holds exactly one hidden atom.

    A sum along `dim` is every atom sharing the values of all other key components.
    """
    hidden = set(hidden)
    dims = tuple(dims)
    changed = True
    while changed:
        changed = False
        for dim in dims:
            sums: dict[Key, list[int]] = defaultdict(list)
            for index, (key, _) in enumerate(atoms):
                sums[tuple(kv for kv in key if kv[0] != dim)].append(index)
            for members in sums.values():
                if sum(1 for i in members if i in hidden) != 1:
                    continue
                shown = [i for i in members if i not in hidden and atoms[i][1] > 0]
                if shown:
                    hidden.add(min(shown, key=lambda i: (atoms[i][1], str(atoms[i][0]))))
                    changed = True
    return hidden


def protect(cells: Sequence[Cell], min_cell_size: int, breakdown: str | None = None) -> list[Cell]:
    """The cells as they may leave the service."""
    k = min_cell_size
    cells = [_with_all_categories(c, breakdown) for c in cells]
    group_keys = [tuple(c.key.items()) for c in cells]
    dims = list(cells[0].key) if cells else []
    groups: list[Atom] = [(key, c.n) for key, c in zip(group_keys, cells, strict=True)]
    hidden_groups = complete(groups, {i for i, (_, n) in enumerate(groups) if n < k}, dims)
    hidden_parts: dict[int, set[tuple[str, ...]]] = defaultdict(set)
    for family, additive in _families(cells):
        atoms: list[Atom] = []
        owners: list[tuple[int, tuple[str, ...]]] = []
        for index, part, count in family:
            atoms.append(((*group_keys[index], ("part", part)), count))
            owners.append((index, part))
        primary = {
            i
            for i, (owner, _) in enumerate(owners)
            if owner in hidden_groups or 0 < atoms[i][1] < k
        }
        slice_dims = [*dims, "part"] if additive else dims
        for i in complete(atoms, primary, slice_dims):
            hidden_parts[owners[i][0]].add(owners[i][1])
    return [
        _blank(c) if i in hidden_groups else _hide_parts(c, hidden_parts.get(i, set()))
        for i, c in enumerate(cells)
    ]


def _with_all_categories(cell: Cell, breakdown: str | None) -> Cell:
    if "breakdown" not in cell.extra or breakdown not in BREAKDOWN_CATEGORIES:
        return cell
    counts = dict.fromkeys(BREAKDOWN_CATEGORIES[breakdown], 0) | cell.extra["breakdown"]
    return replace(cell, extra={**cell.extra, "breakdown": counts})


Part = tuple[int, tuple[str, ...], int]  # (cell index, path inside its details, count)


def _families(cells: Sequence[Cell]) -> list[tuple[list[Part], bool]]:
    """Every countable detail, by kind: ((cell index, part path, count), ...), additive?

    Closure reasons add up to the group's n (additive: one hidden reason must not stand
    alone in its group either); satisfaction items, resolved complaints and partly
    achieved goals do not, but each adds up across groups.
    """
    reasons: list[Part] = []
    items: list[Part] = []
    resolution: list[Part] = []
    partly: list[Part] = []
    for index, cell in enumerate(cells):
        extra = cell.extra
        for name, count in extra.get("breakdown", {}).items():
            reasons.append((index, ("breakdown", name), count))
        for name, stats in extra.get("items", {}).items():
            items.append((index, ("items", name), stats["n"]))
        if isinstance(extra.get("resolution"), DurationStats):
            resolution.append((index, ("resolution",), extra["resolution"].n))
        if "partly" in extra:
            partly.append((index, ("partly",), extra["partly"]))
    return [(reasons, True), (items, False), (resolution, False), (partly, False)]


def _blank(cell: Cell) -> Cell:
    return Cell(key=cell.key, n=0, suppressed=True)


def _hide_parts(cell: Cell, hidden: set[tuple[str, ...]]) -> Cell:
    extra: dict[str, Any] = dict(cell.extra)
    if "breakdown" in extra:
        extra["breakdown"] = {
            name: None if ("breakdown", name) in hidden else count
            for name, count in extra["breakdown"].items()
        }
    if "items" in extra:
        extra["items"] = {
            name: _stats(stats, ("items", name) in hidden) for name, stats in extra["items"].items()
        }
    if isinstance(extra.get("resolution"), DurationStats):
        extra["resolution"] = _stats(asdict(extra["resolution"]), ("resolution",) in hidden)
    if ("partly",) in hidden:
        extra["partly"], extra["partlyShare"] = None, None
    return replace(cell, extra=extra)


def _stats(stats: Mapping[str, Any], hidden: bool) -> dict[str, Any]:
    if hidden:
        return {**dict.fromkeys(stats, None), "suppressed": True}
    return {**stats, "suppressed": False}
