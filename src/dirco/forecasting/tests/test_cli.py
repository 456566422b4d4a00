from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from dirco.forecasting.cli import main

GOOD_ROWS = [f"2023-{m:02d},{100 + 10 * m}" for m in range(1, 13)] + [
    f"2024-{m:02d},{130 + 10 * m}" for m in range(1, 13)
]


def write(tmp_path: Path, lines: list[str], name: str = "IN.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_writes_the_output_csv(tmp_path: Path) -> None:
    src = write(tmp_path, ["period,value", *GOOD_ROWS])
    out = tmp_path / "OUT.csv"
    assert main(["--input", str(src), "--horizon", "6", "--output", str(out)]) == 0
    rows = list(csv.reader(out.open()))
    assert rows[0] == ["period", "forecast", "lower80", "upper80", "lower95", "upper95"]
    assert [r[0] for r in rows[1:]] == [f"2025-{m:02d}" for m in range(1, 7)]
    for row in rows[1:]:
        lo95, lo80, point, hi80, hi95 = (float(row[i]) for i in (4, 2, 1, 3, 5))
        assert 0 <= lo95 <= lo80 <= point <= hi80 <= hi95


def test_prints_to_stdout_without_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = write(tmp_path, ["period,value", "2024-Q1,10", "2024-Q2,12", "2024-Q3,11", "2024-Q4,13"])
    assert main(["--input", str(src), "--horizon", "2"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "period,forecast,lower80,upper80,lower95,upper95"
    assert [line.split(",")[0] for line in lines[1:]] == ["2025-Q1", "2025-Q2"]


def test_gaps_are_filled_with_a_warning(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = [r for r in GOOD_ROWS if not r.startswith(("2023-05", "2023-06"))]
    src = write(tmp_path, ["period,value", *rows])
    assert main(["--input", str(src), "--horizon", "3"]) == 0
    err = capsys.readouterr().err
    assert "2 missing period(s) interpolated: 2023-05, 2023-06" in err


def test_accepts_a_bom_and_a_trailing_blank_line(tmp_path: Path) -> None:
    src = tmp_path / "IN.csv"
    src.write_text("\ufeffperiod,value\n2024-01,1\n2024-02,2\n2024-03,3\n\n", encoding="utf-8")
    assert main(["--input", str(src), "--horizon", "1"]) == 0


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (["period,value", "2024-01,1", "2024-13,2", "2024-03,3"], "line 3: period '2024-13'"),
        (["period,value", "2024-01,1", "Jan 2024,2", "2024-03,3"], "line 3: period 'Jan 2024'"),
        (
            ["period,value", "2024-01,1", "2024-02,2", "2024-02,3"],
            "line 4: period 2024-02 appears twice",
        ),
        (
            ["period,value", "2024-01,1", "2024-03,2", "2024-02,3"],
            "line 4: period 2024-02 comes after 2024-03",
        ),
        (
            [
                "period,value",
                "2024-01,1",
                "2024-02,2",
                "2024-03,3",
                "2024-04,4",
                "2024-05,5",
                "2024-06,abc",
            ],
            "line 7: value 'abc' is not a number",
        ),
        (
            ["period,value", "2024-01,1", "2024-02,", "2024-03,3"],
            "line 3: value '' is not a number",
        ),
        (
            ["period,value", "2024-01,1", "2024-02,nan", "2024-03,3"],
            "line 3: value 'nan' is not a finite",
        ),
        (["period,value", "2024-01,1", "2024-02,2"], "need at least 3 data rows, found 2"),
        (
            ["month,revenue", "2024-01,1", "2024-02,2", "2024-03,3"],
            "line 1: header is 'month,revenue'",
        ),
        (["2024-01,1", "2024-02,2", "2024-03,3"], "line 1: header is '2024-01,1'"),
        (
            ["period,value", "2024-01,1", "2024-Q2,2", "2024-03,3"],
            "line 3: period '2024-Q2' is quarterly",
        ),
        (["period,value", "2024-01,1", "2024-02,2,9", "2024-03,3"], "line 3: expected 2 columns"),
        ([], "the file is empty"),
    ],
)
def test_bad_input_names_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], lines: list[str], message: str
) -> None:
    src = write(tmp_path, lines)
    out = tmp_path / "OUT.csv"
    assert main(["--input", str(src), "--horizon", "3", "--output", str(out)]) == 1
    err = capsys.readouterr().err
    assert f"{src}" in err and message in err
    assert not out.exists()


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--input", str(tmp_path / "nope.csv"), "--horizon", "3"]) == 1
    assert "cannot read the file" in capsys.readouterr().err


@pytest.mark.parametrize("horizon", ["0", "121", "x"])
def test_bad_horizon_is_a_usage_error(tmp_path: Path, horizon: str) -> None:
    src = write(tmp_path, ["period,value", *GOOD_ROWS])
    assert main(["--input", str(src), "--horizon", horizon]) == 2


def test_runs_as_a_module(tmp_path: Path) -> None:
    src = write(tmp_path, ["period,value", *GOOD_ROWS])
    done = subprocess.run(
        [sys.executable, "-m", "dirco.forecasting.cli", "--input", str(src), "--horizon", "2"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0].startswith("period,forecast")
