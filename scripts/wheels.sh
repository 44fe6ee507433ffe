#!/usr/bin/env bash
# Builds the Python wheels that `pip install iislint` installs (pyproject.toml: maturin, `bin`
# bindings, as ruff ships): the Linux x86_64 wheel and, cross-built with mingw-w64, the Windows
# x64 wheel. Output: $CARGO_TARGET_DIR/wheels (default target/wheels).
#
#   scripts/wheels.sh                 # both wheels, profile quick-release (no fat LTO: faster)
#   WHEEL_PROFILE=release scripts/wheels.sh   # what a release ships
#   scripts/wheels.sh --linux-only
#
# Installs maturin (from PyPI) into a virtualenv in the target folder. The Windows wheel needs the
# x86_64-pc-windows-gnu target (rustup target add x86_64-pc-windows-gnu) and
# x86_64-w64-mingw32-gcc. The release workflow builds the published wheels with maturin-action
# (Windows with MSVC, Linux manylinux, macOS arm64).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
target_dir=${CARGO_TARGET_DIR:-$repo/target}
profile=${WHEEL_PROFILE:-quick-release}
out="$target_dir/wheels"
linux_only=false
[ "${1:-}" = --linux-only ] && linux_only=true

tools="$target_dir/wheel-tools"
if [ ! -x "$tools/bin/maturin" ]; then
    python3 -m venv "$tools"
    "$tools/bin/pip" install --quiet --disable-pip-version-check "maturin>=1.5,<2"
fi
maturin="$tools/bin/maturin"

version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
rm -f "$out"/iislint-"$version"-*.whl

echo "== Linux wheel ($profile)"
# manylinux: maturin reads the glibc symbol versions the binary needs and tags the wheel with the
# oldest manylinux that has them (here, without zig or a manylinux container: this machine's
# glibc; the release workflow builds in maturin-action's manylinux container instead).
"$maturin" build --locked --quiet --profile "$profile" --out "$out" 2> "$target_dir/wheel-linux.log" \
    || { cat "$target_dir/wheel-linux.log"; exit 1; }

if ! $linux_only; then
    echo "== Windows x64 wheel ($profile, cross-built with mingw-w64)"
    export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc
    "$maturin" build --locked --quiet --profile "$profile" --out "$out" \
        --target x86_64-pc-windows-gnu 2> "$target_dir/wheel-windows.log" \
        || { cat "$target_dir/wheel-windows.log"; exit 1; }
fi

ls -l "$out"/iislint-"$version"-*.whl
