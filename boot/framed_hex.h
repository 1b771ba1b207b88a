/* SPDX-License-Identifier: MIT */
/* Bytes for a harness to take off the console whole: "PREFIX<hex>" lines of
 * 64 bytes, then "PREFIXend". Used by the realm (its attestation token) and
 * the host (the DTB of its launch record). */
#ifndef CCDMA_BOOT_FRAMED_HEX_H
#define CCDMA_BOOT_FRAMED_HEX_H

#include <stddef.h>

void framed_hex_print(const char *prefix, const void *data, size_t len);

#endif
