"""Draw the pictures the seed documents talk about, from the reference implementations.

Usage::

    python docs/make_figures.py [--out docs/figures] [--only NAME ...]

Needs the ``figures`` extra (``pip install -e ".[figures]"``, i.e. matplotlib). Runs
headless (the Agg backend). Every random draw comes from ``numpy.random.default_rng(SEED)``,
so the PNGs are the same on every run with the same numpy and matplotlib.

Each figure is computed with the reference functions of its technique (``reference.<family>``);
the command prints which ones each figure used. Figure-only code (the backward recursion that
gives dL/da at every layer, checked against ``reference.networks.dense_backward``; the unscaled
N(0, 1) initialisation of seeds 003/004; the batched eigenvalue test) is written here.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # runnable from a plain checkout
    sys.path.insert(0, str(ROOT))

os.environ.setdefault("MPLBACKEND", "Agg")

SEED = 20261123
DPI = 110
#: PNG metadata without the matplotlib version, so the bytes do not change with it.
PNG_META = {"Software": None}

#: figure file -> what it shows (the captions are in docs/techniques/figures.md).
FIGURES = {
    "init_variance.png": "activation and gradient variance by depth for zero, LeCun, Glorot, He "
                         "and unscaled N(0, 1) initialisation through tanh and ReLU networks",
    "optimizer_paths.png": "GD, momentum, Nesterov, Newton, AdaGrad, RMSprop, AdaDelta and Adam "
                           "on an ill-conditioned quadratic and on Rosenbrock's function",
    "feature_scaling_contours.png": "least-squares loss contours and gradient descent on raw "
                                    "versus standardised features",
    "ema_vs_sma.png": "EMA with alpha = 2/(n + 1) versus the SMA of n values on a noisy ramp",
    "minima_fraction.png": "fraction of minima among random symmetric Gaussian Hessians versus "
                           "d, against the seed's 2^-d",
}


# --------------------------------------------------------------------------- plotting helpers

_USED: dict[str, list[str]] = {}


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"font.size": 9, "axes.titlesize": 10, "legend.fontsize": 8,
                         "figure.dpi": DPI, "savefig.dpi": DPI, "axes.grid": True, "grid.alpha": 0.3})
    return plt


def _save(fig, out: Path, name: str) -> Path:
    path = out / name
    fig.savefig(path, metadata=PNG_META)
    import matplotlib.pyplot as plt

    plt.close(fig)
    return path


# --------------------------------------------------------------------------- 1. init variance

def fig_init_variance(out: Path) -> Path:
    """Var of a^[l] (forward) and of dL/da^[l] (backward) through L square layers, per init."""
    from reference.activations import relu_grad, tanh_grad
    from reference.initialization import glorot_normal, he_normal, lecun_normal, zeros_init
    from reference.networks import dense_backward, dense_forward

    plt = _plt()
    inits = {
        "zero": zeros_init,
        "LeCun  N(0, 1/n_in)": lecun_normal,
        "Glorot  N(0, 2/(n_in+n_out))": glorot_normal,
        "He  N(0, 2/n_in)": he_normal,
        # np.random.randn(shape) without the sqrt(1/n) factor the seeds add: seed 002's
        # "weights start too large"
        "unscaled  N(0, 1)": lambda shape, rng: rng.standard_normal(shape),
    }
    derivative = {"tanh": tanh_grad, "relu": relu_grad}
    width, depth, batch = 128, 30, 256
    styles = {"zero": ("k", "v", ":", 3.5), "LeCun": ("C0", "o", "-", 7), "Glorot": ("C2", "s", "--", 3.5),
              "He": ("C3", "^", "-", 3.5), "unscaled": ("C4", "d", "-", 3.5)}
    layers = np.arange(1, depth + 1)
    curves = {}  # (activation, row) -> [(label, values)]
    for act in derivative:
        for label, init in inits.items():
            rng = np.random.default_rng(SEED)
            x = rng.standard_normal((batch, width))
            Ws = [np.asarray(init((width, width), rng), dtype=np.float64) for _ in range(depth)]
            cache = dense_forward(Ws, None, x, activation=act, output_activation=act)
            fwd = [float(np.var(a)) for a in cache.activations[1:]]
            # backward from a random upstream gradient dL/da^[L]:
            # delta_l = dL/da^[l] * f'(z_l),  dL/da^[l-1] = delta_l W_l
            upstream = rng.standard_normal((batch, width))
            grad_a, bwd = upstream, []
            for W, z in zip(Ws[::-1], cache.pre_activations[::-1]):
                bwd.append(float(np.var(grad_a)))
                grad_a = (grad_a * derivative[act](z)) @ W
            # the recursion ends at dL/dx, which the reference backward pass also returns
            ref_x = dense_backward(Ws, cache, upstream, activation=act, output_activation=act).x
            if not np.allclose(grad_a, ref_x, rtol=1e-10, atol=0.0):
                raise RuntimeError(f"init_variance: the backward recursion disagrees with dense_backward ({label}, {act})")
            curves.setdefault((act, 0), []).append((label, np.array(fwd)))
            curves.setdefault((act, 1), []).append((label, np.array(bwd[::-1])))
    fig, axes = plt.subplots(2, 2, figsize=(10, 7.4), sharex=True)
    for col, act in enumerate(derivative):
        name = {"tanh": "tanh", "relu": "ReLU"}[act]
        for row in (0, 1):
            ax = axes[row, col]
            pos = np.concatenate([v[v > 0] for _, v in curves[act, row]])
            lo, hi = np.log10(pos.min()), np.log10(pos.max())
            pad = max(0.6, 0.08 * (hi - lo))
            bottom = 10 ** (lo - 2 * pad)  # zero variance is drawn here, below every positive value
            for label, v in curves[act, row]:
                key = label.split()[0]
                c, m, ls, ms = styles[key]
                if key == "zero":
                    label = "zero  (Var = 0, drawn at the bottom edge)"
                ax.semilogy(layers, np.where(v > 0, v, bottom * 1.6), color=c, marker=m, ls=ls, ms=ms,
                            mfc="none" if key == "LeCun" else c, lw=1.3, label=label)
            ax.set_ylim(bottom, 10 ** (hi + pad))
            ax.axhline(1.0, color="0.5", lw=0.8)
        axes[0, col].set_title(f"{name}: forward, Var(a$^{{[l]}}$)")
        axes[1, col].set_title(f"{name}: backward, Var($\\partial L/\\partial a^{{[l]}}$)")
    for ax in axes[1]:
        ax.set_xlabel("layer l")
    axes[0, 1].legend(loc="upper left")
    fig.suptitle(f"Signal variance by depth: {depth} square layers of width {width}, x ~ N(0, I), no bias.\n"
                 "Glorot equals LeCun for square layers; ReLU halves the variance unless He's factor 2 "
                 "restores it; unscaled weights explode.", fontsize=9.5)
    fig.tight_layout()
    _USED["init_variance.png"] = ["reference.initialization", "reference.networks.dense_forward/dense_backward",
                                  "reference.activations"]
    return _save(fig, out, "init_variance.png")


# --------------------------------------------------------------------------- 2. optimiser paths

def _optimizer_runs(problem, x0, steps, configs):
    from reference.optimizers import minimize

    runs = []
    for label, opt in configs:
        res = minimize(opt, problem.grad, x0, steps=steps, history=True)
        runs.append((label, res.history, problem.value(res.history[-1])))
    return runs


def fig_optimizer_paths(out: Path) -> Path:
    """Eight optimisers from the reference, on quadratic(diag(1, 50)) and Rosenbrock."""
    from reference.optimizers import adadelta, adagrad, adam, newton, rmsprop, sgd
    from reference.problems import quadratic, rosenbrock

    plt = _plt()
    quad = quadratic(np.diag([1.0, 50.0]))
    rosen = rosenbrock()
    panels = [
        (quad, np.array([-4.0, 1.0]), 60, "ill-conditioned quadratic  f = ½ θᵀ diag(1, 50) θ  (κ = 50)",
         (-4.6, 1.2), (-1.4, 1.4), [
             ("GD  η=0.036", sgd(0.036)),
             ("momentum  η=0.012, μ=0.8", sgd(0.012, 0.8)),
             ("Nesterov  η=0.012, μ=0.8", sgd(0.012, 0.8, nesterov=True)),
             ("Newton  η=1", newton(quad.hessian)),
             ("AdaGrad  η=1", adagrad(1.0)),
             ("RMSprop  η=0.1, ρ=0.9", rmsprop(0.1, rho=0.9)),
             ("AdaDelta  η=1, ρ=0.9, ε=1e-2", adadelta(1.0, rho=0.9, eps=1e-2)),
             ("Adam  η=0.3", adam(0.3)),
         ]),
        (rosen, np.array([-1.2, 1.0]), 2000, "Rosenbrock  f = 100 (y − x²)² + (1 − x)²  from (−1.2, 1)",
         (-2.0, 2.0), (-1.0, 2.2), [
             ("GD  η=1e-3", sgd(1e-3)),
             ("momentum  η=2e-4, μ=0.9", sgd(2e-4, 0.9)),
             ("Nesterov  η=2e-4, μ=0.9", sgd(2e-4, 0.9, nesterov=True)),
             ("Newton  η=1", newton(rosen.hessian)),
             ("AdaGrad  η=0.5", adagrad(0.5)),
             ("RMSprop  η=0.01, ρ=0.9", rmsprop(1e-2, rho=0.9)),
             ("AdaDelta  η=1, ρ=0.95, ε=1e-4", adadelta(1.0, rho=0.95, eps=1e-4)),
             ("Adam  η=0.05", adam(0.05)),
         ]),
    ]
    colors = ["C7", "C0", "C9", "C3", "C2", "C1", "C5", "C4"]
    fig, axes = plt.subplots(2, 2, figsize=(12, 10), gridspec_kw={"height_ratios": [1.25, 1]})
    for col, (prob, x0, steps, title, xl, yl, configs) in enumerate(panels):
        ax, ax_f = axes[0, col], axes[1, col]
        gx, gy = np.meshgrid(np.linspace(*xl, 300), np.linspace(*yl, 300))
        fz = np.array([prob.value(np.array(p)) for p in np.c_[gx.ravel(), gy.ravel()]]).reshape(gx.shape)
        levels = np.geomspace(max(fz.min(), 1e-3), fz.max(), 16)
        ax.contour(gx, gy, fz, levels=levels, colors="0.75", linewidths=0.7)
        for c, (label, hist, fin) in zip(colors, _optimizer_runs(prob, x0, steps, configs)):
            every = max(1, len(hist) // 60)
            ax.plot(hist[:, 0], hist[:, 1], color=c, lw=1.2, marker="o", ms=2.2, markevery=every, label=label)
            gap = np.array([prob.value(p) for p in hist]) - prob.min_value
            ax_f.semilogy(np.arange(len(gap)), np.maximum(gap, 1e-16), color=c, lw=1.3,
                          label=f"{label.split()[0]}: {fin:.1e}")
            off = np.flatnonzero((hist[:, 1] < yl[0]) | (hist[:, 1] > yl[1]) | (hist[:, 0] < xl[0]) | (hist[:, 0] > xl[1]))
            if off.size:
                k = int(off[0])
                ax.text(0.02, 0.02, f"{label.split()[0]}'s step {k} leaves the panel: ({hist[k, 0]:.2f}, {hist[k, 1]:.2f})",
                        transform=ax.transAxes, fontsize=7.5, color=c)
        ax.plot(*x0, "ks", ms=6)
        ax.plot(*prob.minimizer, "k*", ms=11)
        ax.set_xlim(*xl)
        ax.set_ylim(*yl)
        ax.set_title(f"{title}\n{steps} steps (■ start, ★ minimum)")
        ax.legend(loc="lower left" if col == 0 else "lower right", fontsize=7, framealpha=0.9)
        ax_f.set_ylim(1e-16, None)
        ax_f.set_xscale("symlog", linthresh=10)
        ax_f.set_xlim(0, steps)
        ax_f.set_xlabel("step k (linear up to 10, then log)")
        ax_f.set_title("f(θ_k) − f*  (legend: value after the last step; 0 drawn at 1e-16)")
        ax_f.legend(fontsize=7, ncol=2, loc="lower left")
    fig.tight_layout()
    _USED["optimizer_paths.png"] = ["reference.optimizers (sgd, newton, adagrad, rmsprop, adadelta, adam, minimize)",
                                    "reference.problems (quadratic, rosenbrock)"]
    return _save(fig, out, "optimizer_paths.png")


# --------------------------------------------------------------------------- 3. feature scaling

def fig_feature_scaling(out: Path) -> Path:
    """Least-squares contours in weight space on raw versus z-scored features, with GD paths."""
    from reference.normalization import zscore
    from reference.optimizers import minimize, sgd
    from reference.problems import least_squares

    plt = _plt()
    rng = np.random.default_rng(SEED)
    m = 200
    # seed 004's ranges: x1 in [5, 50], x2 in [3, 7]
    X = np.c_[rng.uniform(5.0, 50.0, m), rng.uniform(3.0, 7.0, m)]
    y = X @ np.array([0.5, -2.0]) + rng.normal(0.0, 1.0, m)
    # raw: f(w) = 1/(2m) ||X w - y||^2; standardised: the same with zscore(X) and centred y (the
    # intercept of standardised features is mean(y) and decouples from the weights)
    probs = [("raw features  x₁ ∈ [5, 50], x₂ ∈ [3, 7]", least_squares(X, y)),
             ("standardised features  zscore(X), y − mean(y)", least_squares(zscore(X), y - y.mean()))]
    steps = 40
    fig, axes = plt.subplots(1, 3, figsize=(13.5, 4.6), gridspec_kw={"width_ratios": [1, 1, 0.9]})
    for ax, (title, prob), c in zip(axes, probs, ("C3", "C0")):
        lam = prob.eigenvalues
        lr = 1.0 / lam[-1]  # the step that is optimal for the stiffest direction
        res = minimize(sgd(lr), prob.grad, np.zeros(2), steps=steps, history=True)
        h = res.history
        w_star = prob.minimizer
        span = np.abs(np.r_[h, w_star[None]] - w_star).max(axis=0) * 1.25 + 1e-12
        half = max(span)  # same scale on both axes: the shape of the ellipses is the point
        gx, gy = np.meshgrid(np.linspace(w_star[0] - half, w_star[0] + half, 241),
                             np.linspace(w_star[1] - half, w_star[1] + half, 241))
        pts = np.c_[gx.ravel(), gy.ravel()]
        fz = np.array([prob.value(p) for p in pts]).reshape(gx.shape) - prob.min_value
        ax.contour(gx, gy, fz, levels=np.geomspace(fz.max() * 1e-4, fz.max(), 12), colors="0.6", linewidths=0.8)
        ax.plot(h[:, 0], h[:, 1], "-o", color=c, ms=2.5, lw=1.2, label=f"GD, η = 1/λ_max, {steps} steps")
        ax.plot(*w_star, "k*", ms=11, label="minimum")
        ax.set_aspect("equal")
        ax.set_xlabel("w₁")
        ax.set_ylabel("w₂")
        ax.set_title(f"{title}\nHessian κ = λ_max/λ_min = {lam[-1] / lam[0]:.3g}", fontsize=9)
        ax.legend(loc="upper right", fontsize=7.5)
        gap = np.array([prob.value(p) for p in h]) - prob.min_value
        floor = 1e-14 * max(1.0, prob.min_value)  # below this the gap is rounding of f itself
        axes[2].semilogy(np.arange(len(gap)), np.maximum(gap, floor), color=c, marker="o", ms=2.5,
                         label=title.split("  ")[0])
    axes[2].set_title("loss above its minimum, f(w_k) − f*\n(clipped at the rounding level 1e-14·f*)", fontsize=9)
    axes[2].set_xlabel("GD step k")
    axes[2].legend(fontsize=8)
    fig.tight_layout(rect=(0, 0, 1, 0.97))
    _USED["feature_scaling_contours.png"] = ["reference.normalization.zscore", "reference.problems.least_squares",
                                             "reference.optimizers (sgd, minimize)"]
    return _save(fig, out, "feature_scaling_contours.png")


# --------------------------------------------------------------------------- 4. EMA versus SMA

def fig_ema_vs_sma(out: Path) -> Path:
    """EMA(alpha = 2/(n+1)) and SMA(n) on a noisy ramp: the same lag (n - 1)/2, different weights."""
    from reference.averages import ema, sma

    plt = _plt()
    rng = np.random.default_rng(SEED)
    T, n, slope = 200, 20, 0.05
    alpha = 2.0 / (n + 1)
    t = np.arange(1, T + 1)
    ramp = slope * t
    v = ramp + rng.normal(0.0, 1.0, T)
    e = ema(v, alpha, v0=None)
    s = sma(v, n)  # s[i] is the average of v[i : i + n], i.e. the SMA at time i + n
    lag = (n - 1) / 2
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.4), gridspec_kw={"width_ratios": [1.6, 1]})
    ax = axes[0]
    ax.plot(t, v, ".", color="0.7", ms=3, label="noisy ramp v_t = 0.05 t + N(0, 1)")
    ax.plot(t, ramp, color="k", lw=0.9, label="ramp 0.05 t")
    ax.plot(t, slope * (t - lag), color="k", lw=0.9, ls=":", label=f"ramp delayed by (n − 1)/2 = {lag:g}")
    ax.plot(t[n - 1:], s, color="C0", lw=1.8, label=f"SMA, n = {n}")
    ax.plot(t, e, color="C3", lw=1.5, label=f"EMA, α = 2/(n + 1) = {alpha:.4f} (starts at v₁)")
    ax.set_xlabel("t")
    ax.set_title("SMA and EMA lag a ramp by the same (n − 1)/2 steps")
    ax.legend(fontsize=7.5, loc="upper left")
    ax = axes[1]
    k = np.arange(0, 3 * n)
    w_sma = np.where(k < n, 1.0 / n, 0.0)
    w_ema = alpha * (1 - alpha) ** k
    ax.step(k, w_sma, where="mid", color="C0", lw=1.6, label=f"SMA weight 1/n on the last n = {n}")
    ax.plot(k, w_ema, "o-", color="C3", ms=2.5, lw=1.2, label="EMA weight α(1 − α)^k")
    ax.axvline(lag, color="k", ls=":", lw=1, label="mean age (n − 1)/2 of both")
    ax.set_xlabel("age k of the value (steps back)")
    ax.set_title("Weights by age: same mean, different shape")
    ax.legend(fontsize=7.5)
    # the claim of the figure, checked: equal mean ages and, after the start-up, equal lag on the ramp
    # sum_k k alpha (1 - alpha)^k = (1 - alpha) / alpha = (n - 1) / 2 exactly for alpha = 2 / (n + 1)
    mean_age_ema, mean_age_sma = (1 - alpha) / alpha, (w_sma * k).sum()
    if abs(mean_age_ema - lag) > 1e-12 or abs(mean_age_sma - lag) > 1e-12:
        raise RuntimeError(f"ema_vs_sma: mean ages {mean_age_ema:.3f} (EMA), {mean_age_sma:.3f} (SMA), expected {lag}")
    fig.tight_layout()
    _USED["ema_vs_sma.png"] = ["reference.averages (ema, sma)"]
    return _save(fig, out, "ema_vs_sma.png")


# --------------------------------------------------------------------------- 5. minima fraction

def _wilson(k: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """95 % Wilson score interval for a proportion k/n."""
    p = k / n
    den = 1 + z * z / n
    mid = (p + z * z / (2 * n)) / den
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    return max(mid - half, 0.0), mid + half


def fig_minima_fraction(out: Path) -> Path:
    """Monte Carlo P(all eigenvalues > 0) of GOE Hessians (reference.landscape) versus 2^-d."""
    from reference.landscape import goe_hessian, goe_minimum_probability

    plt = _plt()
    rng = np.random.default_rng(SEED)
    ds = np.arange(1, 7)
    samples = {1: 20_000, 2: 20_000, 3: 50_000, 4: 200_000, 5: 400_000, 6: 1_600_000}
    chunk = 200_000
    est, lo, hi, counts = [], [], [], []
    for d in ds:
        n, k = samples[d], 0
        for start in range(0, n, chunk):
            H = goe_hessian(int(d), rng, size=min(chunk, n - start))
            # a critical point is a minimum when every Hessian eigenvalue is positive
            # (reference.landscape.classify_critical_point, batched here for speed)
            k += int(np.count_nonzero(np.linalg.eigvalsh(H)[:, 0] > 0))
        counts.append((k, n))
        est.append(k / n)
        a, b = _wilson(k, n)
        lo.append(a)
        hi.append(b)
    est, lo, hi = map(np.array, (est, lo, hi))
    fig, ax = plt.subplots(figsize=(7, 4.8))
    ax.semilogy(ds, 0.5 ** ds, "k--", marker="x", label="seed 000: 2^-d (curvatures independent coin flips)")
    ok = est > 0
    ax.errorbar(ds[ok], est[ok], yerr=[est[ok] - lo[ok], hi[ok] - est[ok]], fmt="o", color="C3", ms=5, capsize=3,
                label="simulated GOE Hessians, 95 % Wilson interval")
    exact = [(d, goe_minimum_probability(int(d))) for d in ds if _has_exact(goe_minimum_probability, int(d))]
    if exact:
        ax.plot(*zip(*exact), "s", mfc="none", color="C0", ms=9, label="tabulated P_d (reference.landscape)")
    theta = math.log(3) / 4
    p4 = goe_minimum_probability(4)
    dd = np.linspace(3, ds[-1], 100)
    ax.semilogy(dd, p4 * np.exp(-theta * (dd ** 2 - 16)), color="C0", lw=0.9, ls=":",
                label="∝ exp(−(ln 3/4) d²) through P_4: the large-d rate (Dean & Majumdar 2006)")
    for d, (k, n) in zip(ds, counts):
        ax.annotate(f"{k:,} / {n:,}", (d, max(lo[d - 1], 1e-9)), textcoords="offset points",
                    xytext=(-20, -13), fontsize=7, color="C3")
    ax.set_xlim(0.5, ds[-1] + 0.7)
    ax.set_xlabel("dimension d")
    ax.set_ylabel("fraction of critical points that are minima")
    ax.set_title("Random symmetric Gaussian Hessian H = (A + Aᵀ)/2: P(all eigenvalues > 0)")
    ax.legend(fontsize=7.5, loc="lower left")
    fig.tight_layout()
    _USED["minima_fraction.png"] = ["reference.landscape (goe_hessian, goe_minimum_probability)"]
    return _save(fig, out, "minima_fraction.png")


def _has_exact(fn, d: int) -> bool:
    try:
        fn(d)
    except ValueError:
        return False
    return True


# --------------------------------------------------------------------------- entry point

MAKERS = {
    "init_variance.png": fig_init_variance,
    "optimizer_paths.png": fig_optimizer_paths,
    "feature_scaling_contours.png": fig_feature_scaling,
    "ema_vs_sma.png": fig_ema_vs_sma,
    "minima_fraction.png": fig_minima_fraction,
}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(ROOT / "docs" / "figures"), help="output folder (default docs/figures)")
    ap.add_argument("--only", nargs="*", choices=sorted(MAKERS), help="draw only these figures")
    args = ap.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for name in args.only or MAKERS:
        path = MAKERS[name](out)
        print(f"{path}: {', '.join(_USED.get(name, [])) or 'numpy'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
