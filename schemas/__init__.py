"""Pydantic models shared by the pipeline, the reference, the dashboard and the tests."""
