"""Small-number protection of KPI figures: primary and complementary suppression.

The rule, as a BI analyst reads it (k = MIN_CELL_SIZE, default 5):

1. A group resting on 1 to k-1 trajectories is suppressed whole (every figure null,
   `suppressed: true`). A group resting on none (a share whose cases cannot be measured
   yet, such as re-entry before its year has passed) is shown as n 0 without a value: 0
   is not a small number, and the reader must tell "not measurable yet" from "< 5". A
   count inside a group's details (closures per reason, the respondents of a
   satisfaction item, resolved complaints, goals partly achieved) of 1 to k-1 is
   suppressed too (null); a count of 0 is shown as 0, and every category is
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
Slot = tuple[int, tuple[str, ...]]  # (cell index, which number of it)
Part = tuple[int, tuple[str, ...], int]  # (cell index, path inside its details, count)
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
    keys = [tuple(c.key.items()) for c in cells]
    dims = list(cells[0].key) if cells else []
    groups: list[Atom] = [(key, c.n) for key, c in zip(keys, cells, strict=True)]
    # what the same figure without a breakdown shows: the totals a reader subtracts from
    grand = _shown_counts(protect([_total(cells)], k)[0]) if dims else {}
    escalated: set[int] = set()
    while True:
        primary = {i for i, (_, n) in enumerate(groups) if 0 < n < k} | escalated
        hidden_groups = complete(groups, primary, dims)
        hidden_parts = _hide_parts_of(cells, keys, hidden_groups, dims, k)
        # A complement that is itself given away (the only non-zero reason of a group, say)
        # protects nothing: where the reader's subtraction still reaches a small number,
        # another group is hidden and the pattern is worked out again.
        exposed = _exposed_groups(cells, hidden_groups, hidden_parts, grand, k)
        if not exposed:
            break
        escalated |= exposed
    return [
        _blank(c) if i in hidden_groups else _hide_parts(c, hidden_parts.get(i, set()))
        for i, c in enumerate(cells)
    ]


def _hide_parts_of(
    cells: Sequence[Cell], keys: Sequence[Key], hidden_groups: set[int], dims: list[str], k: int
) -> dict[int, set[tuple[str, ...]]]:
    hidden_parts: dict[int, set[tuple[str, ...]]] = defaultdict(set)
    for family, additive in _families(cells):
        atoms: list[Atom] = [
            ((*keys[index], ("part", part)), count) for index, part, count in family
        ]
        primary = {
            i
            for i, (index, _, count) in enumerate(family)
            if index in hidden_groups or 0 < count < k
        }
        for i in complete(atoms, primary, [*dims, "part"] if additive else dims):
            hidden_parts[family[i][0]].add(family[i][1])
    return hidden_parts


def _exposed_groups(
    cells: Sequence[Cell],
    hidden_groups: set[int],
    hidden_parts: Mapping[int, set[tuple[str, ...]]],
    grand: Mapping[tuple[str, ...], int],
    k: int,
) -> set[int]:
    """Shown groups to hide next, because subtraction recovers a number of 1..k-1 from what
    is shown: its own group where that is shown; where it is hidden already (a group alone
    in its row and its column, which no one-dimensional sum can complement, given away by
    the figure's total), the smallest shown non-zero group of the same sum.

    The reader knows every shown number, the figure's total (`grand`: what the request
    without a breakdown shows) and that a group's reasons add up to its n.
    """
    value: dict[Slot, int] = {}
    for index, cell in enumerate(cells):
        value[(index, ("n",))] = cell.n
        for _, part, count in _parts_of(cell):
            value[(index, part)] = count
    known = {
        atom: count
        for atom, count in value.items()
        if atom[0] not in hidden_groups and atom[1] not in hidden_parts.get(atom[0], set())
    }
    equations: list[tuple[list[Slot], Slot | None, int]] = []
    for name, total in grand.items():
        members = [(i, name) for i in range(len(cells)) if (i, name) in value]
        equations.append((members, None, total))
    for index, cell in enumerate(cells):
        reasons: list[Slot] = [(index, ("breakdown", r)) for r in cell.extra.get("breakdown", {})]
        if reasons:
            equations.append((reasons, (index, ("n",)), 0))
    exposed: set[int] = set()
    progress = True
    while progress:
        progress = False
        for members, total_of, total in equations:
            if total_of is not None:
                if total_of not in known:
                    continue
                total = known[total_of]
            unknown = [m for m in members if m not in known]
            if len(unknown) != 1:
                continue
            known[unknown[0]] = total - sum(known[m] for m in members if m in known)
            if 0 < value[unknown[0]] < k:
                group = _to_hide(unknown[0], members, value, hidden_groups, cells)
                if group is not None:
                    exposed.add(group)
            progress = True
    return exposed


def _to_hide(
    recovered: Slot,
    members: Sequence[Slot],
    value: Mapping[Slot, int],
    hidden_groups: set[int],
    cells: Sequence[Cell],
) -> int | None:
    """The group whose hiding stops `recovered` being subtracted out of its sum's total."""
    if recovered[0] not in hidden_groups:
        return recovered[0]
    shown = [m for m in members if m[0] not in hidden_groups and value[m] > 0]
    if not shown:  # recovered through numbers recovered before: hide the smallest shown group
        shown = [(i, ("n",)) for i, c in enumerate(cells) if i not in hidden_groups and c.n > 0]
    if not shown:
        return None
    return min(shown, key=lambda m: (value[m], str(cells[m[0]].key)))[0]


def _total(cells: Sequence[Cell]) -> Cell:
    """The counts of the same population without a breakdown."""
    breakdown: dict[str, int] = defaultdict(int)
    items: dict[str, int] = defaultdict(int)
    extra: dict[str, Any] = {}
    for cell in cells:
        for name, count in cell.extra.get("breakdown", {}).items():
            breakdown[name] += count
        for name, stats in cell.extra.get("items", {}).items():
            items[name] += stats["n"]
    if any("breakdown" in c.extra for c in cells):
        extra["breakdown"] = dict(breakdown)
    if items:
        extra["items"] = {name: {"n": n} for name, n in items.items()}
    resolutions = [
        c.extra["resolution"].n
        for c in cells
        if isinstance(c.extra.get("resolution"), DurationStats)
    ]
    if resolutions:
        extra["resolution"] = DurationStats(sum(resolutions), None, None, None)
    if any("partly" in c.extra for c in cells):
        extra["partly"] = sum(c.extra.get("partly") or 0 for c in cells)
    return Cell(key={}, n=sum(c.n for c in cells), extra=extra)


def _shown_counts(cell: Cell) -> dict[tuple[str, ...], int]:
    """Every count a protected cell shows, by its place (hidden ones left out)."""
    if cell.suppressed:
        return {}
    shown: dict[tuple[str, ...], int] = {("n",): cell.n}
    extra = cell.extra
    shown |= {("breakdown", r): c for r, c in extra.get("breakdown", {}).items() if c is not None}
    shown |= {("items", i): s["n"] for i, s in extra.get("items", {}).items() if s["n"] is not None}
    resolution = extra.get("resolution")
    if isinstance(resolution, dict) and resolution.get("n") is not None:
        shown[("resolution",)] = resolution["n"]
    if extra.get("partly") is not None:
        shown[("partly",)] = extra["partly"]
    return shown


def _parts_of(cell: Cell) -> list[Part]:
    return [part for family, _ in _families([cell]) for part in family]


def _with_all_categories(cell: Cell, breakdown: str | None) -> Cell:
    if "breakdown" not in cell.extra or breakdown not in BREAKDOWN_CATEGORIES:
        return cell
    counts = dict.fromkeys(BREAKDOWN_CATEGORIES[breakdown], 0) | cell.extra["breakdown"]
    return replace(cell, extra={**cell.extra, "breakdown": counts})


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
