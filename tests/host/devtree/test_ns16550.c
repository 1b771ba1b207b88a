/* SPDX-License-Identifier: MIT */
/*
 * The 16550 console driver against a fake UART on the host MMIO model: the
 * register layout for each reg-shift and width, the bytes that reach the
 * transmitter, and a UART that never drains (every wait bounded).
 */
#include <string.h>

#include "check.h"
#include "drivers/ns16550/ns16550.h"
#include "host_mmio.h"

#define BASE 0x1000000u
#define LSR_THRE 0x20u
#define LSR_TEMT 0x40u

struct fake_uart {
    unsigned int shift, width;
    uint8_t reg[8];
    char out[64];
    unsigned int nout;
    unsigned int lsr_reads;
    bool stuck;          /* the transmitter never has room */
    unsigned int misses; /* accesses at an offset or width that is not a register */
};

static struct fake_uart U;

static int reg_of(uint64_t off, unsigned int width)
{
    if (width != U.width || off % (1u << U.shift) || (off >> U.shift) > 7)
        return -1;
    return (int)(off >> U.shift);
}

static uint8_t rd(uint64_t off, unsigned int width)
{
    int r = reg_of(off, width);

    if (r < 0) {
        U.misses++;
        return 0xff;
    }
    if (r == 5) {
        U.lsr_reads++;
        return U.stuck ? 0 : (uint8_t)(LSR_THRE | LSR_TEMT);
    }
    return U.reg[r];
}

static void wr(uint64_t off, unsigned int width, uint8_t v)
{
    int r = reg_of(off, width);

    if (r < 0) {
        U.misses++;
        return;
    }
    if (r == 0 && U.nout < sizeof(U.out))
        U.out[U.nout++] = (char)v;
    U.reg[r] = v;
}

static uint32_t op_read32(void *ctx, uint64_t off) { (void)ctx; return rd(off, 4); }
static void op_write32(void *ctx, uint64_t off, uint32_t v) { (void)ctx; wr(off, 4, (uint8_t)v); }
static uint8_t op_read8(void *ctx, uint64_t off) { (void)ctx; return rd(off, 1); }
static void op_write8(void *ctx, uint64_t off, uint8_t v) { (void)ctx; wr(off, 1, v); }

static const struct host_mmio_ops ops = {
    .read32 = op_read32, .write32 = op_write32, .read8 = op_read8, .write8 = op_write8,
};

static void run(unsigned int shift, unsigned int width, const char *name)
{
    struct ns16550 u = {BASE, shift, width};
    bool ok = true;

    memset(&U, 0, sizeof(U));
    U.shift = shift;
    U.width = width;
    host_mmio_register(BASE, 8u << shift, &ops, NULL);
    ns16550_init(&u);
    check(U.reg[1] == 0 && U.reg[3] == 0x03 && (U.reg[2] & 1) && U.misses == 0,
          name, "IER=0x%x LCR=0x%x FCR=0x%x misses=%u", U.reg[1], U.reg[3], U.reg[2], U.misses);
    for (const char *s = "hello\n"; *s; s++)
        ok &= ns16550_putc(&u, *s);
    ns16550_flush(&u);
    check(ok && U.nout == 6 && memcmp(U.out, "hello\n", 6) == 0 && U.misses == 0,
          "the bytes reach the transmitter in order", "n=%u misses=%u", U.nout, U.misses);
    host_mmio_unregister(BASE);
}

int main(void)
{
    struct ns16550 u = {BASE, 0, 1};

    run(0, 1, "8-bit registers, 1 byte apart (kvmtool): 8N1, FIFOs on, interrupts off");
    run(2, 4, "32-bit registers, 4 bytes apart: 8N1, FIFOs on, interrupts off");

    memset(&U, 0, sizeof(U));
    U.width = 1;
    U.stuck = true;
    host_mmio_register(BASE, 8, &ops, NULL);
    ns16550_init(&u);
    bool sent = ns16550_putc(&u, 'x');
    check(!sent && U.nout == 0 && U.lsr_reads > 1000,
          "a transmitter that never has room: putc gives up after a bounded wait",
          "sent=%d out=%u lsr_reads=%u", sent, U.nout, U.lsr_reads);
    unsigned int before = U.lsr_reads;
    ns16550_flush(&u);
    check(U.lsr_reads > before && U.nout == 0,
          "flush of a stuck UART polls, bounded, and returns", "lsr_reads %u -> %u", before,
          U.lsr_reads);
    host_mmio_unregister(BASE);
    check(host_mmio_strays() == 0, "no access outside the UART", "strays=%llu",
          (unsigned long long)host_mmio_strays());
    return check_summary();
}
