/* SPDX-License-Identifier: MIT */
/* The device tree yields the nodes this machine must have, consistently. */
#include <inttypes.h>
#include <libfdt.h>

#include <ccdma/selftest.h>

#include "boot/runtime.h"

SELFTEST(12, dtb)
{
    const void *fdt = (const void *)rt.dtb;
    const struct dt_platform *p = &rt.plat;

    st_check(fdt_check_header(fdt) == 0 && p->dtb_size == fdt_totalsize(fdt),
             "header valid, size recorded", "size=%llu", (unsigned long long)p->dtb_size);
    st_check(p->n_mem >= 1 && p->mem[0].size >= (16u << 20),
             "memory node with at least 16 MiB", "n_mem=%u size=0x%llx", p->n_mem,
             (unsigned long long)p->mem[0].size);

    bool image_in_ram = false;
    extern char __image_start[];
    for (unsigned int i = 0; i < p->n_mem; i++)
        image_in_ram |= (uintptr_t)__image_start >= p->mem[i].base &&
                        (uintptr_t)__image_start < p->mem[i].base + p->mem[i].size;
    st_check(image_in_ram, "the running image lies in reported RAM", "image at %p",
             (void *)__image_start);

    int uart = fdt_path_offset(fdt, "/chosen");
    st_check(uart >= 0 && p->has_uart &&
                 (p->uart.kind == DT_UART_PL011 ? (p->uart.base & 0xfff) == 0
                                                : (p->uart.base & (p->uart.io_width - 1u)) == 0),
             "stdout-path names a PL011 or 16550 console, its window aligned",
             "has_uart=%d kind=%d base=0x%llx", p->has_uart, (int)p->uart.kind,
             (unsigned long long)p->uart.base);

    /* kvmtool's pci machine has no virtio-mmio slot, only the bridge. */
    bool distinct = p->n_virtio > 0 || p->has_pci;
    for (unsigned int i = 0; i < p->n_virtio; i++)
        for (unsigned int j = i + 1; j < p->n_virtio; j++)
            distinct &= p->virtio[i].base != p->virtio[j].base;
    st_check(distinct, "virtio-mmio transports, each at its own address, or a PCI bridge",
             "n_virtio=%u has_pci=%d", p->n_virtio, p->has_pci);
    st_note("%u virtio-mmio transports, first at 0x%llx (INTID %" PRIu32 ")", p->n_virtio,
            (unsigned long long)p->virtio[0].base, p->virtio[0].intid);
    if (p->has_pci)
        st_note("PCI: ECAM 0x%llx buses %" PRIu32 "-%" PRIu32 ", mem32 0x%llx+0x%llx, "
                "mem64 0x%llx+0x%llx", (unsigned long long)p->pci.ecam, p->pci.bus_first,
                p->pci.bus_last, (unsigned long long)p->pci.mem32.cpu,
                (unsigned long long)p->pci.mem32.size, (unsigned long long)p->pci.mem64.cpu,
                (unsigned long long)p->pci.mem64.size);

    /* QEMU adds PSCI only where something below the entry EL can answer it:
     * HVC when entered at EL1, SMC at EL2 (or EL1 with an EL2), none at EL3. */
    bool psci_ok = (p->psci == DT_PSCI_HVC && rt.entry_el == 1) ||
                   (p->psci == DT_PSCI_SMC && rt.entry_el <= 2) ||
                   (p->psci == DT_PSCI_NONE && rt.entry_el == 3) ||
                   (p->psci == DT_PSCI_NONE && rt.entry_el < 3 && rt.semihosting);
    st_check(psci_ok, "PSCI conduit is consistent with the entry EL",
             "psci=%d entry_el=%u", (int)p->psci, rt.entry_el);
}
