"""Readings no load could have drawn, set aside before any feature is computed.

Head-end systems (the 用电信息采集系统 of a grid company) derive interval energy from the meter's
register. When collection fails for some hours, the export shows those intervals as empty or as
zeros, and the first reading after the outage carries the energy of the whole gap (the register
moved on while nobody read it). Taken at face value, that one reading is a spike of tens of times the
site's demand and the zeros an outage: a continuous-process plant or a data centre then looks like a
site with a working-day rhythm and no daily shape (bench/README.md, "messy readings"). Corrupt single
readings (a transmission error, a wrong multiplier for one interval) do the same on a smaller scale.

Validation as utilities practise it (VEE: validation, estimation, editing) marks such readings and
leaves them out rather than guessing them: here a reading above ``IMPLAUSIBLE_PEAK_MULTIPLE`` times
the account's own robust peak (99th percentile of its slots) is one no load on the account drew in
that interval, and the zeros (or empty slots) right before it are the outage whose energy it carries.
Both become missing (NaN, count 0), so every feature sees an unknown, never a made-up value. A site
that really stopped and restarted keeps its zeros: its first reading after the stop is within its
usual range. Pure functions on the (P, A, D) profile matrix of :mod:`profile`.
"""

from __future__ import annotations

import numpy as np

from minesweep.detection.meter.kernels.shape import Cube

IMPLAUSIBLE_PEAK_MULTIPLE = 3.0
"""A reading this many times the account's 99th-percentile demand is not a load but an artefact:
rigs, plants and data centres run within a few tens of percent of their peak, and a household's rare
big hour is part of its own top percent."""


def implausible_readings(cube: Cube) -> np.ndarray:
    """(P, A, D) bool: the readings to set aside (see the module docstring)."""
    return _implausible(cube)[0]


def _implausible(cube: Cube) -> tuple[np.ndarray, np.ndarray]:
    """:func:`implausible_readings` and the indices of the accounts with any. Compared in the cube's
    own layout; only the few accounts with such a reading are put in time order to find the gap
    before it (a gap only ever precedes a spike, so the accounts are the same)."""
    peak = cube.robust_peak_kw
    limit = np.where(peak > 0, IMPLAUSIBLE_PEAK_MULTIPLE * peak, np.inf).astype(cube.kw.dtype)
    with np.errstate(invalid="ignore"):
        marked = cube.kw > limit[None, :, None]
    accounts = np.flatnonzero(marked.any(axis=(0, 2)))
    if not len(accounts):
        return marked, accounts
    series = _in_time_order(cube.kw[:, accounts, :])
    spikes = _in_time_order(marked[:, accounts, :])
    gaps = _gaps_before(spikes, np.isnan(series) | (series == 0))
    marked[:, accounts, :] |= gaps.reshape(len(accounts), cube.days, cube.slots).transpose(2, 0, 1)
    return marked, accounts


def _in_time_order(block: np.ndarray) -> np.ndarray:
    """(A, D * P) rows in time order from a (P, A, D) block."""
    slots, accounts, days = block.shape
    return np.ascontiguousarray(block.transpose(1, 2, 0)).reshape(accounts, days * slots)


def _gaps_before(spikes: np.ndarray, gap: np.ndarray) -> np.ndarray:
    """(A, T) bool: the run of ``gap`` positions (zero or empty) that ends right before each spike,
    in time order along the last axis."""
    accounts, length = spikes.shape
    row, end = np.nonzero(spikes[:, 1:] & gap[:, :-1])  # end: the last gap position before the spike
    if not len(row):
        return np.zeros_like(spikes)
    position = np.arange(length)
    last_filled = np.maximum.accumulate(np.where(gap, -1, position[None, :]), axis=1)
    start = last_filled[row, end] + 1
    edges = np.zeros((accounts, length + 1), dtype=np.int32)
    np.add.at(edges, (row, start), 1)
    np.add.at(edges, (row, end + 1), -1)
    return np.cumsum(edges, axis=1)[:, :length] > 0


def without_implausible_readings(cube: Cube, counts: np.ndarray) -> tuple[Cube, np.ndarray, np.ndarray]:
    """``(cube, counts, set_aside)``: the profile and its reading counts with the implausible readings
    made missing (new arrays where any is found; the inputs are never changed), and the share of each
    account's readings set aside ((A,) float, 0..1; NaN without readings). The robust peak of the
    accounts left as they were is carried over, not computed again."""
    marked, affected = _implausible(cube)
    share = np.where(cube.slot_counts.sum(axis=1) > 0, 0.0, np.nan)
    if not len(affected):
        return cube, counts, share
    had = counts[:, affected, :].sum(axis=(0, 2), dtype=np.int64)
    set_aside = np.where(marked[:, affected, :], counts[:, affected, :], 0).sum(axis=(0, 2), dtype=np.int64)
    share[affected] = set_aside / had
    mean_kw, counts = cube.kw.copy(), counts.copy()
    mean_kw[marked] = np.nan
    counts[marked] = 0
    cleaned = Cube.of(mean_kw)
    peak = cube.robust_peak_kw.copy()
    peak[affected] = Cube.of(mean_kw[:, affected, :]).robust_peak_kw
    cleaned.known_robust_peak(peak)
    return cleaned, counts, share
