"""The capacity-forecast graph: fetch_metrics → … → generate_report (see graph.py)."""
