"""The decision-support graph: why a job failed, whether it happened before, what fixed it."""
