#!/usr/bin/env bash
# make bench: builds a seeded database once (kept in $LEADDESK_BENCH_DIR, default /tmp/leaddesk-bench),
# then runs the Go benchmarks and load checks against it and prints the figures the issues ask for.
set -euo pipefail
cd "$(dirname "$0")/.."
TAGS=sqlite_fts5
LEADS=${LEADDESK_BENCH_LEADS:-1000000}
DIR=${LEADDESK_BENCH_DIR:-/tmp/leaddesk-bench}/$LEADS
mkdir -p "$DIR"
if [ ! -s "$DIR/leaddesk.db" ]; then
  echo "== seeding $LEADS demo leads into $DIR"
  start=$(date +%s%N)
  LEADDESK_DATA_DIR="$DIR" ./bin/leaddesk demo --leads "$LEADS" --seed-only
  end=$(date +%s%N)
  echo "== seed time: $(( (end - start) / 1000000 )) ms for $LEADS leads"
fi
export LEADDESK_BENCH_DB="$DIR/leaddesk.db"
echo "== Go benchmarks on $LEADDESK_BENCH_DB"
go test -tags $TAGS -run '^$' -bench . -benchmem -benchtime "${BENCHTIME:-2s}" ./... 2>&1 | grep -vE '^(PASS|ok|\?)\s' || true
# Leads workspace (issue 4): the benchmarks above report p50/p99 per results page and search, and the
# export's rows, seconds and peak heap; this is the 32-connection load check on loopback.
echo "== Leads workspace: load check, 32 concurrent connections on loopback"
go test -tags $TAGS -count=1 -run 'TestLeadsLoadCheck' -v ./handlers/ 2>&1 | grep -E '^(load check|lead index|---)' || true

# Insights (issue 16): the Go benchmark above reports p50/p99 of the whole page for the last 12 months
# (BenchmarkInsights/12m) and across filters; this line repeats it alone, the yardstick of the issue.
echo "== Insights: /insights?range=12m p50/p99 (BenchmarkInsights)"
go test -tags $TAGS -run '^$' -bench 'BenchmarkInsights' -benchtime "${BENCHTIME:-2s}" ./handlers/ 2>&1 | grep -E '^Benchmark' || true

# The same load from outside the process, as a browser fleet would send it: the real binary on the
# seeded database, 32 connections from wrk (apt-get install wrk), full pages and htmx results.
if command -v wrk >/dev/null 2>&1 && command -v curl >/dev/null 2>&1; then
  port=$(( 20000 + RANDOM % 20000 ))
  LEADDESK_DATA_DIR="$DIR" LEADDESK_ADDR="127.0.0.1:$port" ./bin/leaddesk serve >/dev/null 2>&1 &
  srv=$!
  trap 'kill $srv 2>/dev/null' EXIT
  jar=$(mktemp)
  for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 0.1; done
  tok=$(curl -s -c "$jar" -b "$jar" "http://127.0.0.1:$port/login" | grep -o 'name="csrf" value="[^"]*"' | head -1 | sed 's/.*value="//;s/"//')
  curl -s -o /dev/null -c "$jar" -b "$jar" --data-urlencode "csrf=$tok" --data-urlencode "email=referrals@demo.leaddesk.test" \
    --data-urlencode "password=demo-referrals-2026" "http://127.0.0.1:$port/login"
  cookie=$(sed 's/^#HttpOnly_//' "$jar" | awk '!/^#/ && NF>=7 {printf "%s=%s; ", $6, $7}')
  curl -s -o /dev/null -H "Cookie: $cookie" "http://127.0.0.1:$port/leads?tab=marketplace" # loads the lead index
  for mode in page htmx; do
    extra=()
    [ "$mode" = htmx ] && extra=(-H "HX-Request: true")
    echo "== Leads workspace: wrk, 32 connections, 15 s, results $mode"
    wrk -t1 -c32 -d15s --latency -s scripts/wrk-leads.lua -H "Cookie: $cookie" -H "Accept-Encoding: gzip" "${extra[@]}" \
      "http://127.0.0.1:$port" | grep -E 'Requests/sec|50%|99%|Non-2xx'
  done
  rm -f "$jar"
else
  echo "== (install wrk and curl for the out-of-process load check)"
fi

# Partner Center sync (issue 14): the first pull of 10,000 referrals (BenchmarkPartnerCenterInitialPull10000
# above, s/pull) and how soon a change made here reaches the simulator under `serve` (the real job loop).
echo "== Partner Center: a change made here reaches the simulator under serve"
go test -tags $TAGS -count=1 -run 'TestPartnerCenterPushLatencyUnderServe' -v . 2>&1 | grep -E 'pc push latency|^---' || true
