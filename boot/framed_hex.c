/* SPDX-License-Identifier: MIT */
#include "boot/framed_hex.h"

#include <stdint.h>
#include <stdio.h>

#define FRAMED_HEX_LINE 64

void framed_hex_print(const char *prefix, const void *data, size_t len)
{
    const uint8_t *b = data;

    for (size_t off = 0; off < len; off += FRAMED_HEX_LINE) {
        printf("%s", prefix);
        for (size_t i = off; i < len && i < off + FRAMED_HEX_LINE; i++)
            printf("%02x", b[i]);
        printf("\n");
    }
    printf("%send\n", prefix);
}
