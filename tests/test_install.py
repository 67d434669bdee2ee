"""``pip install .`` works: a wheel with the code, the sample photos and a ``dsviz`` command.

The wheel is built from a copy of the working tree (so the build's ``build/`` and ``*.egg-info`` land
in a temporary directory, not in the repository), laid out as the repository is: ui/, views/, tests/
and docs/ beside dsviz/ are what once made setuptools refuse a "flat layout" with several packages.
It is installed without dependencies into a venv that sees this interpreter's torch, numpy, PIL and
plotly, and used from ``/``, where the repository's own dsviz/ cannot be imported by accident.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from dsviz.cost import separable_cost

ROOT = Path(__file__).resolve().parents[1]
NOT_SOURCES = shutil.ignore_patterns(
    ".git", "artifacts", "build", "dist", "*.egg-info", "__pycache__", "*.pyc", ".*cache", ".hypothesis"
)


def sh(*args: object, cwd: Path | str = ROOT, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("install")
    source = tmp / "source"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCES)
    dist = tmp / "dist"
    sh(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", dist, source)
    (built,) = dist.glob("dsviz-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(wheel: Path) -> Path:
    """A venv seeing this interpreter's packages (torch is large), with the wheel installed in it."""
    env = wheel.parent.parent / "venv"
    sh(sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", env)
    python = env / "bin" / "python"
    sh(python, "-m", "pip", "install", "--no-deps", "--no-index", "--no-cache-dir", wheel, cwd="/")
    return env


def test_the_wheel_holds_the_package_the_samples_and_the_command(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert "dsviz/ops.py" in names and "dsviz/__main__.py" in names
    samples = {Path(n).name for n in names if n.startswith("dsviz/samples/")}
    assert {"astronaut.jpg", "chelsea.jpg", "coffee.jpg", "rocket.jpg", "LICENSE.md"} <= samples
    assert {Path(n).parts[0] for n in names} <= {"dsviz", wheel.name.split("-py3")[0] + ".dist-info"}
    (entry_points,) = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "[console_scripts]" in text and "dsviz = dsviz.__main__:main" in text
    (metadata,) = [n for n in names if n.endswith(".dist-info/METADATA")]
    requires = [
        line.split(":", 1)[1].strip()
        for line in zipfile.ZipFile(wheel).read(metadata).decode().splitlines()
        if line.startswith("Requires-Dist:")
    ]
    assert "torch==2.13.0" in requires
    assert not any(r.lower().startswith("streamlit") for r in requires)  # the library needs no app


def test_the_installed_package_imports_and_loads_a_sample(venv: Path) -> None:
    code = (
        "import dsviz, dsviz.ops, torch\n"
        "assert torch.is_grad_enabled()\n"
        "from dsviz import images\n"
        "image = images.load_sample('astronaut')\n"
        "print(dsviz.__file__)\n"
    )
    out = sh(venv / "bin" / "python", "-c", code, cwd="/")
    assert Path(out.stdout.strip()).is_relative_to(venv), out.stdout  # the wheel's copy, not the repo's


def test_the_dsviz_command_runs(venv: Path) -> None:
    out = sh(venv / "bin" / "dsviz", "cost", "separable", "--in", "32", "--out", "64", "--kernel", "3",
             "--size", "112", cwd="/")  # fmt: skip
    assert f"{separable_cost(32, 64, 3, 112, 112).mult_adds:,}" in out.stdout  # 29,302,784
    assert out.stderr == ""
    bad = subprocess.run([venv / "bin" / "dsviz", "cost", "conv"], capture_output=True, text=True, cwd="/")
    assert bad.returncode == 2 and bad.stderr.startswith("dsviz cost conv: error:")
