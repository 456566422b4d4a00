"""``dirco forecast --input IN.csv --horizon H [--output OUT.csv]``.

IN.csv has the header ``period,value`` and one row per month (``YYYY-MM``) or quarter
(``YYYY-Qn``), in order. OUT.csv gets ``period,forecast,lower80,upper80,lower95,upper95``.
Bad input exits with status 1 and a message naming the file and line.
"""

from __future__ import annotations

import argparse
import csv
import io
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from dirco.forecasting.forecaster import MAX_HORIZON, MIN_POINTS, ForecastResult, forecast
from dirco.forecasting.series import Period, PeriodError

HEADER = ("period", "value")
OUTPUT_HEADER = ("period", "forecast", "lower80", "upper80", "lower95", "upper95")


class InputError(Exception):
    """The input file cannot be used; the message names the file and line."""


@dataclass
class ParsedInput:
    start: Period
    values: list[float | None]
    gaps: list[Period] = field(default_factory=list)


def parse_rows(rows: Sequence[Sequence[str]], source: str) -> ParsedInput:
    """Validate ``period,value`` rows (header included); ``source`` labels the messages."""
    if not any(cell.strip() for row in rows for cell in row):
        raise InputError(f"{source}: the file is empty; expected a header 'period,value'")
    header = tuple(cell.strip().lower() for cell in rows[0])
    if header != HEADER:
        raise InputError(
            f"{source} line 1: header is '{','.join(rows[0])}', expected 'period,value'"
        )
    points: list[tuple[Period, float]] = []
    seen: dict[Period, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue  # blank lines (often a trailing one) carry nothing
        where = f"{source} line {number}"
        if len(row) != 2:
            raise InputError(f"{where}: expected 2 columns (period,value), found {len(row)}")
        period_text, value_text = row[0].strip(), row[1].strip()
        try:
            period = Period.parse(period_text)
        except PeriodError as exc:
            raise InputError(f"{where}: period '{period_text}' is not valid: {exc}") from None
        try:
            value = float(value_text)
        except ValueError:
            raise InputError(f"{where}: value '{value_text}' is not a number") from None
        if not math.isfinite(value):
            raise InputError(f"{where}: value '{value_text}' is not a finite number")
        if points:
            previous = points[-1][0]
            if period.freq != previous.freq:
                kinds = {"M": "monthly", "Q": "quarterly"}
                raise InputError(
                    f"{where}: period '{period_text}' is {kinds[period.freq]} but earlier "
                    f"periods are {kinds[previous.freq]}; use one frequency per file"
                )
            if period in seen:
                raise InputError(
                    f"{where}: period {period} appears twice (first on line {seen[period]})"
                )
            if period < previous:
                raise InputError(
                    f"{where}: period {period} comes after {previous}; sort the rows by period"
                )
        seen[period] = number
        points.append((period, value))
    if len(points) < MIN_POINTS:
        raise InputError(f"{source}: need at least {MIN_POINTS} data rows, found {len(points)}")

    start = points[0][0]
    values: list[float | None] = [None] * (points[-1][0] - start + 1)
    for period, value in points:
        values[period - start] = value
    gaps = [start + i for i, v in enumerate(values) if v is None]
    return ParsedInput(start, values, gaps)


def read_input(path: Path) -> ParsedInput:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"{path}: cannot read the file ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: is not UTF-8 text; save it as UTF-8 CSV") from None
    return parse_rows(list(csv.reader(io.StringIO(text))), str(path))


def write_output(result: ForecastResult, out: TextIO) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(OUTPUT_HEADER)
    columns = (result.point, result.lower80, result.upper80, result.lower95, result.upper95)
    for i, period in enumerate(result.periods):
        writer.writerow([str(period), *(f"{column[i]:.4f}" for column in columns)])


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dirco forecast",
        description="Forecast a monthly or quarterly series with 80% and 95% intervals.",
    )
    parser.add_argument("--input", required=True, type=Path, help="CSV with header period,value")
    parser.add_argument(
        "--horizon", required=True, type=int, help=f"periods ahead, 1-{MAX_HORIZON}"
    )
    parser.add_argument("--output", type=Path, help="CSV to write (default: standard output)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the process exit status (0 ok, 1 bad input, 2 bad usage)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits on --help and usage errors
        return int(exc.code or 0)
    if not 1 <= args.horizon <= MAX_HORIZON:
        print(f"error: --horizon must be between 1 and {MAX_HORIZON}", file=sys.stderr)
        return 2
    try:
        parsed = read_input(args.input)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    result = forecast(parsed.values, parsed.start, parsed.start.freq, args.horizon)
    for note in result.warnings:
        print(f"warning: {note}", file=sys.stderr)
    print(f"method: {result.method}", file=sys.stderr)
    if args.output is None:
        write_output(result, sys.stdout)
        return 0
    try:
        with args.output.open("w", encoding="utf-8", newline="") as out:
            write_output(result, out)
    except OSError as exc:
        print(f"error: {args.output}: cannot write the file ({exc.strerror})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
