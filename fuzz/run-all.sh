#!/usr/bin/env bash
# Runs every fuzz target in turn, each for 10 minutes or 10M executions (whichever comes first),
# and writes a table of executions, seconds, corpus size and crashes to fuzz/RESULTS.md.
#
#   fuzz/run-all.sh                 # every target
#   fuzz/run-all.sh parse_pf analyze
#   SECONDS_PER_TARGET=60 fuzz/run-all.sh
#
# Targets build without a sanitizer (`-s none`): picket has no `unsafe` code, so the sanitizer
# would only slow the search; panics, overflows (debug assertions are on) and hangs still count.
set -euo pipefail
cd "$(dirname "$0")"
per_target=${SECONDS_PER_TARGET:-600}
max_runs=${MAX_RUNS:-10000000}
targets=("$@")
[ ${#targets[@]} -gt 0 ] || mapfile -t targets < <(cargo +nightly fuzz list)
[ -d corpus ] || ./seed.sh
mkdir -p logs
results=RESULTS.md
if [ ! -f "$results" ]; then
  {
    echo "# Fuzzing results"
    echo
    echo "| date | commit | target | executions | seconds | exec/s | corpus files | crashes |"
    echo "|---|---|---|---:|---:|---:|---:|---:|"
  } > "$results"
fi
for target in "${targets[@]}"; do
  log="logs/$target.log"
  status=0
  touch "logs/$target.start"
  cargo +nightly fuzz run -s none -a "$target" -- \
    -max_total_time="$per_target" -runs="$max_runs" -rss_limit_mb=2048 -timeout=10 \
    -print_final_stats=1 -max_len="${MAX_LEN:-4096}" > "$log" 2>&1 || status=$?
  # A crash ends the run early and leaves no final stats: read what there is.
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1 || true)
  seconds=$(grep -o 'Done [0-9]* runs in [0-9]* second' "$log" | awk '{print $5}' | tail -1 || true)
  corpus=$(find "corpus/$target" -type f | wc -l)
  # Only what this run found: older crash inputs are regression tests already.
  crashes=$(find "artifacts/$target" -type f -newer "logs/$target.start" 2>/dev/null | wc -l)
  rate=$(( ${seconds:-0} > 0 ? ${execs:-0} / seconds : 0 ))
  echo "| $(date -u +%F) | $(git rev-parse --short HEAD) | $target | ${execs:-?} | ${seconds:-?} | $rate | $corpus | $crashes |" >> "$results"
  echo "$target: ${execs:-?} executions in ${seconds:-?} s, corpus $corpus, exit $status"
done
