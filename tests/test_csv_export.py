"""Every CSV the service writes goes through write_csv: no text cell a spreadsheet would run
as a formula (OWASP CSV injection), whatever the text; numbers keep their sign."""

import csv
import io

from hypothesis import given
from hypothesis import strategies as st

from app.schemas.kpi_table import FORMULA_TRIGGERS, Dialect, write_csv

TEXT = st.text(alphabet=st.sampled_from([*FORMULA_TRIGGERS, "a", "1", ",", ";", '"', " "]))


@given(st.lists(TEXT | st.floats(allow_nan=False) | st.integers(), min_size=1, max_size=6))
def test_no_text_cell_starts_a_formula_and_numbers_stay_numbers(values: list[object]) -> None:
    columns = [f"c{i}" for i in range(len(values))]
    dialects: list[tuple[Dialect, str]] = [("excel", ";"), ("standard", ",")]
    for dialect, delimiter in dialects:
        text = write_csv(columns, [dict(zip(columns, values, strict=True))], dialect)
        (row,) = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter))[1:]
        for value, cell in zip(values, row, strict=True):
            if isinstance(value, str):
                assert not cell.startswith(FORMULA_TRIGGERS)
                assert cell in (value, "'" + value)
            else:
                assert not cell.startswith("'")
