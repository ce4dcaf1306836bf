"""The system tier: the stack deployed and operated as the README tells an operator to."""
