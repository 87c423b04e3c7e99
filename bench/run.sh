#!/usr/bin/env bash
# End-to-end benchmark of picket against psad and fwlogwatch on one generated
# netfilter log, and of picket's memory and scaling on large logs.
#
#   bench/run.sh            # compare: picket, psad and fwlogwatch on LINES lines
#   bench/run.sh memory     # picket alone: MEMORY_LINES lines, then 1M, 2M, 4M lines
#
# Settings (environment):
#   LINES=1000000           lines of the compared log
#   SOURCES=LINES/10        distinct background sources of the compared log
#   SEED=7                  generator seed (the log is the same for the same settings)
#   THREADS=                picket's --threads (default: all cores)
#   SKIP_PEERS=1            time picket alone
#   PEER_TIMEOUT=1800       seconds after which a peer is stopped (0: never)
#   MEMORY_LINES=10000000   lines of the memory run
#   MEMORY_SOURCES=1000000  distinct sources of the memory run
#   LINEARITY="1000000 2000000 4000000"   sizes of the scaling check
#   BOUNDED="1000000 2500000 5000000 10000000"   sizes of the bounded-state check
#                           (MEMORY_SOURCES sources each, history off)
#   RESULTS=bench/RESULTS.md   where the run's section is appended
#   BENCH_TMP=${TMPDIR:-/tmp}  where the work folder is made
#   KEEP=1                  keep the work folder (logs, reports, timings)
#
# Timings are taken with /usr/bin/time -v; peak memory is its "Maximum
# resident set size". See bench/README.md.
set -euo pipefail

readonly MODE=${1:-compare}
case $MODE in
compare | memory) ;;
-h | --help)
  sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
  exit 0
  ;;
*)
  echo "bench/run.sh: unknown mode '$MODE' (compare or memory)" >&2
  exit 2
  ;;
esac

die() {
  echo "bench/run.sh: $*" >&2
  exit 1
}

# psad lives in /usr/sbin, which a user's PATH may lack.
export PATH=$PATH:/usr/sbin:/sbin
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

LINES=${LINES:-1000000}
[[ $LINES =~ ^[1-9][0-9]*$ ]] || die "LINES must be a positive whole number, not '$LINES'"
SOURCES=${SOURCES:-$((LINES / 10 > 0 ? LINES / 10 : 1))}
SEED=${SEED:-7}
THREADS=${THREADS:-}
SKIP_PEERS=${SKIP_PEERS:-0}
PEER_TIMEOUT=${PEER_TIMEOUT:-1800}
MEMORY_LINES=${MEMORY_LINES:-10000000}
MEMORY_SOURCES=${MEMORY_SOURCES:-1000000}
LINEARITY=${LINEARITY:-1000000 2000000 4000000}
BOUNDED=${BOUNDED:-1000000 2500000 5000000 10000000}
RESULTS=${RESULTS:-$repo/bench/RESULTS.md}
BENCH_TMP=${BENCH_TMP:-${TMPDIR:-/tmp}}
KEEP=${KEEP:-0}

for n in SOURCES SEED PEER_TIMEOUT MEMORY_LINES MEMORY_SOURCES; do
  [[ ${!n} =~ ^[0-9]+$ ]] || die "$n must be a whole number, not '${!n}'"
done
[[ -z $THREADS || $THREADS =~ ^[1-9][0-9]*$ ]] || die "THREADS must be a positive number, not '$THREADS'"
for n in $LINEARITY $BOUNDED; do
  [[ $n =~ ^[1-9][0-9]*$ ]] || die "LINEARITY or BOUNDED holds '$n', not a line count"
done

# ---------------------------------------------------------------- work folder

[[ -d $BENCH_TMP ]] || die "BENCH_TMP=$BENCH_TMP is not a folder"
work=$(mktemp -d "$BENCH_TMP/picket-bench.XXXXXX")
cleanup() {
  if [[ $KEEP == 1 ]]; then
    echo "work folder kept: $work" >&2
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- tools

as_root() {
  if ((EUID == 0)); then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "installing packages needs root, and sudo is missing: install $* yourself"
  fi
}

# Installs Debian packages that are missing.
apt_install() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f '${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' ||
      missing+=("$pkg")
  done
  ((${#missing[@]} == 0)) && return 0
  command -v apt-get >/dev/null 2>&1 ||
    die "${missing[*]} missing and this is not a Debian system: install them, or set SKIP_PEERS=1"
  echo "== installing ${missing[*]}" >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 ||
    die "apt-get update failed"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >&2 || die "apt-get install ${missing[*]} failed"
}

command -v cargo >/dev/null 2>&1 || die "cargo is missing (install Rust with rustup, as the README says)"
if [[ ! -x /usr/bin/time ]]; then
  apt_install time
fi
[[ -x /usr/bin/time ]] || die "/usr/bin/time (GNU time) is missing"

peers=0
if [[ $MODE == compare && $SKIP_PEERS != 1 ]]; then
  peers=1
  command -v unshare >/dev/null 2>&1 || apt_install util-linux
  need=()
  command -v psad >/dev/null 2>&1 || need+=(psad)
  command -v fwlogwatch >/dev/null 2>&1 || need+=(fwlogwatch)
  ((${#need[@]} == 0)) || apt_install "${need[@]}"
  # Peers run in an empty network namespace, so that no lookup leaves the machine.
  if ((EUID == 0)); then
    offline=(unshare -n)
  else
    offline=(unshare -r -n)
  fi
  "${offline[@]}" true 2>/dev/null ||
    die "'${offline[*]}' does not work here; the peers are only run without a network"
fi

echo "== building picket and picket-loggen (release)" >&2
cargo build --release -p picket -p picket-loggen >&2 || die "cargo build failed"
# Where cargo put them: CARGO_TARGET_DIR, a cargo config's build.target-dir, or target/.
target_dir=$(cargo metadata --format-version 1 --no-deps 2>/dev/null |
  sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
target_dir=${target_dir:-${CARGO_TARGET_DIR:-$repo/target}}
[[ $target_dir == /* ]] || target_dir=$repo/$target_dir
picket=$target_dir/release/picket
loggen=$target_dir/release/picket-loggen
[[ -x $picket && -x $loggen ]] || die "built binaries not found in $target_dir/release"

threads_args=()
[[ -n $THREADS ]] && threads_args=(--threads "$THREADS")
picket_common=(analyze --year 2024 --tz UTC "${threads_args[@]}")

# ---------------------------------------------------------------- helpers

# Writes a log of $2 lines from $3 sources to $1.
generate() {
  local out=$1 lines=$2 sources=$3
  echo "== generating $lines lines from $sources sources (seed $SEED)" >&2
  "$loggen" --lines "$lines" --sources "$sources" --seed "$SEED" \
    --labels "$out.labels.json" >"$out" || die "picket-loggen failed"
  # Read once, so that every tool finds it in the page cache.
  cat "$out" >/dev/null
}

rows=$work/rows.tsv
: >"$rows"

# Times one command: measure ID TOOL MODE LINES OUTPUT TIMEOUT -- COMMAND...
# Its standard output goes to OUTPUT, its standard error to ID.err. A row
# (tool, mode, lines, seconds, CPU seconds, peak KiB, status) goes to $rows.
measure() {
  local id=$1 tool=$2 mode=$3 lines=$4 out=$5 limit=$6
  shift 7
  local cmd=("$@") status=0 start end
  ((limit > 0)) && cmd=(timeout --signal=TERM --kill-after=10 "$limit" "${cmd[@]}")
  echo "== $tool $mode" >&2
  start=$(date +%s%N)
  /usr/bin/time -v -o "$work/$id.time" "${cmd[@]}" >"$out" 2>"$work/$id.err" || status=$?
  end=$(date +%s%N)
  local state=ok
  if ((limit > 0 && status == 124)); then
    state=timeout
    echo "   stopped after $limit s (PEER_TIMEOUT)" >&2
  elif ((status != 0)); then
    echo "bench/run.sh: $tool $mode exited with status $status; its last messages:" >&2
    tail -n 20 "$work/$id.err" >&2
    exit 1
  fi
  local rss cpu
  rss=$(awk -F': *' '/Maximum resident set size/ {print $2}' "$work/$id.time")
  cpu=$(awk -F': *' '/User time|System time/ {s += $2} END {printf "%.2f", s}' "$work/$id.time")
  [[ -n $rss ]] || die "no peak memory in $work/$id.time"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$tool" "$mode" "$lines" \
    "$(awk -v ns=$((end - start)) 'BEGIN {printf "%.3f", ns / 1e9}')" "$cpu" "$rss" "$state" >>"$rows"
}

# 1234567 -> 1,234,567
commas() {
  echo "$1" | sed -e ':a' -e 's/\([0-9]\)\([0-9]\{3\}\)\($\|,\)/\1,\2\3/' -e 'ta'
}

has_parse_only() {
  "$picket" analyze --help 2>/dev/null | grep -q -- '--parse-only'
}

package_version() {
  local v
  v=$(dpkg-query -W -f '${Version}' "$1" 2>/dev/null || true)
  echo "${v:-not installed}"
}

# The run's header: when, which commit, which machine.
header() {
  local title=$1 commit dirty=""
  commit=$(git -C "$repo" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
  # The results file itself grows with each run: it does not count.
  if [[ -n $(git -C "$repo" status --porcelain --untracked-files=no 2>/dev/null |
    grep -v ' bench/RESULTS.md$') ]]; then
    dirty=" (with uncommitted changes)"
  fi
  local cpu mem os
  cpu=$(awk -F': *' '/^model name/ {print $2; exit}' /proc/cpuinfo 2>/dev/null || true)
  mem=$(awk '/^MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo 2>/dev/null || true)
  os=$(awk -F= '/^PRETTY_NAME=/ {gsub(/"/, "", $2); print $2}' /etc/os-release 2>/dev/null || true)
  echo "## $(date -u '+%Y-%m-%d %H:%M UTC'): $title"
  echo
  echo "- commit: $commit$dirty"
  echo "- machine: ${cpu:-unknown CPU}, $(nproc) cores, ${mem:-unknown memory}, ${os:-$(uname -s)}, kernel $(uname -r)"
  echo "- load average at start: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
  echo "- $(rustc --version 2>/dev/null || echo 'rustc unknown')"
  if ((peers)); then
    echo "- psad $(package_version psad), fwlogwatch $(package_version fwlogwatch)"
  fi
  echo "- picket threads: ${THREADS:-all cores ($(nproc))}"
}

# Prints $rows as a Markdown table; with a second argument, also picket's
# lines per second divided by each peer's.
table() {
  awk -F'\t' -v ratios="${1:-}" '
    function commas(n,   s, neg) {
      s = sprintf("%.0f", n); neg = ""
      if (s ~ /^-/) { neg = "-"; s = substr(s, 2) }
      while (s ~ /[0-9][0-9][0-9][0-9]/) sub(/[0-9][0-9][0-9]($|,)/, ",&", s)
      return neg s
    }
    {
      n++; tool[n] = $1; mode[n] = $2; lines[n] = $3; secs[n] = $4; cpu[n] = $5
      mb[n] = $6 / 1024; state[n] = $7
      rate[n] = $4 > 0 ? $3 / $4 : 0
    }
    END {
      print "| tool | mode | lines | seconds | CPU seconds | lines/s | peak MB |"
      print "| --- | --- | ---: | ---: | ---: | ---: | ---: |"
      for (i = 1; i <= n; i++) {
        over = state[i] == "timeout" ? "> " : ""
        under = state[i] == "timeout" ? "< " : ""
        printf "| %s | %s | %s | %s%.2f | %.2f | %s%s | %.0f |\n", tool[i], mode[i],
          commas(lines[i]), over, secs[i], cpu[i], under, commas(rate[i]), mb[i]
      }
      if (!ratios) exit
      np = 0; nq = 0
      for (i = 1; i <= n; i++) if (tool[i] == "picket") p[++np] = i; else q[++nq] = i
      if (!np || !nq) exit
      print ""
      print "picket lines/s divided by each peer'"'"'s (above 1: picket is faster):"
      print ""
      head = "| picket mode |"; rule = "| --- |"
      for (j = 1; j <= nq; j++) { head = head " " tool[q[j]] " " mode[q[j]] " |"; rule = rule " ---: |" }
      print head; print rule
      for (i = 1; i <= np; i++) {
        line = "| " mode[p[i]] " |"
        for (j = 1; j <= nq; j++) {
          r = rate[q[j]] > 0 ? rate[p[i]] / rate[q[j]] : 0
          line = line sprintf(" %s%.1f |", state[q[j]] == "timeout" ? "> " : "", r)
        }
        print line
      }
    }' "$rows"
}

# ---------------------------------------------------------------- compare

run_compare() {
  local log=$work/fw.log lines
  generate "$log" "$LINES" "$SOURCES"
  lines=$(wc -l <"$log")
  local size_mb
  size_mb=$(awk -v b="$(stat -c %s "$log")" 'BEGIN {printf "%.0f", b / 1048576}')

  measure picket-history picket "analysis, history" "$lines" "$work/picket-history.txt" 0 -- \
    "$picket" "${picket_common[@]}" --db "$work/history.db" "$log"
  # The next day's run: every detect's past is in the database now.
  measure picket-history-again picket "analysis, history, second run" "$lines" \
    "$work/picket-history-again.txt" 0 -- \
    "$picket" "${picket_common[@]}" --db "$work/history.db" "$log"
  measure picket-nohistory picket "analysis, --no-history" "$lines" "$work/picket-nohistory.txt" 0 -- \
    "$picket" "${picket_common[@]}" --no-history "$log"
  local notes=()
  if has_parse_only; then
    measure picket-parse picket "parse only" "$lines" "$work/picket-parse.txt" 0 -- \
      "$picket" "${picket_common[@]}" --no-history --parse-only "$log"
  else
    notes+=("picket parse only: skipped, this picket has no \`analyze --parse-only\`.")
    echo "   picket parse only: skipped (no --parse-only in 'picket analyze --help')" >&2
  fi

  if ((peers)); then
    local root=$work/psad
    mkdir -p "$root/var/log" "$root/var/run" "$root/var/lib"
    cat >"$root/offline.conf" <<CONF
PSAD_DIR $root/var/log/psad;
PSAD_RUN_DIR $root/var/run/psad;
PSAD_FIFO_DIR $root/var/lib/psad;
ALERTING_METHODS noemail,nosyslog;
ENABLE_WHOIS_LOOKUPS N;
ENABLE_DNS_LOOKUPS N;
ENABLE_DSHIELD_ALERTS N;
ENABLE_AUTO_IDS N;
ENABLE_FW_LOGGING_CHECK N;
HOSTNAME analysis;
CONF
    measure psad psad "analysis (-A)" "$lines" "$work/psad.txt" "$PEER_TIMEOUT" -- \
      "${offline[@]}" psad -A -m "$log" --no-whois --no-rdns --no-netstat -O "$root/offline.conf"
    measure fwlogwatch-summary fwlogwatch "summary" "$lines" "$work/fwlogwatch.log" "$PEER_TIMEOUT" -- \
      "${offline[@]}" fwlogwatch -c /dev/null -o "$work/fwlogwatch-summary.txt" "$log"
    measure fwlogwatch-parse fwlogwatch "parse only (-S -D)" "$lines" "$work/fwlogwatch-parse.log" "$PEER_TIMEOUT" -- \
      "${offline[@]}" fwlogwatch -c /dev/null -S -D -o "$work/fwlogwatch-parse.txt" "$log"
  fi

  local section
  section=$(
    header "compare, $(commas "$lines") lines"
    echo "- input: \`picket-loggen --lines $LINES --sources $SOURCES --seed $SEED\` ($size_mb MB)"
    echo "- command: \`LINES=$LINES SOURCES=$SOURCES SEED=$SEED${THREADS:+ THREADS=$THREADS}$([[ $SKIP_PEERS == 1 ]] && echo ' SKIP_PEERS=1') bench/run.sh\`"
    echo
    table ratios
    if grep -q $'\ttimeout$' "$rows"; then
      notes+=("Rows marked \">\" were stopped after PEER_TIMEOUT=$PEER_TIMEOUT s: their lines/s is an upper bound, the ratio a lower bound.")
    fi
    for note in "${notes[@]}"; do
      echo
      echo "$note"
    done
    echo
  )
  record "$section"
}

# ---------------------------------------------------------------- memory

run_memory() {
  local log=$work/big.log lines
  generate "$log" "$MEMORY_LINES" "$MEMORY_SOURCES"
  lines=$(wc -l <"$log")
  local size_mb
  size_mb=$(awk -v b="$(stat -c %s "$log")" 'BEGIN {printf "%.0f", b / 1048576}')
  measure big-history picket "analysis, history" "$lines" "$work/big-history.txt" 0 -- \
    "$picket" "${picket_common[@]}" --db "$work/big-history.db" "$log"
  measure big-nohistory picket "analysis, --no-history" "$lines" "$work/big-nohistory.txt" 0 -- \
    "$picket" "${picket_common[@]}" --no-history "$log"
  local memory_table
  memory_table=$(table)
  rm -f "$log"

  # Bounded state: the same number of sources in ever longer logs. Past the
  # tracking limits (max_sources, max_kept_packets) peak memory stops growing.
  local bounded="" n
  for n in $BOUNDED; do
    : >"$rows"
    generate "$work/bounded.log" "$n" "$MEMORY_SOURCES"
    measure "bounded-$n" picket "analysis, --no-history" "$n" "$work/bounded-$n.json" 0 -- \
      "$picket" "${picket_common[@]}" --no-history --format json "$work/bounded.log"
    local beyond
    beyond=$(grep -o '^picket: [0-9,]* sources past the tracking limits sent [0-9,]* packets' \
      "$work/bounded-$n.err" | awk '{print $2 " sources, " $9 " packets"}' || true)
    bounded+=$(awk -F'\t' -v beyond="${beyond:-none}" '
      function commas(n,   s) {
        s = sprintf("%.0f", n)
        while (s ~ /[0-9][0-9][0-9][0-9]/) sub(/[0-9][0-9][0-9]($|,)/, ",&", s)
        return s
      }
      { printf "| %s | %s | %.2f | %s | %.0f |\n", commas($3), beyond, $4, commas($4 > 0 ? $3 / $4 : 0), $6 / 1024 }' "$rows")
    bounded+=$'\n'
    rm -f "$work/bounded.log" "$work/bounded-$n.json"
  done

  : >"$rows"
  local n
  for n in $LINEARITY; do
    local sources=$((n / 10 > 0 ? n / 10 : 1))
    generate "$work/lin.log" "$n" "$sources"
    rm -f "$work/lin.db"
    measure "lin-$n" picket "analysis, history" "$(wc -l <"$work/lin.log")" "$work/lin-$n.txt" 0 -- \
      "$picket" "${picket_common[@]}" --db "$work/lin.db" "$work/lin.log"
    rm -f "$work/lin.log"
  done
  local linearity
  linearity=$(awk -F'\t' '
    function commas(n,   s) {
      s = sprintf("%.0f", n)
      while (s ~ /[0-9][0-9][0-9][0-9]/) sub(/[0-9][0-9][0-9]($|,)/, ",&", s)
      return s
    }
    {
      rate = $4 > 0 ? $3 / $4 : 0
      if (NR == 1) first = rate
      relative = first > 0 ? rate / first : 0
      printf "| %s | %.2f | %s | %.0f | %.2f |\n", commas($3), $4, commas(rate), $6 / 1024, relative
    }' "$rows")

  local section
  section=$(
    header "memory, $(commas "$lines") lines from $MEMORY_SOURCES sources"
    echo "- input: \`picket-loggen --lines $MEMORY_LINES --sources $MEMORY_SOURCES --seed $SEED\` ($size_mb MB)"
    echo "- command: \`MEMORY_LINES=$MEMORY_LINES MEMORY_SOURCES=$MEMORY_SOURCES${THREADS:+ THREADS=$THREADS} bench/run.sh memory\`"
    echo
    echo "$memory_table"
    echo
    echo "Bounded state ($(commas "$MEMORY_SOURCES") sources in each log, --no-history, default limits):"
    echo
    echo "| lines | past the tracking limits | seconds | lines/s | peak MB |"
    echo "| ---: | --- | ---: | ---: | ---: |"
    printf '%s' "$bounded"
    echo
    echo "Linearity (sources = lines / 10, history on, a fresh database each):"
    echo
    echo "| lines | seconds | lines/s | peak MB | lines/s relative to the first |"
    echo "| ---: | ---: | ---: | ---: | ---: |"
    echo "$linearity"
    echo
  )
  record "$section"
}

# Prints a run's section and appends it to $RESULTS.
record() {
  echo
  echo "$1"
  if [[ ! -e $RESULTS ]]; then
    printf '# Benchmark results\n\nOne section per run of bench/run.sh, newest last.\n\n' >"$RESULTS"
  fi
  printf '%s\n\n' "$1" >>"$RESULTS"
  echo "(appended to $RESULTS)" >&2
}

case $MODE in
compare) run_compare ;;
memory) run_memory ;;
esac
