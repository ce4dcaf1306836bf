"""Helpers of the system tier: its processes, Prefect's REST API, a stalled Claude endpoint."""
