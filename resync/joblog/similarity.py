"""Past failures ranked by joblog similarity: TF-IDF over normalised text, cosine similarity.

Joblogs are normalised before comparison: TWS header and trailer frames, dates, times,
numbers, hexadecimal ids and masked secrets say nothing about the cause and would make every
run of one job look alike. Word unigrams and bigrams, sub-linear term frequency.
"""

import re

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import cosine_similarity

from resync.joblog.schemas import PastFailure, SimilarCase

MIN_SIMILARITY = 0.2

_FRAME = re.compile(r"^\s*=")
_NOISE = re.compile(
    r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}|\d{1,2}:\d{2}(:\d{2})?(\.\d+)?|\b0x[0-9a-f]+\b"
    r"|\b[0-9a-f]{8,}\b|\[REDACTED\]|\d+",
    re.IGNORECASE,
)


def normalise_joblog(joblog: str) -> str:
    """The joblog without TWS frame lines, with dates, numbers and ids removed."""
    lines = (line for line in joblog.splitlines() if not _FRAME.match(line))
    return _NOISE.sub(" ", "\n".join(lines)).lower()


def rank_similar_failures(
    joblog: str, past: list[PastFailure], limit: int, min_similarity: float = MIN_SIMILARITY
) -> list[SimilarCase]:
    """The `limit` past failures most like `joblog`, at least `min_similarity`, best first.

    Among equally similar cases, one with a recorded resolution and then the most recent wins.
    """
    texts = [normalise_joblog(joblog)] + [normalise_joblog(case.text) for case in past]
    if not past or not texts[0].strip():
        return []
    vectorizer = TfidfVectorizer(
        ngram_range=(1, 2), sublinear_tf=True, token_pattern=r"(?u)\b[^\W\d]{2,}\b"
    )
    try:
        matrix = vectorizer.fit_transform(texts)
    except ValueError:
        return []
    scores = cosine_similarity(matrix[0], matrix[1:]).ravel()
    ranked = sorted(
        zip(past, scores, strict=True),
        key=lambda pair: (
            -round(float(pair[1]), 6),
            pair[0].resolution is None,
            -pair[0].failed_at.timestamp(),
        ),
    )
    return [
        SimilarCase(**case.model_dump(exclude={"text"}), similarity=round(float(score), 4))
        for case, score in ranked[:limit]
        if score >= min_similarity
    ]
