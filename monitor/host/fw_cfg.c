/* SPDX-License-Identifier: MIT */
/*
 * QEMU's firmware configuration device (docs/specs/fw_cfg.rst in QEMU),
 * MMIO flavour: how the host gets its bootargs when QEMU boots firmware
 * with -bios, where -append is not allowed. The harness passes
 * `-fw_cfg name=opt/ccdma/bootargs,string=...`; the file is found in the
 * device's directory and read byte by byte through the data register.
 * Everything read is host-VMM input: sizes are bounded and the string is
 * always terminated.
 */
#include <libfdt.h>
#include <string.h>

#include "host.h"

#define FW_CFG_DATA 0x0
#define FW_CFG_SELECTOR 0x8
#define FW_CFG_SIGNATURE 0x0000
#define FW_CFG_FILE_DIR 0x0019
#define FW_CFG_NAME_LEN 56
#define FW_CFG_MAX_FILES 256

static uintptr_t base;

static void select_key(uint16_t key)
{
    /* The selector is big-endian in the MMIO interface. */
    *(volatile uint16_t *)(base + FW_CFG_SELECTOR) = (uint16_t)(key >> 8 | key << 8);
}

static void read_bytes(void *dst, size_t n)
{
    for (size_t i = 0; i < n; i++)
        ((uint8_t *)dst)[i] = *(volatile uint8_t *)(base + FW_CFG_DATA);
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static bool find(const void *fdt)
{
    int node = fdt_node_offset_by_compatible(fdt, -1, "qemu,fw-cfg-mmio");
    int len;
    const fdt32_t *reg = node < 0 ? NULL : fdt_getprop(fdt, node, "reg", &len);
    uint64_t addr;
    char sig[4];

    if (reg == NULL || len != 4 * (int)sizeof(*reg))
        return false;
    addr = (uint64_t)fdt32_to_cpu(reg[0]) << 32 | fdt32_to_cpu(reg[1]);
    if (addr == 0 || addr + 0x18 > EL2_DEVICE_TOP)
        return false;
    base = (uintptr_t)addr;
    select_key(FW_CFG_SIGNATURE);
    read_bytes(sig, sizeof(sig));
    return memcmp(sig, "QEMU", 4) == 0;
}

bool fw_cfg_read_string(const void *fdt, const char *name, char *out, size_t max)
{
    uint8_t hdr[4], ent[64];
    uint32_t count;

    if (max == 0 || !find(fdt))
        return false;
    select_key(FW_CFG_FILE_DIR);
    read_bytes(hdr, sizeof(hdr));
    count = be32(hdr);
    for (uint32_t i = 0; i < count && i < FW_CFG_MAX_FILES; i++) {
        uint32_t size;
        uint16_t key;

        read_bytes(ent, sizeof(ent)); /* size, select, reserved, name[56] */
        ent[8 + FW_CFG_NAME_LEN - 1] = '\0';
        if (strcmp((const char *)ent + 8, name) != 0)
            continue;
        size = be32(ent);
        key = (uint16_t)(ent[4] << 8 | ent[5]);
        if (size >= max)
            size = (uint32_t)max - 1;
        select_key(key);
        read_bytes(out, size);
        out[size] = '\0';
        return true;
    }
    return false;
}
