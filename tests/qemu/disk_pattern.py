"""Disk contents the firmware and the harness agree on.

The other half is tests/boot/disk_pattern.h; keep the two in step.
"""
import struct

SECTOR = 512
SECTORS = 8192            # 4 MiB image
READ_SECTORS = 2048       # known content written before boot
WRITE_FIRST = 4096        # region the firmware writes
WRITE_SECTORS = 1024
MASK = (1 << 64) - 1


def read_word(sector, word):
    return (0xCCD0000000000000 ^ (sector << 20) ^ (word * 0x9E3779B1)) & MASK


def write_word(sector, word):
    return (0x5752495445000000 ^ (sector << 20) ^ (word * 0x85EBCA6B)) & MASK


def sector_bytes(fn, sector):
    return struct.pack("<64Q", *(fn(sector, w) for w in range(SECTOR // 8)))


def create(path):
    """A fresh image: known content in the read region, zeros elsewhere."""
    with open(path, "wb") as f:
        for s in range(READ_SECTORS):
            f.write(sector_bytes(read_word, s))
        f.write(bytes(SECTOR * (SECTORS - READ_SECTORS)))


def check(path):
    """Problems found in the image after the firmware ran (empty: good)."""
    problems = []
    data = open(path, "rb").read()
    if len(data) != SECTOR * SECTORS:
        return [f"image is {len(data)} bytes, expected {SECTOR * SECTORS}"]
    for s in range(READ_SECTORS):
        if data[s * SECTOR:(s + 1) * SECTOR] != sector_bytes(read_word, s):
            problems.append(f"read region sector {s} was modified")
            break
    bad = [s for s in range(WRITE_FIRST, WRITE_FIRST + WRITE_SECTORS)
           if data[s * SECTOR:(s + 1) * SECTOR] != sector_bytes(write_word, s)]
    if bad:
        problems.append(f"{len(bad)} of {WRITE_SECTORS} written sectors wrong, first {bad[0]}")
    rest = data[(WRITE_FIRST + WRITE_SECTORS) * SECTOR:]
    if rest.count(0) != len(rest):
        problems.append("bytes past the write region changed")
    return problems
