"""``python docs/make_figures.py`` runs headless and writes every figure as a real, non-blank PNG.

Needs the ``figures`` extra (matplotlib); skipped with that reason otherwise. Looking at the
pictures is still a human's job (see docs/techniques/figures.md); this test catches a
command that crashes, a missing file, an empty or blank image and non-deterministic output.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

try:
    import matplotlib  # noqa: F401
    import matplotlib.image as mpimg
except ImportError:  # pragma: no cover - depends on the installed extras
    pytest.skip("matplotlib is not installed (pip install -e '.[figures]'); the figures are optional",
                allow_module_level=True)

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "docs" / "make_figures.py"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _expected() -> list[str]:
    spec = importlib.util.spec_from_file_location("make_figures", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert set(mod.MAKERS) == set(mod.FIGURES), "every figure needs a maker and a caption"
    return sorted(mod.FIGURES)


def _run(out: Path, *extra: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, MPLBACKEND="Agg")
    env.pop("DISPLAY", None)
    proc = subprocess.run([sys.executable, str(SCRIPT), "--out", str(out), *extra], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, f"make_figures failed:\n{proc.stdout}\n{proc.stderr}"
    return proc


@pytest.fixture(scope="module")
def figures_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("figures")
    _run(out)
    return out


@pytest.mark.parametrize("name", _expected())
def test_figure_is_a_non_blank_png_of_sane_size(figures_dir, name):
    path = figures_dir / name
    assert path.exists(), f"{name} was not written"
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE, f"{name} is not a PNG"
    assert len(data) > 20_000, f"{name} is suspiciously small: {len(data)} bytes"
    img = mpimg.imread(path)
    h, w = img.shape[:2]
    assert 300 <= h <= 3000 and 300 <= w <= 3000, f"{name} has size {w}x{h} px"
    rgb = np.round(img[..., :3] * 255).astype(np.uint8).reshape(-1, 3)
    colours = np.unique(rgb, axis=0).shape[0]
    assert colours > 50, f"{name} has only {colours} distinct colours (blank?)"
    ink = np.mean(np.any(rgb < 200, axis=1))
    assert 0.01 < ink < 0.6, f"{name}: {ink:.1%} of the pixels are drawn (blank or flooded?)"


def test_command_says_which_reference_functions_it_used(figures_dir):
    proc = _run(figures_dir, "--only", "ema_vs_sma.png")
    assert "reference.averages" in proc.stdout


def test_output_is_deterministic(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    for out in (a, b):
        _run(out, "--only", "ema_vs_sma.png", "feature_scaling_contours.png")
    for name in ("ema_vs_sma.png", "feature_scaling_contours.png"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), f"{name} differs between two runs"
