"""bench/bench_screening.py: the screening core timed on generated names."""

import json
from io import StringIO

from bench.bench_screening import main


def test_bench_screening_prints_json_last(db):
    out = StringIO()
    assert main(["--firms", "300", "--entries", "1000"], stdout=out) == 0
    result = json.loads(out.getvalue().strip().splitlines()[-1])
    assert result["firms"] == 300 and result["entries"] == 1000
    assert result["planted_found"] == result["planted"] == 3
    assert result["total_seconds"] > 0 and result["peak_rss_mb"] > 0
