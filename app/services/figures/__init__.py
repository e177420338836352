"""Figures: KPI use cases, their SQL, and the cache of computed answers.

- `kpis`: `compute_figure`, `every_figure`, targets and reported values; a KPI itself is
  declared in `app/domain/kpis/catalogue.py`, not here.
- `kpi_sql`: each measure kind in SQL (its twin in `app/domain/kpis/reference.py`).
- `cache`: `FigureCache`, answers kept under the data version, code, settings and day; a
  new kind of cached answer passes `fetch` its key and computation and remembers a
  `Recipe` (with its `compute`) for the nightly warming.
- `warmer`: `DailyWarmer`, which computes what was asked again for each new day.

It reads storage and the projection's tables; access and ingestion never import it.
"""
