"""The learned layer: a character n-gram model of failure classes, for lines the catalogue cannot
decide.

It is trained on the catalogue-labelled corpus (every system error text in every installed
locale, the Windows messages (not all their locales), HTTP reason phrases, exception names,
database codes, each with its class, `unknown` included; not the statement-error and PostgreSQL
message catalogues, whose hundreds of codes and translations outweighed an estate's few
resolutions so that the retrained model stopped learning the estate's own messages) and on the
failures operators resolved with a class. TF-IDF
over character 2–5-grams of the folded text feeds a linear SVM whose scores are calibrated into
probabilities by isotonic regression on cross-validation folds (a resolution weighs as much as
`RESOLUTION_WEIGHT` catalogue entries); `threshold` is the calibrated
probability from which its cross-validated answers are right at least `TARGET_PRECISION` of the
time, and below it the model answers nothing. Training is deterministic: a version is fully
described by the resolutions it saw.
"""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import cross_val_predict
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.svm import LinearSVC

from resync.joblog.catalogues import (
    databases,
    exceptions,
    platforms,
    strerror,
    windows,
)
from resync.joblog.catalogues.entries import fold

TARGET_PRECISION = 0.97
# An operator's resolution is this estate's own truth: it weighs as much as this many
# catalogue entries, which cover every locale and product, not this estate.
RESOLUTION_WEIGHT = 50.0
MIN_THRESHOLD = 0.6
FOLDS = 3


@dataclass(frozen=True)
class Resolved:
    """A failure an operator resolved: its joblog's decisive lines and its real class."""

    text: str
    failure_class: str


# The Windows locales whose messages the model learns beside English and Portuguese; the
# German, Spanish and Chinese ones stay exact catalogue matches only: with their few lines the
# model retrained on 21 in-house resolutions scored 0.22 on the 9 held out (0.44 without).
MODEL_WINDOWS_LOCALES = ("fr-FR", "pt-PT")


def catalogue_corpus() -> list[tuple[str, str]]:
    """(text, class) of every catalogue entry that has a text or a code."""
    corpus = [(text, entry.failure_class) for text, entry in strerror.strerror_texts().items()]
    corpus += [
        (text, entry.failure_class)
        for text, entry in windows.windows_texts(MODEL_WINDOWS_LOCALES).items()
    ]
    corpus += [(text, entry.failure_class) for text, entry in platforms.http_texts().items()]
    corpus += [(text, entry.failure_class) for text, entry in platforms.workflow_texts().items()]
    corpus += [(name, cls) for name, (cls, _) in exceptions.NAMES.items()]
    corpus += [(f"ORA-{code:05d}", cls) for code, cls in databases.ORACLE_CODES.items()]
    corpus += [(f"SQL{code:04d}N", cls) for code, cls in databases.DB2_CODES.items()]
    corpus += [(f"Msg {code}, Level 16", cls) for code, cls in databases.SQLSERVER_CODES.items()]
    corpus += [(f"SQLSTATE {code}", cls) for code, cls in databases.SQLSTATE_CODES.items()]
    return corpus


@dataclass(frozen=True)
class TextModel:
    """A trained model, the calibrated threshold it answers from, and what it was trained on."""

    pipeline: Pipeline
    threshold: float
    resolutions: int

    def predict(self, texts: Sequence[str]) -> list[tuple[str, float]]:
        """Each text's most probable class and its calibrated probability."""
        probabilities = calibrated_probabilities(self.pipeline, [fold(text) for text in texts])
        classes = self.pipeline.classes_
        best = probabilities.argmax(axis=1)
        return [(str(classes[i]), float(p[i])) for i, p in zip(best, probabilities, strict=True)]

    def decide(self, texts: Sequence[str]) -> tuple[int, str, float] | None:
        """(index, class, probability) of the surest text naming a class, if it is sure enough."""
        if not texts:
            return None
        answers = [
            (index, cls, probability)
            for index, (cls, probability) in enumerate(self.predict(texts))
            if cls != "unknown" and probability >= self.threshold
        ]
        return max(answers, key=lambda answer: answer[2], default=None)


def calibrated_probabilities(pipeline: Pipeline, texts: list[str]) -> np.ndarray:
    """The pipeline's `predict_proba` of `texts`, computed from its fitted parts as
    scikit-learn does, number for number. Its own call validates the input again for each
    fold's SVM and each class's calibrator (30 times a call): four fifths of its time."""
    vectorizer, calibrated = pipeline[0], pipeline[-1]
    features = vectorizer.transform(texts)
    classes = calibrated.classes_
    total = np.zeros((len(texts), len(classes)))
    for fold_model in calibrated.calibrated_classifiers_:
        svm = fold_model.estimator
        scores = features @ svm.coef_.T + svm.intercept_
        columns = np.searchsorted(classes, svm.classes_)
        probabilities = np.zeros_like(total)
        for column, score, calibrator in zip(
            columns, scores.T, fold_model.calibrators, strict=True
        ):
            probabilities[:, column] = calibrator.f_(
                np.clip(score, calibrator.X_min_, calibrator.X_max_)
            )
        denominator = probabilities.sum(axis=1)[:, np.newaxis]
        total += np.divide(
            probabilities,
            denominator,
            out=np.full_like(probabilities, 1 / len(classes)),
            where=denominator != 0,
        )
    total /= len(calibrated.calibrated_classifiers_)
    return total


def _pipeline() -> Pipeline:
    return make_pipeline(
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True),
        CalibratedClassifierCV(LinearSVC(C=0.5), method="isotonic", cv=FOLDS),
    )


def _calibrated_threshold(texts: list[str], labels: list[str], weights: np.ndarray) -> float:
    """The lowest probability from which cross-validated class answers reach the precision."""
    probabilities = cross_val_predict(
        _pipeline(),
        texts,
        labels,
        cv=FOLDS,
        method="predict_proba",
        params={"calibratedclassifiercv__sample_weight": weights},
    )
    classes = np.array(sorted(set(labels)))
    predicted = classes[probabilities.argmax(axis=1)]
    confidence = probabilities.max(axis=1)
    named = predicted != "unknown"
    right = predicted == np.array(labels)
    for threshold in np.arange(MIN_THRESHOLD, 1.0, 0.02):
        chosen = named & (confidence >= threshold)
        if not chosen.any() or right[chosen].mean() >= TARGET_PRECISION:
            return round(float(threshold), 2)
    return 1.0


def train_text_model(resolved: Sequence[Resolved] = ()) -> TextModel:
    """A model trained on the catalogue corpus and `resolved`, with its calibrated threshold."""
    corpus = [(text, cls, 1.0) for text, cls in catalogue_corpus()]
    corpus += [(case.text, case.failure_class, RESOLUTION_WEIGHT) for case in resolved]
    counts = Counter(cls for _, cls, _ in corpus)
    # A class needs examples in every fold of the calibration inside every fold of the threshold.
    kept = [item for item in corpus if counts[item[1]] >= FOLDS * FOLDS]
    texts = [fold(text) for text, _, _ in kept]
    labels = [cls for _, cls, _ in kept]
    weights = np.array([weight for _, _, weight in kept])
    pipeline = _pipeline().fit(texts, labels, calibratedclassifiercv__sample_weight=weights)
    threshold = _calibrated_threshold(texts, labels, weights)
    return TextModel(pipeline, threshold, len(resolved))


@cache
def catalogue_model() -> TextModel:
    """The model of the catalogue corpus alone (no resolution recorded yet)."""
    return train_text_model()
