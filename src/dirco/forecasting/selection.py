"""Rolling-origin backtests and the backtest-weighted ensemble of candidate models."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from dirco.forecasting.models import FloatArray, OriginForecasts

# Three: more lets weak models dilute the best; fewer loses the combination's hedge.
TOP_K = 3


@dataclass
class Scored:
    model: OriginForecasts
    mase: float


def mase_scale(y: FloatArray, period: int) -> float:
    """In-sample mean absolute error of the seasonal naive (naive if too short)."""
    lag = period if len(y) > period else 1
    if len(y) <= lag:
        return max(float(np.mean(np.abs(y))), 1e-9)
    scale = float(np.mean(np.abs(y[lag:] - y[:-lag])))
    if scale > 0:
        return scale
    return max(float(np.mean(np.abs(y))), 1e-9)


def backtest_origins(n: int, first_origin: int, eval_horizon: int, window: int) -> range:
    """The last ``window`` origins with at least one observed target each."""
    last = n - 2
    start = max(first_origin, last - eval_horizon - window + 2)
    return range(start, last + 1)


def backtest_mase(
    model: OriginForecasts, y: FloatArray, origins: range, eval_horizon: int, scale: float
) -> float:
    """Mean absolute error over origins x horizons 1..eval_horizon, scaled (MASE)."""
    n = len(y)
    errors: list[FloatArray] = []
    for t in origins:
        h = min(eval_horizon, n - 1 - t)
        if h < 1:
            continue
        errors.append(np.abs(model.table[t, :h] - y[t + 1 : t + 1 + h]))
    if not errors:
        return float("inf")
    flat = np.concatenate(errors)
    if not np.all(np.isfinite(flat)):
        return float("inf")
    return float(flat.mean()) / scale


def ensemble_weights(scores: Sequence[Scored], top_k: int = TOP_K) -> dict[str, float]:
    """Weights inversely proportional to squared backtest MASE, over the best ``top_k``.

    Keeping only the best few stops a poor model from dragging the mean; squaring the
    inverse error lets a clearly better model dominate without taking everything.
    """
    ranked = sorted((s for s in scores if np.isfinite(s.mase)), key=lambda s: s.mase)[:top_k]
    if not ranked:
        return {}
    raw = np.array([1.0 / max(s.mase, 1e-6) ** 2 for s in ranked])
    raw /= raw.sum()
    return {s.model.name: float(w) for s, w in zip(ranked, raw, strict=True)}


def pool_weights(scores: Sequence[Scored]) -> dict[str, float]:
    """The ensemble's weights (1/MASE^2) over every backtested model, not the best three.

    The spread of the whole pool says how much the models' views of the future differ
    today; the three combined ones often agree by construction (they backtested alike).
    """
    return ensemble_weights(scores, top_k=len(scores))


def combine(models: Sequence[OriginForecasts], weights: dict[str, float]) -> FloatArray:
    """Weighted mean of the models' origin tables (NaN where any weighted model is NaN)."""
    by_name = {m.name: m for m in models}
    total: FloatArray | None = None
    for name, weight in weights.items():
        part = weight * by_name[name].table
        total = part if total is None else total + part
    if total is None:
        raise ValueError("no model to combine")
    return total
