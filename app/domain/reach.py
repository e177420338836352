"""What a client may see and do, as data: its scopes, its municipality and its teams.

One rule decides whether one client's reach covers another's: an admin may create, list,
rotate or revoke only clients it covers, so it can never hand out (or take over, by
rotation) more than it holds itself. A municipality-limited admin covers only clients of
that municipality; a team-limited admin only clients limited to some of its teams; no
admin covers a client with a scope it lacks.
"""

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Reach:
    scopes: frozenset[str]
    municipality: str | None = None  # None: every municipality (a regional client)
    teams: frozenset[str] | None = None  # None: every team

    @classmethod
    def of(
        cls, scopes: Iterable[str], municipality: str | None, teams: Iterable[str] | None
    ) -> "Reach":
        return cls(frozenset(scopes), municipality, frozenset(teams) if teams else None)

    def covers(self, other: "Reach") -> bool:
        return (
            other.scopes <= self.scopes
            and (self.municipality is None or other.municipality == self.municipality)
            and (self.teams is None or (other.teams is not None and other.teams <= self.teams))
        )

    def sees_teams(self, teams: Iterable[str] | None) -> bool:
        """Whether everything resting on `teams` (None: every team) lies inside this reach."""
        if self.teams is None:
            return True
        return teams is not None and set(teams) <= self.teams

    def why_not(self, other: "Reach") -> str:
        """In words, why `other` lies outside this reach (for a 403 an admin reads)."""
        if not other.scopes <= self.scopes:
            extra = ", ".join(sorted(other.scopes - self.scopes))
            return f"this client cannot grant scopes it does not hold ({extra})"
        if self.municipality is not None and other.municipality != self.municipality:
            return f"this client manages clients of municipality {self.municipality} only"
        teams = ", ".join(sorted(self.teams or ()))
        return f"this client manages clients limited to its teams ({teams}) only"
