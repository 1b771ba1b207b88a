/* SPDX-License-Identifier: MIT */
/*
 * The Arm Generic Interrupt Controller, as far as the runtime uses it: one
 * CPU's interface, SPIs routed to it, SGIs to itself, acknowledge and end
 * of interrupt. GICv2 (arch/gicv2.c: memory-mapped distributor and CPU
 * interface; both architectures) and GICv3 (arch/arm64/gicv3.c:
 * distributor and redistributor in memory, the CPU interface in system
 * registers). Non-secure, one security state as QEMU virt without
 * secure=on gives it; interrupts are signalled as IRQ.
 */
#ifndef CCDMA_ARCH_GIC_H
#define CCDMA_ARCH_GIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GIC_SPURIOUS 1023u
#define GIC_MAX_INTID 1019u /* SGIs 0-15, PPIs 16-31, SPIs 32-1019 */

struct gic {
    unsigned int version;  /* 2 or 3 */
    uintptr_t dist;        /* distributor */
    uintptr_t cpu;         /* v2: CPU interface; v3: this CPU's redistributor */
    unsigned int nr_irqs;  /* lines the distributor implements (GICD_TYPER) */
};

/* Bring up the distributor and the calling CPU's interface. v3: cpu is the
 * redistributor region of cpu_size bytes, searched for self_mpidr.
 * CCDMA_ENODEV when the registers do not answer as a GIC of that version. */
int gic_init(struct gic *g, unsigned int version, uintptr_t dist, uintptr_t cpu,
             size_t cpu_size, uint64_t self_mpidr);
/* Enable intid (an SPI routed to this CPU, or a PPI/SGI of this CPU). */
int gic_enable(struct gic *g, uint32_t intid, bool edge);
void gic_disable(struct gic *g, uint32_t intid);
/* Acknowledge the highest pending interrupt: its INTID (GIC_SPURIOUS if
 * none), and the value gic_eoi wants back. */
uint32_t gic_ack(struct gic *g, uint32_t *token);
void gic_eoi(struct gic *g, uint32_t token);
/* Raise SGI sgi (0-15) on the calling CPU. */
void gic_sgi_self(struct gic *g, uint32_t sgi);
/* Let no interrupt through the calling CPU's interface (priority mask 0):
 * what still stops a source that ignores being disabled. */
void gic_mask_all(struct gic *g);

/* The per-version halves (gicv2.c, arm64/gicv3.c). */
int gicv2_init(struct gic *g);
int gicv2_enable(struct gic *g, uint32_t intid, bool edge);
void gicv2_disable(struct gic *g, uint32_t intid);
uint32_t gicv2_ack(struct gic *g, uint32_t *token);
void gicv2_eoi(struct gic *g, uint32_t token);
void gicv2_sgi_self(struct gic *g, uint32_t sgi);
void gicv2_mask_all(struct gic *g);
int gicv3_init(struct gic *g, uintptr_t rdist_region, size_t size, uint64_t self_mpidr);
int gicv3_enable(struct gic *g, uint32_t intid, bool edge);
void gicv3_disable(struct gic *g, uint32_t intid);
uint32_t gicv3_ack(struct gic *g, uint32_t *token);
void gicv3_eoi(struct gic *g, uint32_t token);
void gicv3_sgi_self(struct gic *g, uint32_t sgi);
void gicv3_mask_all(struct gic *g);

#endif /* CCDMA_ARCH_GIC_H */
