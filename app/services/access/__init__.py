"""Access: who may call, and who read what.

- `clients`: API clients, their tokens (hashed), scopes, municipality and team limits;
  `Principal` is what routers see of the caller; `authenticate`, `create_client`.
- `access_log`: every read of case-level data (`record_access`, `read_access_log`).
- `web_sessions`: the workbench's signed-in sessions (an API client's token exchanged
  for a session cookie).

It imports nothing of figures, ingestion or the projection.
"""
