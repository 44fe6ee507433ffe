#!/usr/bin/env bash
# Fills fuzz/corpus/<target>/ with seeds at run time (never committed): every file under
# fixtures/ (and, when present, ../shared/corpus), each prefixed with the flags byte the targets
# read first (bit 0: applicationHost.config, bit 1: not an application root, bit 2: SQL Server
# store, bit 3: raise the idle time-out instead of disabling it).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
for target in lint fix; do
  out="$here/corpus/$target"
  mkdir -p "$out"
  n=0
  for dir in "$root/fixtures" "$root/../shared/corpus/files"; do
    [ -d "$dir" ] || continue
    while IFS= read -r -d '' f; do
      n=$((n + 1))
      case "$(basename "$f")" in
        [Aa]pplication[Hh]ost.config) flag='\x01' ;;
        *) flag='\x00' ;;
      esac
      { printf "$flag"; cat "$f"; } >"$out/seed-$n"
    done < <(find "$dir" -type f \( -iname '*.config' -o -iname '*.xml' -o -iname '*.xdt' -o -iname '*.transform' \) -size -200k -print0)
  done
  echo "$target: $n seeds in $out"
done

# deploy: a flags byte, a web.config, a NUL byte, a transform beside it (any Web.*.config), from
# the fixtures, XDT's own test cases and the corpus.
out="$here/corpus/deploy"
mkdir -p "$out"
n=0
for dir in "$root/fixtures" "$root/tests/xdt" "$root/../shared/corpus/files"; do
  [ -d "$dir" ] || continue
  while IFS= read -r -d '' transform; do
    folder=$(dirname "$transform")
    base=$(find "$folder" -maxdepth 1 -type f -iname 'web.config' | head -1)
    [ -n "$base" ] || continue
    n=$((n + 1))
    { printf '\x00'; cat "$base"; printf '\x00'; cat "$transform"; } >"$out/seed-$n"
  done < <(find "$dir" -type f -iname 'web.*.config' -size -200k -print0)
done
for pair in AttributeFormatting TagFormatting EdgeCase WarningsAndErrors; do
  source="$root/tests/xdt/dotnet-xdt/${pair}_source.xml"
  [ -f "$source" ] || continue
  n=$((n + 1))
  { printf '\x00'; cat "$source"; printf '\x00'; cat "$root/tests/xdt/dotnet-xdt/${pair}_transform.xml"; } >"$out/seed-$n"
done
echo "deploy: $n seeds in $out"
