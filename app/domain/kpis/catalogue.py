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
        definition_nl="Dagen van de melding (trajectory.opened) tot stap 1 `request` (hulpvraag) is afgerond.",
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
        definition_nl="Dagen van de eerste toekenning (stap 6 `granted`, of een besluit toegekend of deels toegekend) tot de start van de ondersteuning (support.started).",
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
        definition_nl="Dagen van de melding tot het onderzoek is afgerond: de eerste van stap 4 toereikend, stap 5 toereikend of stap 6 gedaan. Stappen die na die afronding worden geregistreerd verschuiven haar niet.",
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
        definition_nl="Dagen van de melding tot de afsluiting (trajectory.closed; bij een heropend trajectory de laatste afsluiting).",
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
        definition_nl="Aandeel Wmo-onderzoeken (stappen 1-4 gedaan) afgerond binnen zes weken na de melding (Wmo 2015 art. 2.3.2): 42 dagen vanaf de dag erna, plus de dagen van opschortingen die begonnen terwijl de termijn liep, plus een verlenging die vóór de uiterste datum is afgesproken, doorgeschoven voorbij zaterdagen, zondagen en de dagen van de Algemene termijnenwet (art. 3 lid 1-3, gelijkgestelde dagen inbegrepen; art. 2). Dezelfde uiterste datum als de regel assessment_term.",
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
        definition_nl="Aandeel besluiten genomen binnen de termijn na de aanvraag: 14 dagen voor de Wmo (art. 2.3.5), 8 weken voor de Jeugdwet en andere domeinen (Awb 4:13), plus de dagen van opschortingen die begonnen terwijl de termijn liep (Awb 4:15), plus één verdaging die vóór de uiterste datum is meegedeeld (Awb 4:14), doorgeschoven voorbij zaterdagen, zondagen en de dagen van de Algemene termijnenwet (art. 3 lid 1-3, gelijkgestelde dagen inbegrepen; art. 2). Dezelfde uiterste datum als de regel decision_term. Elke aanvraag start haar eigen termijn, die eindigt met het eerste besluit daarna, en telt één keer.",
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
        definition_nl="Voor de in de periode afgesloten trajecten, per vraag van het CEO Wmo: aantal respondenten, gemiddelde score (1-5), aandeel met score 4 of 5 en respons (afgesloten trajecten met antwoord / afgesloten trajecten, nooit boven 1). Elk traject telt met zijn laatste antwoord per vraag (een vraag die in een latere respons ontbreekt houdt het eerdere antwoord). De waarde is het aandeel met score 4 of 5 op `overall`.",
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
        definition_nl="Aandeel opgeloste trajecten dat in stap 4 of 5 is opgelost: door het eigen netwerk, de sociale basis of de eigen inzet van het team, zonder voorziening.",
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
        definition_nl="Aandeel opgeloste trajecten dat in stap 4 is opgelost (eigen netwerk, sociale basis).",
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
        definition_nl="Aandeel opgeloste trajecten dat in stap 6 is opgelost met een toegekende voorziening.",
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
        definition_nl="Ontvangen klachten per 100 trajecten die in de periode actief waren (op een dag ervan open naar de stand van die dag: een open periode van het traject begon op of vóór het einde en was niet vóór het begin gesloten), en de dagen tot afhandeling van de in de periode afgehandelde klachten. Een afhandeling hoort bij haar klacht via `complaintId`, anders bij de oudste openstaande klacht van dezelfde categorie.",
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
        definition_nl="Aandeel geëvalueerde doelen dat is behaald, over de doelen van het laatste plan van het traject (doelen van oudere plannen tellen niet), elk met zijn laatste evaluatie; deels behaalde doelen blijven in de noemer en worden apart getoond (`partly`).",
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
        definition_nl="Aandeel afgesloten trajecten waarvan de cliënt (dezelfde clientRef) binnen 365 dagen na de afsluiting een nieuw traject opent.",
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
        definition_nl="Dagen van de melding tot de afsluiting, voor in de periode afgesloten trajecten waarvan het onderzoek is opgelost door de eigen inzet van het team (stap 5 toereikend). Een heropend traject telt één keer, bij de laatste afsluiting (en kan zo naar een latere periode schuiven).",
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
        definition_nl="Aandeel in de periode afgesloten trajecten dat aan elke toepasselijke nalevingsregel voldoet (GET /audit/rules): geen regel niet gehaald, en geen lopende termijn voorbij de uiterste datum.",
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
        definition_nl="Trajecten geopend (meldingen) in de periode.",
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
        definition_nl="Afsluitingen in de periode, met het aantal per reden van afsluiting (elke reden altijd vermeld).",
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
        definition_nl="Trajecten open aan het einde van de periode naar de stand van die dag: geopend (of heropend) op of vóór `to` en toen niet gesloten. Een traject gesloten op of vóór `to` en later heropend was op `to` gesloten: latere gebeurtenissen veranderen dit cijfer nooit.",
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
        definition_nl="Aandeel cliënten met een voorziening op een dag van de periode die op één en dezelfde dag ervan voorzieningen in twee domeinen hadden. Een voorziening (ondersteuning van soort provision) loopt van support.started tot de bijbehorende support.ended (zelfde aanbieder en soort, de oudste openstaande eerst), anders tot de afsluiting van het traject, anders door; de einddag telt niet mee, dus een voorziening die eindigt op de dag dat een andere begint stapelt niet.",
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
        definition_nl="Uren eigen inzet per in de periode afgesloten traject: de `hours` van elke afgeronde stap eigen inzet (eigen inzet komt in perioden), exact opgeteld (hele minuten).",
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
        definition_nl="Kosten per traject in euro's, per periode aangeleverd door financiën.",
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
        definition_nl="Aandeel inwoners dat weet waar het met een ondersteuningsvraag terechtkan (inwonersenquête).",
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
        definition_nl="Aandeel telefoongesprekken dat binnen de servicenorm is beantwoord (telefooncentrale).",
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
