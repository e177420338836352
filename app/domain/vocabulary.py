"""The closed value lists of docs/domain.md, as string enums shared by schemas, models and rules."""

from enum import StrEnum


class Step(StrEnum):
    """The six CRvB steps, in their prescribed order."""

    REQUEST = "request"
    PROBLEMS = "problems"
    NEED = "need"
    OWN_NETWORK = "own_network"
    OWN_INPUT = "own_input"
    PROVISION = "provision"

    @property
    def number(self) -> int:
        return _STEP_NUMBERS[self]


# Looked up for every step of every trajectory the audit checks: computed once (listing
# an enum's members builds them anew each time).
_STEP_NUMBERS = {step: number for number, step in enumerate(Step, start=1)}
STEPS: tuple[Step, ...] = tuple(Step)


class LawDomain(StrEnum):
    WMO = "wmo"
    JEUGDWET = "jeugdwet"
    PARTICIPATIEWET = "participatiewet"
    LEERPLICHT = "leerplicht"
    SCHULDHULP = "schuldhulp"
    OTHER = "other"


class Channel(StrEnum):
    PHONE = "phone"
    WALK_IN = "walk_in"
    EMAIL = "email"
    REFERRAL_GP = "referral_gp"
    REFERRAL_PARTNER = "referral_partner"
    SCHOOL = "school"
    OTHER = "other"


class AgeBand(StrEnum):
    UNDER_18 = "0-17"
    YOUNG_ADULT = "18-26"
    ADULT = "27-44"
    MIDDLE = "45-66"
    SENIOR = "67-79"
    ELDERLY = "80+"


class EventType(StrEnum):
    TRAJECTORY_OPENED = "trajectory.opened"
    STEP_COMPLETED = "step.completed"
    APPLICATION_RECEIVED = "application.received"
    EXPERT_ADVICE_REQUESTED = "expert_advice.requested"
    EXPERT_ADVICE_RECEIVED = "expert_advice.received"
    DECISION_ISSUED = "decision.issued"
    SUPPORT_STARTED = "support.started"
    SUPPORT_ENDED = "support.ended"
    PLAN_RECORDED = "plan.recorded"
    GOAL_EVALUATED = "goal.evaluated"
    SATISFACTION_RECORDED = "satisfaction.recorded"
    TERM_SUSPENDED = "term.suspended"
    TERM_RESUMED = "term.resumed"
    TERM_EXTENDED = "term.extended"
    COMPLAINT_RECEIVED = "complaint.received"
    COMPLAINT_RESOLVED = "complaint.resolved"
    TRAJECTORY_CLOSED = "trajectory.closed"
    TRAJECTORY_REOPENED = "trajectory.reopened"
    EVENT_RETRACTED = "event.retracted"


class NetworkOutcome(StrEnum):
    """Outcome of step 4 (own network) and, with NOT_APPLICABLE, of step 5 (own input)."""

    SUFFICIENT = "sufficient"
    PARTIAL = "partial"
    INSUFFICIENT = "insufficient"
    NOT_APPLICABLE = "not_applicable"


class ProvisionOutcome(StrEnum):
    GRANTED = "granted"
    NOT_NEEDED = "not_needed"
    REFUSED = "refused"


class NetworkSource(StrEnum):
    OWN_CAPACITY = "own_capacity"
    USUAL_HELP = "usual_help"
    INFORMAL_CARE = "informal_care"
    SOCIAL_NETWORK = "social_network"
    SOCIAL_BASE = "social_base"


class DecisionResult(StrEnum):
    GRANTED = "granted"
    REFUSED = "refused"
    PARTLY_GRANTED = "partly_granted"


class SupportKind(StrEnum):
    OWN_INPUT = "own_input"
    PROVISION = "provision"
    SOCIAL_BASE = "social_base"


class CaseLead(StrEnum):
    RESIDENT = "resident"
    NETWORK = "network"
    WIJKTEAM = "wijkteam"
    PROVIDER = "provider"


class GoalResult(StrEnum):
    ACHIEVED = "achieved"
    PARTLY = "partly"
    NOT_ACHIEVED = "not_achieved"


class Term(StrEnum):
    ASSESSMENT = "assessment"
    DECISION = "decision"


class CloseReason(StrEnum):
    GOALS_ACHIEVED = "goals_achieved"
    REFERRED_SPECIALIST = "referred_specialist"
    REFERRED_SOCIAL_BASE = "referred_social_base"
    CLIENT_WITHDREW = "client_withdrew"
    MOVED = "moved"
    DECEASED = "deceased"
    OTHER = "other"


class TrajectoryStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class SatisfactionItem(StrEnum):
    """CEO Wmo client-experience items, scored 1..5 (agreement scale)."""

    OVERALL = "overall"
    LISTENED_TO = "listenedTo"
    KNEW_WHERE_TO_GO = "knewWhereToGo"
    HELPED_QUICKLY = "helpedQuickly"
    TAKEN_SERIOUSLY = "takenSeriously"
    SEARCHED_TOGETHER = "searchedTogether"
    QUALITY_GOOD = "qualityGood"
    FITS_REQUEST = "fitsRequest"
    BETTER_DO_THINGS = "betterDoThings"
    BETTER_COPE = "betterCope"
    BETTER_QUALITY_OF_LIFE = "betterQualityOfLife"
