"""Alerts: the rules over recent FTA samples and reviewers' verdicts."""
