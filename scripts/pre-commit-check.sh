#!/usr/bin/env bash
# Proves the pre-commit hooks with the real pre-commit from PyPI, once:
#
#   1. installs pre-commit into a temporary virtualenv;
#   2. makes a temporary git repository with a bad src/Shop/Web.config, a bad Web.Release.config,
#      a bad applicationHost.config, and malformed files the `files:` regex must NOT select
#      (app.config, web.config.bak, notes/web.xml);
#   3. `pre-commit try-repo <hooks> iislint --all-files` must fail and name the three files;
#   4. `pre-commit try-repo <hooks> iislint-fix --all-files` must rewrite them;
#   5. `iislint` must then pass (the malformed, unselected files were never passed to it).
#
#   scripts/pre-commit-check.sh rust     # .pre-commit-hooks.yaml: pre-commit builds iislint with
#                                        # `cargo install` (slow: a release build; needs cargo
#                                        # and crates.io)
#   scripts/pre-commit-check.sh python   # pre-commit-mirror/ (published as iislint-pre-commit):
#                                        # pre-commit installs the iislint wheel; run with a PATH
#                                        # without cargo, offline but for PyPI's setuptools
#   scripts/pre-commit-check.sh          # both
#
# The python hooks install `iislint==<Cargo.toml's version>` from the wheels scripts/wheels.sh
# built ($CARGO_TARGET_DIR/wheels, or $WHEELS), never from PyPI. Needs python3 (with venv), git,
# and access to PyPI. Set PRE_COMMIT_VERSION to pin a version (default: the newest).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
which=${1:-all}
case "$which" in rust | python | all) ;; *) echo "usage: $0 [rust|python|all]" >&2; exit 2 ;; esac
wheels=${WHEELS:-${CARGO_TARGET_DIR:-$repo/target}/wheels}
work=$(mktemp -d "${TMPDIR:-/tmp}/iislint-pre-commit.XXXXXX")
trap 'rm -rf "$work"' EXIT

say() { printf '\n== %s\n' "$*"; }
fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }

say "installing pre-commit${PRE_COMMIT_VERSION:+ $PRE_COMMIT_VERSION} into a virtualenv"
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check "pre-commit${PRE_COMMIT_VERSION:+==$PRE_COMMIT_VERSION}"
pre_commit="$work/venv/bin/pre-commit"
"$pre_commit" --version
export PRE_COMMIT_HOME="$work/cache"

say "making a repository with bad configuration files"
site="$work/site"
mkdir -p "$site/src/Shop" "$site/server" "$site/notes"
cd "$site"
git init -q
git config user.email "check@example.com"
git config user.name "pre-commit check"
bad='<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <system.web>
    <authentication mode="Forms">
      <forms timeout="5" />
    </authentication>
    <sessionState timeout="5" />
  </system.web>
</configuration>
'
printf '%s' "$bad" > src/Shop/Web.config
# A real transform (xdt:Transform). A copy of Web.config without xdt attributes, named on the
# command line, keeps a "fixable" finding that --fix does not fix (the same with main's iislint,
# reported separately), and step 5 would fail for that reason.
cat > src/Shop/Web.Release.config <<'XML'
<?xml version="1.0" encoding="utf-8"?>
<configuration xmlns:xdt="http://schemas.microsoft.com/XML-Document-Transform">
  <system.web>
    <authentication mode="Forms">
      <forms timeout="5" xdt:Transform="SetAttributes" />
    </authentication>
  </system.web>
</configuration>
XML
cat > server/applicationHost.config <<'XML'
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <system.applicationHost>
    <applicationPools>
      <add name="Shop">
        <processModel idleTimeout="00:01:00" />
      </add>
    </applicationPools>
    <sites>
      <site name="Shop" id="1">
        <application path="/" applicationPool="Shop">
          <virtualDirectory path="/" physicalPath="C:\inetpub\shop" />
        </application>
      </site>
    </sites>
  </system.applicationHost>
</configuration>
XML
for unselected in src/Shop/app.config src/Shop/web.config.bak notes/web.xml; do
    printf '<configuration>\n  <unclosed>\n' > "$unselected"
done
git add -A
git commit -q -m "site"

# Runs steps 3 to 5 with the hooks of the repository $1 ($2 names them in messages); the
# site repository is put back as committed afterwards.
prove() {
    local hooks=$1 label=$2 status
    say "$label: iislint must fail on the bad files"
    set +e
    "$pre_commit" try-repo "$hooks" iislint --all-files --verbose > "$work/first.log" 2>&1
    status=$?
    set -e
    cat "$work/first.log"
    if grep -q "An error has occurred" "$work/first.log"; then
        fail "$label: pre-commit could not install or run the hook (is the hooks file committed?)"
    fi
    [ "$status" -ne 0 ] || fail "$label: the iislint hook passed on a bad web.config"
    for expected in src/Shop/Web.config src/Shop/Web.Release.config server/applicationHost.config; do
        grep -q "$expected" "$work/first.log" || fail "$label: $expected was not checked"
    done
    for unexpected in app.config web.config.bak web.xml; do
        if grep -q "$unexpected" "$work/first.log"; then fail "$label: $unexpected was checked"; fi
    done

    say "$label: iislint-fix must rewrite them"
    set +e
    "$pre_commit" try-repo "$hooks" iislint-fix --all-files --verbose
    set -e
    git diff --quiet -- src/Shop/Web.config && fail "$label: iislint-fix did not change src/Shop/Web.config"
    git diff --stat

    say "$label: iislint must now pass"
    "$pre_commit" try-repo "$hooks" iislint --all-files --verbose || fail "$label: iislint still fails after iislint-fix"
    git checkout -q -- .
    say "OK: $label hooks work with $("$pre_commit" --version)"
}

if [ "$which" != python ]; then
    prove "$repo" "rust (.pre-commit-hooks.yaml)"
fi

if [ "$which" != rust ]; then
    version=$(sed -n 's/^version = "\(.*\)"/\1/p' "$repo/Cargo.toml" | head -n 1)
    ls "$wheels"/iislint-"$version"-*manylinux*.whl > /dev/null 2>&1 \
        || fail "no Linux wheel of iislint $version in $wheels: run scripts/wheels.sh first"
    # The hooks repository as it is published: pre-commit-mirror/ alone, in its own git repository.
    mirror="$work/iislint-pre-commit"
    cp -R "$repo/pre-commit-mirror" "$mirror"
    git -C "$mirror" init -q
    git -C "$mirror" add -A
    git -C "$mirror" -c user.email=check@example.com -c user.name=check commit -q -m mirror
    # pip installs the mirror package (setuptools builds it) and its `iislint==X.Y.Z` from the
    # local wheels only: setuptools is fetched now, then pip runs without an index.
    "$work/venv/bin/pip" download --quiet --disable-pip-version-check --dest "$work/pip" setuptools wheel
    # No cargo on PATH: the hook must run the wheel's binary, never build one.
    (
        export PIP_NO_INDEX=1 PIP_FIND_LINKS="$wheels $work/pip"
        export PATH="$work/venv/bin:/usr/bin:/bin"
        if command -v cargo > /dev/null; then fail "cargo is still on PATH ($(command -v cargo))"; fi
        prove "$mirror" "python (pre-commit-mirror/, wheel)"
        # try-repo installs the hook into a store it deletes afterwards; with no cargo on PATH
        # and no package index, the only iislint it could have run is the local wheel's.
        echo "pre-commit ran iislint $version from $(cd "$wheels" && ls iislint-"$version"-*manylinux*.whl)"
    )
fi
