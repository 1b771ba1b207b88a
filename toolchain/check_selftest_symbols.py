#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Check with nm whether an archive holds self-test or test-environment code.

  check_selftest_symbols.py NM ARCHIVE --expect none|some

A self-test's symbols are the runner's (selftests_run, st_check, st_skip,
st_note), each test's registration record and body (selftest_NAME, st_NAME,
from SELFTEST() in ccdma/selftest.h) and the test environment's (test_*).
--expect none: the runtime archive, which must hold none of them.
--expect some: the self-test archive, to show the check finds what it looks
for (so a pass of --expect none means something).
"""
import re
import subprocess
import sys

PATTERN = re.compile(r"^(selftests?_\w+|st_\w+|test_\w+)$")


def main():
    if len(sys.argv) != 5 or sys.argv[3] != "--expect" or sys.argv[4] not in ("none", "some"):
        sys.exit(__doc__.strip())
    nm, archive, expect = sys.argv[1], sys.argv[2], sys.argv[4]
    out = subprocess.run([nm, "--defined-only", archive], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"{nm} failed on {archive}: {out.stderr.strip()}")
    found = set()
    member = "?"
    for line in out.stdout.splitlines():
        if line.endswith(":") and not line.startswith(" "):
            member = line[:-1]
            continue
        parts = line.split()
        if len(parts) == 3 and PATTERN.match(parts[2]):
            found.add(f"{member}: {parts[2]}")
    if expect == "none" and found:
        print(f"{archive} holds self-test symbols:")
        print("\n".join(sorted(found)))
        return 1
    if expect == "some" and not found:
        print(f"{archive}: no self-test symbol found; the check would pass vacuously")
        return 1
    print(f"{archive}: {len(found)} self-test symbols (expected {expect})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
