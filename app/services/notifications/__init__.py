"""Notifications to other systems: subscriptions, the outbox and its delivery.

- `subscriptions`: make, list and end a subscription (its signing secret shown once), and
  which callbacks may be called at all (`callback_problem`: server-side request forgery).
- `outbox`: what a change writes, in the change's own transaction (`after_ingest`).
- `delivery`: the worker that sends what is due, signed as Standard Webhooks, tries again
  with backoff and gives up into dead letters (`deliver_due`, `DeliveryWorker`).

Uses storage and the projection's tables; nothing uses it but ingestion and the routers.
"""
