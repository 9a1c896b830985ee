"""Optimisation quality: iterations to 1e-8 and their ratio to the theoretical rate.

Problems (``_data``): kappa-conditioned quadratics ``f = 1/2 x^T A x - b^T x`` in d = 50 with
Hessian eigenvalues log-spaced on [1, kappa] in a random basis, started at distance 1 from
the minimiser; and the 2-d Rosenbrock function from (-1.2, 1). Tolerance: the distance to
the minimiser is at most ``1e-8`` times the initial one. Budget: ``BUDGET`` updates; a
figure equal to ``BUDGET`` means "not reached within the budget".

Hyperparameters (documented, fixed):

* ``gd``: ``sgd(2 / (L + mu))``, optimal constant step; theory
  ``k = ln(1e-8) / ln((kappa - 1) / (kappa + 1))`` (~ kappa).
* ``heavy_ball``: ``sgd(4 / (sqrt L + sqrt mu)^2, momentum=((sqrt kappa - 1)/(sqrt kappa + 1))^2)``
  (Polyak's optimal pair); theory with rate ``(sqrt kappa - 1)/(sqrt kappa + 1)`` (~ sqrt kappa).
* ``nesterov``: ``sgd(1 / L, momentum=(sqrt kappa - 1)/(sqrt kappa + 1), nesterov=True)``.
* ``newton``: ``newton(hessian, lr=1)``; theory 1 iteration.
* ``adagrad``, ``rmsprop``, ``adadelta``, ``adam``: default-like settings below, no theory.

On Rosenbrock the first-order methods use ``lr = 1e-3`` (the Hessian's largest eigenvalue
near the valley is ~1000) with the same momenta; adaptive ones the settings below.
"""

import math

import numpy as np

from ._data import kappa_quadratic, reference_name

BUDGET = 100_000
TOL = 1e-8
KAPPAS = [10, 100, 1000]

_ADAPTIVE = {
    "adagrad": lambda r: r("adagrad")(0.1),
    "rmsprop": lambda r: r("rmsprop")(1e-3),
    "adadelta": lambda r: r("adadelta")(1.0),
    "adam": lambda r: r("adam")(1e-2),
}
OPTIMIZERS = ["gd", "heavy_ball", "nesterov", "newton", *_ADAPTIVE]
THEORY = ("gd", "heavy_ball", "newton")


def _rates(kappa):
    sk = math.sqrt(kappa)
    return {"gd": (kappa - 1) / (kappa + 1), "heavy_ball": (sk - 1) / (sk + 1)}


def _optimizer(name, lo, hi, hessian):
    r = reference_name
    if name == "gd":
        return r("sgd")(2.0 / (hi + lo))
    if name == "heavy_ball":
        q = (math.sqrt(hi) - math.sqrt(lo)) / (math.sqrt(hi) + math.sqrt(lo))
        return r("sgd")(4.0 / (math.sqrt(hi) + math.sqrt(lo)) ** 2, momentum=q * q)
    if name == "nesterov":
        q = (math.sqrt(hi) - math.sqrt(lo)) / (math.sqrt(hi) + math.sqrt(lo))
        return r("sgd")(1.0 / hi, momentum=q, nesterov=True)
    if name == "newton":
        return r("newton")(hessian, lr=1.0)
    return _ADAPTIVE[name](r)


def iterations_to_tol(opt, grad, x0, x_star, budget=BUDGET, tol=TOL):
    """Updates until ``|x - x*| <= tol |x0 - x*|`` (``budget`` if never)."""
    x = np.array(x0, dtype=np.float64)
    state = opt.init(x)
    target = tol * np.linalg.norm(x0 - x_star)
    for k in range(budget):
        if np.linalg.norm(x - x_star) <= target:
            return k
        u, state = opt.update(grad(x), state, x)
        x = x + u
        if not np.all(np.isfinite(x)):
            return budget
    return budget


class Quadratic:
    """Iterations to 1e-8 on kappa-conditioned quadratics, and ratio to the theory."""

    params = [OPTIMIZERS, KAPPAS]
    param_names = ["optimizer", "kappa"]
    timeout = 300

    def setup(self, optimizer, kappa):
        a, b, x_star, x0, lam = kappa_quadratic(float(kappa))
        opt = _optimizer(optimizer, lam[0], lam[-1], lambda x: a)
        self.iterations = iterations_to_tol(opt, lambda x: a @ x - b, x0, x_star)
        if optimizer == "newton":
            self.theory = 1
        elif optimizer in _rates(kappa):
            self.theory = math.log(TOL) / math.log(_rates(kappa)[optimizer])
        else:
            self.theory = None

    def track_iterations(self, optimizer, kappa):
        return self.iterations

    track_iterations.unit = "iterations"


class QuadraticTheory:
    """Measured / theoretical iterations (GD ~ kappa, heavy ball ~ sqrt(kappa), Newton 1)."""

    params = [list(THEORY), KAPPAS]
    param_names = ["optimizer", "kappa"]
    setup = Quadratic.setup

    def track_ratio_to_theory(self, optimizer, kappa):
        return self.iterations / self.theory

    track_ratio_to_theory.unit = "measured / theoretical iterations"


class Rosenbrock:
    """Iterations to 1e-8 on the 2-d Rosenbrock function from (-1.2, 1)."""

    params = [OPTIMIZERS]
    param_names = ["optimizer"]
    timeout = 300

    def setup(self, optimizer):
        prob = reference_name("rosenbrock")()
        sgd = reference_name("sgd")
        opts = {
            "gd": lambda: sgd(1e-3),
            "heavy_ball": lambda: sgd(1e-3, momentum=0.9),
            "nesterov": lambda: sgd(1e-3, momentum=0.9, nesterov=True),
            "newton": lambda: reference_name("newton")(prob.hessian, lr=1.0),
        }
        opt = opts[optimizer]() if optimizer in opts else _ADAPTIVE[optimizer](reference_name)
        self.iterations = iterations_to_tol(opt, prob.grad, np.array([-1.2, 1.0]), np.ones(2))

    def track_iterations(self, optimizer):
        return self.iterations

    track_iterations.unit = "iterations"
