"""The failure text model's probabilities are scikit-learn's own, number for number."""

import numpy as np

from resync.joblog.catalogues.entries import fold
from resync.joblog.text_model import calibrated_probabilities, catalogue_corpus, catalogue_model

LINES = [
    "ERROR VLT-311: vault store 311 sealed, ledger volume has no room for batch 311",
    "rsync: write failed on /dados/entrada/x.csv: Sem espaço disponível no dispositivo (28)",
    "= Exit Status : 4",
    "",
    "§§§ ¤¤¤",
    "Caused by: java.net.SocketTimeoutException: Read timed out",
]


def test_the_probabilities_are_the_pipelines_own() -> None:
    texts = [fold(text) for text, _ in catalogue_corpus()] + [fold(line) for line in LINES]
    model = catalogue_model()
    expected = model.pipeline.predict_proba(texts)
    assert np.array_equal(calibrated_probabilities(model.pipeline, texts), expected)
    assert model.predict(LINES) == [
        (str(model.pipeline.classes_[row.argmax()]), float(row.max())) for row in expected[-6:]
    ]
