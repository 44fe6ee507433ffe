#!/usr/bin/env bash
# Proves the wheels scripts/wheels.sh built ($CARGO_TARGET_DIR/wheels, or $WHEELS):
#
#   - the Linux wheel installs into a fresh virtualenv with pip, from the wheel alone (no index,
#     no Rust toolchain on PATH), and its `iislint` command runs: --version is Cargo.toml's, and
#     `iislint check fixtures/example` reports the findings (exit 1);
#   - the Windows wheel (when built) is tagged win_amd64 and holds iislint.exe as a script, and,
#     when Wine is installed, that iislint.exe runs (see scripts/windows-check.sh).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
target_dir=${CARGO_TARGET_DIR:-$repo/target}
wheels=${WHEELS:-$target_dir/wheels}
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
work=$(mktemp -d "${TMPDIR:-/tmp}/iislint-wheel.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }

linux=$(ls "$wheels"/iislint-"$version"-*manylinux*x86_64*.whl 2> /dev/null | head -n 1 || true)
[ -n "$linux" ] || fail "no Linux wheel of iislint $version in $wheels: run scripts/wheels.sh"
echo "== $(basename "$linux") into a fresh virtualenv"
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check --no-index "$linux"
(
    # What a user without Rust has: the virtualenv's bin folder and the system's.
    export PATH="$work/venv/bin:/usr/bin:/bin"
    if command -v cargo > /dev/null; then fail "cargo is on PATH"; fi
    [ "$(command -v iislint)" = "$work/venv/bin/iislint" ] || fail "iislint is not the wheel's"
    [ "$(iislint --version)" = "iislint $version" ] || fail "iislint --version: $(iislint --version)"
    status=0
    iislint check fixtures/example > "$work/check.txt" || status=$?
    [ "$status" = 1 ] || { cat "$work/check.txt"; fail "iislint check fixtures/example: exit $status, expected 1"; }
    grep -q 'forms-timeout-too-low\|IIS1' "$work/check.txt" || fail "no findings reported"
    echo "ok: iislint $version from the wheel: $(grep -c '' "$work/check.txt") lines of findings, exit 1"
)

windows=$(ls "$wheels"/iislint-"$version"-*win_amd64.whl 2> /dev/null | head -n 1 || true)
if [ -z "$windows" ]; then
    echo "skipped: no Windows wheel (scripts/wheels.sh --linux-only)"
    exit 0
fi
echo "== $(basename "$windows")"
python3 - "$windows" "$work/win" "$version" <<'PY'
import sys, zipfile
wheel, out, version = sys.argv[1:]
with zipfile.ZipFile(wheel) as z:
    names = z.namelist()
    exe = f"iislint-{version}.data/scripts/iislint.exe"
    if exe not in names:
        sys.exit(f"FAIL: {exe} is not in the wheel: {names}")
    tag = z.read(f"iislint-{version}.dist-info/WHEEL").decode()
    if "Tag: py3-none-win_amd64" not in tag:
        sys.exit(f"FAIL: the wheel's tag is not py3-none-win_amd64:\n{tag}")
    z.extract(exe, out)
print(f"ok: {exe}, tagged py3-none-win_amd64")
PY
if command -v wine > /dev/null && command -v x86_64-w64-mingw32-gcc > /dev/null; then
    exe_dir="$work/win/iislint-$version.data/scripts"
    # Wine 8 lacks ProcessPrng: see scripts/windows/processprng.c.
    x86_64-w64-mingw32-gcc -shared -O2 -o "$exe_dir/bcryptprimitives.dll" \
        scripts/windows/processprng.c -lbcrypt
    export WINEPREFIX="$target_dir/wine-prefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
    shown=$(wine "$exe_dir/iislint.exe" --version | tr -d '\r')
    [ "$shown" = "iislint $version" ] || fail "the wheel's iislint.exe --version under Wine: $shown"
    echo "ok: the wheel's iislint.exe runs under Wine: $shown"
fi
