#!/usr/bin/env bash
# Builds the VS Code extension (editors/vscode) into a .vsix: installs its locked npm dependencies,
# compiles the TypeScript, runs its unit tests, packages it with vsce and checks what the .vsix
# holds. Needs node and npm (the npm registry, for `npm ci`); cargo is not involved.
#
#   scripts/vscode-package.sh [OUTPUT_DIR]     # default: target/vscode
#
# Install the result with `code --install-extension target/vscode/iislint-<version>.vsix`.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
out_dir="${1:-$repo/target/vscode}"
mkdir -p "$out_dir"
out_dir="$(cd "$out_dir" && pwd)"

cd "$repo/editors/vscode"
version="$(node -p 'require("./package.json").version')"
vsix="$out_dir/iislint-$version.vsix"

# npm ci removes node_modules and installs exactly package-lock.json, so a run does not depend on
# what an earlier one left; out/ is removed too so that no stale .js file of a deleted source ends
# up in the package.
rm -rf out
npm ci --no-audit --no-fund
npm run compile
npm test
# vsce is a devDependency, so --no-install runs the locked version npm ci installed. It packs the
# production dependencies (vscode-languageclient) from node_modules, as `npm list --production`
# names them; .vscodeignore leaves out the sources, tests and source maps.
rm -f "$vsix"
npx --no-install vsce package --out "$vsix"

# A .vsix is a zip file; an extension without these would install and then fail to activate.
if command -v unzip >/dev/null; then
  listing="$(unzip -Z1 "$vsix")"
else
  listing="$(python3 -c 'import sys, zipfile; print("\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))' "$vsix")"
fi
for required in \
  extension/package.json \
  extension/readme.md \
  extension/LICENSE.txt \
  extension/out/extension.js \
  extension/out/selector.js \
  extension/out/serverCommand.js \
  extension/node_modules/vscode-languageclient/package.json \
  extension/node_modules/vscode-languageclient/lib/node/main.js \
  extension/node_modules/vscode-jsonrpc/package.json \
  extension/node_modules/vscode-languageserver-protocol/package.json; do
  if ! grep -qxF "$required" <<<"$listing"; then
    echo "error: $vsix lacks $required" >&2
    exit 1
  fi
done
for forbidden in extension/src/ extension/out/test/ extension/node_modules/typescript/ extension/node_modules/@vscode/vsce/; do
  if grep -q "^$forbidden" <<<"$listing"; then
    echo "error: $vsix holds $forbidden, which .vscodeignore or the dependency list should leave out" >&2
    exit 1
  fi
done

echo "$vsix"
