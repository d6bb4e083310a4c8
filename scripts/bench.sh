#!/usr/bin/env bash
# make bench: builds a seeded database once (kept in $LEADDESK_BENCH_DIR, default /tmp/leaddesk-bench),
# then measures the figures of issue 21 from outside the process (the real binary, wrk and curl on
# loopback, memory from /proc) and prints each beside the previous run's. Optionally (BENCH_GO=1) the Go
# benchmarks and in-process load checks run first.
#
#   make bench                          1,000,000 leads (LEADDESK_BENCH_LEADS to change)
#   LEADDESK_BENCH_SCALE=1 make bench   the scaling table: 100k, 1M and 3M leads (make bench-scale;
#                                       LEADDESK_BENCH_SIZES="100000 1000000" for other sizes)
#
# The machine is shared: every latency is the median of BENCH_RUNS runs (default 3).
set -euo pipefail
cd "$(dirname "$0")/.."
TAGS=sqlite_fts5
BASE=${LEADDESK_BENCH_DIR:-/tmp/leaddesk-bench}
RUNS=${BENCH_RUNS:-3}
BIN=./bin/leaddesk
for tool in wrk curl; do
  command -v $tool >/dev/null 2>&1 || { echo "bench: $tool is needed (apt-get install $tool)"; exit 1; }
done

seed() { # seed N: the database of N demo leads, made once
  local dir=$BASE/$1
  mkdir -p "$dir"
  if [ ! -s "$dir/leaddesk.db" ]; then
    echo "== seeding $1 demo leads into $dir"
    local start=$(date +%s%N)
    LEADDESK_DATA_DIR="$dir" $BIN demo --leads "$1" --seed-only >/dev/null
    echo "== seed time: $(( ($(date +%s%N) - start) / 1000000 )) ms"
  fi
}

ms() { awk '{ printf "%.1f", $1 * 1000 }'; } # seconds → ms
median() { sort -n | awk '{ a[NR] = $1 } END { if (NR == 0) print "-"; else print a[int((NR + 1) / 2)] }' ; }
pct() { sort -n | awk -v p="$1" '{ a[NR] = $1 } END { i = int(NR * p / 100 + 0.999); if (i < 1) i = 1; print a[i] }'; }
rss() { awk '/^VmRSS/ { printf "%d", $2 / 1024 }' /proc/$1/status; }
hwm() { awk '/^VmHWM/ { printf "%d", $2 / 1024 }' /proc/$1/status; }

port=$(( 20000 + RANDOM % 20000 ))
URL=http://127.0.0.1:$port
srv=
stop_server() { if [ -n "$srv" ]; then kill "$srv" 2>/dev/null || true; wait "$srv" 2>/dev/null || true; srv=; fi; }
trap stop_server EXIT
mem_limit= # LEADDESK_MEMORY_LIMIT of the server: the default, but past two million leads what the README says to set
start_server() { # start_server DIR: serve in the background, started at $t0 (ns)
  t0=$(date +%s%N)
  env LEADDESK_DATA_DIR="$1" LEADDESK_ADDR="127.0.0.1:$port" ${mem_limit:+LEADDESK_MEMORY_LIMIT=$mem_limit} $BIN serve >/dev/null 2>&1 &
  srv=$!
}
wait_up() { # until the server answers (10 minutes at most: a demo seeds first)
  local give_up=$(( $(date +%s) + 600 ))
  until curl -s -o /dev/null "$URL/healthz"; do
    [ "$(date +%s)" -lt "$give_up" ] || { echo "bench: the server did not start" >&2; exit 1; }
    sleep 0.05
  done
}
login() { # the demo Referrals admin's session cookie, into $cookie
  local jar tok
  jar=$(mktemp)
  tok=$(curl -s -c "$jar" -b "$jar" "$URL/login" | grep -o 'name="csrf" value="[^"]*"' | head -1 | sed 's/.*value="//;s/"//')
  curl -s -o /dev/null -c "$jar" -b "$jar" --data-urlencode "csrf=$tok" --data-urlencode "email=referrals@demo.leaddesk.test" \
    --data-urlencode "password=demo-referrals-2026" "$URL/login"
  cookie=$(sed 's/^#HttpOnly_//' "$jar" | awk '!/^#/ && NF>=7 {printf "%s=%s; ", $6, $7}')
  rm -f "$jar"
}
page_ok() { # page_ok PATH: 200 with the leads table, signed in
  [ "$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $cookie" "$URL$1")" = 200 ]
}
wait_first_page() { # ms from $t0 to the first served Leads page
  local give_up=$(( $(date +%s) + 600 ))
  until page_ok "/leads?tab=marketplace"; do
    [ "$(date +%s)" -lt "$give_up" ] || { echo "bench: no Leads page after 10 minutes" >&2; exit 1; }
    sleep 0.02
  done
  echo $(( ($(date +%s%N) - t0) / 1000000 ))
}
wait_index() { curl -s -o /dev/null -H "Cookie: $cookie" "$URL/leads?tab=marketplace&sort=value"; } # other sorts wait for the index
latency() { # latency PATH: p50 and p99 in ms of one connection for 8 s (wrk), the median of RUNS runs
  local p50s=() p99s=() out
  for _ in $(seq "$RUNS"); do
    out=$(wrk -t1 -c1 -d8s --latency -H "Cookie: $cookie" -H "HX-Request: true" -H "HX-Target: results" -H "Accept-Encoding: gzip" "$URL$1")
    p50s+=("$(echo "$out" | awk '$1 == "50%" { print $2 }' | to_ms)")
    p99s+=("$(echo "$out" | awk '$1 == "99%" { print $2 }' | to_ms)")
  done
  echo "$(printf '%s\n' "${p50s[@]}" | median) $(printf '%s\n' "${p99s[@]}" | median)"
}
to_ms() { awk '{ v = $1; if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v) } else if (v ~ /s$/) { sub(/s$/, "", v); v *= 1000 }; printf "%.2f", v }'; }
# search_p99 TERM…: p99 in ms over the terms, RUNS passes. More terms than the 8 searches kept never have
# their hits cached (their rows are kept after the first pass); fewer are never-seen in the first pass
# only, and the p99 of a few dozen requests is the slowest.
search_p99() {
  local t
  for _ in $(seq "$RUNS"); do
    for t in "$@"; do
      curl -s -o /dev/null -w '%{time_total}\n' -G -H "Cookie: $cookie" -H "HX-Request: true" -H "HX-Target: results" --data-urlencode "tab=marketplace" --data-urlencode "q=$t" "$URL/leads"
    done
  done | pct 99 | ms
}
COMMON=(co in an er on ar en te ma ra corp tech 株式 会社 global systems logistics software 有限会社 engineering)
RARE=(northwind zx9 qqq contoso-xyz 12345 fabrikam2 wingtip)
JAPANESE=(田中 山田 建設 食品 商事 鈴木 東洋 資訊)
export_all() { # every lead, both tabs, test leads included; prints the rows
  local n=0 tab
  for tab in marketplace qualified; do
    n=$(( n + $(curl -s -H "Cookie: $cookie" "$URL/leads/export.csv?test=1&tab=$tab" | wc -l) - 1 ))
  done
  echo $n
}
peak_while() { # peak_while CMD…: runs CMD, sampling the server's RSS; prints the peak in MB
  local peak=0 r
  "$@" >/dev/null 2>&1 &
  local job=$!
  while kill -0 $job 2>/dev/null; do
    r=$(rss "$srv"); [ "$r" -gt "$peak" ] && peak=$r
    sleep 0.1
  done
  wait $job || true
  echo $peak
}

results=() # "key|value" lines of this run
say() { # say KEY VALUE UNIT GOAL: print with the previous run's value
  local prev=""
  [ -f "$LAST" ] && prev=$(awk -F'|' -v k="$1" '$1 == k { print $2 }' "$LAST")
  printf '%-58s %10s %-4s  (previous run: %s; goal %s)\n' "$1" "$2" "$3" "${prev:--}" "$4"
  results+=("$1|$2")
}

measure() { # measure N FULL: the figures at N leads; FULL=1 for all, 0 for the scaling table's
  local n=$1 full=$2 dir=$BASE/$1
  LAST=$dir/bench-last.txt
  results=()
  seed "$n"
  mem_limit=${LEADDESK_MEMORY_LIMIT:-}
  if [ -z "$mem_limit" ] && [ "$n" -gt 2000000 ]; then mem_limit=1GiB; fi # the default (384MiB) fits about two million leads
  echo "== $n leads: out of process ($BIN serve on $dir, port $port, memory limit ${mem_limit:-default}; load average $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores)"
  # A first start to sign in (the session cookie outlives restarts) and to apply any migration.
  start_server "$dir"
  wait_up
  # A sign-in can fail while the jobs' first run at start holds the write lock (retention at a million
  # leads): try again until the Leads page answers.
  local tries=0
  login
  until page_ok "/leads?tab=marketplace&size=25"; do
    tries=$(( tries + 1 )); [ "$tries" -lt 60 ] || { echo "bench: cannot sign in as the demo admin" >&2; exit 1; }
    sleep 2
    login
  done
  wait_index
  stop_server
  local starts=()
  for _ in $(seq "$RUNS"); do
    start_server "$dir"
    starts+=("$(wait_first_page)")
    wait_index
    [ "${#starts[@]}" -lt "$RUNS" ] && stop_server
  done
  sleep 3
  local rest=$(rss "$srv")
  say "start of serve to first Leads page (restart)" "$(printf '%s\n' "${starts[@]}" | median)" ms "≤ 3000"
  say "RSS at rest after start" "$rest" MB "≤ 250"
  say "VmHWM at rest after start" "$(hwm "$srv")" MB "-"
  read -r p50 p99 <<<"$(latency "/leads?tab=marketplace")"
  say "list p50, default view (htmx results)" "$p50" ms "≤ 2"
  say "list p99, default view (htmx results)" "$p99" ms "≤ 8"
  if [ "$full" = 1 ]; then
    read -r p50 p99 <<<"$(latency "/leads?tab=marketplace&country=JP&status=received")"
    say "list p50, filtered view" "$p50" ms "≤ 2"
    say "list p99, filtered view" "$p99" ms "≤ 8"
  fi
  say "search p99, never-seen common terms (${#COMMON[@]})" "$(search_p99 "${COMMON[@]}")" ms "≤ 15"
  if [ "$full" = 1 ]; then
    say "search p99, rare terms (${#RARE[@]})" "$(search_p99 "${RARE[@]}")" ms "≤ 5"
    say "search p99, Japanese terms (${#JAPANESE[@]})" "$(search_p99 "${JAPANESE[@]}")" ms "≤ 5"
  fi
  local times=() rows=0 s
  for _ in $(seq "$RUNS"); do
    s=$(date +%s%N)
    rows=$(export_all)
    times+=("$(( ($(date +%s%N) - s) / 1000000 ))")
  done
  say "export of every lead ($rows rows)" "$(printf '%s\n' "${times[@]}" | median)" ms "≤ 5000"
  if [ "$full" = 1 ]; then
    local base=$(rss "$srv")
    local peak=$(peak_while export_all)
    say "RSS growth while one export streams" "$(( peak - base ))" MB "≤ 32"
    peak=$(peak_while bash -c "wrk -t1 -c32 -d12s -s scripts/wrk-leads.lua -H 'Cookie: $cookie' -H 'Accept-Encoding: gzip' $URL & \
      curl -s -o /dev/null -H 'Cookie: $cookie' '$URL/leads/export.csv?test=1&tab=marketplace'; wait")
    say "RSS peak, export + 32 clients on the list" "$peak" MB "≤ 350"
    say "VmHWM after the load" "$(hwm "$srv")" MB "-"
    local mode out
    for mode in htmx page; do
      local extra=()
      [ "$mode" = htmx ] && extra=(-H "HX-Request: true" -H "HX-Target: results")
      out=$(wrk -t1 -c32 -d15s --latency -H "Cookie: $cookie" -H "Accept-Encoding: gzip" "${extra[@]}" "$URL/leads?tab=marketplace&country=JP&status=received")
      say "wrk 32 connections, filtered view, $mode: requests/s" "$(echo "$out" | awk '/Requests\/sec/ { printf "%d", $2 }')" "/s" "$([ $mode = htmx ] && echo '≥ 1200' || echo '≥ 1000')"
      say "wrk 32 connections, filtered view, $mode: p99" "$(echo "$out" | awk '$1 == "99%" { print $2 }' | to_ms)" ms "≤ 60"
    done
  fi
  stop_server
  printf '%s\n' "${results[@]}" >"$LAST"
  row="| $n | $rest MB | $(printf '%s\n' "${starts[@]}" | median) ms | $p99 ms | $(awk -F'|' '/^search p99, never-seen/ { print $2 }' "$LAST") ms | $(printf '%s\n' "${times[@]}" | median) ms |"
}

demo_first_page() { # leaddesk demo --leads N, from nothing, to the first served Leads page
  local n=$1 dir
  dir=$(mktemp -d)
  t0=$(date +%s%N)
  LEADDESK_DATA_DIR="$dir" LEADDESK_ADDR="127.0.0.1:$port" $BIN demo --leads "$n" >/dev/null 2>&1 &
  srv=$!
  wait_up
  login
  LAST=$BASE/$n/bench-last-demo.txt
  results=()
  say "leaddesk demo --leads $n to first Leads page" "$(wait_first_page)" ms "≤ 45000"
  printf '%s\n' "${results[@]}" >"$LAST"
  stop_server
  rm -rf "$dir"
}

if [ -n "${LEADDESK_BENCH_SCALE:-}" ]; then
  rows=()
  for n in ${LEADDESK_BENCH_SIZES:-100000 1000000 3000000}; do
    measure "$n" 0
    rows+=("$row")
  done
  echo
  echo "| leads | RSS at rest | restart to first page | list p99 (default view) | search p99 (never-seen common) | export of every lead |"
  echo "|---|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
  exit 0
fi

# The machine's speed moves from day to day (a shared VM): the same commit has rendered 50 never-seen
# rows (BenchmarkLeadsFreshRows) in 1.15 ms one day and 2.7 ms another. This fixed, CPU-bound workload,
# timed before and after the figures, says what kind of day a run had, so that runs can be compared.
machine_check() { # machine_check WHEN: BenchmarkLeadsFreshRows on one core (50 Japanese rows rendered afresh), ms, median of 3
  LAST=$BASE/bench-last-machine-$1.txt
  results=()
  local v
  v=$(go test -tags $TAGS -run '^$' -bench '^BenchmarkLeadsFreshRows$' -cpu 1 -count 3 ./handlers/ 2>/dev/null |
    awk '/^BenchmarkLeadsFreshRows/ { printf "%.2f\n", $3 / 1e6 }' | median)
  say "machine check, $1: 50 fresh rows on one core (Go benchmark)" "$v" ms "-"
  printf '%s\n' "${results[@]}" >"$LAST"
}

LEADS=${LEADDESK_BENCH_LEADS:-1000000}
if [ "${BENCH_GO:-0}" = 1 ]; then
  seed "$LEADS"
  export LEADDESK_BENCH_DB="$BASE/$LEADS/leaddesk.db"
  echo "== Go benchmarks on $LEADDESK_BENCH_DB"
  go test -tags $TAGS -run '^$' -bench . -benchmem -benchtime "${BENCHTIME:-2s}" ./... 2>&1 | grep -vE '^(PASS|ok|\?)\s' || true
  echo "== Leads workspace: in-process load check, 32 concurrent connections"
  go test -tags $TAGS -count=1 -run 'TestLeadsLoadCheck' -v ./handlers/ 2>&1 | grep -E '^(load check|lead index|---)' || true
  echo "== Partner Center: a change made here reaches the simulator under serve"
  go test -tags $TAGS -count=1 -run 'TestPartnerCenterPushLatencyUnderServe' -v . 2>&1 | grep -E 'pc push latency|^---' || true
fi
machine_check before
measure "$LEADS" 1
[ "${BENCH_DEMO:-1}" = 1 ] && demo_first_page "$LEADS"
machine_check after
echo "== lead index live heap (Go, after a collection)"
LEADDESK_BENCH_DB="$BASE/$LEADS/leaddesk.db" go test -tags $TAGS -run '^$' -bench 'BenchmarkIndexLoad' -benchtime 1x ./db/leadindex/ 2>&1 | grep -E '^Benchmark' || true
