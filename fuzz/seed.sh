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
