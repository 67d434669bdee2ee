"""``python -m dsviz`` as a user runs it: a subprocess, its stdout, stderr and exit status."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dsviz.cost import conv_cost, separable_cost
from dsviz.mobilenet import mobilenet_v1
from dsviz.mobilenet_v2 import mobilenet_v2

ROOT = Path(__file__).resolve().parents[1]


def dsviz(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "dsviz", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )


def ok(*args: str) -> str:
    result = dsviz(*args)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return result.stdout


def test_help_lists_the_commands():
    text = ok("--help")
    for command in ("cost conv", "cost separable", "cost mobilenet-v1", "cost mobilenet-v2"):
        assert command in text
    assert "mobilenet-v1" in ok("cost", "--help") and "mobilenet-v2" in ok("cost", "--help")


def test_conv_table():
    text = ok("cost", "conv", "--in", "3", "--out", "64", "--kernel", "3", "--size", "224")
    assert "86,704,128" in text  # 3·3·3·64·224² MACs
    assert "MACs" in text and "Counted" in text and "not counted" in text
    assert "224×224×64" in text


def test_conv_json_has_the_model_numbers():
    args = ["--in", "8", "--out", "12", "--kernel", "5", "--size", "20", "--width", "17"]
    args += ["--stride", "2", "--groups", "4", "--dilation", "2", "--padding", "valid", "--bias"]
    data = json.loads(ok("cost", "conv", *args, "--json"))
    cost = conv_cost(8, 12, 5, 20, 17, stride=2, groups=4, dilation=2, padding="valid", bias=True)
    assert data["mult_adds"] == cost.mult_adds and isinstance(data["mult_adds"], int)
    assert data["params"] == cost.params == 12 * 2 * 25 + 12
    assert (data["out_height"], data["out_width"]) == (6, 5)


def test_separable_table_and_json():
    args = ["--in", "32", "--out", "64", "--kernel", "3", "--size", "112"]
    text = ok("cost", "separable", *args)
    for word in ("depthwise", "pointwise", "standard", "73/576", "1/N + 1/D_K²", "exact here"):
        assert word in text
    data = json.loads(ok("cost", "separable", *args, "--multiplier", "2", "--stride", "2", "--json"))
    sep = separable_cost(32, 64, 3, 112, 112, multiplier=2, stride=2)
    assert (data["mult_adds"], data["params"]) == (sep.mult_adds, sep.params)
    assert data["standard"]["mult_adds"] == sep.standard.mult_adds
    assert data["ratio_exact"] == "73/288" and data["usual_is_exact"] is False


def test_mobilenet_table():
    text = ok("cost", "mobilenet-v1")
    assert "568,740,352" in text and "4,209,088" in text and "MACs" in text
    assert "block13_pw" in text and "conv1x1" in text


def lines_with(text: str, word: str) -> list[str]:
    return [line for line in text.splitlines() if word in line]


def test_mobilenet_text_says_what_is_corrected_and_what_is_not_the_papers():
    text = ok("cost", "mobilenet-v1")
    (row,) = lines_with(text, "block13_dw")
    assert row.split()[2] == "1*"  # stride 1, marked
    assert "Table 1 prints s2 for the last depthwise layer" in text and "typo" in text
    assert "FLOPs = 2 × MACs = 1,137,480,704" in text  # 2 × 568,740,352
    assert 'mult-adds under the name "FLOPs"' in text and '"569M FLOPs"' in text
    assert "prints 1.19%" in text and "1.91% is right" in text  # Table 2's misprint
    assert "min_depth" not in text and "Table 6" not in text  # α = 1: nothing was scaled


@pytest.mark.parametrize(
    ("args", "where"),
    [
        (["--alpha", "0.5", "--resolution", "160"], "in neither"),
        (["--alpha", "0.75"], "a row of Table 6"),
        (["--resolution", "192"], "a row of Table 7"),
    ],
)
def test_scaled_mobilenets_point_to_tables_6_and_7_not_table_1(args, where):
    text = ok("cost", "mobilenet-v1", *args)
    title = text.splitlines()[0]
    assert "Table 1" not in title
    assert "Tables 6–7, not Table 1" in text and where in text
    assert ("TF-slim's min_depth, not the paper's" in text) == ("--alpha" in args)
    assert "1.19%" not in text  # Table 2 is about 1.0 MobileNet-224 only


def test_the_width_floor_is_reported_when_it_changes_widths():
    text = ok("cost", "mobilenet-v1", "--alpha", "0.1")
    assert "here it raises 2 of the 14 widths (stem and blocks) to 8" in text  # int(32·0.1), int(64·0.1)
    assert "it changes nothing here" in ok("cost", "mobilenet-v1", "--alpha", "0.25")


def test_full_conv_is_table_4():
    text = ok("cost", "mobilenet-v1", "--full-conv")
    assert "Table 4" in text and lines_with(text, "block13_conv")[0].split()[2] == "1*"


def test_separable_text_speaks_to_users():
    text = ok("cost", "separable", "--in", "32", "--out", "64", "--kernel", "3", "--size", "112")
    assert "seed" not in text.lower()  # an internal name; users know "the usual formula"
    assert "the usual formula 1/N + 1/D_K²" in text


@pytest.mark.parametrize(
    "args",
    [[], ["--alpha", "0.5", "--resolution", "160"], ["--full-conv"], ["--alpha", "0.25"]],
)
def test_mobilenet_json(args):
    data = json.loads(ok("cost", "mobilenet-v1", *args, "--json"))
    alpha = float(args[1]) if args[:1] == ["--alpha"] else 1.0
    resolution = int(args[3]) if len(args) > 3 else 224
    net = mobilenet_v1(alpha, resolution, full_conv="--full-conv" in args)
    assert (data["mult_adds"], data["params"]) == (net.mult_adds, net.params)
    assert data["layers"] == [row.as_dict() for row in net.rows]
    assert sum(row["mult_adds"] for row in data["layers"]) == data["mult_adds"]


def test_mobilenet_v2_table():
    text = ok("cost", "mobilenet-v2")
    assert text.splitlines()[0] == "1 MobileNetV2-224 — Sandler et al. 2018, 'same' padding"
    assert "300,774,272" in text and "3,469,760" in text and "Table 2" in text
    (header,) = lines_with(text, "MACs/byte")
    assert header.split()[:3] == ["layer", "type", "stride"] and "output bytes" in header
    (row,) = lines_with(text, "block2_dw ")
    assert row.split()[:5] == ["block2_dw", "dw3x3", "2", "112×112×96", "56×56×96"]
    assert row.split()[5:8] == ["2,709,504", "864", "1,204,224"]  # MACs, params, output bytes
    # the residual mark, on the projections of blocks 3, 5, 6, 8, 9, 10, 12, 13, 15, 16
    marked = [
        line.split()[0] for line in text.splitlines() if line.split()[:1] and line.split()[0][-1] == "+"
    ]
    assert marked[:3] == ["block3_project+", "block5_project+", "block6_project+"] and len(marked) == 11
    assert marked[-1] == "+"  # the footnote that explains the mark
    assert "+ the block's input is added" in text
    for kind in ("expand1x1", "project1x1", "last1x1"):
        assert len(lines_with(text, f"{kind}  ")) >= 2  # rows and the breakdown
    # the paper's figures and how they round
    assert "3,469,760 params → 3.4M" in text and "300,774,272 mult-adds → 300M" in text
    assert "The paper prints 300M and 3.4M for this model (Table 4): the same." in text
    assert '"300M FLOPs"' in text and "FLOPs = 2 × MACs = 601,548,544" in text
    assert "_make_divisible" not in text and "Table 1 prints" not in text  # α = 1; v1's typo note


def test_mobilenet_v2_scaled():
    text = ok("cost", "mobilenet-v2", "--alpha", "0.35", "--resolution", "96")
    assert text.startswith("0.35 MobileNetV2-96")
    assert "11,934,128" in text and "1,662,048" in text
    assert "_make_divisible" in text and "the last conv has 1280 channels" in text
    assert "not one of those" not in text and "Table 4" not in text
    wide = ok("cost", "mobilenet-v2", "--alpha", "1.4")
    assert "the last conv has 1792 channels" in wide and "582,195,824" in wide
    odd = ok("cost", "mobilenet-v2", "--alpha", "1.1", "--resolution", "200")
    assert "this model is not one of those" in odd


@pytest.mark.parametrize("args", [[], ["--alpha", "0.35", "--resolution", "96"], ["--alpha", "1.4"]])
def test_mobilenet_v2_json(args):
    data = json.loads(ok("cost", "mobilenet-v2", *args, "--json"))
    alpha = float(args[1]) if args else 1.0
    resolution = int(args[3]) if len(args) > 3 else 224
    net = mobilenet_v2(alpha, resolution)
    assert data["command"] == "cost mobilenet-v2"
    assert set(data) == set(json.loads(ok("cost", "mobilenet-v1", "--json")))  # v1's shape
    assert (data["mult_adds"], data["params"]) == (net.mult_adds, net.params)
    assert data["layers"] == [row.as_dict() for row in net.rows]
    assert data["breakdown"] == [share.as_dict() for share in net.breakdown()]
    assert (data["alpha"], data["resolution"]) == (alpha, resolution)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["cost", "conv", "--in", "3", "--out", "8", "--kernel", "3", "--size", "9", "--groups", "2"],
            "groups=2",
        ),
        (["cost", "conv", "--in", "3", "--out", "8", "--kernel", "3.5", "--size", "9"], "--kernel"),
        (["cost", "conv", "--in", "3", "--out", "8", "--kernel", "3", "--size", "0"], "height"),
        (
            ["cost", "conv", "--in", "3", "--out", "8", "--kernel", "9", "--size", "4", "--padding", "valid"],
            "empty",
        ),
        (
            ["cost", "conv", "--in", "3", "--out", "8", "--kernel", "3", "--size", "9", "--padding", "full"],
            "padding",
        ),
        (["cost", "conv", "--in", "3", "--out", "8", "--kernel", "4", "--size", "9"], "odd kernel"),
        (["cost", "conv", "--in", "3", "--kernel", "3", "--size", "9"], "--out"),
        (
            [
                "cost",
                "separable",
                "--in",
                "3",
                "--out",
                "8",
                "--kernel",
                "3",
                "--size",
                "9",
                "--multiplier",
                "0",
            ],
            "multiplier",
        ),
        (["cost", "mobilenet-v1", "--alpha", "0"], "α"),
        (["cost", "mobilenet-v1", "--resolution", "-5"], "resolution"),
        (["cost", "mobilenet-v3"], "invalid choice"),
        (["cost", "mobilenet-v2", "--alpha", "0"], "α must be > 0"),
        (["cost", "mobilenet-v2", "--alpha", "nan"], "α must be > 0"),
        (["cost", "mobilenet-v2", "--alpha", "wide"], "--alpha"),
        (["cost", "mobilenet-v2", "--resolution", "0"], "resolution must be ≥ 1"),
        (["cost", "mobilenet-v2", "--resolution", "96.5"], "--resolution"),
        (["cost", "mobilenet-v2", "--full-conv"], "unrecognized arguments"),
        ([], "required"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(args, message):
    result = dsviz(*args)
    assert result.returncode == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("python -m dsviz")
    assert message in lines[0]


def test_main_returns_the_exit_status_instead_of_raising(capsys, monkeypatch):
    """The console script pip writes is ``sys.exit(main())``: main returns 0 or 2, never SystemExit."""
    from dsviz.__main__ import main

    monkeypatch.setattr(sys, "argv", ["/venv/bin/dsviz"])
    assert main(["cost", "conv", "--in", "3", "--out", "64", "--kernel", "3", "--size", "224"]) == 0
    assert "86,704,128" in capsys.readouterr().out
    assert main(["--help"]) == 0
    assert "dsviz cost conv --in 3" in capsys.readouterr().out  # examples name the command as typed
    assert main(["cost", "conv", "--in", "3"]) == 2
    assert capsys.readouterr().err.startswith("dsviz cost conv: error:")
    assert main(["cost", "mobilenet-v1", "--alpha", "0"]) == 2
    assert "α" in capsys.readouterr().err


def into_a_closed_pipe(args: list[str], buffered: bool) -> subprocess.CompletedProcess[str]:
    """stdout is a pipe whose reading end is closed before dsviz writes a byte: every write fails."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("PYTHONUNBUFFERED", None)
    if not buffered:
        env["PYTHONUNBUFFERED"] = "1"
    read, write = os.pipe()
    os.close(read)
    try:
        return subprocess.run(
            [sys.executable, "-m", "dsviz", *args],
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env=env,
            timeout=60,
        )
    finally:
        os.close(write)


@pytest.mark.parametrize("buffered", [True, False], ids=["buffered", "unbuffered"])
@pytest.mark.parametrize("args", [["cost", "mobilenet-v1"], ["cost", "mobilenet-v1", "--json"]])
def test_a_reader_that_is_already_gone_gets_no_traceback(args, buffered):
    result = into_a_closed_pipe(args, buffered)
    assert result.stderr == ""
    assert result.returncode == 141  # 128 + SIGPIPE, as a shell reports for cat or seq


@pytest.mark.parametrize("buffered", [True, False], ids=["buffered", "unbuffered"])
def test_help_and_errors_with_no_reader(buffered):
    """argparse itself ignores a failed write of --help (unbuffered: status 0); buffered, the final
    flush fails (141). Either way quietly. A bad command writes only to stderr, still open: status 2."""
    result = into_a_closed_pipe(["--help"], buffered)
    assert result.stderr == "" and result.returncode in (0, 141)
    result = into_a_closed_pipe(["cost", "conv", "--in", "3"], buffered)
    assert result.returncode == 2 and result.stderr.startswith("python -m dsviz cost conv: error:")


def test_piped_into_head_stops_quietly():
    """The user's case. Unbuffered output makes the race likely; either way there is no traceback."""
    command = f"{sys.executable} -m dsviz cost mobilenet-v1 | head -3; echo status ${{PIPESTATUS[0]}} >&2"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    for _ in range(4):
        result = subprocess.run(["bash", "-c", command], capture_output=True, text=True, cwd=ROOT, env=env)
        assert len(result.stdout.splitlines()) == 3
        assert result.stderr.strip() in ("status 0", "status 141"), result.stderr
