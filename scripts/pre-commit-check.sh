#!/usr/bin/env bash
# Proves .pre-commit-hooks.yaml with the real pre-commit from PyPI, once:
#
#   1. installs pre-commit into a temporary virtualenv;
#   2. makes a temporary git repository with a bad src/Shop/Web.config, a bad Web.Release.config,
#      a bad applicationHost.config, and malformed files the `files:` regex must NOT select
#      (app.config, web.config.bak, notes/web.xml);
#   3. `pre-commit try-repo <this repo> iislint --all-files` must fail and name the three files;
#   4. `pre-commit try-repo <this repo> iislint-fix --all-files` must rewrite them;
#   5. `iislint` must then pass (the malformed, unselected files were never passed to it).
#
# pre-commit builds iislint with `cargo install` (language: rust): this is slow (a release build),
# so CI may skip it. Needs python3 (with venv), git, cargo, and access to PyPI and crates.io.
# Set PRE_COMMIT_VERSION to pin a version (default: the newest).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
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
    <sessionState timeout="60" />
  </system.web>
</configuration>
'
printf '%s' "$bad" > src/Shop/Web.config
printf '%s' "$bad" > src/Shop/Web.Release.config
cat > server/applicationHost.config <<'XML'
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <system.applicationHost>
    <applicationPools>
      <add name="Shop">
        <processModel idleTimeout="00:05:00" />
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

say "pre-commit try-repo: iislint must fail on the bad files"
set +e
"$pre_commit" try-repo "$repo" iislint --all-files --verbose > "$work/first.log" 2>&1
status=$?
set -e
cat "$work/first.log"
if grep -q "An error has occurred" "$work/first.log"; then
    fail "pre-commit could not install or run the hook (is .pre-commit-hooks.yaml committed?)"
fi
[ "$status" -ne 0 ] || fail "the iislint hook passed on a bad web.config"
for expected in src/Shop/Web.config src/Shop/Web.Release.config server/applicationHost.config; do
    grep -q "$expected" "$work/first.log" || fail "$expected was not checked"
done
for unexpected in app.config web.config.bak web.xml; do
    if grep -q "$unexpected" "$work/first.log"; then fail "$unexpected was checked"; fi
done

say "pre-commit try-repo: iislint-fix must rewrite them"
set +e
"$pre_commit" try-repo "$repo" iislint-fix --all-files --verbose
set -e
git diff --quiet -- src/Shop/Web.config && fail "iislint-fix did not change src/Shop/Web.config"
git diff --stat

say "pre-commit try-repo: iislint must now pass"
"$pre_commit" try-repo "$repo" iislint --all-files --verbose || fail "iislint still fails after iislint-fix"

say "OK: .pre-commit-hooks.yaml works with $("$pre_commit" --version)"
