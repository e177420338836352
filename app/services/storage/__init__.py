"""Storage: what every other service package writes and reads through, and nothing else.

- `event_store`: every query of the events table (the source of truth) and the row ->
  DomainEvent mapping; a new query of stored events goes here.
- `bulk`: many rows at once (COPY on PostgreSQL, executemany on SQLite); a new bulk
  write goes through `insert_rows` / `insert_missing`.
- `data_version`: the per-municipality counter behind every cache validator; a write
  that can change a figure calls `bump()` in its transaction.
- `sql_functions`: the few SQL functions the two databases spell differently.
- `job_runs`: scheduled work: `DailyThread` calls a job each day in every process, and
  `once` runs it only in the first replica to claim the day's run.

It imports no other service package (import-linter keeps it so).
"""
