"""Failed-job analysis on joblogs: redaction, root-cause classification, similar past failures.

Pure functions on text and polars frames; the decision-support workflow wraps them.
"""
