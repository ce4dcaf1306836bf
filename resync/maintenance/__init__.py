"""Maintenance analytics: pure functions on polars frames, no database, no Prefect.

`analyze_degradation → correlate → predict → recommend`: what degrades on each FTA, whether
job slowdowns follow its resources, when it fails and how sure that is, and which allow-listed
actions (`resync.maintenance.actions`) would prevent it.
"""
