"""The vocabulary's codes in the Dutch the quality officer reads (steps, outcomes, domains,
channels, closure reasons, scopes): one list for the workbench's pages and the audit's
Dutch explanations. A test walks the enums of `vocabulary.py` and fails on a code
without its word here."""

CODES_NL = {
    # steps (CRvB)
    "request": "hulpvraag",
    "problems": "problemen",
    "need": "benodigde ondersteuning",
    "own_network": "eigen kracht en netwerk",
    "own_input": "eigen inzet",
    "provision": "maatwerkvoorziening",
    # outcomes
    "sufficient": "toereikend",
    "partial": "deels toereikend",
    "insufficient": "ontoereikend",
    "not_applicable": "niet van toepassing",
    "granted": "toegekend",
    "not_needed": "niet nodig",
    "refused": "afgewezen",
    "partly_granted": "deels toegekend",
    "achieved": "behaald",
    "partly": "deels behaald",
    "not_achieved": "niet behaald",
    # domains
    "wmo": "Wmo",
    "jeugdwet": "Jeugdwet",
    "participatiewet": "Participatiewet",
    "leerplicht": "Leerplicht",
    "schuldhulp": "Schuldhulp",
    "other": "overig",
    # channels
    "phone": "telefoon",
    "walk_in": "inloop",
    "email": "e-mail",
    "referral_gp": "verwijzing huisarts",
    "referral_partner": "verwijzing partner",
    "school": "school",
    # close reasons
    "goals_achieved": "doelen behaald",
    "referred_specialist": "doorverwezen naar specialistische hulp",
    "referred_social_base": "doorverwezen naar de sociale basis",
    "client_withdrew": "inwoner trok zich terug",
    "moved": "verhuisd",
    "deceased": "overleden",
    # who holds direction, sources, support kinds, terms, status
    "resident": "inwoner",
    "network": "netwerk",
    "wijkteam": "wijkteam",
    "provider": "aanbieder",
    "own_capacity": "eigen mogelijkheden",
    "usual_help": "gebruikelijke hulp",
    "informal_care": "mantelzorg",
    "social_network": "sociaal netwerk",
    "social_base": "sociale basis",
    "assessment": "onderzoekstermijn",
    "decision": "beslistermijn",
    "open": "open",
    "closed": "afgesloten",
    # scopes
    "events:write": "gebeurtenissen aanleveren",
    "kpi:read": "kengetallen lezen",
    "audit:read": "dossiers en toetsing lezen",
    "admin": "beheer",
    # notifications to other systems
    "nl.wijkteam-kpi.figures.changed": "cijfers gewijzigd",
    "nl.wijkteam-kpi.trajectory.findings-changed": "toetsing van een traject gewijzigd",
    "nl.wijkteam-kpi.term.due-soon": "termijn verloopt binnenkort",
    "nl.wijkteam-kpi.term.missed": "termijn verstreken",
    "nl.wijkteam-kpi.term.at-risk": "termijn dreigt te verlopen",
}


def in_dutch(code: object) -> str:
    """A vocabulary code as the officer reads it; a code without a word stays as it is."""
    return CODES_NL.get(str(code), str(code)) if code is not None else "\N{EN DASH}"
