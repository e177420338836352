"""The risk that an open legal term is missed, learned from the municipality's own terms
whose outcome is known.

Only facts of the process go in: which term (assessment or decision), the law domain,
how much of the term is left on the day, and for an assessment how many of steps 1-4
are done. Never the resident's age band, district, channel or anything else about the
person: this ranks work, not people (no profiling of residents). Suspensions are left
out: what the projection keeps is their total over the whole term, which a term that
is still open cannot know yet.

Each term whose outcome is known gives one example a week from its start while it was
open and not yet due ("on this day, with this much left and these steps done, was it
missed in the end?"); a logistic regression (statsmodels GLM, binomial, slightly
ridge-penalised so that a domain without misses does not drive a weight to infinity)
turns an open term's facts on the day into a probability. Its quality is measured on
the terms due in the last HELD_OUT_DAYS before the day, with a model fitted on those due
before them only: the Brier score against always saying the base rate, and a
reliability table (in each band of predicted risk, how many were missed).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise

import numpy as np
from numpy.typing import NDArray
from statsmodels.api import GLM
from statsmodels.genmod.families import Binomial

SNAPSHOT_DAYS = 7
HELD_OUT_DAYS = 120
MIN_EXAMPLES = 200
MIN_OF_EACH = 20  # missed and met, in the examples the model learns from
RIDGE = 1e-3
RELIABILITY_BANDS = (0.0, 0.1, 0.25, 0.5, 0.75, 1.0)
FEATURES = (
    "intercept",
    "decision term",
    "domain jeugdwet",
    "domain other",
    "share of the term left",
    "share of the term left, squared",
    "share of steps 1-4 done (assessment)",
)
ASSESSMENT_STEPS = 4


class TooFewTerms(ValueError):
    """Too few terms with a known outcome to learn from, or to test on."""


@dataclass(frozen=True)
class Term:
    """One legal term's process facts: nothing about the resident."""

    trajectory_id: str
    kind: str  # "assessment" or "decision"
    domain: str | None
    started_on: date  # the melding (assessment) or the aanvraag (decision)
    due_on: date
    done_on: date | None  # step 4 done (assessment) or the decision, when known
    steps_done_on: tuple[date | None, ...] = ()  # steps 1-4 (assessment)

    def outcome(self, day: date) -> bool | None:
        """Missed (True), met (False), or not known on `day`."""
        done = self.done_on if self.done_on is not None and self.done_on <= day else None
        if done is not None:
            return done > self.due_on
        return True if self.due_on < day else None

    def open_on(self, day: date) -> bool:
        """Running and not yet due: what a risk is given for."""
        running = self.done_on is None or self.done_on > day
        return running and self.started_on <= day <= self.due_on


@dataclass(frozen=True)
class ReliabilityBand:
    low: float
    high: float
    predicted: float  # the mean predicted risk of the examples in the band
    observed: float  # the share of them that were missed
    examples: int


@dataclass(frozen=True)
class RiskQuality:
    examples: int  # held-out examples
    base_rate: float  # the share missed among the training examples
    brier: float
    brier_base_rate: float  # the Brier score of always saying the base rate
    reliability: tuple[ReliabilityBand, ...]

    @property
    def beats_base_rate(self) -> bool:
        return self.brier < self.brier_base_rate


@dataclass(frozen=True)
class RiskModel:
    weights: tuple[float, ...]
    examples: int  # what it was fitted on
    missed_share: float
    quality: RiskQuality

    def risk(self, term: Term, day: date) -> float:
        x = np.asarray(features(term, day), dtype=float)
        return float(1 / (1 + np.exp(-x @ np.asarray(self.weights))))


def features(term: Term, day: date) -> list[float]:
    length = max((term.due_on - term.started_on).days, 1)
    left = max(0.0, min(1.0, (term.due_on - day).days / length))
    steps = sum(1 for done in term.steps_done_on if done is not None and done <= day)
    return [
        1.0,
        1.0 if term.kind == "decision" else 0.0,
        1.0 if term.domain == "jeugdwet" else 0.0,
        1.0 if term.domain not in ("wmo", "jeugdwet") else 0.0,
        left,
        left * left,
        steps / ASSESSMENT_STEPS if term.kind == "assessment" else 0.0,
    ]


def learn(terms: Sequence[Term], day: date) -> RiskModel:
    """A model from every outcome known on `day`, tested on the terms due in the last
    HELD_OUT_DAYS with a model fitted on those due before them."""
    cut = day - timedelta(days=HELD_OUT_DAYS)
    train_x, train_y = _examples([t for t in terms if t.due_on < cut], cut)
    test_x, test_y = _examples([t for t in terms if cut <= t.due_on < day], day)
    if len(test_y) < MIN_EXAMPLES // 4:
        raise TooFewTerms(
            f"{len(test_y)} examples of terms due in the last {HELD_OUT_DAYS} days to test "
            f"on; at least {MIN_EXAMPLES // 4}"
        )
    quality = _quality(_fit(train_x, train_y), train_y, test_x, test_y)
    all_x, all_y = _examples(terms, day)
    weights = _fit(all_x, all_y)
    return RiskModel(tuple(float(w) for w in weights), len(all_y), float(all_y.mean()), quality)


def _examples(terms: Sequence[Term], day: date) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    rows: list[list[float]] = []
    labels: list[float] = []
    for term in terms:
        missed = term.outcome(day)
        if missed is None:
            continue
        ended = min(term.due_on, term.done_on or term.due_on)
        snapshot = term.started_on
        while snapshot < ended and snapshot <= day:
            rows.append(features(term, snapshot))
            labels.append(1.0 if missed else 0.0)
            snapshot += timedelta(days=SNAPSHOT_DAYS)
    return np.asarray(rows, dtype=float).reshape(-1, len(FEATURES)), np.asarray(labels)


def _fit(x: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[np.float64]:
    missed = int(y.sum())
    if len(y) < MIN_EXAMPLES or min(missed, len(y) - missed) < MIN_OF_EACH:
        raise TooFewTerms(
            f"{len(y)} examples ({missed} missed) of terms with a known outcome; at least "
            f"{MIN_EXAMPLES}, with {MIN_OF_EACH} missed and {MIN_OF_EACH} met"
        )
    fitted = GLM(y, x, family=Binomial()).fit_regularized(alpha=RIDGE, L1_wt=0.0)
    return np.asarray(fitted.params, dtype=float)


def _quality(
    weights: NDArray[np.float64],
    train_y: NDArray[np.float64],
    test_x: NDArray[np.float64],
    test_y: NDArray[np.float64],
) -> RiskQuality:
    predicted = 1 / (1 + np.exp(-test_x @ weights))
    base = float(train_y.mean())
    bands = []
    for low, high in pairwise(RELIABILITY_BANDS):
        inside = (predicted >= low) & ((predicted < high) | (high == 1.0))
        if inside.any():
            bands.append(
                ReliabilityBand(
                    low,
                    high,
                    float(predicted[inside].mean()),
                    float(test_y[inside].mean()),
                    int(inside.sum()),
                )
            )
    return RiskQuality(
        examples=len(test_y),
        base_rate=base,
        brier=float(np.mean((predicted - test_y) ** 2)),
        brier_base_rate=float(np.mean((base - test_y) ** 2)),
        reliability=tuple(bands),
    )
