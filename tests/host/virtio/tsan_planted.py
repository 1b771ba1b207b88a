#!/usr/bin/env python3
"""The TSan build must report the planted race, and only it.

Usage: tsan_planted.py SOURCE MARKER -- COMMAND...

The planted store is the line of SOURCE that holds MARKER. The run must
end with ThreadSanitizer's exit status (66), every race it reports must
have that line as one side, and the other side must be the driver's read
of the status byte (vq_sh_dev_u8): a race anywhere else, a missing report
or another exit status fails.
"""
import os
import re
import subprocess
import sys

TSAN_EXIT = 66


def main():
    sep = sys.argv.index("--")
    source, marker = sys.argv[1], sys.argv[2]
    cmd = sys.argv[sep + 1:]
    lines = [i + 1 for i, text in enumerate(open(source)) if marker in text]
    if len(lines) != 1:
        print(f"FAIL: {len(lines)} lines of {source} hold {marker!r}, want exactly one")
        return 1
    where = f"{os.path.basename(source)}:{lines[0]}"
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=110)
    out = p.stdout + p.stderr
    problems = []
    if p.returncode != TSAN_EXIT:
        problems.append(f"exit status {p.returncode}, expected {TSAN_EXIT} (ThreadSanitizer's)")
    reports = re.split(r"^WARNING: ThreadSanitizer: ", out, flags=re.M)[1:]
    if not reports:
        problems.append("no ThreadSanitizer report")
    for n, rep in enumerate(reports, 1):
        kind = rep.splitlines()[0]
        if not kind.startswith("data race"):
            problems.append(f"report {n} is not a data race: {kind}")
            continue
        # The two accesses are the first frame (#0) of each stack.
        tops = re.findall(r"^\s+#0 (\S+) (\S+)", rep, re.M)[:2]
        sides = {f"{fn} {os.path.basename(loc).rsplit(' ', 1)[0]}" for fn, loc in tops}
        if not any(where in s for s in sides):
            problems.append(f"report {n}: a race not at the planted store {where}: {sorted(sides)}")
        elif not any(s.startswith("vq_sh_dev_u8 ") for s in sides):
            problems.append(f"report {n}: the planted store raced with {sorted(sides)}, not the "
                            "driver's status read")
    for pr in problems:
        print("FAIL: " + pr)
    if problems:
        print(out[-4000:])
        return 1
    print(f"PASS: {len(reports)} report(s), each the planted store at {where} against "
          "vq_sh_dev_u8, exit status 66")
    return 0


if __name__ == "__main__":
    sys.exit(main())
