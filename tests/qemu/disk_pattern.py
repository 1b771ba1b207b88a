"""Disk contents the firmware and the harnesses agree on.

The other half, and the list of every region a self-test may write, is
tests/boot/disk_pattern.h; keep the two in step.
"""
import os
import struct

SECTOR = 512
SECTORS = 8192            # 4 MiB: the least a test disk holds
READ_SECTORS = 2048       # known content written before boot
SIG_SECTOR = 2048         # the test-disk signature
SIG_MAGIC = b"ccdma self-test disk, layout 1: the self-tests may write it\n"
SIG_SALT_OFF = 64
WRITE_FIRST = 4096        # region the virtio_blk self-test writes
WRITE_SECTORS = 1024
SCRATCH_FIRST = 5184      # region the leak scan writes and restores
SCRATCH_SECTORS = 32
MASK = (1 << 64) - 1


def read_word(sector, word):
    return (0xCCD0000000000000 ^ (sector << 20) ^ (word * 0x9E3779B1)) & MASK


def write_word(sector, word):
    return (0x5752495445000000 ^ (sector << 20) ^ (word * 0x85EBCA6B)) & MASK


def salted_word(salt):
    return lambda sector, word: write_word(sector, word) ^ (salt << 8)


def sector_bytes(fn, sector):
    return struct.pack("<64Q", *(fn(sector, w) for w in range(SECTOR // 8)))


def signature(salt):
    return (SIG_MAGIC.ljust(SIG_SALT_OFF, b"\0") + struct.pack("<I", salt)).ljust(SECTOR, b"\0")


def create(path, signed=True, salt=0, sectors=SECTORS, fill="zero"):
    """Write a fresh image and return its bytes. signed: a test disk (the
    known read region and the signature); fill: what every other byte
    holds, zeros or random data."""
    if signed and sectors < SECTORS:
        raise ValueError(f"a test disk holds at least {SECTORS} sectors")
    data = bytearray(os.urandom(SECTOR * sectors) if fill == "random" else SECTOR * sectors)
    if signed:
        for s in range(READ_SECTORS):
            data[s * SECTOR:(s + 1) * SECTOR] = sector_bytes(read_word, s)
        data[SIG_SECTOR * SECTOR:(SIG_SECTOR + 1) * SECTOR] = signature(salt)
    with open(path, "wb") as f:
        f.write(data)
    return bytes(data)


def check(path, before, written, salt=0):
    """Problems found in the image after the firmware ran (empty: good).
    written: the write region must hold the salted write pattern; every
    other byte (all of them when not written) must be as before."""
    data = open(path, "rb").read()
    if len(data) != len(before):
        return [f"image is {len(data)} bytes, was {len(before)}"]
    problems = []
    lo, hi = WRITE_FIRST * SECTOR, (WRITE_FIRST + WRITE_SECTORS) * SECTOR
    if written:
        fn = salted_word(salt)
        bad = [s for s in range(WRITE_FIRST, WRITE_FIRST + WRITE_SECTORS)
               if data[s * SECTOR:(s + 1) * SECTOR] != sector_bytes(fn, s)]
        if bad:
            problems.append(f"{len(bad)} of {WRITE_SECTORS} written sectors wrong, first {bad[0]}")
        outside = [(0, lo), (hi, len(data))]
    else:
        outside = [(0, len(data))]
    for a, b in outside:
        if data[a:b] != before[a:b]:
            first = next(i for i in range(a, b) if data[i] != before[i])
            problems.append(f"byte {first} (sector {first // SECTOR}) changed, outside what "
                            "the self-tests may write")
    return problems
