"""How far a daily series wanders, read from its own history, for the crossing paths
(`resync.capacity.forecasting.crossing`): how persistent its deviations from a line are, the
step variance of a walk under day-to-day noise, how much its slope walks, and so how sure a
line's slope through it is.
"""

import numpy as np

PERSISTENCE_CAP = 0.9


def lag_one_persistence(residuals: np.ndarray) -> float:
    """The lag-one autocorrelation of the residuals, corrected for the bias a short detrended
    series gives it (about -(2 + 4 phi) / n, Shaman & Stine 1988), within 0…1."""
    size = residuals.size
    lagged = float(residuals[:-1] @ residuals[:-1])
    if size < 4 or lagged == 0.0:
        return 0.0
    phi = float(residuals[1:] @ residuals[:-1]) / lagged
    return min(1.0, max(0.0, phi + (2.0 + 4.0 * phi) / size))


def random_walk_variance(residuals: np.ndarray) -> float:
    """The step variance of a walk under day-to-day noise: the variance of the changes less
    what the noise adds to it (twice minus their lag-one autocovariance)."""
    changes = np.diff(residuals)
    if changes.size < 3:
        return 0.0
    centred = changes - changes.mean()
    covariance = float(centred[1:] @ centred[:-1]) / (changes.size - 1)
    return max(0.0, float(np.var(changes)) + 2.0 * covariance)


def slope_drift_variance(values: np.ndarray, window: int) -> float:
    """The daily step variance of a slope that walks: how far the lines of consecutive windows
    of `window` steps (the latest ones) differ in slope, beyond what a walk and day-to-day noise
    around a steady slope give them (method of moments). A week's window puts a weekly peak at
    the same place in each, so it tilts every window's line alike."""
    window = min(window, values.size // 2)
    if window < 4:
        return 0.0
    count = values.size // window
    windows = values[values.size - count * window :].reshape(count, window)
    steps = np.arange(window, dtype=float) - (window - 1) / 2
    weights = steps / float(steps @ steps)
    changes = np.diff(values)
    centred = changes - changes.mean()
    covariance = float(centred[1:] @ centred[:-1]) / (changes.size - 1)
    noise = max(0.0, -covariance)
    walk = max(0.0, float(np.var(changes)) + 2.0 * covariance)
    # A line's slope through a walk carries each step by the weights of the days after it.
    carried = np.cumsum(weights[::-1])[::-1]
    expected = 2.0 * (walk * float(carried @ carried) + noise * float(weights @ weights))
    excess = float(np.mean(np.diff(windows @ weights) ** 2)) - expected
    return max(0.0, excess) / window


def slope_error(residuals: np.ndarray, slopes: np.ndarray, centred: np.ndarray) -> float:
    """The standard error of the trend's slope: the bootstrap refits' spread, or the one
    persistent deviations give a least-squares line, whichever is larger."""
    persistence = min(lag_one_persistence(residuals), PERSISTENCE_CAP)
    inflation = np.sqrt((1.0 + persistence) / (1.0 - persistence))
    persistent = inflation * float(np.std(residuals)) / np.sqrt(float(centred @ centred))
    return max(float(np.std(slopes)), persistent)
