"""The predictive-maintenance graph: fetch → analyse → correlate → predict → recommend → review."""
