#!/usr/bin/env bash
# Builds iislint with profile-guided optimisation (PGO), as releases and scripts/bench.sh do:
#
#   1. a release build instrumented to count what runs (`-Cprofile-generate`);
#   2. that build checks and fixes the rule fixtures (fixtures/) and 2,000 generated configuration
#      files (scripts/generate-configs.py). Never ../shared/corpus: the benchmark's tree is made
#      of its files, and a profile learnt from them would flatter the benchmark;
#   3. llvm-profdata merges the counts, and the release build is made again with them
#      (`-Cprofile-use`): the compiler lays out and inlines the code for the paths a check takes.
#
# The optimised binary is where cargo puts a plain build's (target/[TARGET/]PROFILE/iislint, or
# under CARGO_TARGET_DIR); its path is printed on standard output. On the 10k-file tree it
# takes about a tenth less time than the plain release build (docs/performance.md).
#
#   scripts/pgo-build.sh [--target TRIPLE] [--profile PROFILE]     default profile: release
#
# Needs Python 3 and the toolchain's llvm-tools (installed with rustup when missing): without
# them it exits with 3 and builds nothing. RUSTFLAGS given to the script are kept (release.yml's
# static CRT on Windows).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
target=""
profile=release
while [ $# -gt 0 ]; do
  case $1 in
    --target) target=$2; shift 2 ;;
    --profile) profile=$2; shift 2 ;;
    *) echo "usage: $0 [--target TRIPLE] [--profile PROFILE]" >&2; exit 2 ;;
  esac
done
log() { printf 'pgo-build: %s\n' "$*" >&2; }

# Paths handed to rustc and llvm-profdata: native ones (C:/…) under Git Bash on Windows.
native() { if command -v cygpath >/dev/null 2>&1; then cygpath -m "$1"; else printf '%s' "$1"; fi; }
exe=""
case "$(uname -s)" in MINGW* | MSYS* | CYGWIN*) exe=.exe ;; esac

# --- llvm-profdata of this toolchain's LLVM (another version cannot read its profiles) --------
host=$(rustc -vV | sed -n 's/^host: //p')
profdata="$(rustc --print sysroot)/lib/rustlib/$host/bin/llvm-profdata$exe"
if [ ! -x "$profdata" ]; then
  log "installing llvm-tools (rustup)"
  rustup component add llvm-tools >&2 || true
fi
[ -x "$profdata" ] || { log "no llvm-profdata at $profdata (rustup component add llvm-tools)"; exit 3; }

# The first that runs Python 3 (on Windows `python3` may be a stub that only opens the Store).
python=""
for candidate in python3 python; do
  if "$candidate" -c 'import sys; sys.exit(sys.version_info < (3,))' >/dev/null 2>&1; then
    python=$candidate
    break
  fi
done
[ -n "$python" ] || { log "Python 3 is needed to generate the training files"; exit 3; }

# Absolute: rustc runs in each crate's own folder, where a relative profile path would miss.
target_dir=${CARGO_TARGET_DIR:-$here/target}
mkdir -p "$target_dir"
target_dir=$(cd "$target_dir" && pwd)
profile_dir=$profile
[ "$profile" = dev ] && profile_dir=debug
target_args=()
[ -n "$target" ] && target_args=(--target "$target")
built() { # built TARGET_DIR: where cargo puts the binary
  printf '%s/%s%s/iislint%s' "$1" "${target:+$target/}" "$profile_dir" "$exe"
}

# --- 1. the instrumented build, apart from the optimised one ----------------------------------
profiles="$target_dir/pgo-profiles"
rm -rf "$profiles"
mkdir -p "$profiles"
log "building the instrumented binary ($profile${target:+, $target})"
(cd "$here" && RUSTFLAGS="${RUSTFLAGS:-} -Cprofile-generate=$(native "$profiles")" \
  cargo build --locked --profile "$profile" ${target_args[@]+"${target_args[@]}"} \
  --target-dir "$target_dir/pgo-training" >&2)
instrumented=$(built "$target_dir/pgo-training")

# --- 2. the training run ----------------------------------------------------------------------
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$python" "$here/scripts/generate-configs.py" "$work/generated" 2000
cp -R "$here/fixtures" "$work/fixtures"
train() { # exit codes 1 (findings) and 2 (a file in error: fixtures have some) are results
  local rc=0
  # `check` ends without exit handlers unless LLVM_PROFILE_FILE is set (src/cli/mod.rs).
  LLVM_PROFILE_FILE="$(native "$profiles")/iislint-%m.profraw" "$instrumented" "$@" \
    >/dev/null 2>&1 || rc=$?
  [ $rc -le 2 ] || { log "training run failed ($rc): iislint $*"; exit 1; }
}
log "training on fixtures/ and generated files"
train check --format json "$here/fixtures"
train check "$here/fixtures"
train check --format json "$work/generated"
train check --fix --unsafe-fixes "$work/fixtures"
train check --fix --unsafe-fixes --farm --session-store redis "$work/generated"
compgen -G "$profiles/*.profraw" >/dev/null || { log "the training wrote no profile"; exit 1; }

# --- 3. the optimised build -------------------------------------------------------------------
"$profdata" merge -o "$(native "$profiles/merged.profdata")" "$(native "$profiles")"
log "building with the profile"
(cd "$here" && RUSTFLAGS="${RUSTFLAGS:-} -Cprofile-use=$(native "$profiles/merged.profdata")" \
  cargo build --locked --profile "$profile" ${target_args[@]+"${target_args[@]}"} --target-dir "$target_dir" >&2)
built "$target_dir"
echo
