"""Auto-learning: pure functions that learn from reviews and outcomes (no database, no Prefect).

`judge_outcomes` says whether each past prediction came true by its date; `propose_calibrations`
fits confidence calibrators, `propose_alert_tuning` adjusts alert rules reviewers keep marking as
false alarms, `propose_model_preference` picks the forecast model that backtests best for one
series; `action_policy` learns from reviewers' decisions on maintenance actions and `capacity`
calibrates the probability of a forecast saturation. Every proposal carries its held-out score
before and after and is applied only when that score improves (`resync.learning.changes`).
"""
