"""Predictive maintenance: its analytics, its review policy and its store.

Pure functions on polars frames and `types` records, with no database and no Prefect:
`analyze_degradation → correlate → predict → recommend` says what degrades on each FTA, whether
job slowdowns follow its resources, when it fails and how sure that is, and which allow-listed
actions (`actions`) would prevent it; `review_policy` says which of them a person decides on;
`report` and `summary` write what a person reads, `execution` runs an approved action.
The database is read and written by `history` (the samples and job runs analysed) and `store`
(runs, findings, review decisions, the action audit) only; `schemas` are the findings API's.
"""
