#!/usr/bin/env bash
# Compares `iislint transform` with the real XDT engine (Microsoft.Web.XmlTransform built with Mono
# from ../shared/conformance/xdt-reference) on every transform of ../shared/corpus (files named
# web.*.config next to a web.config) and on COUNT generated pairs (scripts/xdt-gen.py).
# Usage: scripts/xdt-oracle.sh [COUNT] [SEED]     (not run by CI: it needs mono)
# A UTF-8 BOM is ignored on both sides (iislint keeps the base's BOM; XDT writes one whenever the
# declaration names an encoding). "canonical" = same after dropping whitespace-only text.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
shared=${SHARED:-$root/../shared}
count=${1:-300}
seed=${2:-1}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ref="$work/ref"
bash "$shared/conformance/xdt-reference/build.sh" "$ref" >/dev/null || { echo "cannot build the XDT reference" >&2; exit 2; }
iislint=${IISLINT:-${CARGO_TARGET_DIR:-$root/target}/debug/iislint}
[ -x "$iislint" ] || (cd "$root" && cargo build -q) || exit 2

pairs="$work/pairs.txt"
: > "$pairs"
if [ -d "$shared/corpus/files" ]; then
  while IFS= read -r t; do
    dir=$(dirname "$t")
    b=$(find "$dir" -maxdepth 1 -iname web.config | head -1)
    [ -n "$b" ] && printf '%s\t%s\n' "$b" "$t" >> "$pairs"
  done < <(find "$shared/corpus/files" -iname 'web.*.config' | sort)
else
  echo "no corpus at $shared/corpus: generated cases only" >&2
fi
python3 "$root/scripts/xdt-gen.py" "$work/gen" "$count" "$seed"
for d in "$work"/gen/*/; do [ -d "$d" ] && printf '%s\t%s\n' "$d/Web.config" "$d/Web.Test.config" >> "$pairs"; done

canon() { python3 - "$1" <<'PY'
import sys, xml.dom.minidom as m
def walk(n, out):
    for c in n.childNodes:
        if c.nodeType == c.TEXT_NODE and not c.data.strip(): continue
        if c.nodeType == c.ELEMENT_NODE:
            out.append("<" + c.tagName + "".join(f' {k}="{v}"' for k, v in sorted(c.attributes.items())) + ">")
            walk(c, out); out.append("</>")
        else: out.append(repr(c.toxml()))
try:
    out = []; walk(m.parse(sys.argv[1]), out); print("\n".join(out))
except Exception as e: print("unparsable", e)
PY
}
byte=0; canonical=0; different=0; status=0; n=0
while IFS=$'\t' read -r b t; do
  n=$((n+1))
  mono "$ref/xdt-apply.exe" "$b" "$t" "$work/log" > "$work/want" 2>/dev/null; want_rc=$?
  "$iislint" transform "$b" "$t" > "$work/got" 2> "$work/err"; got_rc=$?
  sed -i '1s/^\xEF\xBB\xBF//' "$work/want" "$work/got"
  [ "$want_rc" = "$got_rc" ] || { status=$((status+1)); echo "EXIT $want_rc vs $got_rc: $t"; }
  if cmp -s "$work/want" "$work/got"; then byte=$((byte+1))
  elif [ "$(canon "$work/want")" = "$(canon "$work/got")" ]; then canonical=$((canonical+1)); echo "CANONICAL: $t"
  else different=$((different+1)); echo "DIFFERENT: $t"; diff "$work/want" "$work/got" | head -${DIFF_LINES:-6}; fi
done < "$pairs"
echo "cases=$n byte-equal=$byte canonically-equal=$canonical different=$different exit-code-mismatches=$status"
