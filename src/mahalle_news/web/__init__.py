"""The HTTP service: a FastAPI app (``create_app``) with the JSON API under ``/v1`` and the Persian web UI."""
