"""The domain: plain Python over plain data. Nothing here knows of HTTP or the database."""
