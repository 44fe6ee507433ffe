#!/usr/bin/env bash
# Builds iislint.exe for Windows (x86_64-pc-windows-gnu, with mingw-w64) and runs it under Wine
# against the Linux build of the same commit:
#
#   - lint: the same findings, the same exit code; the human and concise reports name files with
#     `\`, JSON is byte-identical to Linux's (`/`), SARIF's base URI is `file:///Z:/…`;
#   - `--fix`: the fixed files are byte-identical to Linux's, CRLF files included;
#   - paths given with `\` and a drive letter (`Z:\…`), file names in other letter cases
#     (`WEB.CONFIG`), `--config` and `exclude` spelt in another case;
#   - a read-only file: `--fix` leaves it alone, names it and exits 2 while the other files are
#     fixed; `--fix-read-only` fixes it and it stays read-only; a hidden file stays hidden.
#
# Needs cargo with the x86_64-pc-windows-gnu target (rustup target add x86_64-pc-windows-gnu),
# x86_64-w64-mingw32-gcc and wine (Debian: gcc-mingw-w64-x86-64 wine wine64). Uses debug builds:
# the behaviour is the release build's, and compiling is much faster. Wine keeps its prefix in
# the target folder (created on first use, ~30 s).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
target_dir=${CARGO_TARGET_DIR:-$repo/target}
triple=x86_64-pc-windows-gnu

say() { printf '\n== %s\n' "$*"; }
fail() {
    # What the last two runs printed (a comparison's Linux and Windows runs), so that a failure
    # on CI can be read without running it again.
    if [ -n "${work:-}" ] && [ -s "$work/runs" ]; then
        local name stream
        for name in $(tail -n 2 "$work/runs"); do
            for stream in stdout stderr; do
                printf -- '-- the run %s, its %s:\n' "$name" "$stream" >&2
                tail -n 20 "$work/$name.$stream" >&2 2> /dev/null || true
            done
        done
    fi
    printf 'FAIL: %s\n' "$*" >&2
    exit 1
}
passes=0
ok() { passes=$((passes + 1)); printf 'ok: %s\n' "$*"; }

for tool in cargo x86_64-w64-mingw32-gcc wine wineserver; do
    command -v "$tool" > /dev/null || fail "$tool is not installed"
done

say "building iislint for Linux and for Windows ($triple)"
# The linker for the Windows target is named here rather than in .cargo/config.toml, so nothing
# changes for any other build.
export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc
cargo build --locked --quiet --bin iislint
cargo build --locked --quiet --bin iislint --target "$triple"
linux_bin="$target_dir/debug/iislint"
exe_dir="$target_dir/$triple/debug"
# Wine 8 lacks ProcessPrng, which Rust's standard library imports: see processprng.c.
x86_64-w64-mingw32-gcc -shared -O2 -o "$exe_dir/bcryptprimitives.dll" \
    scripts/windows/processprng.c -lbcrypt

export WINEPREFIX="$target_dir/wine-prefix"
export WINEDEBUG=-all
# No Mono or Gecko installer dialogs when the prefix is created: iislint needs neither.
export WINEDLLOVERRIDES="mscoree,mshtml="
if [ ! -d "$WINEPREFIX" ]; then
    say "creating the Wine prefix $WINEPREFIX"
    wineboot --init > /dev/null 2>&1 || true
    wineserver --wait || true
fi

# One Wine server for the whole check: by default each server exits a few seconds after its last
# program, and a run that starts while it shuts down can fail before iislint.exe runs at all.
# Stopped on any exit (first, and whatever fails after it: `set -e` holds in the trap too).
work=""
trap 'wineserver -k > /dev/null 2>&1 || true; [ -z "$work" ] || { chmod -R u+w "$work" || true; rm -rf "$work" || true; }' EXIT
# A server left by an earlier run (killed before its trap ran, or still shutting down) holds the
# prefix: `wineserver -p` would exit 2. It is stopped first. The persistent server's output goes
# nowhere, so a server that outlives the script never holds a log's pipe open.
wineserver -k > /dev/null 2>&1 || true
wineserver -w > /dev/null 2>&1 || true
wineserver -p > /dev/null 2>&1
work=$(mktemp -d "${TMPDIR:-/tmp}/iislint-windows.XXXXXX")
# The Windows name of a Unix path: Wine maps `/` to drive Z:.
winpath() { printf 'Z:%s' "${1//\//\\}"; }
exe=$(winpath "$exe_dir/iislint.exe")

# Runs a binary in a folder; stdout to $out.stdout, stderr to $out.stderr, exit code echoed.
run() { # run <linux|windows> <folder> <name> args...
    local side=$1 dir=$2 name=$3
    shift 3
    printf '%s\n' "$name" >> "$work/runs"
    local status=0
    if [ "$side" = linux ]; then
        (cd "$dir" && "$linux_bin" "$@") > "$work/$name.stdout" 2> "$work/$name.stderr" || status=$?
    else
        # Wine writes the console's `\r\n`: compared as `\n`.
        (cd "$dir" && wine "$exe" "$@") > "$work/$name.raw" 2> "$work/$name.stderr" || status=$?
        tr -d '\r' < "$work/$name.raw" > "$work/$name.stdout"
    fi
    echo "$status"
}
same_status() { [ "$1" = "$2" ] || fail "$3: exit code $2 on Windows, $1 on Linux"; }
# same_output LINUX_NAME WINDOWS_NAME WHAT: the two runs printed the same bytes.
same_output() {
    cmp -s "$work/$1.stdout" "$work/$2.stdout" || {
        diff -u "$work/$1.stdout" "$work/$2.stdout" | head -40
        fail "$3"
    }
}

say "the binary starts"
version_linux=$("$linux_bin" --version)
version_windows=$(wine "$exe" --version | tr -d '\r')
[ "$version_linux" = "$version_windows" ] || fail "--version: '$version_windows' vs '$version_linux'"
ok "--version: $version_windows"

cp -R fixtures/example "$work/linux"
cp -R fixtures/example "$work/windows"

say "lint fixtures/example"
l=$(run linux "$work/linux" lint-l check --output-format concise)
w=$(run windows "$work/windows" lint-w check --output-format concise)
same_status "$l" "$w" "check"
[ "$l" = 1 ] || fail "check fixtures/example: exit code $l, expected 1 (it has findings)"
# The same findings, with Windows' separator in the file names.
sed 's|/|\\|g' "$work/lint-l.stdout" > "$work/lint-l-native.stdout"
# Messages may hold a `/` (an XPath, a URL): compare only the `path:line:col: rule` part.
cut -d' ' -f1-2 "$work/lint-l-native.stdout" > "$work/a"
cut -d' ' -f1-2 "$work/lint-w.stdout" > "$work/b"
diff -u "$work/a" "$work/b" || fail "concise output differs from Linux's"
grep -q '^Shop\\Web.config:' "$work/lint-w.stdout" || fail "concise output does not name Shop\\Web.config"
ok "concise: $(wc -l < "$work/lint-w.stdout") findings, as on Linux, named with \\"

run windows "$work/windows" human-w check > /dev/null
grep -q 'Shop\\Web.config' "$work/human-w.stdout" || fail "the human report does not name Shop\\Web.config"
if grep -q 'Shop/Web.config' "$work/human-w.stdout"; then fail "the human report names Shop/Web.config"; fi
ok "human report names files with \\"

run windows "$work/windows" msbuild-w check --output-format msbuild > /dev/null
grep -qF "$(winpath "$work/windows/Shop/Web.config")(" "$work/msbuild-w.stdout" || {
    head -3 "$work/msbuild-w.stdout"
    fail "msbuild output does not name Z:\\...\\Shop\\Web.config"
}
ok "msbuild: absolute Z:\\ paths"

l=$(run linux "$work/linux" json-l check --output-format json)
w=$(run windows "$work/windows" json-w check --output-format json)
same_status "$l" "$w" "check --output-format json"
same_output json-l json-w "JSON differs from Linux's"
grep -q '"Shop/Web.config"' "$work/json-w.stdout" || fail "JSON does not name Shop/Web.config"
ok "JSON: byte-identical to Linux's, paths with /"

run windows "$work/windows" sarif-w check --output-format sarif > /dev/null
sarif_base="file:///Z:${work}/windows/"
grep -qF "\"uri\": \"$sarif_base\"" "$work/sarif-w.stdout" \
    || fail "SARIF: no %SRCROOT% base $sarif_base"
grep -qF '"uri": "Shop/Web.config"' "$work/sarif-w.stdout" || fail "SARIF: no relative Shop/Web.config"
# A file outside the current folder is named by its absolute URI.
mkdir -p "$work/elsewhere"
run windows "$work/elsewhere" sarif-abs check --output-format sarif "$(winpath "$work/windows/Shop")" > /dev/null
grep -qF "\"uri\": \"file:///Z:${work}/windows/Shop/Web.config\"" "$work/sarif-abs.stdout" || {
    grep '"uri"' "$work/sarif-abs.stdout"
    fail "SARIF: a file given by its drive path has no file:///Z:/ URI"
}
ok "SARIF: file:///Z:/ URIs"

say "paths with \\ and a drive letter, names in other letter cases"
w=$(run windows "$work" drive check --output-format concise "$(winpath "$work/windows/Shop/Web.config")")
[ "$w" = 1 ] || fail "check Z:\\...\\Shop\\Web.config: exit code $w"
grep -q '^windows\\Shop\\Web.config:' "$work/drive.stdout" || {
    cat "$work/drive.stdout"
    fail "a drive path below the current folder is not shown relative to it"
}
w=$(run windows "$work/windows" relative check --output-format concise 'Shop\Web.config')
[ "$w" = 1 ] && grep -q '^Shop\\Web.config:' "$work/relative.stdout" || fail "check Shop\\Web.config"
# The same file typed in another case: the file system finds it, and it is checked.
w=$(run windows "$work/windows" upper check --output-format concise 'SHOP\WEB.CONFIG')
[ "$w" = 1 ] || fail "check SHOP\\WEB.CONFIG: exit code $w"
ok "Z:\\ and relative \\ paths; SHOP\\WEB.CONFIG"

mkdir -p "$work/cases/SITE" "$work/cases/Legacy" "$work/cases/Old"
low='<configuration>
  <system.web>
    <authentication mode="Forms">
      <forms timeout="5" />
    </authentication>
  </system.web>
</configuration>
'
printf '%s' "$low" > "$work/cases/SITE/WEB.CONFIG"
printf '%s' "$low" > "$work/cases/SITE/web.RELEASE.config"
printf '%s' "$low" > "$work/cases/Legacy/Web.config"
printf '%s' "$low" > "$work/cases/Old/Web.config"
# Globs spelt in another case than the folders; the file named in another case than --config.
cat > "$work/cases/iislint.toml" <<'TOML'
exclude = ["legacy/**"]
[per-file-ignores]
"old/web.config" = ["forms-timeout-too-low"]
TOML
l=$(run linux "$work/cases" cases-l check --output-format json)
w=$(run windows "$work/cases" cases-w check --output-format json)
same_status "$l" "$w" "check (letter cases)"
same_output cases-l cases-w "letter cases: JSON differs from Linux's"
grep -q '"SITE/WEB.CONFIG"' "$work/cases-w.stdout" || fail "SITE/WEB.CONFIG was not checked"
# A transform is judged with the web.config it deploys: "environments": ["RELEASE"].
grep -q '"RELEASE"' "$work/cases-w.stdout" || fail "SITE/web.RELEASE.config was not read"
if grep -q 'Legacy/' "$work/cases-w.stdout"; then fail "exclude legacy/** did not exclude Legacy/"; fi
if grep -q 'Old/Web.config' "$work/cases-w.stdout"; then fail "per-file-ignores old/web.config did not apply to Old/Web.config"; fi
ok "SITE/WEB.CONFIG and its web.RELEASE.config found; exclude and per-file-ignores ignore case"
# The configuration named in another case than the folders: its globs still apply.
upper_config=$(winpath "$work/cases/iislint.toml" | tr '[:lower:]' '[:upper:]')
w=$(run windows "$work/cases" cases-config check --output-format json --config "$upper_config")
same_output cases-w cases-config "--config $upper_config: the globs no longer apply"
ok "--config $upper_config applies its globs to the folders spelt otherwise"

say "--fix: the same bytes as on Linux, CRLF files included"
for side in linux windows; do
    mkdir -p "$work/$side/Crlf"
    printf '%s' "$low" | sed 's/$/\r/' > "$work/$side/Crlf/Web.config"
done
l=$(run linux "$work/linux" fix-l check --fix)
w=$(run windows "$work/windows" fix-w check --fix)
same_status "$l" "$w" "check --fix"
diff -r "$work/linux" "$work/windows" || fail "--fix wrote other bytes on Windows"
git diff --no-index --quiet fixtures/example/Shop/Web.config "$work/windows/Shop/Web.config" \
    && fail "--fix changed nothing"
if tr -d '\r' < "$work/windows/Crlf/Web.config" | cmp -s - "$work/windows/Crlf/Web.config"; then
    fail "the CRLF file lost its CRLF"
fi
if grep -q $'[^\r]$' "$work/windows/Crlf/Web.config"; then fail "the CRLF file has a bare LF line"; fi
ls -A "$work/windows" "$work/windows/Shop" | grep -q '\.iislint-' && fail "a temporary file was left"
ok "--fix: byte-identical to Linux's (exit $w), CRLF kept, no temporary file left"

say "a read-only file and a hidden one"
mkdir -p "$work/attrs/ReadOnly" "$work/attrs/Writable" "$work/attrs/Hidden"
for folder in ReadOnly Writable Hidden; do printf '%s' "$low" > "$work/attrs/$folder/Web.config"; done
# Wine shows a file without write permission as read-only (FILE_ATTRIBUTE_READONLY).
chmod a-w "$work/attrs/ReadOnly/Web.config"
wine cmd /c attrib +h "$(winpath "$work/attrs/Hidden/Web.config")" > /dev/null 2>&1
hidden_kept=unknown
if wine cmd /c attrib "$(winpath "$work/attrs/Hidden/Web.config")" 2> /dev/null | grep -q '^[A-Z ]*H'; then
    hidden_kept=yes
fi
w=$(run windows "$work/attrs" ro check --fix)
[ "$w" = 2 ] || fail "--fix with a read-only file: exit code $w, expected 2"
cat "$work/ro.stdout" "$work/ro.stderr" > "$work/ro.all"
grep -q 'ReadOnly\\Web.config.*read-only attribute' "$work/ro.all" || {
    cat "$work/ro.all"
    fail "the error does not name ReadOnly\\Web.config as read-only"
}
printf '%s' "$low" | cmp -s - "$work/attrs/ReadOnly/Web.config" || fail "the read-only file was changed"
printf '%s' "$low" | cmp -s - "$work/attrs/Writable/Web.config" && fail "the other file was not fixed"
ok "--fix: read-only file named, left as it was, exit 2; the other files fixed"
w=$(run windows "$work/attrs" ro-fix check --fix --fix-read-only)
printf '%s' "$low" | cmp -s - "$work/attrs/ReadOnly/Web.config" && {
    cat "$work/ro-fix.stdout" "$work/ro-fix.stderr"
    fail "--fix-read-only did not fix the read-only file"
}
# Not `[ -w ]`: root may write any file. Wine keeps the attribute as the write bits.
[ -n "$(find "$work/attrs/ReadOnly/Web.config" -perm /222)" ] && fail "--fix-read-only: the file is no longer read-only"
ok "--fix-read-only: fixed, still read-only"
if [ "$hidden_kept" = yes ]; then
    wine cmd /c attrib "$(winpath "$work/attrs/Hidden/Web.config")" 2> /dev/null | grep -q '^[A-Z ]*H' \
        || fail "the hidden file is no longer hidden after --fix"
    ok "the hidden file stays hidden"
else
    echo "skipped: this file system cannot keep Wine's hidden attribute (no user xattrs)"
fi

say "OK: $passes Windows checks passed under $(wine --version 2> /dev/null)"
