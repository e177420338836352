"""The wire format: Pydantic models of what clients send and receive (lowerCamelCase)."""
