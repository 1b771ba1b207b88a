/* SPDX-License-Identifier: MIT */
/*
 * The host's policy from the bootargs (docs/realm.md): what it does where a
 * host may choose. The realm sees the same bootargs; what it must know of
 * the policy the host also advertises in the realm's DTB.
 *
 *   ccdma.inject=LIST     reject (changes to RAM), reject_empty (all
 *                         changes), one_granule (partial progress);
 *                         mmio_over_image, mmio_over_ram (a hostile DTB:
 *                         a device over the image, or over realm RAM);
 *                         virq_storm, virq_unknown (a hostile virtual
 *                         GIC: every device SPI the realm ever enabled,
 *                         or one it never did, pending at every entry);
 *                         rsi_error, token_stall and token_overrun belong
 *                         to the emulated RMM
 *   ccdma.fail_after=N    the above start after N RIPAS changes
 *   ccdma.wipe=0xNN       the byte newly shared pages are filled with
 *   ccdma.strict=0|1      the doorbell check (default on)
 *   ccdma.rmi_trace=1     print every RMI call
 */
#include <stdio.h>
#include <string.h>

#include "host.h"

#define DEFAULT_SHARE_FILL 0xA5

static noreturn void bad_option(const char *key, const char *val)
{
    printf("monitor: bad bootarg %s=%s\n", key, val);
    el2_fatal("unusable ccdma.* bootargs");
}

/* Decimal or 0x-prefixed hex, no sign, no trailing garbage, at most max. */
static bool parse_u64(const char *s, uint64_t max, uint64_t *out)
{
    unsigned int base = 10;
    uint64_t v = 0;

    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    if (*s == '\0')
        return false;
    for (; *s; s++) {
        unsigned int d;

        if (*s >= '0' && *s <= '9')
            d = (unsigned int)(*s - '0');
        else if (base == 16 && (*s | 0x20) >= 'a' && (*s | 0x20) <= 'f')
            d = (unsigned int)((*s | 0x20) - 'a' + 10);
        else
            return false;
        if (v > (max - d) / base)
            return false;
        v = v * base + d;
    }
    *out = v;
    return true;
}

static void parse_inject(char *list, struct host_policy *p)
{
    for (char *tok = list; *tok;) {
        char *end = strchr(tok, ',');

        if (end)
            *end = '\0';
        if (strcmp(tok, "reject") == 0)
            p->reject_ram = true;
        else if (strcmp(tok, "reject_empty") == 0)
            p->reject_ram = p->reject_empty = true;
        else if (strcmp(tok, "one_granule") == 0)
            p->one_granule = true;
        else if (strcmp(tok, "mmio_over_image") == 0)
            p->mmio_over_image = true;
        else if (strcmp(tok, "mmio_over_ram") == 0)
            p->mmio_over_ram = true;
        else if (strcmp(tok, "virq_storm") == 0)
            p->virq_storm = true;
        else if (strcmp(tok, "virq_unknown") == 0)
            p->virq_unknown = true;
        else if (strcmp(tok, "rsi_error") != 0 && strcmp(tok, "token_stall") != 0 &&
                 strcmp(tok, "token_overrun") != 0) /* the emulated RMM's knobs */
            bad_option("ccdma.inject", tok);
        tok = end ? end + 1 : tok + strlen(tok);
    }
}

static uint64_t number(const struct dt_platform *dt, const char *key, uint64_t max,
                       uint64_t dflt)
{
    char val[DT_BOOTARGS_MAX];
    uint64_t n;

    if (!dt_bootarg(dt, key, val, sizeof(val)))
        return dflt;
    if (!parse_u64(val, max, &n))
        bad_option(key, val);
    return n;
}

void options_parse(const struct dt_platform *dt, struct host_policy *p)
{
    char val[DT_BOOTARGS_MAX];

    *p = (struct host_policy){0};
    if (dt_bootarg(dt, "ccdma.inject", val, sizeof(val)))
        parse_inject(val, p);
    p->fail_after = (uint32_t)number(dt, "ccdma.fail_after", UINT32_MAX, 0);
    p->share_fill = (uint8_t)number(dt, "ccdma.wipe", UINT8_MAX, DEFAULT_SHARE_FILL);
    p->strict = number(dt, "ccdma.strict", 1, 1) != 0;
    p->trace_rmi = number(dt, "ccdma.rmi_trace", 1, 0) != 0;
}

void options_print(const struct host_policy *p)
{
    printf("monitor: strict=%d wipe=0x%02x inject=%s%s%s%s fail_after=%u\n", p->strict,
           p->share_fill, p->reject_empty ? "reject_empty" : p->reject_ram ? "reject" : "",
           (p->reject_ram && p->one_granule) ? "," : "", p->one_granule ? "one_granule" : "",
           (!p->reject_ram && !p->one_granule) ? "none" : "", (unsigned int)p->fail_after);
    if (p->virq_storm || p->virq_unknown)
        printf("monitor: hostile vgic: %s injected at every entry\n",
               p->virq_storm ? "the device SPIs the realm enabled, whatever it disables,"
                             : "an SPI the realm never enabled");
    if (p->mmio_over_image || p->mmio_over_ram)
        printf("monitor: hostile DTB: a virtio-mmio node over the realm's %s\n",
               p->mmio_over_image ? "image" : "RAM");
}
