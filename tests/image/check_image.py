#!/usr/bin/env python3
"""Check a firmware image we cannot boot here (FVP): entry point, load
addresses and the arm64 Image header, with the toolchain's readelf.

Fails unless: the ELF entry point is the load base; every PT_LOAD segment has
VirtAddr == PhysAddr within [load base, load base + 16 MiB); the raw image
starts with an arm64 Image header whose magic is "ARM\\x64", whose text_offset
is load base - RAM base and whose image_size covers the file; and, when a
built-in DTB is named, its FDT header is valid and it names the UART.
"""
import argparse
import re
import struct
import subprocess
import sys


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--readelf", required=True)
    p.add_argument("--elf", required=True)
    p.add_argument("--bin", required=True)
    p.add_argument("--load-base", type=lambda v: int(v, 0), required=True)
    p.add_argument("--ram-base", type=lambda v: int(v, 0), required=True)
    p.add_argument("--dtb")
    p.add_argument("--dtb-expect", action="append", default=[],
                   help="bytes that must appear in the DTB (e.g. a node name)")
    a = p.parse_args()
    errors = []

    hdr = subprocess.run([a.readelf, "-h", "-l", "-W", a.elf], check=True,
                         capture_output=True, text=True).stdout
    m = re.search(r"Entry point address:\s+(0x[0-9a-f]+)", hdr)
    entry = int(m.group(1), 16) if m else None
    print(f"entry point: {entry:#x}" if entry is not None else "entry point: ?")
    if entry != a.load_base:
        errors.append(f"entry point {entry} != load base {a.load_base:#x}")
    loads = re.findall(r"^\s+LOAD\s+\S+\s+(0x[0-9a-f]+)\s+(0x[0-9a-f]+)\s+\S+\s+(0x[0-9a-f]+)",
                       hdr, re.M)
    if not loads:
        errors.append("no PT_LOAD segments")
    for vaddr, paddr, memsz in loads:
        v, ph, sz = int(vaddr, 16), int(paddr, 16), int(memsz, 16)
        print(f"PT_LOAD vaddr={v:#x} paddr={ph:#x} memsz={sz:#x}")
        if v != ph:
            errors.append(f"segment at {v:#x} loads at {ph:#x}: not identity")
        if not (a.load_base <= v and v + sz <= a.load_base + (16 << 20)):
            errors.append(f"segment {v:#x}+{sz:#x} outside the image window")

    raw = open(a.bin, "rb").read()
    if len(raw) < 64:
        errors.append("raw image shorter than the Image header")
    else:
        text_offset, image_size = struct.unpack_from("<QQ", raw, 8)
        magic = raw[56:60]
        print(f"Image header: text_offset={text_offset:#x} image_size={image_size:#x} "
              f"magic={magic!r}")
        if magic != b"ARM\x64":
            errors.append("arm64 Image magic missing")
        if text_offset != a.load_base - a.ram_base:
            errors.append(f"text_offset {text_offset:#x} != load base - RAM base")
        if image_size < len(raw):
            errors.append("image_size smaller than the file")

    if a.dtb:
        dtb = open(a.dtb, "rb").read()
        magic, total = struct.unpack_from(">II", dtb, 0)
        print(f"built-in DTB: magic={magic:#x} totalsize={total}")
        if magic != 0xD00DFEED or total != len(dtb):
            errors.append("built-in DTB header invalid")
        if dtb not in raw:
            errors.append("built-in DTB not found inside the image")
        for needle in a.dtb_expect:
            if needle.encode() not in dtb:
                errors.append(f"built-in DTB lacks {needle!r}")

    for e in errors:
        print("FAIL: " + e)
    print("PASS" if not errors else f"{len(errors)} problem(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
