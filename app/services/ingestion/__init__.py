"""Ingestion: events in, one or a batch, idempotent, every valid one stored or none.

- `events`: the use cases (`record_event`, `record_batch`), the `Sender` and what a batch
  answers (`BatchOutcome`, `Rejection`); a new rule on who may write what goes here.
- `ingest`: store, then refold what the events touched, in the caller's transaction.
- `worker`: `BatchIngest`, the worker processes batches run in.
- `backfill`: `wijkteam-kpi import`, a file in resumable batches.

It writes through storage and refolds through the projection; it knows nothing of figures.
"""
