"""Command-line options shared by the test suite.

``--fuzz-long``: run tests/test_fuzz.py's long mode (thousands of links; the same as DSVIZ_FUZZ_LONG=1).
"""

from __future__ import annotations

import os
import sys

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--fuzz-long",
        action="store_true",
        default=False,
        help="tests/test_fuzz.py: thousands of links and settings instead of the quick fixed set",
    )


def pytest_configure(config: pytest.Config) -> None:
    # Read when tests/test_fuzz.py is imported (its example counts are set there), after this hook.
    if config.getoption("--fuzz-long"):
        os.environ["DSVIZ_FUZZ_LONG"] = "1"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    fuzz = sys.modules.get("test_fuzz")
    if fuzz is not None and fuzz.STATS["links"]:
        terminalreporter.write_line(fuzz.summary())
