"""The mutation tool's automatic classes (tools/mutation.py) and the premise they rest on."""

import ast
from pathlib import Path

import pytest

from tools.mutation import _source_path, func_name_only, module_of, string_only

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("diff, expected", [
    ('-    raise ValueError(f"{func}: bad")\n+    raise ValueError(None)', True),
    ('-    check_choice(x, func, "layout", ALLOWED)\n+    check_choice(x, func, "XXlayoutXX", ALLOWED)', True),
    ('-    check_choice(x, func, "layout", ALLOWED)\n+    check_choice(x, func, None, ALLOWED)', True),
    ('-    y = x + 1\n+    y = x - 1', False),
    ('-    check_choice(x, func, "layout", ALLOWED)\n+    check_choice(x, None, "layout", ALLOWED)', False),
    # strings the code acts on are never string-only: a selecting value (a changed default is a
    # real change for a caller who relies on it), a comparison operand, an errstate setting
    ('-    mode = "fan_in"\n+    mode = "fan_out"', False),
    ('-def f(x, layout: str = "torch"):\n+def f(x, layout: str = "XXtorchXX"):', False),
    ('-    hat = eps_form == "eps_hat"\n+    hat = eps_form == "EPS_HAT"', False),
    ('-    if arr.dtype.kind not in "fiub":\n+    if arr.dtype.kind not in "XXfiubXX":', False),
    ('-    with np.errstate(over="ignore"):\n+    with np.errstate(over=None):', False),
    ('-    v = np.einsum("ij,ij->j", a, a)\n+    v = np.einsum("IJ,IJ->J", a, a)', False),
    # text: labels handed to checks, formatted labels, names of reference functions, hints
    ('-    return check_in_range(value, func, "init_lr", lo=0.0)\n+    return check_in_range(value, func, "XXinit_lrXX", lo=0.0)', True),
    ('-    h = _finite(lambda: x.T @ x / n, func, "X^T X / n")\n+    h = _finite(lambda: x.T @ x / n, func, None)', True),
    ('-    x = _point(x, d, f"{name}.grad")\n+    x = _point(x, d, None)', True),
    ('-    x = _arr(x, "relu")\n+    x = _arr(x, "RELU")', True),
    ('-    hint = "rescale x"\n+    hint = "XXrescale xXX"', True),
])
def test_string_only(diff, expected):
    assert string_only(diff) is expected


@pytest.mark.parametrize("diff, expected", [
    ('-    lr = check_lr(lr, func)\n+    lr = check_lr(lr, None)', True),
    ('-    return make_optimizer(func, S, d, lr, ())\n+    return make_optimizer(None, S, d, lr, ())', True),
    ('-    lr = check_lr(lr, func)\n+    lr = check_lr(None, func)', False),
    ('-    lr = check_lr(lr, func)\n+    lr = check_lr(lr, )', False),
    ('-    p = as_float_array(x, func, name)\n+    p = as_float_array(x, func, None)', False),
])
def test_func_name_only(diff, expected):
    assert func_name_only(diff) is expected


def _func_reads(tree: ast.AST):
    """Every read of the name ``func`` with its parent node."""
    for parent in ast.walk(tree):
        for child in ast.iter_child_nodes(parent):
            if isinstance(child, ast.Name) and child.id == "func" and isinstance(child.ctx, ast.Load):
                yield parent, child


def test_func_is_only_a_name_for_messages():
    """The premise of func_name_only: in reference/, ``func`` is assigned only string
    literals (or is a parameter annotated ``str``), and is read only as a call argument or
    inside an f-string -- never compared, indexed, called or branched on."""
    offenders = []
    for path in sorted((ROOT / "reference").rglob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "func" for t in node.targets):
                if not (isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)):
                    offenders.append(f"{path.name}:{node.lineno} assigns func a non-literal")
            if isinstance(node, ast.arg) and node.arg == "func":
                ann = node.annotation
                if ann is not None and not (isinstance(ann, ast.Name) and ann.id == "str"):
                    offenders.append(f"{path.name}:{node.lineno} func annotated {ast.unparse(ann)}")
        for parent, name in _func_reads(tree):
            ok = isinstance(parent, ast.FormattedValue) or (
                isinstance(parent, (ast.Call, ast.keyword)) and name is not getattr(parent, "func", None))
            if not ok:
                offenders.append(f"{path.name}:{name.lineno} reads func in {type(parent).__name__}")
    assert not offenders, offenders


def test_func_is_read_somewhere():
    """The walk above sees the code it is about (a check that found nothing would pass vacuously)."""
    reads = sum(1 for p in (ROOT / "reference").rglob("*.py") for _ in _func_reads(ast.parse(p.read_text())))
    assert reads > 100


@pytest.mark.parametrize("name, module, path", [
    ("reference.optimizers.adam.x_adam__mutmut_3", "reference.optimizers.adam", "reference/optimizers/adam.py"),
    ("reference.x__export__mutmut_2", "reference", "reference/__init__.py"),
    ("reference._numerics.x_bias_correction__mutmut_4", "reference._numerics", "reference/_numerics.py"),
])
def test_mutant_names_map_to_modules_and_files(name, module, path):
    assert module_of(name) == module
    assert _source_path(name) == path
