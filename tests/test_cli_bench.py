"""``dsviz bench``: the JSON fields of ``bench block`` and ``bench machine``, the text output, and bad
arguments (one line on stderr, exit 2, nothing timed). Timing values are never asserted: only their
structure, order (q1 ≤ median ≤ q3) and finiteness."""

from __future__ import annotations

import contextlib
import io
import json
import math
import subprocess
import sys

import pytest

import dsviz.__main__ as cli_main
from dsviz import cost
from dsviz.cli_bench import STAGES, register_bench

SMALL = ["--in", "2", "--out", "4", "--kernel", "3", "--size", "16", "--rounds", "3"]


@pytest.fixture(autouse=True)
def registered(monkeypatch: pytest.MonkeyPatch) -> None:
    """``bench`` as it will be registered in dsviz.__main__ (the router adds it to COMMANDS)."""
    if register_bench not in cli_main.COMMANDS:
        monkeypatch.setattr(cli_main, "COMMANDS", (*cli_main.COMMANDS, register_bench))


def cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = cli_main.main(["bench", *args])
    return status, out.getvalue(), err.getvalue()


def test_block_json_has_every_stage_with_median_iqr_and_rate() -> None:
    status, out, err = cli("block", *SMALL, "--stride", "2", "--json")
    assert status == 0 and err == ""
    row = json.loads(out)
    assert (row["in_channels"], row["out_channels"], row["kernel_size"], row["size"], row["stride"]) == (
        2,
        4,
        3,
        16,
        2,
    )
    assert row["repeats"] == 3
    exact = cost.separable_cost(2, 4, 3, 16, 16, stride=2)
    assert row["promised_speedup"] == pytest.approx(float(exact.reduction))
    assert set(row["stages"]) == set(STAGES)
    assert row["stages"]["standard"]["mult_adds"] == exact.standard.mult_adds
    assert row["stages"]["separable"]["mult_adds"] == exact.mult_adds
    for stage in row["stages"].values():
        assert stage["q1_ms"] <= stage["median_ms"] <= stage["q3_ms"]
        assert stage["iqr_ms"] == pytest.approx(stage["q3_ms"] - stage["q1_ms"])
        assert math.isfinite(stage["gmacs"]) and stage["gmacs"] > 0
    assert math.isfinite(row["measured_speedup"])


def test_block_text_names_every_stage() -> None:
    status, out, _ = cli("block", *SMALL)
    assert status == 0
    for name in STAGES:
        assert f"\n{name}" in out
    assert "promises" in out and "IQR ms" in out


def test_machine_json_has_both_roofs() -> None:
    status, out, _ = cli("machine", "--json")
    assert status == 0
    row = json.loads(out)
    assert {"peak_gmacs", "bandwidth_gbs", "balance_macs_per_byte"} <= set(row)
    assert row["peak_gmacs"] > 0 and row["bandwidth_gbs"] > 0
    assert row["balance_macs_per_byte"] == pytest.approx(row["peak_gmacs"] / row["bandwidth_gbs"])


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--in", "0", "--out", "4", "--kernel", "3", "--size", "16"], "--in"),
        (["--in", "2", "--out", "4", "--kernel", "4", "--size", "16"], "odd kernel"),
        (["--in", "2", "--out", "4", "--kernel", "3", "--size", "16", "--stride", "0"], "stride"),
        (["--in", "2", "--out", "4", "--kernel", "3", "--size", "5000"], "--size"),
        (["--in", "2", "--out", "4", "--kernel", "3", "--size", "16", "--rounds", "0"], "--rounds"),
        (["--in", "two", "--out", "4", "--kernel", "3", "--size", "16"], "invalid int"),
        (["--out", "4", "--kernel", "3", "--size", "16"], "--in"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(args: list[str], says: str) -> None:
    status, out, err = cli("block", *args)
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and says in err


def test_bench_does_not_load_torch_for_the_cost_commands() -> None:
    """Registering bench imports nothing heavy: ``dsviz cost`` stays quick to start."""
    code = "import sys, dsviz.cli_bench; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
