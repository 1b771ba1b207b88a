#!/usr/bin/env python3
"""The differential conformance suite's judge: compare the "# conf:" lines
of a realm run under the emulated RMM with those of a run under TF-RMM.

Each line is one case (an RSI or PSCI call, or one access per row of the
fault table) and its canonical answer. A case whose answers differ fails,
unless docs/realm.md lists it between the markers
<!-- conformance-differences --> and <!-- /conformance-differences -->, one
table row per case whose first cell is the case name in backquotes. A listed
case that no longer differs fails too, so the list stays true.
"""
import argparse
import re
import sys


def cases(path):
    out = {}
    with open(path, errors="replace") as f:
        for line in f:
            m = re.match(r"^# conf: (\S+) (.*)$", line.rstrip("\r\n"))
            if m:
                out[m.group(1)] = m.group(2)
    return out


def listed(doc):
    text = open(doc).read()
    m = re.search(r"<!-- conformance-differences -->(.*?)<!-- /conformance-differences -->",
                  text, re.S)
    if not m:
        sys.exit(f"{doc}: no conformance-differences block")
    return set(re.findall(r"^\|\s*`([^`]+)`\s*\|", m.group(1), re.M))


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--emulated", required=True, help="console log of the emulated-RMM run")
    p.add_argument("--tf-rmm", required=True, help="console log of the TF-RMM run")
    p.add_argument("--doc", required=True, help="docs/realm.md")
    a = p.parse_args()

    emu, real, allowed = cases(a.emulated), cases(a.tf_rmm), listed(a.doc)
    errors = []
    if not emu or not real:
        errors.append(f"no cases: {len(emu)} in the emulated run, {len(real)} under TF-RMM")
    for name in sorted(set(emu) | set(real)):
        e, r = emu.get(name, "(missing)"), real.get(name, "(missing)")
        if e == r:
            if name in allowed:
                errors.append(f"{name}: listed as a difference but both answer {e}")
            continue
        if name in allowed:
            print(f"listed   {name}\n  emulated {e}\n  tf-rmm   {r}")
        else:
            errors.append(f"{name}: unlisted difference\n  emulated {e}\n  tf-rmm   {r}")
    for name in sorted(allowed - set(emu) - set(real)):
        errors.append(f"{name}: listed in {a.doc} but no run has such a case")
    differ = sum(1 for n in set(emu) | set(real) if emu.get(n) != real.get(n))
    print(f"conformance: {len(set(emu) | set(real))} cases, {differ} differences, "
          f"{len(errors)} unlisted or stale")
    for e in errors:
        print("FAIL: " + e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
