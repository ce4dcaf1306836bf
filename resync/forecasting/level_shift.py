"""Level-shift detection: a disk cleanup, a resized volume, a workload moved to another FTA.

A shift is a step between two hours that is large against the series' usual hour-to-hour noise
and that persists: the median of the day after it differs from the median of the day before it
by most of the step. A spike (one bad sample) fails the persistence test; a daily rhythm fails
the size test, because a whole day of samples sits on either side of the comparison. Only the
regime since the last shift is extrapolated; earlier data would bend the trend towards a level
the host has left.
"""

from dataclasses import dataclass

import numpy as np

MAD_TO_SIGMA = 1.4826


@dataclass(frozen=True)
class LevelShift:
    """A persistent step at `index` (the first step of the new regime) of `size` value units."""

    index: int
    size: float


def _robust_sigma(values: np.ndarray) -> float:
    return MAD_TO_SIGMA * float(np.median(np.abs(values - np.median(values))))


def detect_level_shifts(
    values: np.ndarray, window: int = 24, sensitivity: float = 8.0, minimum_size: float = 0.0
) -> list[LevelShift]:
    """The persistent steps in an evenly spaced series, oldest first.

    `window` steps on either side are compared (a day of hours); a step must exceed
    `sensitivity` robust standard deviations of the step-to-step changes, and `minimum_size`
    value units, and keep at least half of its size over the window.
    """
    values = np.asarray(values, dtype=float)
    if values.size < 2 * window + 1:
        return []
    steps = np.diff(values)
    noise = _robust_sigma(steps)
    spread = _robust_sigma(values - np.median(values))
    threshold = max(sensitivity * noise, minimum_size, 0.5 * spread, 1e-9)
    candidates: list[tuple[float, LevelShift]] = []
    for step_index in np.flatnonzero(np.abs(steps) > threshold):
        index = int(step_index) + 1
        if index < window or index > values.size - window:
            continue
        before = float(np.median(values[index - window : index]))
        after = float(np.median(values[index : index + window]))
        size = after - before
        step = float(steps[step_index])
        if abs(size) >= max(threshold, 0.5 * abs(step)) and np.sign(size) == np.sign(step):
            candidates.append((min(abs(size), abs(step)), LevelShift(index, size)))
    # Neighbouring steps see the same shift in their windows: keep the sharpest within a window.
    shifts: list[LevelShift] = []
    for _, shift in sorted(candidates, key=lambda candidate: -candidate[0]):
        if all(abs(shift.index - kept.index) >= window for kept in shifts):
            shifts.append(shift)
    shifts.sort(key=lambda shift: shift.index)
    return shifts


def regime_start(values: np.ndarray, window: int = 24, minimum_size: float = 0.0) -> int:
    """Index where the current regime starts: after the last level shift, or 0 without one."""
    shifts = detect_level_shifts(values, window=window, minimum_size=minimum_size)
    return shifts[-1].index if shifts else 0
