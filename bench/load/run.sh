#!/usr/bin/env bash
# Load test: gunicorn (DEBUG off, PostgreSQL alliance_load with 20,000 firms and 100,000
# proposals) and 50 locust clients on 127.0.0.1 for DURATION (default 60s).
#   bench/load/run.sh            WORKERS=4 USERS=50 DURATION=60s THINK_TIME=1,3 bench/load/run.sh
# The workers are warmed first (bench/load/warmup.py); clients start at SPAWN_RATE per second
# (default 10) and the statistics restart once all 50 run, so the figures are the steady state.
# Prints p50/p95/p99 (ms) per endpoint and overall, the error count and the verdict against
# the target (p95 < 100 ms); exits 1 on any error.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=.venv/bin/python
export DATABASE_URL="${LOAD_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/alliance_load}"
WORKERS="${WORKERS:-4}"; USERS="${USERS:-50}"; DURATION="${DURATION:-60s}"
OUT=test-artifacts/load; mkdir -p "$OUT"

$PY bench/load/seed.py 2>&1 | grep -v UserWarning

PORT="$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
# Production settings, minus TLS (plain HTTP on the loopback) and with the per-token throttle
# raised: 50 clients at full speed would otherwise measure the 429 path.
DEBUG=false SECRET_KEY="$($PY -c 'import secrets; print(secrets.token_urlsafe(50))')" \
  ALLOWED_HOSTS=127.0.0.1 SECURE_SSL_REDIRECT=false API_TOKEN_RATE=1000000/min \
  CELERY_TASK_ALWAYS_EAGER=true LOG_LEVEL=ERROR \
  CACHE_URL="${LOAD_CACHE_URL:-redis://127.0.0.1:6379/5}" \
  $PY -m gunicorn alliance.wsgi:application -b "127.0.0.1:$PORT" -w "$WORKERS" --preload --timeout 60 \
  --error-logfile "$OUT/gunicorn.log" >>"$OUT/gunicorn.log" 2>&1 &
GUNICORN=$!
trap 'kill $GUNICORN 2>/dev/null; wait $GUNICORN 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do
  curl -s -o /dev/null "http://127.0.0.1:$PORT/api/schema/" && break; sleep 0.5
done

$PY bench/load/warmup.py "http://127.0.0.1:$PORT" "$((WORKERS * 5))"
echo "load: $USERS clients for $DURATION against gunicorn -w $WORKERS on 127.0.0.1:$PORT ($(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg))"
.venv/bin/locust -f bench/load/locustfile.py --headless -u "$USERS" -r "${SPAWN_RATE:-10}" --reset-stats -t "$DURATION" \
  --host "http://127.0.0.1:$PORT" --csv "$OUT/locust" --only-summary --loglevel WARNING >/dev/null 2>"$OUT/locust.log" || true

$PY - "$OUT/locust_stats.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
print(f"{'endpoint':28} {'requests':>8} {'errors':>6} {'rps':>6} {'p50':>5} {'p95':>5} {'p99':>5} {'max':>6}  (ms)")
errors = 0
for r in rows:
    name = r["Name"] or "all"
    print(f"{name:28} {r['Request Count']:>8} {r['Failure Count']:>6} {float(r['Requests/s']):6.0f} "
          f"{r['50%']:>5} {r['95%']:>5} {r['99%']:>5} {float(r['Max Response Time']):6.0f}")
    if r["Name"] == "Aggregated":
        errors = int(r["Failure Count"])
        p95 = float(r["95%"])
print(f"target p95 < 100 ms with zero errors: {'met' if p95 < 100 and not errors else 'NOT met'} (p95 {p95:.0f} ms, {errors} errors)")
sys.exit(1 if errors else 0)
PY
