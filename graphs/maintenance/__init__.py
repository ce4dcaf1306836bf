"""The predictive-maintenance graph: fetch → analyse → … → review → act → check the effects."""
