"""Synthetic, seeded event streams that look like a mid-sized municipality's wijkteam.

Nothing here is personal data: client and professional references are random pseudonyms.
The same seed always gives the same events, so tests and benchmarks are reproducible.

    python -m scripts.generate_events --trajectories 1000 --seed 7 --out events.ndjson
    python -m scripts.generate_events --trajectories 1000 --post http://127.0.0.1:8000
"""

import argparse
import math
import os
import random
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import orjson
from tqdm import tqdm

from app.domain.calendar import MUNICIPAL_TZ
from scripts.pseudonymise import as_letters

TEAMS: dict[str, list[str]] = {
    "noord": ["holtenbroek", "aa-landen", "berkum"],
    "zuid": ["assendorp", "wipstrik", "schelle"],
    "oost": ["diezerpoort", "dieze-oost", "vechtlanden"],
    "west": ["westenholte", "spoolde", "voorst"],
    "centrum": ["binnenstad", "kamperpoort"],
    "stadshagen": ["stadshagen", "breezicht"],
}
DOMAINS = {
    "wmo": 45,
    "jeugdwet": 25,
    "participatiewet": 10,
    "schuldhulp": 10,
    "leerplicht": 5,
    "other": 5,
}
CHANNELS = {
    "phone": 35,
    "walk_in": 10,
    "email": 15,
    "referral_gp": 15,
    "referral_partner": 15,
    "school": 5,
    "other": 5,
}
AGE_BANDS_ADULT = {"18-26": 12, "27-44": 25, "45-66": 28, "67-79": 20, "80+": 15}
PROBLEM_AREAS = [
    "mobility",
    "household",
    "finances",
    "housing",
    "parenting",
    "mental_health",
    "loneliness",
    "daily_structure",
]
SOURCES = ["own_capacity", "usual_help", "informal_care", "social_network", "social_base"]
PROVISIONS = [
    "huishoudelijke_hulp",
    "begeleiding_individueel",
    "dagbesteding",
    "hulpmiddelen",
    "woningaanpassing",
    "jeugdhulp_ambulant",
]
CLOSE_REASONS = {
    "goals_achieved": 55,
    "referred_specialist": 10,
    "referred_social_base": 15,
    "client_withdrew": 10,
    "moved": 6,
    "deceased": 2,
    "other": 2,
}
SATISFACTION_ITEMS = [
    "overall",
    "listenedTo",
    "knewWhereToGo",
    "helpedQuickly",
    "takenSeriously",
    "searchedTogether",
    "qualityGood",
    "fitsRequest",
    "betterDoThings",
    "betterCope",
    "betterQualityOfLife",
]


def _pick(rnd: random.Random, weights: dict[str, int]) -> str:
    return rnd.choices(list(weights), weights=list(weights.values()))[0]


def _days(rnd: random.Random, mean: float) -> int:
    """A skewed waiting time: most cases quick, a long tail (geometric)."""
    return int(rnd.expovariate(1 / mean)) if mean > 0 else 0


@dataclass
class _Story:
    rnd: random.Random
    trajectory_id: str
    municipality: str | None
    horizon: date
    events: list[dict[str, Any]]
    day: date

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rnd.getrandbits(128), version=4))

    def at(self, day: date) -> str:
        moment = datetime.combine(
            day, time(8 + self.rnd.randrange(9), self.rnd.randrange(60)), MUNICIPAL_TZ
        )
        return moment.isoformat()

    def emit(self, after_days: int, event_type: str, data: dict[str, Any] | None = None) -> bool:
        """Add an event `after_days` after the previous one; False once past the horizon."""
        self.day += timedelta(days=after_days)
        if self.day > self.horizon:
            return False
        body: dict[str, Any] = {
            "eventId": self.uuid(),
            "trajectoryId": self.trajectory_id,
            "type": event_type,
            "occurredAt": self.at(self.day),
        }
        if self.municipality:
            body["municipality"] = self.municipality
        if data is not None:
            body["data"] = data
        self.events.append(body)
        return True


def _professional(rnd: random.Random, team: str) -> str:
    return f"prof-{team}-{rnd.randrange(12):02d}"


def trajectory_events(
    rnd: random.Random,
    trajectory_id: str,
    client_ref: str,
    opened_on: date,
    horizon: date,
    municipality: str | None = None,
) -> list[dict[str, Any]]:
    """One trajectory's events in time order, cut off at `horizon` (still open past it)."""
    story = _Story(rnd, trajectory_id, municipality, horizon, [], opened_on)
    team = rnd.choice(list(TEAMS))
    domain = _pick(rnd, DOMAINS)
    age_band = "0-17" if domain in ("jeugdwet", "leerplicht") else _pick(rnd, AGE_BANDS_ADULT)
    prof = _professional(rnd, team)
    opened = {
        "clientRef": client_ref,
        "domain": domain,
        "district": rnd.choice(TEAMS[team]),
        "team": team,
        "channel": _pick(rnd, CHANNELS),
        "ageBand": age_band,
    }
    if not story.emit(0, "trajectory.opened", opened):
        return story.events

    def step(after: int, name: str, outcome: str | None = None, **extra: Any) -> bool:
        data: dict[str, Any] = {"step": name, "professionalRef": prof, **extra}
        if outcome:
            data["outcome"] = outcome
        return story.emit(after, "step.completed", data)

    if not step(_days(rnd, 5), "request"):
        return story.events
    if rnd.random() < 0.06:
        story.emit(
            _days(rnd, 2), "term.suspended", {"term": "assessment", "reason": "wacht op informatie"}
        )
        story.emit(3 + _days(rnd, 6), "term.resumed", {"term": "assessment"})
    if not step(
        _days(rnd, 4), "problems", problemAreas=rnd.sample(PROBLEM_AREAS, rnd.randint(1, 3))
    ):
        return story.events
    if not step(_days(rnd, 3), "need"):
        return story.events
    network = _pick(rnd, {"sufficient": 25, "partial": 45, "insufficient": 30})
    if rnd.random() < 0.01:  # a mistaken registration, retracted the next day
        wrong = "sufficient" if network != "sufficient" else "insufficient"
        if step(_days(rnd, 2), "own_network", wrong, sources=["own_capacity"]):
            story.emit(1, "event.retracted", {"retracts": story.events[-1]["eventId"]})
    if not step(
        _days(rnd, 5), "own_network", network, sources=rnd.sample(SOURCES, rnd.randint(1, 3))
    ):
        return story.events
    if network == "sufficient":
        story.emit(_days(rnd, 7), "support.started", {"kind": "social_base"})
        _close(story, rnd, 20, "referred_social_base")
        return story.events
    own = _pick(rnd, {"sufficient": 35, "partial": 25, "insufficient": 25, "not_applicable": 15})
    extra: dict[str, Any] = (
        {"reason": "specialistische expertise nodig"}
        if own == "not_applicable"
        else {"hours": round(rnd.uniform(1, 40), 1)}
    )
    if not step(_days(rnd, 4), "own_input", own, **extra):
        return story.events
    if own == "sufficient":
        story.emit(_days(rnd, 2), "support.started", {"kind": "own_input"})
        _plan_and_evaluate(story, rnd)
        _close(story, rnd, 60)
        return story.events
    _provision(story, rnd, step, domain)
    return story.events


def _provision(story: _Story, rnd: random.Random, step: Any, domain: str) -> None:
    if not story.emit(_days(rnd, 2), "application.received", {}):
        return
    expert = rnd.random() < 0.2
    if expert:
        story.emit(_days(rnd, 2), "expert_advice.requested", {"discipline": "arts"})
        story.emit(2 + _days(rnd, 8), "expert_advice.received", {"discipline": "arts"})
    outcome = _pick(rnd, {"granted": 75, "not_needed": 10, "refused": 15})
    category = rnd.choice(PROVISIONS[-1:] if domain == "jeugdwet" else PROVISIONS[:-1])
    if not step(
        _days(rnd, 6),
        "provision",
        outcome,
        provisionCategory=category,
        provider=f"aanbieder-{rnd.randrange(30):02d}",
        expertAdviceRequired=expert,
    ):
        return
    result = {"granted": "granted", "not_needed": "refused", "refused": "refused"}[outcome]
    if outcome == "granted" and rnd.random() < 0.1:
        result = "partly_granted"
    story.emit(_days(rnd, 4), "decision.issued", {"result": result})
    if outcome != "granted":
        _close(story, rnd, 10, "other" if outcome == "refused" else "goals_achieved")
        return
    story.emit(
        _days(rnd, 14),
        "support.started",
        {"kind": "provision", "provider": f"aanbieder-{rnd.randrange(30):02d}"},
    )
    _plan_and_evaluate(story, rnd)
    if rnd.random() < 0.04:
        category = rnd.choice(["bejegening", "wachttijd", "kwaliteit"])
        story.emit(_days(rnd, 20), "complaint.received", {"category": category})
        story.emit(_days(rnd, 14), "complaint.resolved", {"category": category})
    _close(story, rnd, 120)


def _plan_and_evaluate(story: _Story, rnd: random.Random) -> None:
    goals = [{"id": f"g{i + 1}"} for i in range(rnd.randint(1, 3))]
    lead = _pick(rnd, {"resident": 30, "network": 15, "wijkteam": 40, "provider": 15})
    if not story.emit(_days(rnd, 3), "plan.recorded", {"goals": goals, "caseLead": lead}):
        return
    for goal in goals:
        result = _pick(rnd, {"achieved": 60, "partly": 25, "not_achieved": 15})
        story.emit(_days(rnd, 30), "goal.evaluated", {"goalId": goal["id"], "result": result})


def _close(story: _Story, rnd: random.Random, mean_days: float, reason: str | None = None) -> None:
    if rnd.random() < 0.55:
        scores = {
            item: min(5, max(1, round(rnd.gauss(3.9, 0.9))))
            for item in rnd.sample(SATISFACTION_ITEMS, rnd.randint(2, 11))
        }
        story.emit(_days(rnd, mean_days / 2), "satisfaction.recorded", {"scores": scores})
    story.emit(
        _days(rnd, mean_days / 2),
        "trajectory.closed",
        {"reason": reason or _pick(rnd, CLOSE_REASONS)},
    )


@dataclass(frozen=True)
class Pattern:
    """How openings spread over time: `trend` is the growth per year relative to the
    start (0.3: a year later 30 % more openings a day), `season` the amplitude of a
    yearly cycle (0.4: the busiest month 40 % above the year's mean, the quietest 40 %
    below) peaking in `peak_month`. The default is no pattern: openings uniform in time."""

    trend: float = 0.0
    season: float = 0.0
    peak_month: int = 2

    def weight(self, day: date, start: date) -> float:
        years = (day - start).days / 365.25
        angle = (
            2 * math.pi * ((day.timetuple().tm_yday - 1) / 365.25 - (self.peak_month - 0.5) / 12)
        )
        return (1 + self.trend * years) * (1 + self.season * math.cos(angle))


def _opening_day(rnd: random.Random, start: date, span: int, pattern: Pattern) -> date:
    """A day in [start, start + span], drawn with the pattern's weights (by rejection)."""
    if pattern == Pattern():
        return start + timedelta(days=rnd.randrange(span + 1))
    most = (1 + max(0.0, pattern.trend) * span / 365.25) * (1 + abs(pattern.season))
    while True:
        day = start + timedelta(days=rnd.randrange(span + 1))
        if rnd.random() * most <= pattern.weight(day, start):
            return day


def generate(
    trajectories: int,
    seed: int = 1,
    start: date = date(2025, 1, 1),
    end: date = date(2026, 10, 31),
    municipality: str | None = None,
    pattern: Pattern = Pattern(),
) -> Iterator[dict[str, Any]]:
    """Events of `trajectories` cases opened between start and end, in time order per case."""
    rnd = random.Random(seed)
    span = (end - start).days
    horizon = end + timedelta(days=30)
    clients: list[str] = []
    for number in range(trajectories):
        if clients and rnd.random() < 0.08:
            client_ref = rnd.choice(clients)  # a resident who comes back: re-entry
        else:
            client_ref = "client-" + as_letters(f"{rnd.getrandbits(64):016x}")
            clients.append(client_ref)
        opened_on = _opening_day(rnd, start, span, pattern)
        yield from trajectory_events(
            rnd, f"SWT-{seed:04d}-{number:07d}", client_ref, opened_on, horizon, municipality
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--trajectories", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--shuffle", action="store_true", help="deliver in random order")
    parser.add_argument("--out", type=Path, help="write NDJSON here ('-' for stdout)")
    parser.add_argument("--post", metavar="BASE_URL", help="post to BASE_URL/api/v1/events/batch")
    parser.add_argument("--batch-size", type=int, default=5000)
    parser.add_argument(
        "--from",
        dest="start",
        type=date.fromisoformat,
        default=date(2025, 1, 1),
        help="first day a trajectory may open (ISO date)",
    )
    parser.add_argument(
        "--to",
        dest="end",
        type=date.fromisoformat,
        default=date(2026, 10, 31),
        help="last day a trajectory may open (ISO date)",
    )
    parser.add_argument(
        "--trend",
        type=float,
        default=0.0,
        help="growth of the openings per year (0.3: 30 %% more a year later)",
    )
    parser.add_argument(
        "--season",
        type=float,
        default=0.0,
        help="amplitude of a yearly cycle in the openings (0.4: busiest month +40 %%)",
    )
    parser.add_argument(
        "--peak-month",
        type=int,
        default=2,
        choices=range(1, 13),
        metavar="1-12",
        help="the busiest month of the yearly cycle",
    )
    parser.add_argument(
        "--token",
        default=os.environ.get("WIJKTEAM_TOKEN"),
        help="bearer token for --post (default: $WIJKTEAM_TOKEN); the client needs events:write",
    )
    args = parser.parse_args(argv)
    if args.post and not args.token:
        parser.error("--post needs --token (or WIJKTEAM_TOKEN) of a client with events:write")
    pattern = Pattern(args.trend, args.season, args.peak_month)
    events = list(generate(args.trajectories, args.seed, args.start, args.end, pattern=pattern))
    if args.shuffle:
        random.Random(args.seed).shuffle(events)
    if args.post:
        return _post(events, args.post, args.batch_size, args.token)
    out = sys.stdout.buffer if args.out in (None, Path("-")) else args.out.open("wb")
    for body in events:
        out.write(orjson.dumps(body) + b"\n")
    out.flush()
    print(f"{len(events)} events of {args.trajectories} trajectories", file=sys.stderr)
    return 0


def _post(events: list[dict[str, Any]], base_url: str, batch_size: int, token: str | None) -> int:
    import httpx

    headers = {"Content-Type": "application/x-ndjson"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    rejected = 0
    with (
        httpx.Client(base_url=base_url, timeout=600, headers=headers) as client,
        tqdm(total=len(events), desc="posting", unit=" events", file=sys.stderr) as bar,
    ):
        for start in range(0, len(events), batch_size):
            chunk = events[start : start + batch_size]
            try:
                response = client.post(
                    "/api/v1/events/batch", content=b"\n".join(orjson.dumps(e) for e in chunk)
                )
            except httpx.HTTPError as exc:
                print(f"\ncould not reach {base_url}: {exc}", file=sys.stderr)
                return 2
            if response.status_code != 200:
                # The service answers problem+json: its title and detail say what is wrong.
                problem = response.json() if response.content else {}
                detail = problem.get("detail") or problem.get("title") or response.text[:200]
                print(f"\nthe service refused the batch ({response.status_code}): {detail}",
                      file=sys.stderr)  # fmt: skip
                return 2
            rejected += response.json()["rejected"]
            bar.update(len(chunk))
    print(f"posted {len(events)} events, {rejected} rejected", file=sys.stderr)
    return 1 if rejected else 0


if __name__ == "__main__":
    raise SystemExit(main())
