/* SPDX-License-Identifier: MIT */
/*
 * The disk contents the QEMU and kvmtool harnesses and the firmware agree
 * on (tests/qemu/disk_pattern.py is the other half; keep them in step).
 * This is the one list of what a self-test may write (docs/boot.md, "The
 * test disk").
 *
 * A disk is a test disk only if sector DISK_SIG_SECTOR holds the
 * signature the harness writes: DISK_SIG_MAGIC, NUL-padded to 64 bytes,
 * then the disk's salt (32-bit little-endian) at byte 64. The capacity
 * proves nothing. A disk without the signature is never written, nor is
 * a read-only one; a test disk must hold at least DISK_SECTORS sectors.
 *
 * On a test disk:
 *  - sectors [0, DISK_READ_SECTORS): written by the harness before boot;
 *    word w of sector s is disk_read_word(s, w). Read and verified, never
 *    written.
 *  - sector DISK_SIG_SECTOR: the signature. Read, never written.
 *  - sectors [DISK_WRITE_FIRST, +DISK_WRITE_SECTORS): written by the
 *    virtio_blk self-test with disk_salted_word(salt, s, w), flushed; the
 *    harness checks them in the image file after the run.
 *  - sectors [DISK_SCRATCH_FIRST, +DISK_SCRATCH_SECTORS): the leak scan
 *    writes canaries there and then puts back what it read first; the
 *    harness checks they end as they began.
 * Every other byte of every disk is never written.
 */
#ifndef CCDMA_TESTS_DISK_PATTERN_H
#define CCDMA_TESTS_DISK_PATTERN_H

#include <stdint.h>

#define DISK_SECTOR 512u
#define DISK_SECTORS 8192u         /* 4 MiB: the least a test disk holds */
#define DISK_READ_SECTORS 2048u    /* 1 MiB of known content */
#define DISK_SIG_SECTOR 2048u
#define DISK_SIG_MAGIC "ccdma self-test disk, layout 1: the self-tests may write it\n"
#define DISK_SIG_SALT_OFF 64u
#define DISK_WRITE_FIRST 4096u
#define DISK_WRITE_SECTORS 1024u   /* 512 KiB written by the firmware */
#define DISK_SCRATCH_FIRST 5184u
#define DISK_SCRATCH_SECTORS 32u   /* 16 KiB, written and restored */

static inline uint64_t disk_read_word(uint64_t sector, uint64_t word)
{
    return 0xccd0000000000000ull ^ (sector << 20) ^ (word * 0x9e3779b1ull);
}

static inline uint64_t disk_write_word(uint64_t sector, uint64_t word)
{
    return 0x5752495445000000ull ^ (sector << 20) ^ (word * 0x85ebca6bull);
}

/* The write pattern of the disk with this salt (salt 0: disk_write_word),
 * so a write that lands on the wrong one of several disks shows. */
static inline uint64_t disk_salted_word(uint32_t salt, uint64_t sector, uint64_t word)
{
    return disk_write_word(sector, word) ^ ((uint64_t)salt << 8);
}

#endif
