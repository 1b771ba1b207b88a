/* SPDX-License-Identifier: MIT */
/*
 * What the runtime learns from the device tree. The DTB comes from the host
 * (or the loader), so every value is validated here before anyone uses it:
 * cell counts, lengths, overflow, alignment and limits. Portable C over
 * libfdt, so the host build can fuzz it.
 */
#ifndef CCDMA_BOOT_DT_PLATFORM_H
#define CCDMA_BOOT_DT_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DT_MAX_MEM 8
#define DT_MAX_RESERVED 16
/* QEMU virt has 32 transports; room above that for a tree that adds some. */
#define DT_MAX_VIRTIO 48
#define DT_BOOTARGS_MAX 256
#define DT_MAX_CPUS 8

struct dt_range {
    uint64_t base;
    uint64_t size;
};

struct dt_virtio {
    uint64_t base;
    uint64_t size;
    uint32_t intid; /* GIC INTID, 0 when none was given */
    bool edge;      /* its trigger: edge (else level) */
};

/* The interrupt controller /intc names: a GICv2 (distributor and CPU
 * interface) or a GICv3 (distributor and redistributors). */
struct dt_gic {
    unsigned int version; /* 2 or 3; 0: none found */
    struct dt_range dist;
    struct dt_range cpu;  /* v2: GICC; v3: the redistributor region */
};

enum dt_psci { DT_PSCI_NONE = 0, DT_PSCI_HVC, DT_PSCI_SMC };

/* A window of a PCI host bridge's ranges: bus addresses [pci, pci + size)
 * seen by the CPU at [cpu, cpu + size). */
struct dt_pci_window {
    uint64_t cpu, pci, size;
};

/* A pci-host-ecam-generic bridge: its ECAM, buses, and memory windows. */
struct dt_pci {
    uint64_t ecam, ecam_size;       /* clamped to the buses used */
    uint32_t bus_first, bus_last;
    struct dt_pci_window mem32;     /* size 0: none */
    struct dt_pci_window mem64;
};

enum dt_uart_kind { DT_UART_PL011 = 1, DT_UART_NS16550 };

/* The console UART, as /chosen/stdout-path names it. */
struct dt_uart {
    uint64_t base;
    uint64_t size;
    enum dt_uart_kind kind;
    uint8_t reg_shift; /* ns16550: registers 1 << reg_shift bytes apart */
    uint8_t io_width;  /* ns16550: 1 or 4 bytes per access */
};

struct dt_platform {
    uint64_t dtb_size;                       /* fdt totalsize */
    struct dt_range mem[DT_MAX_MEM];         /* /memory reg entries */
    unsigned int n_mem;
    struct dt_range reserved[DT_MAX_RESERVED]; /* /memreserve/ + /reserved-memory */
    unsigned int n_reserved;
    bool has_uart;
    struct dt_uart uart;                     /* PL011 or 16550 named by /chosen/stdout-path */
    struct dt_virtio virtio[DT_MAX_VIRTIO];  /* virtio,mmio transports */
    unsigned int n_virtio;
    uint64_t cpu_mpidr[DT_MAX_CPUS];         /* /cpus: each cpu node's reg (affinity) */
    unsigned int n_cpus;
    struct dt_gic gic;
    bool has_pci;
    struct dt_pci pci;                       /* the first pci-host-ecam-generic */
    enum dt_psci psci;
    uint8_t rng_seed[64];
    unsigned int rng_seed_len;
    char bootargs[DT_BOOTARGS_MAX];          /* /chosen/bootargs, NUL-terminated */
};

/*
 * Parse and validate the DTB at fdt, which may be at most max_size bytes.
 * Returns 0 or a negative CCDMA_E* code (CCDMA_EPROTO for a malformed or
 * implausible tree). Entries that are individually malformed are skipped and
 * counted in *skipped (may be NULL); nothing unvalidated reaches out.
 */
int dt_platform_parse(const void *fdt, size_t max_size, struct dt_platform *out,
                      unsigned int *skipped);

/* Whether a device window may be mapped: the caller's rule (it overlaps
 * nothing the runtime occupies; in a realm, its protected IPA is not RAM). */
typedef bool (*dt_window_ok_fn)(uint64_t base, uint64_t size, void *ctx);

/*
 * Drop every device window ok refuses: the UART, a virtio-mmio transport,
 * the PCI bridge (for its ECAM) or one of the bridge's memory windows, the
 * GIC. The rest is left as it was, in order. Returns how many were dropped.
 */
unsigned int dt_platform_drop_windows(struct dt_platform *p, dt_window_ok_fn ok, void *ctx);

/* True when [base, base + size) overlaps one of the n ranges. */
bool dt_range_overlaps(uint64_t base, uint64_t size, const struct dt_range *r, unsigned int n);

/* True when addr holds an FDT header. Safe with the MMU off: one aligned
 * 32-bit read (the magic is big-endian: 0xd00dfeed read little-endian). */
static inline bool dt_looks_like_fdt(uintptr_t addr)
{
    return addr && !(addr & 7) && *(volatile uint32_t *)addr == 0xedfe0dd0u;
}

/* True when node is a /memory node (device_type = "memory"). */
bool dt_node_is_memory(const void *fdt, int node);

/* Look up "key=value" in bootargs; copies value (NUL-terminated) into buf.
 * Returns true when the key is present. */
bool dt_bootarg(const struct dt_platform *p, const char *key, char *buf,
                size_t buflen);

#endif /* CCDMA_BOOT_DT_PLATFORM_H */
