"""Every KPI, defined once: the catalogue endpoint, the computation and the docs read this.

Adding a KPI means adding one `Kpi(...)` here (and a test with a worked example).
"""

from app.domain.kpis.spec import (
    Complaints,
    Count,
    Direction,
    DueNotPassed,
    Duration,
    GoalAttainment,
    Kpi,
    KpiType,
    NotAfter,
    NotNull,
    OneOf,
    OpenAt,
    PerTrajectory,
    Reentry,
    Reported,
    Satisfaction,
    Share,
    Stacking,
    all_of,
)

DAYS = "days"
SHARE = "share (0..1)"
RESOLVED = NotNull("resolution_step")

CATALOGUE: tuple[Kpi, ...] = (
    Kpi(
        id="waiting_time_intake",
        name_nl="Wachttijd en intake",
        name_en="Waiting time to intake",
        type=KpiType.PROCESS,
        definition="Days from the melding (trajectory.opened) to step 1 `request` completed.",
        unit=DAYS,
        measure=Duration(start="opened_on", end="step_request_on"),
        source_events=("trajectory.opened", "step.completed"),
        procedure="Local date of step 1 minus local date of the melding; counted in the period of step 1.",
        direction=Direction.LOWER,
        value_is="median",
    ),
    Kpi(
        id="waiting_time_support",
        name_nl="Wachttijd ondersteuning",
        name_en="Waiting time to support",
        type=KpiType.PROCESS,
        definition=(
            "Days from the first grant (step 6 `granted`, or a decision granted or partly "
            "granted) to support.started."
        ),
        unit=DAYS,
        measure=Duration(start="provision_granted_on", end="support_started_on"),
        source_events=("step.completed", "decision.issued", "support.started"),
        procedure="Counted in the period support starts; trajectories without a grant are left out.",
        direction=Direction.LOWER,
        value_is="median",
    ),
    Kpi(
        id="assessment_lead_time",
        name_nl="Doorlooptijd onderzoek",
        name_en="Assessment lead time",
        type=KpiType.PROCESS,
        definition=(
            "Days from the melding to the resolution of the assessment: the first of step 4 "
            "sufficient, step 5 sufficient, or step 6 done. Steps registered after the "
            "resolution do not move it."
        ),
        unit=DAYS,
        measure=Duration(start="opened_on", end="resolution_on"),
        source_events=("trajectory.opened", "step.completed"),
        procedure="Counted in the period of the resolution.",
        direction=Direction.LOWER,
        value_is="median",
    ),
    Kpi(
        id="lead_time",
        name_nl="Doorlooptijd",
        name_en="Lead time",
        type=KpiType.PROCESS,
        definition="Days from the melding to trajectory.closed (a reopened case: its final closure).",
        unit=DAYS,
        measure=Duration(start="opened_on", end="closed_on"),
        source_events=("trajectory.opened", "trajectory.closed", "trajectory.reopened"),
        procedure="Counted in the period of the closure.",
        direction=Direction.LOWER,
        value_is="median",
    ),
    Kpi(
        id="statutory_assessment_within_term",
        name_nl="Wettelijke termijn onderzoek",
        name_en="Assessment within the statutory term",
        type=KpiType.PROCESS,
        definition=(
            "Share of Wmo assessments (steps 1-4 done) finished within six weeks of the "
            "melding (Wmo 2015 art. 2.3.2): 42 days from the day after, plus the days of "
            "suspensions begun while the term ran, plus an extension agreed before the due "
            "date, moved past Saturdays, Sundays and the Algemene termijnenwet's days (art. 3 "
            "lid 1-3, declared days included; art. 2). The same due date as the assessment_term rule."
        ),
        unit=SHARE,
        measure=Share(
            period="assessment_done_on",
            population=all_of(OneOf("domain", ("wmo",)), NotNull("assessment_due_on")),
            numerator=NotAfter("assessment_done_on", "assessment_due_on"),
        ),
        source_events=(
            "trajectory.opened",
            "step.completed",
            "term.suspended",
            "term.resumed",
            "term.extended",
        ),
        procedure="Counted in the period in which step 4 (with steps 1-3) is done.",
        direction=Direction.HIGHER,
    ),
    Kpi(
        id="statutory_decision_within_term",
        name_nl="Wettelijke beslistermijn",
        name_en="Decision within the statutory term",
        type=KpiType.PROCESS,
        definition=(
            "Share of decisions issued within the term after the aanvraag: 14 days for the "
            "Wmo (art. 2.3.5), 8 weeks for the Jeugdwet and other domains (Awb 4:13), plus the "
            "days of suspensions begun while the term ran (Awb 4:15), plus one verdaging noticed "
            "before the due date (Awb 4:14), moved past Saturdays, Sundays and the Algemene "
            "termijnenwet's days (art. 3 lid 1-3, declared days included; art. 2). The same due "
            "date as the decision_term rule. Every aanvraag starts its own term, ended by the "
            "first decision issued after it, and counts once."
        ),
        unit=SHARE,
        measure=Share(
            period="decision_on",
            population=NotNull("decision_due_on"),
            numerator=NotAfter("decision_on", "decision_due_on"),
            over_applications=True,
        ),
        source_events=(
            "application.received",
            "decision.issued",
            "term.suspended",
            "term.resumed",
            "term.extended",
        ),
        procedure="Counted in the period of the decision; decisions without an aanvraag are left out.",
        direction=Direction.HIGHER,
    ),
    Kpi(
        id="satisfaction",
        name_nl="Cliëntervaringen",
        name_en="Client experience",
        type=KpiType.OUTCOME,
        definition=(
            "For the trajectories closed in the period, per CEO Wmo item: respondents, mean "
            "score (1-5), share scoring 4 or 5 and response rate (answering closed "
            "trajectories / closed trajectories, never above 1). Each trajectory counts with "
            "its latest answer per item (an item missing from a later response keeps its "
            "earlier answer). The value is the share scoring 4 or 5 on `overall`."
        ),
        unit=SHARE,
        measure=Satisfaction(),
        source_events=("satisfaction.recorded", "trajectory.closed"),
        procedure="Counted in the period of the closure (a reopened trajectory: its final closure).",
        direction=Direction.HIGHER,
        frequency="quarterly",
    ),
    Kpi(
        id="own_input_ratio",
        name_nl="Eigen inzet",
        name_en="Resolved without a provision",
        type=KpiType.OUTCOME,
        definition=(
            "Share of resolved trajectories resolved at step 4 or 5: by own network, social "
            "base or the team's own input, without a provision."
        ),
        unit=SHARE,
        measure=Share(
            period="resolution_on",
            population=RESOLVED,
            numerator=OneOf("resolution_step", ("own_network", "own_input")),
        ),
        source_events=("step.completed",),
        procedure="Resolution = first of step 4 sufficient, step 5 sufficient, step 6; its period counts.",
        direction=Direction.HIGHER,
    ),
    Kpi(
        id="social_base_ratio",
        name_nl="Meer oplossen in de sociale basis",
        name_en="Resolved in the social base",
        type=KpiType.OUTCOME,
        definition="Share of resolved trajectories resolved at step 4 (own network, social base).",
        unit=SHARE,
        measure=Share(
            period="resolution_on",
            population=RESOLVED,
            numerator=OneOf("resolution_step", ("own_network",)),
        ),
        source_events=("step.completed",),
        procedure="As own_input_ratio, numerator step 4 only.",
        direction=Direction.HIGHER,
    ),
    Kpi(
        id="provision_ratio",
        name_nl="Minder specialistische zorg",
        name_en="Resolved with a provision",
        type=KpiType.OUTCOME,
        definition="Share of resolved trajectories resolved at step 6 with a provision granted.",
        unit=SHARE,
        measure=Share(
            period="resolution_on",
            population=RESOLVED,
            numerator=all_of(
                OneOf("resolution_step", ("provision",)),
                OneOf("resolution_outcome", ("granted",)),
            ),
        ),
        source_events=("step.completed",),
        procedure="As own_input_ratio, numerator step 6 granted.",
        direction=Direction.LOWER,
    ),
    Kpi(
        id="complaints",
        name_nl="Klachten",
        name_en="Complaints",
        type=KpiType.OUTCOME,
        definition=(
            "Complaints received per 100 trajectories active in the period (open on any day "
            "of it by the state as of that day: an open period of the trajectory began on or "
            "before its end and was not closed before its start), and days to resolve the "
            "complaints resolved in the period. A resolution pairs with its complaint by "
            "`complaintId`, else with the earliest open complaint of the same category."
        ),
        unit="per 100 trajectories",
        measure=Complaints(),
        source_events=("complaint.received", "complaint.resolved"),
        procedure="Each complaint counts in the period it is received; resolution time in the period resolved.",
        direction=Direction.LOWER,
        frequency="quarterly",
    ),
    Kpi(
        id="goal_attainment",
        name_nl="Effectiviteit",
        name_en="Goal attainment",
        type=KpiType.OUTCOME,
        definition=(
            "Share of evaluated goals achieved, over the goals of the trajectory's latest plan "
            "(goals of older plans are ignored), each with its last evaluation; goals partly "
            "achieved stay in the denominator and are reported apart (`partly`)."
        ),
        unit=SHARE,
        measure=GoalAttainment(),
        source_events=("plan.recorded", "goal.evaluated"),
        procedure="Counted in the period of the last evaluation of a goal of the latest plan.",
        direction=Direction.HIGHER,
        frequency="quarterly",
    ),
    Kpi(
        id="reentry_rate",
        name_nl="Duurzaamheid",
        name_en="Re-entry within a year",
        type=KpiType.OUTCOME,
        definition=(
            "Share of closed trajectories whose client (same clientRef) opens a new "
            "trajectory within 365 days after the closure."
        ),
        unit=SHARE,
        measure=Reentry(),
        source_events=("trajectory.closed", "trajectory.opened"),
        procedure=(
            "Counted in the period of the closure, only once its 365-day window has passed "
            "(`pending` says how many closures still wait)."
        ),
        direction=Direction.LOWER,
        frequency="yearly",
    ),
    Kpi(
        id="involvement_duration",
        name_nl="Tijdelijkheid",
        name_en="Involvement duration (own input)",
        type=KpiType.OUTPUT,
        definition=(
            "Days from the melding to the closure, for trajectories closed in the period whose "
            "assessment was resolved by the team's own input (step 5 sufficient). A reopened "
            "trajectory counts once, at its final closure (so it can move to a later period)."
        ),
        unit=DAYS,
        measure=Duration(
            start="opened_on", end="closed_on", population=OneOf("resolution_step", ("own_input",))
        ),
        source_events=("trajectory.opened", "step.completed", "trajectory.closed"),
        procedure="Counted in the period of the closure.",
        direction=Direction.LOWER,
        value_is="median",
    ),
    Kpi(
        id="process_quality",
        name_nl="Proceskwaliteit",
        name_en="Process quality",
        type=KpiType.PROCESS,
        definition=(
            "Share of trajectories closed in the period that pass every applicable compliance "
            "rule (GET /audit/rules): no rule failed, and no pending term past its due date."
        ),
        unit=SHARE,
        measure=Share(
            period="closed_on",
            population=NotNull("closed_on"),
            numerator=all_of(OneOf("audit_failures", (0,)), DueNotPassed("audit_pending_due_on")),
        ),
        source_events=("all",),
        procedure="From the audit's findings per trajectory, judged on `asOf` (default today).",
        direction=Direction.HIGHER,
        owner="kwaliteitsfunctionaris",
    ),
    Kpi(
        id="inflow",
        name_nl="Instroom",
        name_en="Inflow",
        type=KpiType.OUTPUT,
        definition="Trajectories opened (meldingen) in the period.",
        unit="trajectories",
        measure=Count(period="opened_on"),
        source_events=("trajectory.opened",),
        procedure="Counted on the local date of the melding.",
    ),
    Kpi(
        id="outflow",
        name_nl="Uitstroom met reden",
        name_en="Outflow by reason",
        type=KpiType.OUTPUT,
        definition="Closures in the period, with the count per closure reason (every reason always listed).",
        unit="closures",
        measure=Count(period="closed_on", breakdown="close_reason", over_periods=True),
        source_events=("trajectory.closed", "trajectory.reopened"),
        procedure=(
            "Each closure counts in the period of its date, with its own reason: a trajectory "
            "reopened and closed again counts again, and a later reopening never takes a "
            "closure out of an earlier period."
        ),
    ),
    Kpi(
        id="caseload",
        name_nl="Doorstroom (caseload)",
        name_en="Caseload",
        type=KpiType.OUTPUT,
        definition=(
            "Trajectories open at the end of the period by the state as of that day: opened (or "
            "reopened) on or before `to` and not closed by then. A trajectory closed on or before "
            "`to` and reopened later was closed on `to`: later events never change this figure."
        ),
        unit="trajectories",
        measure=OpenAt(),
        source_events=("trajectory.opened", "trajectory.closed", "trajectory.reopened"),
        procedure="A count at `to`; group by `professional` for the caseload per professional.",
    ),
    Kpi(
        id="provision_stacking",
        name_nl="Stapeling van voorzieningen",
        name_en="Provision stacking",
        type=KpiType.OUTCOME,
        definition=(
            "Share of clients with a provision on a day of the period who had provisions in two "
            "domains on one same day of it. A provision (support of kind provision) runs from "
            "support.started to the matching support.ended (same provider and kind, the "
            "earliest open one first), else to the trajectory's closure, else on; its end day "
            "excluded, so a provision ending on the day another starts does not stack."
        ),
        unit=SHARE,
        measure=Stacking(),
        source_events=("support.started", "support.ended", "trajectory.opened"),
        procedure=(
            "Provision = support.started of kind `provision`, running until support.ended "
            "(or still running). Measured per client: no breakdown by trajectory dimensions."
        ),
        direction=Direction.LOWER,
        frequency="yearly",
    ),
    Kpi(
        id="efficiency",
        name_nl="Efficiëntie",
        name_en="Own-input hours per closed trajectory",
        type=KpiType.INPUT,
        definition=(
            "Own-input hours per trajectory closed in the period: the `hours` of every own-input "
            "step completion (own input comes in spells), summed exactly (whole minutes)."
        ),
        unit="hours per trajectory",
        measure=PerTrajectory(period="closed_on", total="own_input_minutes", divisor=60),
        source_events=("step.completed", "trajectory.closed"),
        procedure="Sum of step-5 hours of the trajectories closed in the period, divided by their number.",
    ),
    Kpi(
        id="cost_per_trajectory",
        name_nl="Kosten per traject",
        name_en="Cost per trajectory",
        type=KpiType.INPUT,
        definition="Cost per trajectory in euros, reported by finance per period.",
        unit="EUR",
        measure=Reported(),
        source_events=(),
        procedure="Posted by finance through POST /kpis/cost_per_trajectory/values.",
        owner="financiën",
        frequency="yearly",
    ),
    Kpi(
        id="awareness",
        name_nl="Bekendheid en vindbaarheid",
        name_en="Awareness and findability",
        type=KpiType.OUTCOME,
        definition="Share of residents who know where to go with a support question (resident survey).",
        unit=SHARE,
        measure=Reported(),
        source_events=(),
        procedure="Posted from the resident survey through POST /kpis/awareness/values.",
        direction=Direction.HIGHER,
        owner="onderzoek en statistiek",
        frequency="yearly",
    ),
    Kpi(
        id="reachability",
        name_nl="Bereikbaarheid",
        name_en="Reachability by phone",
        type=KpiType.PROCESS,
        definition="Share of calls answered within the service level (telephony system).",
        unit=SHARE,
        measure=Reported(),
        source_events=(),
        procedure="Posted from the telephony system through POST /kpis/reachability/values.",
        direction=Direction.HIGHER,
        owner="klantcontactcentrum",
    ),
)

KPIS: dict[str, Kpi] = {kpi.id: kpi for kpi in CATALOGUE}
