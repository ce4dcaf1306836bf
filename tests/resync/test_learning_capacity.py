"""The calibrated probability that a capacity forecast's saturation happens by its date."""

import pytest

from resync.learning.capacity import NOMINAL_PROBABILITY, saturation_probability


def test_without_a_calibrator_the_forecast_s_nominal_probability() -> None:
    assert NOMINAL_PROBABILITY == {"likely": 0.5, "possible": 0.1}
    assert saturation_probability("disk", "likely", {}) == 0.5
    assert saturation_probability("cpu", "possible", {}) == 0.1
    assert saturation_probability("cpu", None, {}) is None


def test_a_resource_s_calibrator_or_the_pooled_one_for_its_kind() -> None:
    calibrators = {
        "disk_saturation": {"x": [0.1, 0.5], "y": [0.02, 0.25]},
        "all": {"x": [0.5], "y": [0.7], "kinds": ["memory_saturation"]},
    }
    assert saturation_probability("disk", "likely", calibrators) == 0.25
    assert saturation_probability("disk", "possible", calibrators) == 0.02
    assert saturation_probability("memory", "likely", calibrators) == pytest.approx(0.7)
    # CPU had its own outcomes but no calibrator passed its held-out test: nominal.
    assert saturation_probability("cpu", "likely", calibrators) == 0.5
