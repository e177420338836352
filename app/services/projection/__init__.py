"""The projection: each trajectory's state, terms and findings as rows KPIs aggregate.

- `project`: the pure `project()` of one trajectory's events into its rows, and
  `PROJECTION_VERSION` (bump it when what the fold, terms or audit compute changes).
- `store`: the projection tables (`PROJECTION_TABLES`) and `refold` of trajectories.
- `build`: which version the stored rows were built with, the gate that answers 503 on a
  stale projection (`ProjectionGate`) and the resumable `rebuild`.
- `retention`: removing trajectories past their retention term.
- `maintenance`: `refold_all` for the command line.
- `readiness`: `check_ready`, the probe's answer: the database answers, is migrated, and
  the projection is current.

It is built from stored events alone: it imports storage, never ingestion or figures.
"""
