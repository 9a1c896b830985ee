"""Mutation testing of ``reference/`` against the laws (``pytest properties/``), with mutmut.

    python -m tools.mutation sample [--n 150] [--seed 0]    # stratified sample, <= 30 min on 2 cores
    python -m tools.mutation full                           # every mutant
    python -m tools.mutation rerun                          # after new laws: the last run's survivors that
                                                            # count, mutants no law called, and (after a full
                                                            # run) new mutants of functions changed since
    python -m tools.mutation report                         # summarise the last run again
    python -m tools.mutation errors                         # the counted survivors against tests/test_*_errors.py

mutmut (configured in pyproject's ``[tool.mutmut]``) copies the project into ``mutants/``,
rewrites every function of ``reference/`` into a trampoline over its mutants, records which
laws call which function, and runs, for each mutant, only those laws (dev profile, in a
forked process). It was chosen over cosmic-ray because it needs no session database or
worker processes to configure, runs a mutant in a fraction of a second through the fork, and
selects the laws per function from its coverage run; cosmic-ray re-imports the package and
runs the whole suite per mutant (about 8 s here).

The summary (``docs/mutation/summary.md`` and ``.json``) counts per module: killed, survived,
no law calls it, timeout. Every survivor is classified in ``docs/mutation/classification/<module>.toml``
by hand -- ``equivalent`` (no input can tell it from the original: say why) or ``gap`` (a real
fault no law catches: name the missing property) -- except *string-only* mutants, found
automatically: the mutant changes nothing but string literals that are text (an error
message, a label in a message; :func:`_text_string`; a string the code compares or passes as a
setting is not text), which the laws do not check and ``tests/test_*_errors.py`` does, and
mutants that only replace ``func`` (the public function's name, used in messages) by None,
counted as message-only (:func:`func_name_only`). The
score is ``killed / (all - equivalent - string-only - message-only - untestable)`` (see
``MANUAL_KINDS``). How to classify a survivor:
``docs/mutation/README.md``.
"""

from __future__ import annotations

import argparse
import ast
import io
import json
import random
import re
import subprocess
import sys
import time
import tokenize
import tomllib
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "mutation"
MUTMUT = [sys.executable, "-m", "mutmut"]
STATUS = {1: "killed", 3: "killed", 0: "survived", 5: "no tests", 33: "no tests", 36: "timeout", 24: "timeout",
          -24: "timeout", 152: "timeout", 255: "timeout", None: "not checked"}


def _mutmut(*args: str, capture: bool = False) -> str:
    proc = subprocess.run(MUTMUT + list(args), cwd=ROOT, text=True,
                          stdout=subprocess.PIPE if capture else None, stderr=subprocess.DEVNULL if capture else None)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"mutation: mutmut {' '.join(args[:2])} failed with exit code {proc.returncode}")
    return proc.stdout or ""


def all_mutants() -> list[str]:
    """Every mutant name (``reference.<module>.x_<function>__mutmut_<k>``), generating them if needed.

    mutmut generates the mutants (into ``mutants/``) and records which laws call which function
    at the start of ``mutmut run``; a run filtered on a name that matches nothing stops right
    after that (mutmut's "nothing matches" assertion). The names are then read from mutmut's
    ``.meta`` files, which list every mutant of a module."""
    _mutmut("run", "--max-children", "1", "reference.__generate_only__", capture=True)
    names = sorted({key for meta in (ROOT / "mutants").rglob("*.meta")
                    for key in json.loads(meta.read_text())["exit_code_by_key"]})
    if not names:
        raise SystemExit("mutation: mutmut generated no mutants (is [tool.mutmut] in pyproject.toml?)")
    return names


def module_of(name: str) -> str:
    return name.split(".x_", 1)[0]


def stratified_sample(names: list[str], n: int, seed: int) -> list[str]:
    """``n`` mutants, each module's share proportional to its count (at least 2 per module)."""
    by_module = defaultdict(list)
    for name in names:
        by_module[module_of(name)].append(name)
    rng = random.Random(seed)
    total = len(names)
    picked = []
    for module, group in sorted(by_module.items()):
        k = min(len(group), max(2, round(n * len(group) / total)))
        picked += rng.sample(sorted(group), k)
    return sorted(picked)


def results() -> dict[str, str]:
    """Status of every mutant from mutmut's ``mutants/**/*.meta`` files."""
    status = {}
    for meta in (ROOT / "mutants").rglob("*.meta"):
        for key, code in json.loads(meta.read_text())["exit_code_by_key"].items():
            status[key] = STATUS.get(code, "suspicious")
    return status


#: Run in one process for all survivors (``mutmut show`` is one interpreter start, 0.5 s, per
#: mutant): mutmut's own diff of the original and the mutated function, read from ``mutants/``.
_DIFFS = """
import json, sys
from mutmut.mutation.diff_apply import get_diff_for_mutant
print(json.dumps({name: get_diff_for_mutant(name, path=path) for name, path in json.load(sys.stdin)}))
"""


def _source_path(name: str) -> str:
    """``reference.optimizers.adam.x_adam__mutmut_3`` -> ``reference/optimizers/adam.py``
    (or ``.../__init__.py`` for a package)."""
    parts = module_of(name).split(".")
    path = Path(*parts).with_suffix(".py")
    return str(path if (ROOT / path).exists() else Path(*parts, "__init__.py"))


def diffs_of(names: list[str]) -> dict[str, str]:
    """The changed lines of each mutant, computed by mutmut in one subprocess."""
    if not names:
        return {}
    proc = subprocess.run([sys.executable, "-c", _DIFFS], cwd=ROOT, text=True, capture_output=True,
                          input=json.dumps([[n, _source_path(n)] for n in names]))
    if proc.returncode:
        raise SystemExit(f"mutation: reading the mutants' diffs failed:\n{proc.stderr[-2000:]}")
    return {name: "\n".join(line for line in text.splitlines()
                             if line[:1] in "+-" and not line.startswith(("+++", "---")))
            for name, text in json.loads(proc.stdout).items()}


def _tokens(code: str) -> list[tuple[int, str]]:
    try:
        return [(t.type, t.string) for t in tokenize.generate_tokens(io.StringIO(code.strip() + "\n").readline)
                if t.type not in (tokenize.NEWLINE, tokenize.NL, tokenize.ENDMARKER, tokenize.INDENT,
                                  tokenize.DEDENT, tokenize.COMMENT)]
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return []


_FSTRING_PARTS = {getattr(tokenize, n) for n in ("FSTRING_START", "FSTRING_MIDDLE", "FSTRING_END") if hasattr(tokenize, n)}


def _string_change(ka, sa, kb, sb) -> bool:
    """A string literal changed into another string or into None."""
    return ka == tokenize.STRING and (kb == tokenize.STRING or sb == "None")


def _reference_names() -> set[str]:
    """Names of the functions and classes defined in ``reference/`` (a string equal to one is
    the name shown in a message: ``_arr(x, "relu")``), read from the source, not imported."""
    names = set()
    for path in (ROOT / "reference").rglob("*.py"):
        names.update(re.findall(r"^\s*(?:def|class) (\w+)", path.read_text(), flags=re.M))
    return names


_NAMES: set[str] = set()


def _text_string(literal: str, line: str) -> bool:
    """Whether the string ``literal`` on ``line`` is text shown to a reader rather than a value
    the code acts on. Text: a string in a ``raise`` (or ``...Error(``/``warn(``) line, a message
    ``hint``, the name of a reference function (``_arr(x, "relu")``), a string that is no
    identifier (``"the gradient"``, ``"feature_range[1]"``) outside ``einsum``/``errstate``, the
    label after ``func`` in a check (``check_in_range(value, func, "init_lr")``), the name of an
    argument that is also on the line (``"running.mean"`` next to ``running.mean``), or the
    default of a parameter called ``name``, ``arg`` or ``what``.
    Anything else (a comparison operand such as ``eps_form == "eps_hat"``, an ``errstate`` or
    ``dtype`` setting, a choice, a field value) may change behaviour and is never counted
    string-only: it is classified by hand."""
    if not _NAMES:
        _NAMES.update(_reference_names())
    code = line.strip()
    if code.startswith("raise") or "Error(" in code or "warn(" in code or re.match(r"hint\s*=", code):
        return True
    if "einsum(" in code or "errstate(" in code:
        return False
    if re.match(r"(?i)r?fr?[\"']", literal):         # an f-string: formatted text (a message or a label)
        return True
    try:
        value = ast.literal_eval(literal)              # a plain string literal
    except Exception:
        return False
    if not isinstance(value, str):
        return False
    if value in _NAMES:
        return True
    if not re.fullmatch(r"\w*", value):              # "the gradient", "feature_range[1]": never a setting
        return True
    before = code[:code.find(literal)]
    if re.search(r"\bfunc\s*,\s*(?:[\w.\[\]{}\"']+\s*,\s*)?$", before):   # the (value, func, name) labels
        return True
    rest = code.replace(literal, " ")
    if re.fullmatch(r"[A-Za-z_][\w.]*", value) and re.search(rf"(?<![\w.\"']){re.escape(value)}(?![\w\"'])", rest):
        return True
    return bool(re.search(rf"\b(name|arg|what)\s*:\s*str\s*=\s*{re.escape(literal)}", code))


def string_only(diff: str) -> bool:
    """Whether the mutant changes nothing but string literals (or a string into None)."""
    return _only(diff, _string_change)


def func_name_only(diff: str) -> bool:
    """Whether the mutant changes nothing but string literals and the variable ``func`` into
    None. Every ``func`` in ``reference/`` is the name of the public function, a ``str`` used
    only in error messages and qualnames (nothing branches on it; ``tests/test_mutation.py``
    checks this), so such a mutant changes what a message says and nothing else."""
    return _only(diff, lambda ka, sa, kb, sb: _string_change(ka, sa, kb, sb)
                 or (ka == tokenize.NAME and sa == "func" and sb == "None"))


def _only(diff: str, allowed) -> bool:
    """Whether every changed line keeps its tokens except changes ``allowed(kind_a, a, kind_b, b)``."""
    old = [line[1:] for line in diff.splitlines() if line.startswith("-")]
    new = [line[1:] for line in diff.splitlines() if line.startswith("+")]
    if len(old) != len(new) or not old:
        return False
    for a, b in zip(old, new):
        ta, tb = _tokens(a), _tokens(b)
        if not ta or len(ta) != len(tb):
            return False
        for i, ((ka, sa), (kb, sb)) in enumerate(zip(ta, tb)):
            if (ka, sa) == (kb, sb):
                continue
            if allowed(ka, sa, kb, sb) and (ka != tokenize.STRING or _text_string(sa, a)):
                continue
            if ka in _FSTRING_PARTS and ka == kb:          # Python >= 3.12 tokenises f-strings in parts
                continue
            return False
    return True


def classification() -> dict:
    """Every hand classification: ``docs/mutation/classification/<module>.toml``, one file per
    module of ``reference/`` (so that survivors of different modules are classified apart)."""
    known = {}
    for path in sorted((OUT / "classification").glob("*.toml")):
        for name, entry in tomllib.loads(path.read_text()).items():
            if name in known:
                raise SystemExit(f"mutation: {name} is classified twice (again in {path.name})")
            known[name] = entry
    return known


#: Kinds a survivor is given by hand in classification/<module>.toml (see docs/mutation/README.md):
#: ``equivalent`` (no input tells it from the original), ``message-only`` (it changes only what an
#: error message says: a function or argument name handed to a check, an index in a message; the
#: same exception is raised for the same inputs), ``untestable`` (code that runs when ``reference``
#: is imported, before mutmut can switch a mutant on), ``gap`` (a fault no law catches).
MANUAL_KINDS = ("equivalent", "message-only", "untestable", "gap")
#: Survivors left out of the score's denominator (string-only is found automatically).
EXCLUDED = ("equivalent", "string-only", "message-only", "untestable")


def _survivor_kind(name: str, diff: str, known: dict) -> tuple[str, dict]:
    """A survivor's class and its classification entry: by hand (while its recorded diff still
    matches), string-only, message-only (``func`` -> None) or unclassified."""
    entry = known.get(name, {})
    if entry.get("kind") in MANUAL_KINDS:
        if entry.get("diff") and entry["diff"].strip() != diff.strip():
            return "unclassified", entry               # the code changed: classify again
        return entry["kind"], entry
    if string_only(diff):
        return "string-only", entry
    if func_name_only(diff):
        return "message-only", {"reason": "func (the function's name, only in messages) replaced by None"}
    return "unclassified", entry


def _considered(total: dict) -> int:
    """The score's denominator: every mutant that ran, less the excluded survivors."""
    return (sum(total.get(s, 0) for s in ("killed", "survived", "timeout", "no tests"))
            - sum(total.get(k, 0) for k in EXCLUDED))


def summarise(ran: list[str], command: str, seconds: float) -> dict:
    status = results()
    known = classification()
    rows = defaultdict(Counter)
    survivors = []
    diffs = diffs_of([name for name in ran if status.get(name) == "survived"])
    for name in ran:
        s = status.get(name, "not checked")
        module = module_of(name)
        rows[module][s] += 1
        if s != "survived":
            continue
        diff = diffs[name]
        kind, entry = _survivor_kind(name, diff, known)
        rows[module][kind] += 1
        survivors.append({"name": name, "module": module, "kind": kind, "reason": entry.get("reason", ""),
                          "diff": diff})
    total = Counter()
    for c in rows.values():
        total.update(c)
    considered = _considered(total)
    score = (total["killed"] + total["timeout"]) / considered if considered else float("nan")
    summary = {"date": date.today().isoformat(), "command": command, "seconds": round(seconds),
               "mutants": len(ran), "score": score, "per_module": {m: dict(c) for m, c in sorted(rows.items())},
               "total": dict(total), "survivors": survivors}
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    (OUT / "summary.md").write_text(_markdown(summary))
    return summary


#: Run inside ``mutants/`` (mutmut's copy): the reference's own error tests with one mutant
#: switched on at a time (mutmut's trampoline reads ``MUTANT_UNDER_TEST`` at every call).
_ERRORS = """
import contextlib, glob, io, json, os, sys
import pytest
files = sorted(glob.glob("tests/test_*_errors.py"))
out = {}
for name in json.load(sys.stdin):
    os.environ["MUTANT_UNDER_TEST"] = name
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        out[name] = int(pytest.main(["-x", "-q", "-p", "no:cacheprovider", "-p", "no:xdist", *files]))
print(json.dumps(out))
"""


def error_tests(summary: dict) -> dict:
    """A second figure, apart from the score: how many of the survivors that count (gaps and
    unclassified) ``tests/test_*_errors.py`` kills -- the bad-input contract of the reference
    (principle 7), which the laws do not state for every target. Exit 0 (and 5, no tests) is a
    survivor; any other exit a kill (a failed test, or one that cannot even be collected)."""
    names = [v["name"] for v in summary["survivors"] if v["kind"] in ("gap", "unclassified")]
    proc = subprocess.run([sys.executable, "-c", _ERRORS], cwd=ROOT / "mutants", text=True, capture_output=True,
                          input=json.dumps(names))
    if proc.returncode:
        raise SystemExit(f"mutation: running the error tests failed:\n{proc.stderr[-2000:]}")
    codes = json.loads(proc.stdout.strip().splitlines()[-1])
    killed = sorted(n for n, rc in codes.items() if rc not in (0, 5))
    t = summary["total"]
    return {"ran": len(names), "killed": len(killed),
            "score_laws_or_error_tests": (t.get("killed", 0) + t.get("timeout", 0) + len(killed)) / _considered(t),
            "killed_names": killed}


def _markdown(s: dict) -> str:
    cols = ["killed", "timeout", "survived", "no tests", *EXCLUDED, "gap", "unclassified"]
    lines = [f"# Mutation testing of reference/ ({s['date']})", "",
             f"Command: `{s['command']}` ({s['mutants']} mutants, {s['seconds']} s). Score (killed or timed out "
             f"over all but the {', '.join(EXCLUDED)} mutants): **{100 * s['score']:.1f} %**.", "",
             "| module | " + " | ".join(cols) + " |", "|---" * (len(cols) + 1) + "|"]
    if s.get("error_tests"):
        e = s["error_tests"]
        lines[4:4] = [f"Apart from the score: `tests/test_*_errors.py` (the reference's bad-input contract) kills "
                      f"{e['killed']} of the {e['ran']} gap and unclassified survivors; killed by the laws or by "
                      f"those tests: {100 * e['score_laws_or_error_tests']:.1f} % "
                      f"(`python -m tools.mutation errors`).", ""]
    for m, c in list(s["per_module"].items()) + [("**all**", s["total"])]:
        lines.append(f"| {m} | " + " | ".join(str(c.get(k, 0)) for k in cols) + " |")
    lines += ["", "`survived` counts every survivor; the columns after `no tests` split them.", "",
              "## Survivors", ""]
    for v in s["survivors"]:
        lines += [f"- `{v['name']}` ({v['kind']}){': ' + v['reason'] if v['reason'] else ''}", "",
                  "  ```diff", *("  " + d for d in v["diff"].splitlines()), "  ```", ""]
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.mutation", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    sp = sub.add_parser("sample", help="a stratified sample of mutants")
    sp.add_argument("--n", type=int, default=150)
    sp.add_argument("--seed", type=int, default=0)
    for p in (sp, sub.add_parser("full", help="every mutant")):
        p.add_argument("--max-children", type=int, default=2)
    sub.add_parser("report", help="summarise the mutants of the last run again")
    sub.add_parser("errors", help="run the last run's counted survivors against tests/test_*_errors.py "
                                  "(a second figure, apart from the score)")
    rp = sub.add_parser("rerun", help="run the last run's survivors (and mutants no law called) again, after "
                                      "new laws; then summarise the last run's mutants")
    rp.add_argument("--max-children", type=int, default=2)
    args = parser.parse_args(argv)
    if args.cmd == "errors":                 # reads the last summary and mutmut's copy; generates nothing
        summary = json.loads((OUT / "summary.json").read_text())
        summary["error_tests"] = error_tests(summary)
        (OUT / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
        (OUT / "summary.md").write_text(_markdown(summary))
        e = summary["error_tests"]
        print(f"mutation: the error tests kill {e['killed']} of {e['ran']} counted survivors; laws or error tests: "
              f"{100 * e['score_laws_or_error_tests']:.1f} %")
        return 0
    names = all_mutants()
    start = time.perf_counter()
    if args.cmd in ("rerun", "report"):
        previous = json.loads((OUT / "summary.json").read_text())
        status = results()
        ran = [n for n in names if status.get(n, "not checked") != "not checked"]     # the last run's mutants
        command, seconds = previous["command"], previous["seconds"]
        if args.cmd == "rerun":
            if "full" in command:
                ran = names        # a full run: functions changed since have new mutants, never run
            again = [n for n in ran if status.get(n, "not checked") in ("no tests", "not checked")]
            survivors = [n for n in ran if status.get(n) == "survived"]
            known = classification()
            again += [n for n, d in diffs_of(survivors).items() if _survivor_kind(n, d, known)[0]
                      not in EXCLUDED]          # excluded either way: a message, an equivalent mutant
            if again:
                _mutmut("run", "--max-children", str(args.max_children), *again)
            command = command if command.endswith(" + rerun") else command + " + rerun"
            seconds += time.perf_counter() - start
        summary = summarise(ran, command, seconds)
    else:
        ran = stratified_sample(names, args.n, args.seed) if args.cmd == "sample" else names
        _mutmut("run", "--max-children", str(args.max_children), *ran)
        command = "python -m tools.mutation " + " ".join(argv if argv is not None else sys.argv[1:])
        summary = summarise(ran, command, time.perf_counter() - start)
    t = summary["total"]
    print(f"mutation: {summary['mutants']} mutants: {t.get('killed', 0)} killed, {t.get('survived', 0)} survived "
          f"({', '.join(f'{t.get(k, 0)} {k}' for k in EXCLUDED)}, {t.get('gap', 0)} gap, "
          f"{t.get('unclassified', 0)} unclassified); score {100 * summary['score']:.1f} %; "
          f"written to {OUT.relative_to(ROOT)}/summary.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
