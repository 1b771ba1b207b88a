/* SPDX-License-Identifier: MIT */
/*
 * The disk contents the QEMU harness and the firmware agree on
 * (tests/qemu/disk_pattern.py is the other half; keep them in step).
 *
 *  - sectors [0, DISK_READ_SECTORS): written by the harness before boot;
 *    word w of sector s is disk_read_word(s, w). The firmware reads and
 *    verifies them and must not change them.
 *  - sectors [DISK_WRITE_FIRST, +DISK_WRITE_SECTORS): written by the
 *    firmware with disk_write_word(s, w), flushed; the harness checks them
 *    in the image file after QEMU exits.
 */
#ifndef CCDMA_TESTS_DISK_PATTERN_H
#define CCDMA_TESTS_DISK_PATTERN_H

#include <stdint.h>

#define DISK_SECTOR 512u
#define DISK_SECTORS 8192u         /* 4 MiB image */
#define DISK_READ_SECTORS 2048u    /* 1 MiB of known content */
#define DISK_WRITE_FIRST 4096u
#define DISK_WRITE_SECTORS 1024u   /* 512 KiB written by the firmware */

static inline uint64_t disk_read_word(uint64_t sector, uint64_t word)
{
    return 0xccd0000000000000ull ^ (sector << 20) ^ (word * 0x9e3779b1ull);
}

static inline uint64_t disk_write_word(uint64_t sector, uint64_t word)
{
    return 0x5752495445000000ull ^ (sector << 20) ^ (word * 0x85ebca6bull);
}

#endif
