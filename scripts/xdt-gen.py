#!/usr/bin/env python3
"""Generates random (web.config, transform) pairs for the XDT oracle comparison.

Usage: xdt-gen.py OUT_DIR COUNT [SEED]. Writes OUT_DIR/NNN/Web.config and Web.Test.config: a random
base (indentation, attribute layout, comments, CRLF or LF, a declaration or not) and a transform of
random transforms and locators over names the base has (and some it has not).
"""
import os
import random
import sys

NAMES = ["add", "remove", "clear", "compilation", "sessionState", "customErrors", "location"]
ATTRS = ["key", "name", "value", "mode", "timeout", "debug", "path"]
VALUES = ["a", "b", "c", "true", "false", "20", "x y"]
TRANSFORMS = ["Replace", "Remove", "RemoveAll", "Insert", "InsertIfMissing", "SetAttributes",
              "RemoveAttributes({a})", "SetAttributes({a})", "RemoveAttributes({a},{b})",
              "InsertBefore(/configuration/{s}/{n})", "InsertAfter(/configuration/{s}/{n})",
              "CommentOut", "Replace(x)", "SetTokenizedAttributes", "Bogus"]
LOCATORS = [None, None, "Match({a})", "Match({a},{b})", "Condition(@{a}='{v}')",
            "Condition(@{a}='{v}' or @{b}='{v}')", "XPath(/configuration/{s}/{n}[1])",
            "Condition(position()=2)", "XPath({n}[@{a}])", "Match(nope)"]
SECTIONS = ["appSettings", "system.web", "connectionStrings"]


def attrs(rng, layout):
    chosen = rng.sample(ATTRS, rng.randint(0, 3))
    parts = []
    for a in chosen:
        sep = layout if rng.random() < 0.8 else rng.choice([" ", "  ", "\n      "])
        q = '"' if rng.random() < 0.9 else "'"
        parts.append(f'{sep}{a}={q}{rng.choice(VALUES)}{q}')
    return "".join(parts)


def element(rng, name, indent, nl, depth, layout):
    a = attrs(rng, layout)
    if depth > 1 or rng.random() < 0.5:
        return f"{indent}<{name}{a}{rng.choice(['/>', ' />', '></' + name + '>'])}"
    kids = [element(rng, rng.choice(NAMES), indent + "  ", nl, depth + 1, layout)
            for _ in range(rng.randint(0, 3))]
    if rng.random() < 0.2:
        kids.append(f"{indent}  <!-- note -->")
    inner = "".join(nl + k for k in kids)
    return f"{indent}<{name}{a}>{inner}{nl}{indent}</{name}>"


def base(rng):
    nl = rng.choice(["\n", "\r\n"])
    layout = " "
    out = []
    if rng.random() < 0.7:
        out.append('<?xml version="1.0" encoding="utf-8"?>' + nl)
    out.append("<configuration>")
    for s in rng.sample(SECTIONS, rng.randint(1, 3)):
        kids = [element(rng, rng.choice(NAMES), "    ", nl, 1, layout) for _ in range(rng.randint(0, 4))]
        out.append(f"{nl}  <{s}>" + "".join(nl + k for k in kids) + f"{nl}  </{s}>")
    out.append(nl + "</configuration>" + nl)
    return "".join(out)


def transform(rng):
    lines = ['<?xml version="1.0"?>',
             '<configuration xmlns:xdt="http://schemas.microsoft.com/XML-Document-Transform">']
    for s in rng.sample(SECTIONS, rng.randint(1, 3)):
        lines.append(f"  <{s}>")
        for _ in range(rng.randint(1, 3)):
            fill = dict(a=rng.choice(ATTRS), b=rng.choice(ATTRS), v=rng.choice(VALUES),
                        s=rng.choice(SECTIONS), n=rng.choice(NAMES))
            t = rng.choice(TRANSFORMS).format(**fill)
            loc = rng.choice(LOCATORS)
            own = " ".join(f'{a}="{rng.choice(VALUES)}"' for a in rng.sample(ATTRS, rng.randint(0, 3)))
            x = f' xdt:Transform="{t}"'
            if loc:
                x += f' xdt:Locator="{loc.format(**fill)}"'
            lines.append(f"    <{rng.choice(NAMES)} {own}{x}/>")
        lines.append(f"  </{s}>")
    lines.append("</configuration>")
    return "\n".join(lines) + "\n"


def main():
    out, count = sys.argv[1], int(sys.argv[2])
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
    for i in range(count):
        d = os.path.join(out, f"{i:03}")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "Web.config"), "w", newline="") as f:
            f.write(base(rng))
        with open(os.path.join(d, "Web.Test.config"), "w", newline="") as f:
            f.write(transform(rng))


main()
