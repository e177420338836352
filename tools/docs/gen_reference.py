"""Writes the KPI and rule reference pages of the documentation site from the code, when
MkDocs builds it (mkdocs-gen-files), so the pages cannot drift from what the service does."""

from collections.abc import Iterable

import mkdocs_gen_files

from app.domain.audit import RULES, Rule
from app.domain.kpis.catalogue import CATALOGUE
from app.domain.kpis.spec import Kpi
from app.routers.workbench.present import unit_nl

HEADER = (
    "<!-- Generated from app/domain/kpis/catalogue.py and app/domain/audit.py when the site "
    "is built (tools/docs/gen_reference.py); edit those, not this page. -->\n\n"
)


def kpi_section(kpi: Kpi) -> Iterable[str]:
    yield f"## {kpi.name_nl} {{#{kpi.id}}}\n\n"
    yield f"*{kpi.name_en}* · id `{kpi.id}` · {kpi.type.value} · unit: {unit_nl(kpi.unit)}\n\n"
    yield f"{kpi.definition_nl}\n\n"
    yield f"> {kpi.definition}\n\n"
    yield "| | |\n|---|---|\n"
    yield f"| Value (`valueIs`) | `{kpi.value_is}` |\n"
    yield f"| Better when | {kpi.direction.value} |\n"
    yield f"| Source events | {', '.join(f'`{e}`' for e in kpi.source_events) or 'reported'} |\n"
    yield f"| Measurement | {kpi.procedure} |\n"
    yield f"| Frequency | {kpi.frequency} |\n"
    yield f"| Owner | {kpi.owner} |\n\n"
    for note in kpi.notes:
        yield f"- {note}\n"
    if kpi.notes:
        yield "\n"
    yield f"API: `GET /api/v1/kpis/{kpi.id}?from=...&to=...`\n\n"


def rule_section(rule: Rule) -> Iterable[str]:
    yield f"## {rule.title_nl} {{#{rule.id}}}\n\n"
    yield f"*{rule.title}* · id `{rule.id}`\n\n"
    yield "| | |\n|---|---|\n"
    yield f"| Source | {rule.source} |\n"
    yield f"| Evidence | {rule.evidence} |\n"
    if rule.term is not None:
        yield f"| Legal term | `{rule.term.value}` (lengths per domain: settings) |\n"
    for name, value in rule.parameters.items():
        yield f"| Parameter `{name}` | `{value}` |\n"
    yield "\n"
    if rule.edges:
        yield f"How it is read where it could be read two ways: {rule.edges}\n\n"


with mkdocs_gen_files.open("reference/kpis.md", "w") as page:
    page.write("# KPI reference\n\n" + HEADER)
    page.write(
        f"The {len(CATALOGUE)} KPIs of the catalogue, as `GET /api/v1/kpis` serves them. "
        "How to read them into a BI tool: [the BI guide](../bi.md).\n\n"
    )
    for kpi in CATALOGUE:
        page.writelines(kpi_section(kpi))

with mkdocs_gen_files.open("reference/rules.md", "w") as page:
    page.write("# Rule reference\n\n" + HEADER)
    page.write(
        f"The {len(RULES)} rules every trajectory is audited against, as "
        "`GET /api/v1/audit/rules` serves them; the steps and terms they check are "
        "explained in [the domain](../domain.md).\n\n"
    )
    for rule in RULES:
        page.writelines(rule_section(rule))
