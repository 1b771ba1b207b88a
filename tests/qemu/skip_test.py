#!/usr/bin/env python3
"""A test that cannot run on this machine: say which and why, and exit with
ctest's skip code (77), so it is counted as skipped, never as passed."""
import sys

name, reason = sys.argv[1], " ".join(sys.argv[2:])
print(f"ccdma-skip: {name}: {reason}")
sys.exit(77)
