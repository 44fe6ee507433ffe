#!/usr/bin/env bash
# Benchmarks `iislint check` against the parse-only floor (xmllint --noout), the read floor (cat)
# and a text linter (semgrep) on a tree of ~10,000 real configuration files, plus peak RSS, and
# one file with many <location> elements and one with long collections (time must grow linearly
# with their number).
#
#   scripts/bench.sh [FILES] [ROUNDS]        defaults: 10000 files, 7 rounds
#
# Environment: BENCH_DIR (work folder, default a fresh temp dir, removed at the end unless
# BENCH_KEEP=1), SKIP_SEMGREP=1, IISLINT (use this binary instead of building one), BENCH_PGO=0
# (the plain release build instead of the profile-guided one releases ship),
# BENCH_CORPUS (the corpus files folder; a missing one means generated files).
#
# The tree holds copies of ../shared/corpus's web.config and applicationHost.config files under
# their original names and folders (`copyNN/<owner>__<repo>/<original path>`); without the corpus,
# a generator writes realistic files instead. Commands run alternately, round after round, and the
# medians are printed with ratios. The script installs what it lacks (apt: libxml2-utils, time;
# pip in a private venv: semgrep; rustup: llvm-tools for the profile-guided build).
set -euo pipefail

FILES=${1:-10000}
ROUNDS=${2:-7}
here=$(cd "$(dirname "$0")/.." && pwd)
corpus=${BENCH_CORPUS:-$here/../shared/corpus/files}
cache="${XDG_CACHE_HOME:-$HOME/.cache}/iislint-bench"

log() { printf '%s\n' "$*" >&2; }

# --- tools ------------------------------------------------------------------------------------
apt_updated=0
need_apt() { # need_apt COMMAND PACKAGE
  command -v "$1" >/dev/null 2>&1 && [ "$1" != time ] && return 0
  [ "$1" = time ] && [ -x /usr/bin/time ] && return 0
  log "installing $2 (apt)"
  if [ $apt_updated = 0 ]; then apt-get update -qq >/dev/null; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
}
need_apt xmllint libxml2-utils
need_apt time time

semgrep=""
if [ "${SKIP_SEMGREP:-0}" != 1 ]; then
  if command -v semgrep >/dev/null 2>&1; then
    semgrep=$(command -v semgrep)
  elif [ -x "$cache/semgrep-venv/bin/semgrep" ]; then
    semgrep="$cache/semgrep-venv/bin/semgrep"
  else
    log "installing semgrep (pip, private venv in $cache; up to 10 minutes)"
    mkdir -p "$cache"
    if python3 -m venv "$cache/semgrep-venv" &&
      timeout 600 "$cache/semgrep-venv/bin/pip" install -q semgrep >/dev/null 2>&1; then
      semgrep="$cache/semgrep-venv/bin/semgrep"
    else
      log "semgrep could not be installed in time: skipped"
    fi
  fi
fi

# The binary releases ship: the profile-guided build (scripts/pgo-build.sh). BENCH_PGO=0, or a
# toolchain without llvm-tools (the script's exit code 3), measures the plain release build, and
# the report says which; any other failure of the script stops the benchmark.
pgo_rc=3
if [ -z "${IISLINT:-}" ] && [ "${BENCH_PGO:-1}" != 0 ]; then
  pgo_rc=0
  bin=$("$here/scripts/pgo-build.sh" | tail -n 1) || pgo_rc=$?
  [ $pgo_rc -eq 0 ] || [ $pgo_rc -eq 3 ] || { log "scripts/pgo-build.sh failed ($pgo_rc)"; exit 1; }
fi
if [ -n "${IISLINT:-}" ]; then
  bin=$IISLINT
  build="given (IISLINT)"
elif [ $pgo_rc -eq 0 ]; then
  build="profile-guided release build (scripts/pgo-build.sh)"
else
  log "building release (without profile-guided optimisation)"
  (cd "$here" && cargo build --release --quiet)
  bin="${CARGO_TARGET_DIR:-$here/target}/release/iislint"
  build="plain release build, no profile-guided optimisation"
fi

# --- the tree ---------------------------------------------------------------------------------
work=${BENCH_DIR:-$(mktemp -d -t iislint-bench.XXXXXX)}
mkdir -p "$work"
if [ "${BENCH_KEEP:-0}" != 1 ] && [ -z "${BENCH_DIR:-}" ]; then
  trap 'rm -rf "$work"' EXIT
fi

# lay_out DEST COUNT: at least COUNT config files under DEST.
lay_out() {
  local dest=$1 count=$2
  rm -rf "$dest"
  mkdir -p "$dest"
  if [ -d "$corpus" ]; then
    local list n copies i
    list=$(cd "$corpus" && find . -type f \( -iname web.config -o -iname applicationhost.config \) | sort)
    n=$(printf '%s\n' "$list" | wc -l)
    copies=$(((count + n - 1) / n))
    for ((i = 0; i < copies; i++)); do
      local to="$dest/copy$(printf %03d "$i")"
      mkdir -p "$to"
      (cd "$corpus" && printf '%s\n' "$list" | cpio -pdm --quiet "$to" 2>/dev/null) ||
        (cd "$corpus" && printf '%s\n' "$list" | while IFS= read -r f; do
          mkdir -p "$to/$(dirname "$f")" && cp "$f" "$to/$f"
        done)
    done
    # The shared corpus is read-only and cpio keeps modes; `--fix` leaves read-only files alone.
    chmod -R u+w "$dest"
    echo "corpus ($n files x $copies copies)"
  else
    python3 "$here/scripts/generate-configs.py" "$dest" "$count"
    echo "generated (../shared/corpus absent)"
  fi
}

log "laying out the trees in $work"
source_desc=$(lay_out "$work/tree" "$FILES")
lay_out "$work/tree1k" 1000 >/dev/null
(cd "$work/tree" && find . -type f -print0 | sort -z) >"$work/files0"
nfiles=$(tr -cd '\0' <"$work/files0" | wc -c)
bytes=$(cd "$work/tree" && xargs -0 cat <"$work/files0" | wc -c)
n1k=$(find "$work/tree1k" -type f | wc -l)
log "tree: $nfiles files, $bytes bytes ($source_desc)"

cat >"$work/semgrep.yml" <<'EOF'
rules:
  - id: forms-timeout-too-low
    languages: [generic]
    severity: WARNING
    message: forms authentication timeout below 20 minutes
    pattern-regex: <forms\b[^>]*\btimeout\s*=\s*["']([0-9]|1[0-9])["']
  - id: forms-sliding-expiration-disabled
    languages: [generic]
    severity: WARNING
    message: slidingExpiration is off
    pattern-regex: <forms\b[^>]*\bslidingExpiration\s*=\s*["']false["']
  - id: session-timeout-too-low
    languages: [generic]
    severity: WARNING
    message: session timeout below 20 minutes
    pattern-regex: <sessionState\b[^>]*\btimeout\s*=\s*["']([0-9]|1[0-9])["']
  - id: inproc-session
    languages: [generic]
    severity: WARNING
    message: InProc session state (lost on a farm)
    pattern-regex: <sessionState\b[^>]*\bmode\s*=\s*["']InProc["']
  - id: app-pool-idle-timeout
    languages: [generic]
    severity: WARNING
    message: application pool idle timeout
    pattern-regex: <processModel\b[^>]*\bidleTimeout\s*=\s*["'][0-9:]+["']
EOF

# --- commands ---------------------------------------------------------------------------------
jobs=$(nproc)
# Exit 1 (findings) and 2 (a file in error: the corpus has a deliberately malformed one) are results.
lint() {
  local rc=0
  (cd "$work" && "$bin" check "$@" >/dev/null) || rc=$?
  [ $rc -le 2 ] || { log "iislint failed with exit code $rc"; return 1; }
}
cmd_check() { lint --format json tree; }
# --fix runs on a fresh copy each time. Copies are only removed at the end: creating files right
# after deleting thousands makes ext4 search past the recently freed inodes (`recently_deleted`
# showed as a fifth of --fix's time in perf), which is the benchmark's doing, not iislint's.
fix_copies=0
prep_fix() {
  fix_copies=$((fix_copies + 1))
  fixtree="fixtrees/$fix_copies"
  mkdir -p "$work/fixtrees" && cp -a "$work/tree" "$work/$fixtree"
}
# The issue's command, and the same with the farm rules and a session store, which fix far more.
cmd_fix() { lint --fix --unsafe-fixes "$fixtree"; }
cmd_fix_farm() { lint --fix --unsafe-fixes --farm --session-store redis "$fixtree"; }
# One xmllint process over every file (what a pre-commit hook would run) ...
cmd_xmllint() { (cd "$work/tree" && xargs -0 xmllint --noout <"$work/files0" 2>/dev/null) || true; }
# ... and one per core, as parallel as iislint.
cmd_xmllint_par() { (cd "$work/tree" && xargs -0 -P "$jobs" -n $(((nfiles + jobs - 1) / jobs)) xmllint --noout <"$work/files0" 2>/dev/null) || true; }
cmd_cat() { (cd "$work/tree" && xargs -0 cat <"$work/files0" >/dev/null); }
cmd_semgrep() { (cd "$work" && "$semgrep" scan --config semgrep.yml --metrics=off --disable-version-check --no-git-ignore --quiet --json -j "$jobs" tree >/dev/null 2>&1) || true; }

names=(check fix fix_farm xmllint xmllint_par cat)
[ -n "$semgrep" ] && names+=(semgrep)

now() { date +%s%N; }
declare -A samples
log "warm-up"
for name in "${names[@]}"; do
  case $name in fix*) prep_fix ;; esac
  "cmd_$name"
done
for ((r = 1; r <= ROUNDS; r++)); do
  log "round $r/$ROUNDS"
  for name in "${names[@]}"; do
    case $name in fix*) prep_fix ;; esac
    sync
    t0=$(now)
    "cmd_$name"
    t1=$(now)
    samples[$name]+="$(((t1 - t0) / 1000)) "
  done
done

median_ms() { # median of microsecond samples, in ms with one decimal
  printf '%s\n' $1 | sort -n | awk '{a[NR]=$1} END {m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; printf "%.1f", m / 1000}'
}
declare -A med
for name in "${names[@]}"; do med[$name]=$(median_ms "${samples[$name]}"); done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

peak_rss_kib() { # peak_rss_kib TREE
  (cd "$work" && { /usr/bin/time -v "$bin" check --format json "$1" 2>&1 >/dev/null || true; } | awk -F': ' '/Maximum resident set size/ {print $2}')
}
rss1k=$(peak_rss_kib tree1k)
rss10k=$(peak_rss_kib tree)
# Three times the tree (three copies side by side): memory must not follow the file count.
rm -rf "$work/tree3x" && mkdir -p "$work/tree3x"
for c in a b c; do cp -a "$work/tree" "$work/tree3x/$c"; done
n3x=$((3 * nfiles))
rss3x=$(peak_rss_kib tree3x)
rm -rf "$work/tree3x"
prep_fix
rssfix=$( (cd "$work" && { /usr/bin/time -v "$bin" check --fix --unsafe-fixes --farm --session-store redis "$fixtree" 2>&1 >/dev/null || true; }) | awk -F': ' '/Maximum resident set size/ {print $2}')
rm -rf "$work/fixtrees"

# --- many <location> elements in one file ------------------------------------------------------
# Work must grow linearly with the number of <location> elements: 20,000 distinct paths (with a
# suppression before every other one and a site application for some), and 4,000 copies of one
# path, each with a finding. One file each, so this is one core's time.
python3 - "$work/locations" <<'PY'
import os, sys
out = sys.argv[1]
def location(path, timeout):
    return (f'  <location path="{path}">\n    <system.web>\n      <sessionState timeout="{timeout}" />\n'
            '    </system.web>\n  </location>\n')
def config(sites, body):
    pools = "".join(f'      <add name="P{p}"><processModel idleTimeout="00:30:00" /></add>\n' for p in range(10))
    return ('<?xml version="1.0" encoding="utf-8"?>\n<configuration>\n  <system.applicationHost>\n'
            f'    <applicationPools>\n{pools}    </applicationPools>\n    <sites>\n{sites}    </sites>\n'
            '  </system.applicationHost>\n  <system.web>\n    <sessionState timeout="8" />\n  </system.web>\n'
            f'{body}</configuration>\n')
distinct, sites = [], []
for i in range(20000):
    if i % 4 == 0:
        distinct.append("  <!-- iislint: ignore session-timeout-too-low - short on purpose -->\n")
    if i % 4 == 2:
        distinct.append("  <!-- iislint: ignore forms-timeout-too-low -->\n")
    if i % 4 == 3:
        sites.append(f'      <site name="S{i}" id="{i}"><application path="/" applicationPool="P{i % 10}" /></site>\n')
        distinct.append(location(f"S{i}", 90))
    else:
        distinct.append(location(f"d{i % 50}/p{i}", 5))
for name, text in [("distinct", config("".join(sites), "".join(distinct))),
                   ("same", config("", location("same", 5) * 4000))]:
    os.makedirs(os.path.join(out, name), exist_ok=True)
    open(os.path.join(out, name, "applicationHost.config"), "w").write(text)
# Long collections: 100,000 appSettings entries (every seventh removed again), connection strings
# and custom headers each (a key was once looked up among all the entries before it).
n = 100000
entries = ['<?xml version="1.0"?>', '<configuration>', '  <appSettings>']
entries += [f'    <add key="Setting{i}" value="value{i}" />' for i in range(n)]
entries += [f'    <remove key="setting{i}" />' for i in range(0, n, 7)]
entries += ['  </appSettings>', '  <connectionStrings>']
entries += [f'    <add name="Db{i}" connectionString="Server=s;Database=d{i};Integrated Security=true" />' for i in range(n)]
entries += ['  </connectionStrings>', '  <system.webServer><httpProtocol><customHeaders>']
entries += [f'    <add name="X-H{i}" value="v" />' for i in range(n)]
entries += ['  </customHeaders></httpProtocol></system.webServer>', '  <system.web>',
            '    <compilation debug="true" />', '  </system.web>', '</configuration>', '']
os.makedirs(os.path.join(out, "collections"), exist_ok=True)
open(os.path.join(out, "collections", "web.config"), "w").write("\n".join(entries))
PY
one_file() { # one_file NAME: the file of that one-file case
  case $1 in
    collections) echo "locations/$1/web.config" ;;
    *) echo "locations/$1/applicationHost.config" ;;
  esac
}
declare -A loc_samples
loc_fix=0
for ((r = 0; r <= ROUNDS; r++)); do # round 0 warms up
  for name in distinct same collections; do
    file=$(one_file "$name")
    t0=$(now)
    lint --farm --format json "$file"
    t1=$(now)
    loc_fix=$((loc_fix + 1))
    mkdir -p "$work/locfix/$loc_fix" && cp "$work/$file" "$work/locfix/$loc_fix/"
    t2=$(now)
    lint --fix --unsafe-fixes --farm --session-store redis "locfix/$loc_fix/$(basename "$file")"
    t3=$(now)
    if [ "$r" -gt 0 ]; then
      loc_samples[check_$name]+="$(((t1 - t0) / 1000)) "
      loc_samples[fix_$name]+="$(((t3 - t2) / 1000)) "
    fi
  done
done
rm -rf "$work/locfix"

cpu=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)
echo
echo "Machine: $(nproc) cores, $cpu, $(free -g | awk '/Mem:/ {print $2}') GiB; $(uname -sr)"
echo "Tree: $nfiles files, $((bytes / 1024)) KiB ($source_desc); median of $ROUNDS alternating rounds"
echo "iislint: $("$bin" --version 2>/dev/null || echo "$bin"), $build"
echo
echo "| command | median | ratio |"
echo "|---|---:|---|"
echo "| \`iislint check --format json\` | ${med[check]} ms | 1.00 × check; $(ratio "${med[check]}" "${med[xmllint]}") × xmllint; $(ratio "${med[check]}" "${med[xmllint_par]}") × xmllint -P$jobs |"
echo "| \`iislint check --fix --unsafe-fixes\` (fresh copy) | ${med[fix]} ms | $(ratio "${med[fix]}" "${med[check]}") × check |"
echo "| \`iislint check --fix --unsafe-fixes --farm --session-store redis\` (fresh copy) | ${med[fix_farm]} ms | $(ratio "${med[fix_farm]}" "${med[check]}") × check |"
echo "| \`xmllint --noout\` (one process) | ${med[xmllint]} ms | $(ratio "${med[xmllint]}" "${med[check]}") × check |"
echo "| \`xmllint --noout\` ($jobs processes) | ${med[xmllint_par]} ms | $(ratio "${med[xmllint_par]}" "${med[check]}") × check |"
echo "| \`cat\` (read floor) | ${med[cat]} ms | $(ratio "${med[cat]}" "${med[check]}") × check |"
if [ -n "$semgrep" ]; then
  echo "| \`semgrep\` (5 regex rules, -j $jobs) | ${med[semgrep]} ms | $(ratio "${med[semgrep]}" "${med[check]}") × check |"
else
  echo "| \`semgrep\` | skipped | SKIP_SEMGREP=1, or pip could not install it in time |"
fi
echo
echo "| peak RSS | KiB | MiB |"
echo "|---|---:|---:|"
echo "| check, $n1k files | $rss1k | $((rss1k / 1024)) |"
echo "| check, $nfiles files | $rss10k | $((rss10k / 1024)) |"
echo "| check, $n3x files | $rss3x | $((rss3x / 1024)) |"
echo "| check --fix --unsafe-fixes --farm --session-store redis, $nfiles files | $rssfix | $((rssfix / 1024)) |"
echo
echo "| one file, --farm | check | --fix --unsafe-fixes --session-store redis |"
echo "|---|---:|---:|"
for name in distinct same collections; do
  case $name in
    distinct) what="20,000 \`<location>\` elements" ;;
    same) what="4,000 copies of \`<location path=\"same\">\`" ;;
    collections) what="100,000 each of appSettings, connectionStrings and customHeaders entries" ;;
  esac
  echo "| $what ($(($(wc -c <"$work/$(one_file "$name")") / 1024)) KiB) | $(median_ms "${loc_samples[check_$name]}") ms | $(median_ms "${loc_samples[fix_$name]}") ms |"
done
echo
pass() { awk -v a="$1" -v b="$2" 'BEGIN { print (a <= b) ? "met" : "MISSED" }'; }
echo "Targets: check <= 0.5 x xmllint: $(pass "${med[check]}" "$(awk -v x="${med[xmllint]}" 'BEGIN{print x/2}')")" \
  "(vs parallel xmllint: $(pass "${med[check]}" "$(awk -v x="${med[xmllint_par]}" 'BEGIN{print x/2}')"));" \
  "fix <= 2 x check: $(pass "${med[fix]}" "$(awk -v x="${med[check]}" 'BEGIN{print x*2}')")" \
  "(farm: $(pass "${med[fix_farm]}" "$(awk -v x="${med[check]}" 'BEGIN{print x*2}')"));" \
  "peak RSS < 64 MiB: $(pass "$rss3x" 65535) (at $n3x files)"
