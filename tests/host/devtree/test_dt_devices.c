/* SPDX-License-Identifier: MIT */
/*
 * The console and PCI bridge that boot/dt_platform.c takes from a device
 * tree, for the machines ccdma boots on (QEMU virt, kvmtool) and for trees
 * that lie: each tree is built here with libfdt, parsed, and the result
 * checked field by field, including what was refused and counted.
 */
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>

#include "boot/dt_platform.h"
#include "check.h"

#define TREE_SIZE 8192

static char tree[TREE_SIZE];

static void put_reg(int node, uint64_t base, uint64_t size)
{
    fdt32_t reg[4] = {cpu_to_fdt32((uint32_t)(base >> 32)), cpu_to_fdt32((uint32_t)base),
                      cpu_to_fdt32((uint32_t)(size >> 32)), cpu_to_fdt32((uint32_t)size)};
    fdt_setprop(tree, node, "reg", reg, sizeof(reg));
}

/* A root with 2/2 cells and 1 GiB of RAM at 0x8000_0000 (kvmtool's). */
static void tree_begin(void)
{
    int mem;

    fdt_create_empty_tree(tree, TREE_SIZE);
    fdt_setprop_u32(tree, 0, "#address-cells", 2);
    fdt_setprop_u32(tree, 0, "#size-cells", 2);
    mem = fdt_add_subnode(tree, 0, "memory@80000000");
    fdt_setprop_string(tree, mem, "device_type", "memory");
    put_reg(mem, 0x80000000ull, 0x40000000ull);
    fdt_add_subnode(tree, 0, "chosen");
}

static int add_uart(const char *name, const char *compat, uint64_t base, uint64_t size)
{
    int n = fdt_add_subnode(tree, 0, name);

    fdt_setprop_string(tree, n, "compatible", compat);
    put_reg(n, base, size);
    return n;
}

static void set_stdout(const char *path)
{
    fdt_setprop_string(tree, fdt_path_offset(tree, "/chosen"), "stdout-path", path);
}

static bool parse(struct dt_platform *p, unsigned int *skipped)
{
    *skipped = 0;
    return dt_platform_parse(tree, TREE_SIZE, p, skipped) == 0;
}

static void test_consoles(void)
{
    struct dt_platform p;
    unsigned int skipped;
    int n, aliases;
    bool ok;

    /* kvmtool: a 16550 with an 8-byte window, named through an alias. */
    tree_begin();
    add_uart("U6_16550A@1000000", "ns16550a", 0x1000000, 8);
    aliases = fdt_add_subnode(tree, 0, "aliases");
    fdt_setprop_string(tree, aliases, "serial0", "/U6_16550A@1000000");
    set_stdout("serial0");
    ok = parse(&p, &skipped);
    check(ok && p.has_uart && p.uart.kind == DT_UART_NS16550 &&
              p.uart.base == 0x1000000 && p.uart.size == 8 && p.uart.reg_shift == 0 &&
              p.uart.io_width == 1 && skipped == 0,
          "kvmtool's 16550 through the serial0 alias", "has=%d kind=%d base=0x%llx",
          p.has_uart, (int)p.uart.kind, (unsigned long long)p.uart.base);

    /* 32-bit registers 4 bytes apart (DesignWare style boards). */
    tree_begin();
    n = add_uart("serial@9000000", "ns16550a", 0x9000000, 0x20);
    fdt_setprop_u32(tree, n, "reg-shift", 2);
    fdt_setprop_u32(tree, n, "reg-io-width", 4);
    set_stdout("/serial@9000000:115200n8");
    ok = parse(&p, &skipped);
    check(ok && p.has_uart && p.uart.reg_shift == 2 && p.uart.io_width == 4,
          "reg-shift 2, reg-io-width 4, options after the path", "shift=%u width=%u",
          p.uart.reg_shift, p.uart.io_width);

    /* The same registers in a window too small for them. */
    fdt_setprop_u32(tree, n, "reg-shift", 2);
    put_reg(n, 0x9000000, 0x10);
    ok = parse(&p, &skipped);
    check(ok && !p.has_uart && skipped == 1,
          "a 16550 window smaller than its registers is refused and counted",
          "has=%d skipped=%u", p.has_uart, skipped);

    /* A width the driver cannot do. */
    put_reg(n, 0x9000000, 0x20);
    fdt_setprop_u32(tree, n, "reg-io-width", 2);
    ok = parse(&p, &skipped);
    check(ok && !p.has_uart && skipped == 1,
          "reg-io-width 2 is refused and counted", "has=%d skipped=%u", p.has_uart, skipped);

    /* A UART over RAM would remap the runtime's own memory as Device. */
    tree_begin();
    add_uart("serial@80001000", "ns16550a", 0x80001000, 8);
    set_stdout("/serial@80001000");
    ok = parse(&p, &skipped);
    check(ok && !p.has_uart && skipped == 1,
          "a console window inside RAM is refused", "has=%d skipped=%u", p.has_uart, skipped);

    /* A UART this runtime has no driver for: no console, and no guess. */
    tree_begin();
    add_uart("serial@9000000", "snps,dw-apb-uart-x", 0x9000000, 0x100);
    set_stdout("/serial@9000000");
    ok = parse(&p, &skipped);
    check(ok && !p.has_uart && p.uart.base == 0,
          "an unknown console: none, nothing guessed", "has=%d base=0x%llx", p.has_uart,
          (unsigned long long)p.uart.base);

    /* QEMU's PL011 still needs its page-sized window. */
    tree_begin();
    add_uart("pl011@9000000", "arm,pl011", 0x9000000, 0x1000);
    set_stdout("/pl011@9000000");
    ok = parse(&p, &skipped);
    check(ok && p.has_uart && p.uart.kind == DT_UART_PL011,
          "QEMU's PL011", "has=%d kind=%d", p.has_uart, (int)p.uart.kind);
    put_reg(fdt_path_offset(tree, "/pl011@9000000"), 0x9000000, 0x100);
    ok = parse(&p, &skipped);
    check(ok && !p.has_uart && skipped == 1,
          "a PL011 window below a page is refused", "has=%d skipped=%u", p.has_uart, skipped);

    /* No stdout-path at all: no console. */
    tree_begin();
    add_uart("pl011@9000000", "arm,pl011", 0x9000000, 0x1000);
    ok = parse(&p, &skipped);
    check(ok && !p.has_uart, "no stdout-path: no console", "has=%d",
          p.has_uart);
}

/* A pci-host-ecam-generic node; ranges is given as (space, pci, cpu, size). */
struct range { uint32_t space; uint64_t pci, cpu, size; };

static int add_bridge(uint64_t ecam, uint64_t ecam_size, uint32_t bus_last,
                      const struct range *r, unsigned int nr)
{
    fdt32_t cells[7 * 4];
    fdt32_t bus[2] = {cpu_to_fdt32(0), cpu_to_fdt32(bus_last)};
    int n = fdt_add_subnode(tree, 0, "pcie@10000000");

    fdt_setprop_string(tree, n, "compatible", "pci-host-ecam-generic");
    fdt_setprop_string(tree, n, "device_type", "pci");
    fdt_setprop_u32(tree, n, "#address-cells", 3);
    fdt_setprop_u32(tree, n, "#size-cells", 2);
    fdt_setprop(tree, n, "bus-range", bus, sizeof(bus));
    put_reg(n, ecam, ecam_size);
    for (unsigned int i = 0; i < nr; i++) {
        fdt32_t *c = cells + 7 * i;
        c[0] = cpu_to_fdt32(r[i].space << 24);
        c[1] = cpu_to_fdt32((uint32_t)(r[i].pci >> 32));
        c[2] = cpu_to_fdt32((uint32_t)r[i].pci);
        c[3] = cpu_to_fdt32((uint32_t)(r[i].cpu >> 32));
        c[4] = cpu_to_fdt32((uint32_t)r[i].cpu);
        c[5] = cpu_to_fdt32((uint32_t)(r[i].size >> 32));
        c[6] = cpu_to_fdt32((uint32_t)r[i].size);
    }
    fdt_setprop(tree, n, "ranges", cells, (int)(nr * 7 * sizeof(fdt32_t)));
    return n;
}

static void test_pci_bridge(void)
{
    /* QEMU virt's ranges: I/O, 32-bit memory, 64-bit memory. */
    static const struct range qemu[] = {
        {1, 0, 0x3eff0000, 0x10000},
        {2, 0x10000000, 0x10000000, 0x2eff0000},
        {3, 0x8000000000, 0x8000000000, 0x8000000000},
    };
    struct dt_platform p;
    unsigned int skipped;
    int n;
    bool ok;

    tree_begin();
    add_bridge(0x4010000000, 0x10000000, 255, qemu, 3);
    ok = parse(&p, &skipped);
    check(ok && p.has_pci && p.pci.ecam == 0x4010000000 &&
              p.pci.bus_first == 0 && p.pci.bus_last == 255 &&
              p.pci.mem32.cpu == 0x10000000 && p.pci.mem32.size == 0x2eff0000 &&
              p.pci.mem64.pci == 0x8000000000 && skipped == 0,
          "QEMU's bridge: ECAM, buses, both memory windows, I/O left out",
          "has=%d ecam=0x%llx mem32=0x%llx+0x%llx", p.has_pci, (unsigned long long)p.pci.ecam,
          (unsigned long long)p.pci.mem32.cpu, (unsigned long long)p.pci.mem32.size);

    /* highmem=off: 16 MiB of ECAM for bus-range 0..255: only 16 buses. */
    tree_begin();
    add_bridge(0x3f000000, 0x1000000, 255, qemu + 1, 1);
    ok = parse(&p, &skipped);
    check(ok && p.has_pci && p.pci.bus_last == 15 &&
              p.pci.ecam_size == 0x1000000 && p.pci.mem64.size == 0,
          "buses clamped to what the ECAM covers", "bus_last=%u size=0x%llx",
          (unsigned int)p.pci.bus_last, (unsigned long long)p.pci.ecam_size);

    /* A 32-bit window that runs past 4 GiB in PCI space. */
    struct range bad32 = {2, 0xf0000000, 0x10000000, 0x20000000};
    tree_begin();
    add_bridge(0x3f000000, 0x1000000, 15, &bad32, 1);
    ok = parse(&p, &skipped);
    check(ok && !p.has_pci && skipped == 1,
          "a 32-bit window past 4 GiB refuses the bridge", "has=%d skipped=%u", p.has_pci,
          skipped);

    /* A window over RAM: BARs placed there would remap the runtime's memory. */
    struct range over_ram = {2, 0x80000000, 0x80000000, 0x1000000};
    tree_begin();
    add_bridge(0x3f000000, 0x1000000, 15, &over_ram, 1);
    ok = parse(&p, &skipped);
    check(ok && !p.has_pci && skipped == 1, "a window over RAM is refused",
          "has=%d skipped=%u", p.has_pci, skipped);

    /* ECAM over RAM. */
    tree_begin();
    add_bridge(0x80000000, 0x1000000, 15, qemu + 1, 1);
    ok = parse(&p, &skipped);
    check(ok && !p.has_pci && skipped == 1, "an ECAM over RAM is refused",
          "has=%d skipped=%u", p.has_pci, skipped);

    /* Only I/O space: nothing to place a memory BAR in. */
    tree_begin();
    add_bridge(0x3f000000, 0x1000000, 15, qemu, 1);
    ok = parse(&p, &skipped);
    check(ok && !p.has_pci && skipped == 1,
          "no memory window refuses the bridge", "has=%d skipped=%u", p.has_pci, skipped);

    /* Wrong cells for a PCI node. */
    tree_begin();
    n = add_bridge(0x3f000000, 0x1000000, 15, qemu + 1, 1);
    fdt_setprop_u32(tree, n, "#address-cells", 2);
    ok = parse(&p, &skipped);
    check(ok && !p.has_pci && skipped == 1,
          "#address-cells other than 3 refuses the bridge", "has=%d", p.has_pci);

    /* A window whose end wraps. */
    struct range wrap = {3, 0xfffffffffff00000ull, 0xfffffffffff00000ull, 0x200000};
    tree_begin();
    add_bridge(0x3f000000, 0x1000000, 15, &wrap, 1);
    ok = parse(&p, &skipped);
    check(ok && !p.has_pci && skipped == 1, "a wrapping window is refused",
          "has=%d", p.has_pci);
}

int main(void)
{
    test_consoles();
    test_pci_bridge();
    return check_summary();
}
