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
