"""Failed-job analysis on joblogs: redaction, root-cause classification, similar past failures.

Pure functions on text and polars frames; the decision-support workflow wraps them.
"""

from resync.joblog.classification import FAILURE_CLASSES, Classification, classify_joblog
from resync.joblog.redaction import redact_joblog
from resync.joblog.similarity import PastFailure, SimilarCase, rank_similar_failures

__all__ = [
    "FAILURE_CLASSES",
    "Classification",
    "PastFailure",
    "SimilarCase",
    "classify_joblog",
    "rank_similar_failures",
    "redact_joblog",
]
