"""Every finding of the target still reproduces (a framework fix is noticed).

One test per finding of ``properties/findings/<target>.py`` (or ``--findings FILE``): its
reproduction must still fail on the target; when it stops failing the test fails with
``finding X no longer reproduces``, so the finding is removed or rewritten. A reproduction
that calls a law must lie inside the domain the finding excludes from that law.
"""

from __future__ import annotations

import pytest

from properties._law import _REGISTRY


def test_finding_still_reproduces(target, finding, request):
    r = finding.reproduce
    if r.law is not None:
        preds = [p for p in (finding.domain(r.law, c) for c in _REGISTRY[r.law].case_ids()) if p is not None]
        if preds and not any(p(**r.inputs) for p in preds):
            pytest.fail(f"finding {finding.id}: its reproduction {r.describe} lies outside the domain it excludes "
                        f"from {r.law}", pytrace=False)
    reproduces, detail = r.run(target)
    request.node.user_properties.append(("trainspec_finding", {
        "id": finding.id, "severity": finding.severity, "reason": finding.reason, "laws": list(finding.laws),
        "domain": {k: v is not None for k, v in finding.laws.items()}, "reproduces": reproduces,
        "reproduction": r.describe, "detail": detail}))
    if not reproduces:
        pytest.fail(f"finding {finding.id} no longer reproduces on target {target.name}: {detail} "
                    f"(remove or rewrite it in the findings file)", pytrace=False)
