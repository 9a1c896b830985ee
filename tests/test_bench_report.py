"""benchmarks.report reads asv results files; a later file's benchmarks replace an earlier one's."""

import json

from benchmarks import report

BENCH = "normalization.Scalers.time_fit_transform"
PARAMS = [["10000000"], ["'float64'"], ["'standard'"], ["'reference'", "'sklearn'"]]


def _results(path, reference_s, sklearn_s, commit):
    data = {"commit_hash": commit, "env_name": "env", "params": {"machine": "m", "cpu": "c"},
            "result_columns": ["result", "params"],
            "results": {BENCH: [[reference_s, sklearn_s], PARAMS],
                        "suite.Suite.track_n_laws": [107, []]}}
    path.write_text(json.dumps(data))
    return str(path)


def test_later_results_replace_the_same_benchmark(tmp_path, capsys):
    a = _results(tmp_path / "a.json", 0.2, 0.1, "aaaaaaaaaa")       # reference twice as slow
    b = _results(tmp_path / "b.json", 0.05, 0.1, "bbbbbbbbbb")      # reference twice as fast
    report.main(["--results", a])
    one = capsys.readouterr().out
    assert "| 1e+07 float64 standard | 200 ms | 100 ms | 0.50 |" in one
    report.main(["--results", a, b])
    both = capsys.readouterr().out
    assert "| 1e+07 float64 standard | 50 ms | 100 ms | 2.00 |" in both
    assert "0.50" not in both.split("### Standardisation")[1].split("###")[0]
    assert "commit aaaaaaaaaa" in both and "commit bbbbbbbbbb" in both
