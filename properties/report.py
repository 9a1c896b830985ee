"""Conformance report: per target a verdict, per law its cases and examples, per finding whether it reproduces.

    python -m properties.report --target torch [--target sklearn | --target all]
        [--out DIR] [--hypothesis-profile ci] [-k EXPR] [-- more pytest arguments]

Each target runs in its own ``python -m pytest properties/ --target NAME -p no:cacheprovider
-q -rA`` subprocess (from the repository root; where trainspec is installed from a wheel,
``python -m pytest --pyargs properties ...`` from the current directory) with this module loaded as a pytest plugin (``-p properties.report``),
which records every test id's outcome (passed / skipped / xfailed / failed), its reason
(the skip reason, the finding, the failure message), the law's tier (correctness or
accuracy) and case, and what the Hypothesis run did: examples run, examples rejected
because the target lacks an option, examples excluded by each finding. The findings'
reproductions (``properties/test_findings.py``) give each finding's severity and whether
it still reproduces.

The **verdict** is on correctness alone: a target *conforms* when every correctness law
it can run passes and it has no finding of severity ``correctness``; accuracy and contract laws
are reported beside it. Writes ``<out>/<target>.md`` and ``<out>/<target>.json`` (``--out``
defaults to ``docs/conformance`` in the repository and to ``./trainspec-conformance`` where
trainspec is installed), then rebuilds ``<out>/README.md``, a summary table over every ``<target>.json`` in ``<out>``.
Exits 1 if any law failed, a finding no longer reproduces, or a target could not be run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import pytest

from properties._install import CHECKOUT, laws_command

ROOT = Path(__file__).resolve().parents[1]  # the repository, or site-packages where installed


def default_out(checkout: Path | None = CHECKOUT) -> Path:
    """Where reports go without --out: the repository's docs/conformance, or (trainspec installed
    from a wheel, ROOT being site-packages) a folder in the current directory, never site-packages."""
    return checkout / "docs" / "conformance" if checkout is not None else Path("trainspec-conformance")


ALL_TARGETS = ("reference", "torch", "torch-foreach", "torch-fused", "sklearn", "optax", "pandas", "keras", "keras-torch")
RESULTS = ("passed", "skipped", "xfailed", "failed")
_ENV = "TRAINSPEC_REPORT_FILE"  # set by the driver: where the plugin writes its rows


# --- pytest plugin (runs inside the pytest subprocess) ------------------------------------

def pytest_configure(config):
    path = os.environ.get(_ENV)
    if path and not hasattr(config, "workerinput"):  # xdist workers forward reports to the controller
        config.pluginmanager.register(_Recorder(config, Path(path)), "trainspec-report-recorder")


def _message(report) -> str:
    """One line saying why: the skip/xfail reason or the failure's crash message."""
    if getattr(report, "wasxfail", None):
        return report.wasxfail
    lr = report.longrepr
    if isinstance(lr, tuple):  # a skip: (path, lineno, "Skipped: reason")
        return lr[2].removeprefix("Skipped: ")
    crash = getattr(lr, "reprcrash", None)
    return " ".join((crash.message if crash is not None else str(lr or "")).split())[:500]


class _Recorder:
    def __init__(self, config, path: Path):
        self.config, self.path, self.rows, self.order = config, path, {}, []
        self.meta, self.stats, self.findings = {}, {}, {}

    def pytest_collection_finish(self, session):
        self.order = [item.nodeid for item in session.items]
        for item in session.items:
            law = getattr(getattr(item, "function", None), "_trainspec_law", None)
            if law is not None:
                case = item.callspec.params.get("case") if hasattr(item, "callspec") else None
                self.meta[item.nodeid] = {"name": law.name, "case": case, "tier": law.tier}
            else:  # a finding's reproduction (properties/test_findings.py)
                self.meta[item.nodeid] = {"name": None, "case": None, "tier": "finding"}

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node, ids):  # under -n, the controller collects nothing
        self.order = self.order or list(ids)

    def pytest_collectreport(self, report):
        if report.failed:
            self.rows[report.nodeid] = ("failed", "collection error: " + _message(report))

    def pytest_runtest_logreport(self, report):
        for key, value in getattr(report, "user_properties", ()):
            if key == "trainspec":
                self.stats[report.nodeid] = value
            elif key == "trainspec_finding":
                self.findings[value["id"]] = value
        if report.when == "call" or report.outcome != "passed":
            if report.when != "call" and report.failed:
                result = "failed"  # an error in setup or teardown
            elif getattr(report, "wasxfail", None):
                # A non-strict xfail that passed counts as passed (every deviation is strict).
                result = "xfailed" if report.skipped else "passed"
            else:
                result = report.outcome
            if self.rows.get(report.nodeid, ("",))[0] != "failed":
                self.rows[report.nodeid] = (result, "" if result == "passed" else _message(report))

    def pytest_sessionfinish(self, session, exitstatus):
        from hypothesis import settings

        target = self.config._trainspec_target
        index = {nodeid: i for i, nodeid in enumerate(self.order)}
        rows = []
        for nodeid, (result, reason) in sorted(self.rows.items(), key=lambda kv: index.get(kv[0], 1e9)):
            meta = self.meta.get(nodeid, {"name": None, "case": None, "tier": "finding"})
            st = self.stats.get(nodeid, {})
            rows.append({"law": nodeid, "name": meta["name"], "case": meta["case"], "tier": meta["tier"],
                         "result": result, "reason": reason, "examples": st.get("examples"),
                         "unsupported": st.get("unsupported", 0), "excluded": st.get("excluded", {}),
                         "failures": st.get("failures", 0)})
        findings = []
        for f in self.config._trainspec_findings:
            seen = self.findings.get(f.id, {})
            findings.append({"id": f.id, "severity": f.severity, "reason": f.reason, "laws": list(f.laws),
                             "domain": {k: v is not None for k, v in f.laws.items()},
                             "reproduction": f.reproduce.describe, "reproduces": seen.get("reproduces"),
                             "excluded": sum(r["excluded"].get(f.id, 0) for r in rows)})
        self.path.write_text(json.dumps({
            "target": target.name,
            "module": getattr(target.impl, "__name__", type(target.impl).__name__),
            "version": _version(target.impl),
            "hypothesis_profile": settings.get_current_profile_name(),
            "findings_file": _shown_path(self.config._trainspec_findings_path),
            "rows": rows,
            "findings": findings,
        }))


def _shown_path(path: Path) -> str:
    """``path`` relative to the repository (or site-packages), else to the current directory, else absolute."""
    path = Path(path).resolve()
    for base in (ROOT, Path.cwd()):
        if base == path or base in path.parents:
            return os.path.relpath(path, base)
    return str(path)


def _version(impl) -> str:
    """The adapter's VERSION; ``trainspec X`` for the reference; else the module's __version__."""
    if getattr(impl, "VERSION", None):
        return impl.VERSION
    if getattr(impl, "__name__", "") == "reference":
        return f"trainspec {impl.__version__}"
    return str(getattr(impl, "__version__", "unknown"))


# --- driver --------------------------------------------------------------------------------

def run_target(name: str, profile: str | None, keyword: str | None, extra: list[str]) -> dict:
    """Run the law suite against ``name`` in a subprocess; return the report as a dict."""
    laws, shown, cwd = laws_command()
    rest = ["--target", name, "-p", "no:cacheprovider", "-q", "-rA"]
    rest += (["--hypothesis-profile", profile] if profile else []) + (["-k", keyword] if keyword else []) + extra
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "rows.json"
        env = dict(os.environ, **{_ENV: str(out)})
        if CHECKOUT is not None:  # a clone need not be installed
            env["PYTHONPATH"] = os.pathsep.join(p for p in (str(CHECKOUT), env.get("PYTHONPATH")) if p)
        start = time.monotonic()
        proc = subprocess.run([sys.executable, "-m", "pytest", *laws, *rest, "-p", "properties.report"], cwd=cwd,
                              env=env, capture_output=True, text=True)
        seconds = time.monotonic() - start
        if not out.exists():
            raise RuntimeError(f"report: pytest exited {proc.returncode} without results for target {name!r}:\n"
                               f"{(proc.stdout + proc.stderr).strip()[-3000:]}")
        data = json.loads(out.read_text())
    lines = proc.stdout.strip().splitlines()
    counts = Counter(row["result"] for row in data["rows"])
    tiers = {}
    for tier in ("correctness", "accuracy", "contract"):
        rows = [r for r in data["rows"] if r["tier"] == tier]
        ran = [r for r in rows if r["result"] != "skipped"]
        tiers[tier] = {"passed": sum(r["result"] == "passed" for r in ran), "run": len(ran),
                       "skipped": len(rows) - len(ran)}
    c = tiers["correctness"]
    wrong = [f["id"] for f in data["findings"] if f["severity"] == "correctness"]
    data["tiers"] = tiers
    data["conforms"] = c["passed"] == c["run"] and not wrong
    data["verdict"] = ("conforms" if data["conforms"] else "does not conform") + (
        f" (correctness laws {c['passed']}/{c['run']} passed" + (f"; correctness findings {', '.join(wrong)}" if wrong else "")
        + ")")
    data.update(
        date=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        machine=f"{platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        command=" ".join(["python", "-m", "pytest", *shown, *rest]),  # as a reader would type it (the plugin left out)
        seconds=round(seconds, 1),
        pytest_exit_code=proc.returncode,
        pytest_summary=lines[-1].strip("= ") if lines else "",
        counts={r: counts.get(r, 0) for r in RESULTS},
    )
    return data


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return " ".join(text.split()).replace("|", "\\|").replace("*", "\\*").replace("<", "&lt;")


def _counts(c: dict) -> str:
    return ", ".join(f"{c[r]} {r}" for r in RESULTS)


def _excluded(ex: dict) -> str:
    return ", ".join(f"{k}: {v}" for k, v in ex.items()) or "0"


def _tiers(data: dict) -> str:
    t = data["tiers"]

    def outside(severity):
        ids = [f["id"] for f in data["findings"] if f["severity"] == severity]
        return f" (outside findings {', '.join(ids)})" if ids else ""

    return (f"correctness {t['correctness']['passed']}/{t['correctness']['run']} passed{outside('correctness')}, "
            f"accuracy {t['accuracy']['passed']}/{t['accuracy']['run']} passed{outside('accuracy')}, "
            f"contract {t['contract']['passed']}/{t['contract']['run']} passed{outside('contract')}")


def markdown(data: dict) -> str:
    """The per-target report: a header with the verdict, one row per law case, one per finding."""
    head = [("target", f"`{data['target']}` (module `{data['module']}`)"),
            ("framework version", data["version"]),
            ("Hypothesis profile", data["hypothesis_profile"]),
            ("date", data["date"]),
            ("machine", data["machine"]),
            ("command", f"`{data['command']}` ({data['seconds']} s)"),
            ("findings", f"`{data['findings_file']}`"),
            ("verdict (correctness)", data["verdict"]),
            ("laws run", _tiers(data)),
            ("counts", _counts(data["counts"]))]
    lines = [f"# Conformance report: {data['target']}", "",
             "Generated by `python -m properties.report`; do not edit by hand.", "",
             "| | |", "|---|---|"] + [f"| {k} | {_cell(v)} |" for k, v in head]
    laws = [row for row in data["rows"] if row["tier"] != "finding"]
    ran = [row for row in laws if row["result"] != "skipped"]
    skipped = [row for row in laws if row["result"] == "skipped"]
    lines += ["", f"## Laws run ({len(ran)} cases)", "",
              "| law (test id) | tier | result | examples run | rejected: option not offered | excluded by findings "
              "| failures | reason |", "|---|---|---|---:|---:|---|---:|---|"]
    lines += [f"| `{row['law'].removeprefix('properties/')}` | {row['tier']} | {row['result']} | "
              f"{'' if row['examples'] is None else row['examples']} | {row['unsupported']} | {_excluded(row['excluded'])} "
              f"| {row['failures']} | {_cell(row['reason'])} |" for row in ran]
    lines += ["", f"## Laws skipped ({len(skipped)} cases)", "", "| law (test id) | tier | result | reason |",
              "|---|---|---|---|"]
    lines += [f"| `{row['law'].removeprefix('properties/')}` | {row['tier']} | {row['result']} | {_cell(row['reason'])} |"
              for row in skipped]
    lines += ["", f"## Findings ({len(data['findings'])})", "",
              "| id | severity | still reproduces | laws affected (domain or whole law) | examples excluded | reason |",
              "|---|---|---|---|---:|---|"]
    for f in data["findings"]:
        laws = ", ".join(f"`{k}` ({'domain' if d else 'whole'})" for k, d in f["domain"].items())
        lines.append(f"| {f['id']} | {f['severity']} | {f['reproduces']} | {laws} | {f['excluded']} | {_cell(f['reason'])} |")
    return "\n".join(lines) + "\n"


def summary(out: Path) -> str:
    """README-ready table over every report in ``out`` (reference, torch, sklearn, optax first)."""
    reports = [json.loads(p.read_text()) for p in sorted(out.glob("*.json"))]
    rank = {name: i for i, name in enumerate(ALL_TARGETS)}
    reports.sort(key=lambda d: (rank.get(d["target"], len(rank)), d["target"]))
    lines = ["| target | version | verdict (correctness) | correctness passed / run | accuracy passed / run "
             "| contract passed / run | skipped | findings | profile | date |", "|---|---|---|---:|---:|---:|---:|---|---|---|"]
    for d in reports:
        link = f"[{d['target']}]({_slug(d['target'])}.md)"
        t = d["tiers"]
        fs = ", ".join(f"{f['id']} ({f['severity']})" for f in d["findings"]) or "none"
        lines.append(f"| {link} | {d['version']} | {'conforms' if d['conforms'] else 'does not conform'} | "
                     f"{t['correctness']['passed']} / {t['correctness']['run']} | "
                     f"{t['accuracy']['passed']} / {t['accuracy']['run']} | "
                     f"{t.get('contract', {}).get('passed', 0)} / {t.get('contract', {}).get('run', 0)} | "
                     f"{d['counts']['skipped']} | {fs} | "
                     f"{d['hypothesis_profile']} | {d['date']} |")
    return ("# Conformance summary\n\nOne row per target (`python -m properties.report`), counted in law cases "
            "(a per-technique law counts once per technique). A target *conforms* when every correctness law it "
            "can run passes and no finding of severity correctness is recorded; accuracy laws (ulp-level "
            "demands) and contract laws (documented argument domains refused) are shown beside it. A law passes when it holds on every example outside its findings' "
            "domains; a finding without a domain is a strict xfail (not passed).\n\n" + "\n".join(lines) + "\n")


def _slug(target: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", target)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    extra = argv[argv.index("--") + 1:] if "--" in argv else []
    argv = argv[:argv.index("--")] if "--" in argv else argv
    parser = argparse.ArgumentParser(prog="python -m properties.report", description=__doc__.split("\n")[0])
    parser.add_argument("--target", action="append", required=True,
                        help=f"target to run (repeatable); 'all' = {' '.join(ALL_TARGETS)}")
    parser.add_argument("--out", type=Path, default=default_out(),
                        help="output folder (default: docs/conformance in the repository; ./trainspec-conformance "
                             "where trainspec is installed)")
    parser.add_argument("--hypothesis-profile", default=None, help="passed to pytest (dev, ci, thorough)")
    parser.add_argument("-k", dest="keyword", default=None, help="pytest -k expression: run a subset of laws")
    args = parser.parse_args(argv)
    targets = [t for name in args.target for t in (ALL_TARGETS if name == "all" else (name,))]
    args.out.mkdir(parents=True, exist_ok=True)
    status = 0
    for name in targets:
        try:
            data = run_target(name, args.hypothesis_profile, args.keyword, extra)
        except RuntimeError as exc:
            print(exc, file=sys.stderr)
            status = 1
            continue
        base = args.out / _slug(name)
        base.with_suffix(".json").write_text(json.dumps(data, indent=1) + "\n")
        base.with_suffix(".md").write_text(markdown(data))
        failed = data["counts"]["failed"] > 0 or data["pytest_exit_code"] != 0
        status |= failed
        print(f"{name}: {data['verdict']}; {_tiers(data)}; {_counts(data['counts'])} ({data['seconds']} s; "
              f"pytest: {data['pytest_summary']}) -> {base}.md, {base}.json")
        for f in data["findings"]:
            if f["reproduces"] is False:
                print(f"  finding {f['id']} no longer reproduces")
        for row in data["rows"]:
            if row["result"] == "failed":
                print(f"  FAILED {row['law']}: {row['reason']}")
    (args.out / "README.md").write_text(summary(args.out))
    return status


if __name__ == "__main__":
    sys.exit(main())
