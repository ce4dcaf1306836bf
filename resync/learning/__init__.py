"""Auto-learning: what reviews and outcomes teach, as versioned changes, and where they are kept.

Pure functions, with no database and no Prefect: `judge_outcomes` (`outcomes`) says whether each
past prediction came true by its date; `propose_calibrations` fits confidence calibrators,
`propose_alert_tuning` adjusts alert rules reviewers keep marking as false alarms,
`propose_model_preference` picks the forecast model that backtests best for one series;
`action_policy` learns from reviewers' decisions on maintenance actions and `capacity`
calibrates the probability of a forecast saturation. Every proposal carries its held-out score
before and after and is applied only when that score improves (`changes`).
The database is read and written by `store` (due predictions, outcomes, decisions, learned
changes) and `parameters` (the learned parameters in force) only; `cli` is `resync learning`.
"""
