/* SPDX-License-Identifier: MIT */
/*
 * The host: it builds one realm from ccdma.bin through RMI, runs its REC
 * and serves every REC exit, then tears the realm down. It talks to an RMM
 * only through rmi_conduit() and the REC run granule, so the same code runs
 * over the emulated RMM and over TF-RMM (docs/realm.md).
 *
 * Realm layout (QEMU virt, s2sz 32, shared bit = bit 31):
 *
 *   realm RAM, protected IPA   0x4000_0000 .. +256 MiB
 *   its backing granules       PA = IPA | shared bit (0xC000_0000 ..)
 *   a shared page              the same PA, mapped at IPA | shared bit
 *   device MMIO                IPA = shared bit | device PA, emulated here
 *
 * so that the DMA address a realm hands a device for a shared page, its
 * unprotected IPA, is the page's PA: QEMU's devices need no translation.
 * The host memory at the PAs equal to protected IPAs is the poison window.
 *
 * One REC per vCPU the realm's DTB lists, all run on the host's one
 * physical CPU in turn (rec_run.c), and the realm is stopped while the host
 * runs.
 */
#ifndef CCDMA_MONITOR_HOST_H
#define CCDMA_MONITOR_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdnoreturn.h>

#include "el2.h"
#include "rim.h"
#include "rmi_abi.h"
#include "rmi_conduit.h"

#define GRANULE 0x1000ull
#define GRANULE_MASK (GRANULE - 1)

#define REALM_IPA_BITS 32u
#define REALM_SHARED_BIT (1ull << (REALM_IPA_BITS - 1))
#define REALM_RAM_IPA 0x40000000ull
#define REALM_RAM_SIZE 0x10000000ull
#define REALM_RAM_TOP (REALM_RAM_IPA + REALM_RAM_SIZE)
#define REALM_DTB_IPA REALM_RAM_IPA
#define REALM_DTB_MAX 0x200000ull
#define REALM_ENTRY_IPA (REALM_RAM_IPA + REALM_DTB_MAX)
#define REALM_PA(ipa) ((ipa) | REALM_SHARED_BIT)

/* Host memory a device reaches when wrongly handed a protected IPA. */
#define POISON_BASE REALM_RAM_IPA
#define POISON_TOP REALM_RAM_TOP

/* ccdma's own RSI_HOST_CALL numbers (a real host ignores them):
 *   EXIT          gprs[0] is the realm's verdict; the run ends
 *   DESTROY_PAGE  the host takes back the data granule at IPA gprs[0],
 *                 which leaves it RIPAS DESTROYED; gprs[1] = 0 done,
 *                 1 refused (a test of the realm's DESTROYED handling) */
#define HOST_CALL_EXIT 0xCCD0u
#define HOST_CALL_DESTROY_PAGE 0xCCD1u

/* ---- Policy: what this host does where a host may choose (options.c) ----------- */

struct host_policy {
    bool reject_ram;       /* refuse RIPAS changes to RAM */
    bool reject_empty;     /* refuse changes to EMPTY too */
    bool one_granule;      /* accept one granule per RIPAS change */
    uint32_t fail_after;   /* the above start after this many changes */
    uint8_t share_fill;    /* byte a newly shared page is filled with */
    bool strict;           /* check rings and buffers at every doorbell */
    bool trace_rmi;        /* print every RMI call */
    bool lie_about_dtb;    /* load a DTB other than the one declared */
    bool mmio_over_image;  /* the realm's DTB puts a device over its image */
    bool mmio_over_ram;    /* ... over RAM it leaves out of /memory */
    bool virq_storm;       /* keep the device SPIs the realm enabled pending */
    bool virq_unknown;     /* inject an SPI the realm never enabled */
};

void options_parse(const struct dt_platform *dt, struct host_policy *p);
void options_print(const struct host_policy *p);

/* A string file of QEMU's fw_cfg device named by the DTB (fw_cfg.c):
 * where the host's bootargs come from under -bios. */
bool fw_cfg_read_string(const void *fdt, const char *name, char *out, size_t max);

/* What the host gave the realm, as a verifier needs it (launch_record.c). */
void launch_record_realm(const struct rmi_realm_params *p);
void launch_record_init_ripas(uint64_t base, uint64_t top, uint64_t entry);
void launch_record_data(uint64_t ipa, uint64_t bytes, bool measure, const char *what);
void launch_record_rec(const struct rmi_rec_params *p);
void launch_record_dtb(const void *dtb, size_t size);

/* ---- RMI, with a counter per command (rmi.c) ------------------------------------ */

struct rmi_counters {
    uint64_t calls[RMI_NUM_SLOTS];
    uint64_t exits[RMI_EXIT_NUM_REASONS];
};

extern struct rmi_counters rmi_cnt;

void rmi_set_trace(bool on);
uint64_t rmi_call(uint32_t fid, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
                  uint64_t a5, struct rmi_regs *out);
const char *rmi_name(uint32_t fid);
/* "SUCCESS", "ERROR_RTT(2)"... for a return code. */
const char *rmi_status_str(uint64_t ret, char *buf, size_t len);

/* ---- NS granules for RMM objects, and who holds what (granules.c) ------------------ */

/* Memory the host may use: RAM the DTB names, minus what it reserves, the
 * host image and the realm's layout. Fatal when the machine is too small. */
void granules_init(const struct el2_machine *m);
/* One zeroed NS granule from the pool; fatal when it is empty. */
uint64_t granule_alloc(void);
/* Delegate / undelegate, keeping the count and the set the teardown
 * checks; an undelegate that fails leaks the granule (never reused). */
bool granule_delegate(uint64_t pa);
bool granule_undelegate(uint64_t pa);
/* A granule from the pool, delegated. */
uint64_t granule_alloc_delegated(void);
/* After teardown: none may stay delegated. Reads one word of every granule
 * ever delegated (under TF-RMM a still-delegated one would fault). */
bool granules_all_returned(void);

/* ---- The realm (realm_build.c, rtt.c, realm_ram.c) ---------------------------------- */

/* The most vCPUs this host gives a realm: the runtime's own CPU limit. */
#define HOST_MAX_RECS 8u

/* Aff3.Aff2.Aff1.Aff0 of an MPIDR_EL1 or GICD_IROUTER value (Aff3 at
 * [39:32]) packed as RmiRecMpidr and GICR_TYPER[63:32] give them (Aff3
 * at [31:24]). */
static inline uint32_t host_affinity(uint64_t mpidr)
{
    return (uint32_t)((mpidr & 0xffffffull) | ((mpidr >> 32) & 0xff) << 24);
}

/* One REC and what the host keeps for it: its own run granule, so that an
 * answer written for its next entry survives while another REC runs. */
struct host_rec {
    uint64_t rec, aux[RMI_REC_MAX_AUX];
    uint64_t run_pa;
    uint64_t mpidr;   /* RmiRecMpidr, as REC_CREATE was given it */
    bool runnable;    /* as the host believes: REC 0, then each CPU_ON'd one */
    bool exited;      /* an exit other than the slice's own in this slice */
    bool idle;        /* its last slice had none: it gets a short one */
};

struct realm {
    struct rim expected;     /* the RIM as this host predicts it */
    uint64_t rd;
    uint64_t rtt_root;
    int level_start;
    struct host_rec recs[HOST_MAX_RECS];
    unsigned int n_recs;
    unsigned int cur;        /* the REC that ran last: its exit is being served */
    uint64_t feat0;
    bool active;
};

extern struct realm realm;

/* Build the realm; dt is the host's view of the machine (its bootargs go
 * to the realm too). */
void realm_build(const struct el2_machine *m, const struct dt_platform *dt,
                 const struct host_policy *p);

/* A command answered RMI_ERROR_RTT(reached): create the tables from
 * level reached + 1 down to `level` at ipa. */
bool rtt_fill(uint64_t ipa, int reached, int level);
/* Destroy every table this host created, leaves first. */
bool rtt_destroy_all(void);

enum ram_state { RAM_UNPOPULATED = 0, RAM_PRIVATE, RAM_SHARED };

void realm_ram_init(void);
enum ram_state realm_ram_state(uint64_t ipa);
/* A protected page the realm touched: give it a zeroed data granule. */
bool realm_ram_populate(uint64_t ipa);
/* Take a private page's data granule back (DATA_DESTROY): RIPAS DESTROYED. */
bool realm_ram_take_back(uint64_t ipa);
/* RIPAS of a protected IPA as the RMM's tables hold it (RTT_READ_ENTRY). */
bool realm_ram_ripas(uint64_t ipa, unsigned int *ripas);
/* DATA_CREATE a page of the image or the DTB from an NS source page. */
bool realm_ram_load(uint64_t ipa, uint64_t src, bool measure);
/* After the RMM moved [base, top) to EMPTY: take the data granules back
 * and map their memory, filled, at the unprotected alias. */
void realm_ram_shared(uint64_t base, uint64_t top, uint8_t fill);
/* After the RMM moved [base, top) to RAM: unmap the aliases; the pages are
 * populated again when the realm touches them. */
void realm_ram_private(uint64_t base, uint64_t top);
/* Teardown: every data granule back, and the aliases unmapped. */
bool realm_ram_destroy(void);

/* ---- Running the REC (rec_run.c, exits in ripas.c, mmio.c, psci.c) ---------------- */

noreturn void rec_run(const struct host_policy *p);
/* The REC whose RmiRecMpidr is aff (host_affinity()), or -1. */
int host_rec_of_affinity(uint32_t aff);

/* What the host tells the RMM at the next REC_ENTER. */
struct entry_answer {
    uint64_t flags;
    uint64_t gprs0;
    bool gprs0_set;
};

void ripas_change(const struct rmi_rec_exit *exit, const struct host_policy *p,
                  struct entry_answer *ans);

/* One access the realm made to an unprotected IPA that nothing maps. */
struct mmio_access {
    uint64_t pa;      /* the device address: the IPA without the shared bit */
    unsigned int size; /* bytes */
    bool write;
    uint64_t value;   /* written, or read back */
};

void mmio_init(const struct el2_machine *m);
/* Emulate it: true when a device window holds it (value set for a read). */
bool mmio_emulate(struct mmio_access *a, const struct host_policy *p);
/* The end-of-run check of chains published without a doorbell. */
bool mmio_exit_check(const struct host_policy *p);

/* One access to a device register at pa, of size bytes, replayed as is. */
uint64_t host_dev_read(uint64_t pa, unsigned int size);
void host_dev_write(uint64_t pa, unsigned int size, uint64_t v);
/* The strict ring check of a doorbell for queue (the run ends on a
 * failure), and the end-of-run sweep of one transport's live queues;
 * where names the transport in reports. */
struct vshadow;
void host_virtio_doorbell(struct vshadow *sh, unsigned int queue, const char *where,
                          const struct host_policy *p);
bool host_virtio_sweep(struct vshadow *sh, const char *where, unsigned int *queues,
                       unsigned int *chains);

/* The PCI host bridge (pci_emul.c): its ECAM and its memory windows,
 * replayed on QEMU's, with the virtio-pci registers shadowed. */
void pci_emul_init(const struct dt_platform *dt);
bool pci_emulate(struct mmio_access *a, const struct host_policy *p);
bool pci_exit_sweep(unsigned int *queues, unsigned int *chains);

/* Time slices for the RECs (preempt.c): the EL2 physical timer through the
 * host's GICv3. Its interrupt, pending while the host runs with IRQs
 * masked, makes the running REC exit (RMI_EXIT_IRQ or FIQ) under either RMM.
 * False where the machine has no GICv3: then the realm gets one vCPU, as
 * nothing would take the CPU from a REC that waits without exiting. */
bool preempt_init(const struct el2_machine *m);
/* A new slice for the REC about to run; a short one for a REC that looks
 * idle (its last slice passed without an exit of its own). */
void preempt_arm(bool short_slice);
/* After an IRQ or FIQ exit: acknowledge what is pending; true when the
 * slice ended. */
bool preempt_take(void);

/* The realm's virtual GICv3 (vgic.c, vgic_mmio.c, vgic.h): on a host with
 * a GICv3 and its time slices, after the RECs are made. */
void vgic_init(const struct el2_machine *m, unsigned int nr_lrs, const struct host_policy *p);
/* A distributor or redistributor access: true when it is one (served). */
bool vgic_mmio(struct mmio_access *a);
/* A trapped GIC system-register write (ICC_SGI1R_EL1): true when served. */
bool vgic_sysreg_write(uint64_t esr, uint64_t value);
/* A physical interrupt the host acknowledged: true when it is a device's
 * line forwarded to the realm (then masked until the realm takes it). */
bool vgic_physical(unsigned int intid);
/* After each exit of REC rec: its list registers and timers as they are
 * now; before each entry: the list registers it runs with. */
void vgic_exit(unsigned int rec, const struct rmi_rec_exit *e);
void vgic_entry(unsigned int rec, struct rmi_rec_entry *entry);

/* ---- Counters and the end of the run (counters.c, finish.c, poison.c) --------------- */

struct host_counters {
    uint64_t granules_to_shared, granules_to_private;
    uint64_t ripas_changes, ripas_rejects, ripas_injected;
    uint64_t populated;
    uint64_t mmio_uart, mmio_virtio, mmio_pci, notifies_checked, notifies_unchecked;
    uint64_t sea_injected;
    uint64_t host_calls;
    uint64_t rec_switches, slices_ended, psci_cpu_on, psci_completes;
    uint64_t irqs_other, irqs_spurious, irqs_timer;
    uint64_t vgic_mmio, vgic_sgis, vgic_lines, vgic_injected, vgic_eois, vgic_lrs_full;
    uint64_t vgic_hostile;
};

extern struct host_counters host_cnt;

void counters_print(void);
void poison_init(const struct el2_machine *m);
void poison_fill(void);
bool poison_check(void);
noreturn void host_finish(int code, const char *why, const struct host_policy *p);

/* ---- The realm's device tree (realm_dtb.c) ------------------------------------------ */

/* max_cpus: how many vCPUs the realm may have; *n_cpus: how many cpu nodes
 * it keeps, each with its RmiRecMpidr in mpidr[] (REC index order). */
int realm_dtb_build(const void *host_fdt, void *dst, size_t max, size_t *size,
                    const char *bootargs, const struct host_policy *p,
                    unsigned int max_cpus, unsigned int *n_cpus, uint64_t *mpidr);
/* Change the DTB after it was declared (host_policy.lie_about_dtb). */
bool realm_dtb_lie(void *fdt);

#endif /* CCDMA_MONITOR_HOST_H */
