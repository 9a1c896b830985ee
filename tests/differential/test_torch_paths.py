"""Parity of torch.optim's three code paths: the for-loop default, ``foreach=True``, ``fused=True``.

Real bugs have lived in one path only (a foreach AMSGrad that ran plain Adam, a foreach RAdam
that dropped eps), so torch's own suite checks that the paths agree; this is the same check
on the installed version, for every optimiser and option the target adapters use. In torch
2.13 SGD, Adagrad, Adam and AdamW have CPU fused kernels; RMSprop and Adadelta do not (their
constructors refuse ``fused``), which :func:`test_fused_exists_exactly_for` pins.

Tolerance. The paths evaluate the same formula in a different order (the fused kernels use
other groupings and FMA), so each update ``u_i`` may differ by at most ``K`` roundings,
``K eps |u_i|`` (``K = 16``: none of these updates takes more than 16 rounded operations),
and each ``p <- p + u`` by ``eps |p|``. Errors in the state are carried into later steps,
damped by the state's decay ``d`` (momentum, ``b1``, ``rho``): a factor ``1 / (1 - d)`` at most.
Centred RMSprop divides by ``sqrt(v - mu^2)``, whose relative error is that of ``v``
times ``kappa = v / (v - mu^2)`` (read from torch's state after each step). So after ``k``
steps the paths agree within ``sum_i (K kappa_i / (1 - d)) eps |u_i| + k eps max|p|``.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.differential

K = 16

#: name -> (class, strategy of kwargs, decay of the signed state)
CONFIGS = {
    "sgd": (torch.optim.SGD, st.fixed_dictionaries({
        "lr": st.sampled_from([0.01, 0.1]), "momentum": st.sampled_from([0.0, 0.5, 0.9]),
        "dampening": st.sampled_from([0.0, 0.5]), "weight_decay": st.sampled_from([0.0, 0.1])}), "momentum"),
    "nesterov": (torch.optim.SGD, st.fixed_dictionaries({
        "lr": st.sampled_from([0.01, 0.1]), "momentum": st.sampled_from([0.5, 0.9]), "nesterov": st.just(True),
        "weight_decay": st.sampled_from([0.0, 0.1])}), "momentum"),
    "adagrad": (torch.optim.Adagrad, st.fixed_dictionaries({
        "lr": st.sampled_from([0.01, 0.1]), "lr_decay": st.sampled_from([0.0, 0.01]),
        "initial_accumulator_value": st.sampled_from([0.0, 0.1]), "eps": st.sampled_from([1e-10, 1e-3]),
        "weight_decay": st.sampled_from([0.0, 0.1])}), None),
    "rmsprop": (torch.optim.RMSprop, st.fixed_dictionaries({
        "lr": st.sampled_from([0.001, 0.01]), "alpha": st.sampled_from([0.9, 0.99]), "eps": st.sampled_from([1e-8, 1e-3]),
        "momentum": st.sampled_from([0.0, 0.9]), "centered": st.booleans(), "weight_decay": st.sampled_from([0.0, 0.1])}),
        "momentum"),
    "adadelta": (torch.optim.Adadelta, st.fixed_dictionaries({
        "lr": st.sampled_from([0.5, 1.0]), "rho": st.sampled_from([0.9, 0.95]), "eps": st.sampled_from([1e-6, 1e-3]),
        "weight_decay": st.sampled_from([0.0, 0.1])}), "rho"),
    "adam": (torch.optim.Adam, st.fixed_dictionaries({
        "lr": st.sampled_from([0.001, 0.01]), "betas": st.sampled_from([(0.9, 0.999), (0.5, 0.9), (0.0, 0.99)]),
        "eps": st.sampled_from([1e-8, 1e-3]), "amsgrad": st.booleans(), "weight_decay": st.sampled_from([0.0, 0.1])}),
        "betas"),
    "adamw": (torch.optim.AdamW, st.fixed_dictionaries({
        "lr": st.sampled_from([0.001, 0.01]), "betas": st.sampled_from([(0.9, 0.999), (0.5, 0.9)]),
        "eps": st.sampled_from([1e-8, 1e-3]), "amsgrad": st.booleans(), "weight_decay": st.sampled_from([0.01, 0.1])}),
        "betas"),
}
FUSED = {"sgd", "nesterov", "adagrad", "adam", "adamw"}


def _decay(kw, key):
    if key is None:
        return 0.0
    return kw[key][0] if key == "betas" else kw[key]


def _trajectory(cls, kw, grads, p0, dtype):
    """Parameters after each step, the steps, and kappa of centred RMSprop per step."""
    torch.set_num_threads(1)
    p = torch.tensor(p0, dtype=dtype, requires_grad=True)
    opt = cls([p], **kw)
    params, kappas = [], []
    for g in grads:
        p.grad = torch.tensor(g, dtype=dtype)
        opt.step()
        params.append(p.detach().numpy().astype(np.float64))
        state = opt.state[p]
        if "grad_avg" in state:
            v, mu = state["square_avg"].numpy().astype(np.float64), state["grad_avg"].numpy().astype(np.float64)
            kappas.append(float(np.max(v / np.maximum(v - mu * mu, np.finfo(np.float64).tiny))))
        else:
            kappas.append(1.0)
    return np.array(params), np.array(kappas)


@st.composite
def problems(draw):
    name = draw(st.sampled_from(sorted(CONFIGS)), label="optimiser")
    cls, kwargs, decay_key = CONFIGS[name]
    kw = draw(kwargs, label="kwargs")
    dtype = draw(st.sampled_from([torch.float64, torch.float32]), label="dtype")
    k, n = draw(st.integers(1, 8), label="steps"), draw(st.integers(1, 6), label="size")
    grads = draw(hnp.arrays(np.float64, (k, n), elements=st.floats(-1e3, 1e3, allow_subnormal=False)), label="grads")
    p0 = draw(hnp.arrays(np.float64, n, elements=st.floats(-10, 10, allow_subnormal=False)), label="p0")
    return name, cls, kw, _decay(kw, decay_key), dtype, grads, p0


def _excess(base, other, kappa, decay, p0, eps):
    """Where ``other`` leaves the budget of the module docstring around ``base`` (a bool array)."""
    steps = np.abs(np.diff(np.vstack([p0.astype(base.dtype), base]), axis=0))
    budget = np.cumsum(K * kappa[:, None] / (1.0 - decay) * eps * steps, axis=0) \
        + eps * np.arange(1, len(base) + 1)[:, None] * np.abs(base).max(axis=1, keepdims=True)
    return np.abs(other - base) > budget, budget


@pytest.mark.parametrize("path", ["foreach", "fused"])
@given(problem=problems())
def test_torch_optimizer_paths_agree(path, problem):
    name, cls, kw, decay, dtype, grads, p0 = problem
    if path == "fused" and name not in FUSED:
        return                                          # no fused kernel: test_fused_exists_exactly_for
    base, kappa = _trajectory(cls, dict(kw, foreach=False), grads, p0, dtype)
    other, _ = _trajectory(cls, dict(kw, **{path: True}), grads, p0, dtype)
    bad, budget = _excess(base, other, kappa, decay, p0, float(torch.finfo(dtype).eps))
    assert not bad.any(), (f"{name}{kw} {dtype} {path}: after step {int(np.argwhere(bad)[0][0]) + 1} "
                           f"|{path} - for-loop| = {np.abs(other - base)[bad].max():.3g} > {budget[bad].min():.3g}")


def test_parity_check_rejects_a_path_that_drops_amsgrad():
    """Negative control: the historic foreach bug (AMSGrad silently running plain Adam) is
    outside the budget on gradients that shrink (where the running max matters)."""
    grads = np.array([[1.0, -2.0, 3.0]] * 3 + [[1e-3, -2e-3, 3e-3]] * 3)
    p0 = np.zeros(3)
    kw = dict(lr=0.01, betas=(0.9, 0.999), eps=1e-8)
    base, kappa = _trajectory(torch.optim.Adam, dict(kw, amsgrad=True, foreach=False), grads, p0, torch.float64)
    other, _ = _trajectory(torch.optim.Adam, dict(kw, amsgrad=False, foreach=True), grads, p0, torch.float64)
    bad, _ = _excess(base, other, kappa, 0.9, p0, float(torch.finfo(torch.float64).eps))
    assert bad[-1].all()


def test_fused_exists_exactly_for():
    """torch 2.13's CPU fused kernels: SGD, Adagrad, Adam, AdamW; RMSprop and Adadelta refuse ``fused``."""
    p = torch.zeros(2, dtype=torch.float64, requires_grad=True)
    for cls in (torch.optim.SGD, torch.optim.Adagrad, torch.optim.Adam, torch.optim.AdamW):
        cls([p], lr=0.1, fused=True)
    for cls in (torch.optim.RMSprop, torch.optim.Adadelta):
        with pytest.raises(TypeError, match="fused"):
            cls([p], lr=0.1, fused=True)
