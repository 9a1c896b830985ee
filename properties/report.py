"""Conformance report: run the laws against targets, write law x result x reason as Markdown and JSON.

    python -m properties.report --target torch [--target sklearn | --target all]
        [--out docs/conformance] [--hypothesis-profile ci] [-k EXPR] [-- more pytest arguments]

Each target runs in its own ``python -m pytest properties/ --target NAME -p no:cacheprovider
-q -rA`` subprocess with this module loaded as a pytest plugin (``-p properties.report``),
which records every test id's outcome (passed / skipped / xfailed / failed) and its reason
(the skip reason, the deviation file's reason, the failure message). Writes
``<out>/<target>.md`` and ``<out>/<target>.json``, then rebuilds ``<out>/README.md``, a
summary table over every ``<target>.json`` in ``<out>``. Exits 1 if any law failed or a
target could not be run.
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

ROOT = Path(__file__).resolve().parents[1]
ALL_TARGETS = ("reference", "torch", "sklearn", "optax")
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

    def pytest_collection_finish(self, session):
        self.order = [item.nodeid for item in session.items]

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node, ids):  # under -n, the controller collects nothing
        self.order = self.order or list(ids)

    def pytest_collectreport(self, report):
        if report.failed:
            self.rows[report.nodeid] = ("failed", "collection error: " + _message(report))

    def pytest_runtest_logreport(self, report):
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
        prefix = f"expected deviation of {target.name}: "
        rows = [{"law": nodeid, "result": result, "reason": reason.removeprefix(prefix)}
                for nodeid, (result, reason) in sorted(self.rows.items(), key=lambda kv: index.get(kv[0], 1e9))]
        self.path.write_text(json.dumps({
            "target": target.name,
            "module": getattr(target.impl, "__name__", type(target.impl).__name__),
            "version": _version(target.impl),
            "hypothesis_profile": settings.get_current_profile_name(),
            "deviations_file": os.path.relpath(self.config._trainspec_deviations_path, ROOT),
            "rows": rows,
        }))


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
    cmd = ["-m", "pytest", "properties/", "--target", name, "-p", "no:cacheprovider", "-q", "-rA"]
    cmd += (["--hypothesis-profile", profile] if profile else []) + (["-k", keyword] if keyword else []) + extra
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "rows.json"
        env = dict(os.environ, **{_ENV: str(out)})
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
        start = time.monotonic()
        proc = subprocess.run([sys.executable, *cmd, "-p", "properties.report"], cwd=ROOT, env=env,
                              capture_output=True, text=True)
        seconds = time.monotonic() - start
        if not out.exists():
            raise RuntimeError(f"report: pytest exited {proc.returncode} without results for target {name!r}:\n"
                               f"{(proc.stdout + proc.stderr).strip()[-3000:]}")
        data = json.loads(out.read_text())
    lines = proc.stdout.strip().splitlines()
    counts = Counter(row["result"] for row in data["rows"])
    data.update(
        date=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        machine=f"{platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        command=" ".join(["python", *cmd]),  # as a reader would type it (the plugin left out)
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


def markdown(data: dict) -> str:
    """The per-target report: a header, then one row per law."""
    head = [("target", f"`{data['target']}` (module `{data['module']}`)"),
            ("framework version", data["version"]),
            ("Hypothesis profile", data["hypothesis_profile"]),
            ("date", data["date"]),
            ("machine", data["machine"]),
            ("command", f"`{data['command']}` ({data['seconds']} s)"),
            ("deviations", f"`{data['deviations_file']}`"),
            ("counts", _counts(data["counts"]))]
    lines = [f"# Conformance report: {data['target']}", "",
             "Generated by `python -m properties.report`; do not edit by hand.", "",
             "| | |", "|---|---|"] + [f"| {k} | {_cell(v)} |" for k, v in head]
    ran = [row for row in data["rows"] if row["result"] != "skipped"]
    skipped = [row for row in data["rows"] if row["result"] == "skipped"]
    for title, rows in ((f"## Laws run ({len(ran)})", ran), (f"## Laws skipped ({len(skipped)})", skipped)):
        lines += ["", title, "", "| law (test id) | result | reason |", "|---|---|---|"]
        lines += [f"| `{row['law'].removeprefix('properties/')}` | {row['result']} | {_cell(row['reason'])} |"
                  for row in rows]
    return "\n".join(lines) + "\n"


def summary(out: Path) -> str:
    """README-ready table over every report in ``out`` (reference, torch, sklearn, optax first)."""
    reports = [json.loads(p.read_text()) for p in sorted(out.glob("*.json"))]
    rank = {name: i for i, name in enumerate(ALL_TARGETS)}
    reports.sort(key=lambda d: (rank.get(d["target"], len(rank)), d["target"]))
    lines = ["| target | version | " + " | ".join(RESULTS) + " | profile | date |",
             "|---|---|" + "---:|" * len(RESULTS) + "---|---|"]
    for d in reports:
        link = f"[{d['target']}]({_slug(d['target'])}.md)"
        lines.append(f"| {link} | {d['version']} | " + " | ".join(str(d["counts"][r]) for r in RESULTS)
                     + f" | {d['hypothesis_profile']} | {d['date']} |")
    return ("# Conformance summary\n\nOne row per target (`python -m properties.report`): how many laws "
            "pass, are skipped (the target lacks a technique), fail as a recorded deviation (strict "
            "xfail, reason in the target's report), or fail.\n\n" + "\n".join(lines) + "\n")


def _slug(target: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", target)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    extra = argv[argv.index("--") + 1:] if "--" in argv else []
    argv = argv[:argv.index("--")] if "--" in argv else argv
    parser = argparse.ArgumentParser(prog="python -m properties.report", description=__doc__.split("\n")[0])
    parser.add_argument("--target", action="append", required=True,
                        help=f"target to run (repeatable); 'all' = {' '.join(ALL_TARGETS)}")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "conformance", help="output folder")
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
        print(f"{name}: {_counts(data['counts'])} ({data['seconds']} s; pytest: {data['pytest_summary']}) "
              f"-> {base}.md, {base}.json")
        for row in data["rows"]:
            if row["result"] == "failed":
                print(f"  FAILED {row['law']}: {row['reason']}")
    (args.out / "README.md").write_text(summary(args.out))
    return status


if __name__ == "__main__":
    sys.exit(main())
