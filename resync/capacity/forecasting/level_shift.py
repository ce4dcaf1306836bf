"""Level-shift detection: a disk cleanup, a resized volume, a workload moved to another FTA.

A shift is a step over two hours (a cleanup part-way through an hour splits its step between
two hourly means) that is large against the series' usual two-hour steps (net of the same
hours' step a day earlier, so the daily rhythm's own steps cancel) and that persists: the
medians of the day and of the week after it (or of what there is) differ from those before it
by most of the step. A spike (one bad sample) fails the persistence test, and so does a weekend
bump in the middle of the history; one at its end is recognised by the same step a week
earlier. Only the regime since the last shift is extrapolated; earlier data would bend the
trend towards a level the host has left.
"""

from dataclasses import dataclass

import numpy as np

MAD_TO_SIGMA = 1.4826
STEP_SPAN = 2


@dataclass(frozen=True)
class LevelShift:
    """A persistent step at `index` (the first step of the new regime) of `size` value units."""

    index: int
    size: float


def _robust_sigma(values: np.ndarray) -> float:
    return MAD_TO_SIGMA * float(np.median(np.abs(values - np.median(values))))


def _persistent_change(values: np.ndarray, index: int, window: int) -> float:
    """The change at `index` if the day after and the week after both show it, else 0.

    Medians of up to a week after `index` against up to a week before it, and of the day after
    against the day before: the short comparison places the shift (a spike a day earlier, with
    a real shift inside the week after, does not qualify), the long one proves it lasts.
    """
    week = 7 * window
    weekly = float(
        np.median(values[index : index + week]) - np.median(values[max(0, index - week) : index])
    )
    daily = float(
        np.median(values[index : index + window]) - np.median(values[index - window : index])
    )
    if np.sign(daily) != np.sign(weekly):
        return 0.0
    return daily if abs(daily) < abs(weekly) else weekly


def _seen_a_week_earlier(values: np.ndarray, index: int, window: int, size: float) -> bool:
    """Whether the same step happened a week before (a weekly rhythm, such as weekend runs)."""
    earlier = index - 7 * window
    if earlier < window:
        return False
    before = np.median(values[earlier - window : earlier])
    after = np.median(values[earlier : earlier + window])
    change = float(after - before)
    return np.sign(change) == np.sign(size) and abs(change) >= 0.5 * abs(size)


def detect_level_shifts(
    values: np.ndarray, window: int = 24, sensitivity: float = 6.0, minimum_size: float = 0.0
) -> list[LevelShift]:
    """The persistent steps in an evenly spaced series, oldest first.

    `window` is a day of steps; a step must exceed `sensitivity` robust standard deviations of
    the step-to-step changes, and `minimum_size` value units, and keep at least half of its
    size over the week after it.
    """
    values = np.asarray(values, dtype=float)
    if values.size < 2 * window + 1:
        return []
    # A two-hour step net of the same hours' step a day earlier: the daily rhythm's own steps
    # cancel. `steps[i]` ends at `values[i + 1]`, the first value of a new regime.
    steps = np.zeros(values.size - 1)
    steps[STEP_SPAN - 1 :] = values[STEP_SPAN:] - values[:-STEP_SPAN]
    unusual = np.zeros_like(steps)
    unusual[window:] = steps[window:] - steps[:-window]
    noise = _robust_sigma(unusual[window:])
    spread = _robust_sigma(values - np.median(values))
    threshold = max(sensitivity * noise, minimum_size, 0.5 * spread, 1e-9)
    candidates: list[tuple[float, LevelShift]] = []
    for step_index in np.flatnonzero(np.abs(unusual) > threshold):
        index = int(step_index) + 1
        # The new regime starts at the sharper of the span's two hourly steps.
        if abs(values[index - 1] - values[index - 2]) > abs(values[index] - values[index - 1]):
            index -= 1
        if index <= window or index > values.size - window:
            continue
        size = _persistent_change(values, index, window)
        step = float(unusual[step_index])
        if abs(size) < max(threshold, 0.5 * abs(step)) or np.sign(size) != np.sign(step):
            continue
        if _seen_a_week_earlier(values, index, window, size):
            continue
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
