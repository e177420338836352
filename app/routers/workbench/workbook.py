"""The report's figures as one Excel workbook (openpyxl): a sheet of KPIs against their
target and the period before, and a sheet per month; numbers are numbers and periods are
dates, so a pivot table or a chart in Excel needs no conversion. Suppressed and absent
values are empty cells, with the reason in a column of their own."""

import io
from collections.abc import Mapping, Sequence
from datetime import date

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from app.domain.kpis.figures import Cell, Figure, period_bounds, target_met
from app.domain.reporting import ReportPeriod
from app.routers.workbench.present import unit_nl

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WHY_EMPTY = {True: "minder dan 5 (niet getoond)", False: ""}


def report_workbook_bytes(
    period: ReportPeriod,
    now: Mapping[str, Figure],
    earlier: Mapping[str, Figure],
    monthly: Sequence[Figure],
) -> bytes:
    book = Workbook()
    kpis = book.active
    assert isinstance(kpis, Worksheet)
    kpis.title = "KPI's"
    kpis.append(
        ["KPI", "Naam", "Eenheid", "Van", "Tot en met", "Waarde", "n", "Vorige periode",
         "Streefwaarde", "Gehaald", "Toelichting"]
    )  # fmt: skip
    for kpi_id, figure in now.items():
        cell = _total(figure)
        previous = _total(earlier[kpi_id]) if kpi_id in earlier else None
        target = figure.target.value if figure.target else None
        value = _value(cell)
        kpis.append(
            [
                kpi_id,
                figure.kpi.name_nl,
                unit_nl(figure.kpi.unit),
                period.start,
                period.end,
                value,
                cell.n if cell and not cell.suppressed else None,
                _value(previous),
                target,
                target_met(figure.kpi.direction, value, target),
                WHY_EMPTY[bool(cell and cell.suppressed)],
            ]
        )
    months = book.create_sheet("Per maand")
    months.append(["KPI", "Maand", "Waarde", "n", "Toelichting"])
    for figure in monthly:
        for cell in figure.cells:
            label = cell.key.get("month")
            if label is None:
                continue
            first: date = period_bounds(label, "month")[0]
            months.append(
                [figure.kpi.id, first, _value(cell), None if cell.suppressed else cell.n,
                 WHY_EMPTY[cell.suppressed]]
            )  # fmt: skip
    for sheet in (kpis, months):
        for row in sheet.iter_rows(min_row=2):
            for item in row:
                if isinstance(item.value, date):
                    item.number_format = "yyyy-mm-dd"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _total(figure: Figure) -> Cell | None:
    return figure.cells[0] if len(figure.cells) == 1 else None


def _value(cell: Cell | None) -> float | None:
    return None if cell is None or cell.suppressed else cell.value
