#!/usr/bin/env python3
"""Check that a self-relocating image needs nothing but what it applies.

boot/head.S applies R_AARCH64_RELATIVE entries, adding the load offset to
each. An entry of any other kind would be left undone, and a RELATIVE entry
whose value lies outside the image is an absolute quantity (a size, a
constant address) that the offset would corrupt: both fail the build.
"""
import re
import subprocess
import sys


def main():
    readelf, elf = sys.argv[1], sys.argv[2]
    syms = subprocess.run([readelf, "-sW", elf], capture_output=True, text=True, check=True).stdout
    addr = {}
    for line in syms.splitlines():
        f = line.split()
        if len(f) >= 8 and f[7] in ("__image_start", "__image_end"):
            addr[f[7]] = int(f[1], 16)
    lo, hi = addr["__image_start"], addr["__image_end"]
    out = subprocess.run([readelf, "-rW", elf], capture_output=True, text=True, check=True).stdout
    bad, n = [], 0
    for line in out.splitlines():
        m = re.match(r"^([0-9a-f]+)\s+[0-9a-f]+\s+(R_AARCH64_\w+)\s*(.*)$", line)
        if not m:
            continue
        kind, rest = m.group(2), m.group(3).split()
        if kind == "R_AARCH64_NONE":
            continue
        n += 1
        value = int(rest[-1], 16) if rest else 0
        if kind != "R_AARCH64_RELATIVE" or len(rest) != 1:
            bad.append(f"{m.group(1)}: {kind} {' '.join(rest)} (only RELATIVE is applied)")
        elif not lo <= value <= hi:
            bad.append(f"{m.group(1)}: RELATIVE to 0x{value:x}, outside the image: an absolute "
                       f"value that relocation would shift")
    for b in bad:
        print(f"check_relocs: {elf}: {b}")
    if bad:
        return 1
    print(f"check_relocs: {n} R_AARCH64_RELATIVE entries, all inside the image")
    return 0


if __name__ == "__main__":
    sys.exit(main())
