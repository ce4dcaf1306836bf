"""Alerts: the rules over recent FTA samples (`rules`), the API's schemas and the store, the only
module that reads or writes alerts and reviewers' verdicts on them."""
