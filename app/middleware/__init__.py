"""The request path before a router sees it, outermost first:

headers → CORS → errors (500/503 as problem+json) → body limit → authentication → rate
limit → FastAPI. Each is pure ASGI so streamed and error responses pass through them all.
"""
