/* SPDX-License-Identifier: MIT */
/*
 * Realm Execution Contexts: REC_CREATE in index order while the realm is
 * NEW, with exactly REC_AUX_COUNT distinct delegated auxiliary granules;
 * REC_DESTROY; PSCI_COMPLETE for a CPU_ON or AFFINITY_INFO the realm asked
 * for. As in TF-RMM, the auxiliary granules only change state: this RMM
 * keeps the REC's registers in its own memory.
 */
#include <string.h>

#include "arch/arm64/sysregs.h"
#include "rmm.h"

#define MPIDR_AFF0_MASK 0xfull
#define MPIDR_AFF1_MASK (0xffull << 8)
#define MPIDR_AFF2_MASK (0xffull << 16)
#define MPIDR_AFF3_MASK (0xffull << 24)
#define REC_MPIDR_MASK (MPIDR_AFF0_MASK | MPIDR_AFF1_MASK | MPIDR_AFF2_MASK | MPIDR_AFF3_MASK)
#define VMPIDR_RES1 (1ull << 31)

#define PSCI_SUCCESS 0
#define PSCI_DENIED ((uint64_t)-3)
#define PSCI_ALREADY_ON ((uint64_t)-4)
#define PSCI_SMC64 0x40000000u
#define PSCI_CPU_ON 0x84000003u
#define PSCI_AFFINITY_ON 0u
#define PSCI_AFFINITY_OFF 1u

static struct rmm_rec recs[RMM_MAX_RECS];

struct rmm_rec *rec_from_addr(uint64_t addr)
{
    if (!granule_is(addr, GRANULE_REC))
        return NULL;
    for (unsigned int i = 0; i < RMM_MAX_RECS; i++)
        if (recs[i].used && recs[i].addr == addr)
            return &recs[i];
    return NULL;
}

struct rmm_rec *rec_from_index(unsigned int slot)
{
    return slot < RMM_MAX_RECS && recs[slot].used ? &recs[slot] : NULL;
}

/* Aff0[3:0] | Aff1 << 4 | Aff2 << 12 | Aff3 << 20, the RMM specification's
 * REC index for an RmiRecMpidr. */
static unsigned int rec_index_of_rec_mpidr(uint64_t m)
{
    return (unsigned int)((m & MPIDR_AFF0_MASK) | ((m & MPIDR_AFF1_MASK) >> 4) |
                          ((m & MPIDR_AFF2_MASK) >> 4) | ((m & MPIDR_AFF3_MASK) >> 4));
}

/* The same index for an MPIDR_EL1 value, as the realm names a CPU. */
unsigned int rec_index_of_mpidr(uint64_t mpidr)
{
    return rec_index_of_rec_mpidr((mpidr & (MPIDR_AFF0_MASK | MPIDR_AFF1_MASK | MPIDR_AFF2_MASK)) |
                                  ((mpidr >> 8) & MPIDR_AFF3_MASK));
}

struct rmm_rec *rec_of_realm_index(const struct rmm_realm *r, unsigned int index)
{
    for (unsigned int i = 0; i < RMM_MAX_RECS; i++)
        if (recs[i].used && recs[i].realm == r && recs[i].index == index)
            return &recs[i];
    return NULL;
}

/* Every aux granule is delegated, and none is named twice or is the REC. */
static bool aux_valid(const struct rmi_rec_params *p, uint64_t rec)
{
    for (unsigned int i = 0; i < RMM_REC_AUX_COUNT; i++) {
        if (p->aux[i] == rec || !granule_is(p->aux[i], GRANULE_DELEGATED))
            return false;
        for (unsigned int j = 0; j < i; j++)
            if (p->aux[j] == p->aux[i])
                return false;
    }
    return true;
}

/* First-entry state (TF-RMM init_rec_regs): EL1h with D, A, I, F masked,
 * AArch64; the MMU and caches off; x0..x7 and the PC from the host. */
static void init_regs(struct rmm_rec *rec, const struct rmi_rec_params *p)
{
    memset(&rec->regs, 0, sizeof(rec->regs));
    memset(&rec->el1, 0, sizeof(rec->el1));
    for (unsigned int i = 0; i < RMI_REC_CREATE_NR_GPRS; i++)
        rec->regs.x[i] = p->gprs[i];
    rec->regs.pc = p->pc;
    rec->regs.pstate = SPSR_MASK_ALL | SPSR_EL1H;
    rec->el1.sctlr = SCTLR_EL1_RES1;
    rmm_gic_rec_init(&rec->gic);
}

uint64_t smc_rec_create(uint64_t rd, uint64_t rec_addr, uint64_t params_pa)
{
    struct rmi_rec_params p;
    struct rmm_realm *r;
    struct rmm_rec *rec = NULL;

    if (!granule_is_ns(params_pa))
        return RMI_ERROR_INPUT;
    memcpy(&p, granule_map(params_pa), sizeof(p)); /* read once */
    if (p.num_aux > RMM_REC_AUX_COUNT || !granule_is(rec_addr, GRANULE_DELEGATED) ||
        (r = realm_from_rd(rd)) == NULL)
        return RMI_ERROR_INPUT;
    if (p.num_aux != RMM_REC_AUX_COUNT || !aux_valid(&p, rec_addr))
        return RMI_ERROR_INPUT;
    if (r->state != REALM_NEW)
        return RMI_ERROR_REALM;
    if ((p.mpidr & ~REC_MPIDR_MASK) || rec_index_of_rec_mpidr(p.mpidr) != r->num_recs)
        return RMI_ERROR_INPUT;
    for (unsigned int i = 0; i < RMM_MAX_RECS && rec == NULL; i++)
        if (!recs[i].used)
            rec = &recs[i];
    if (rec == NULL)
        return RMI_ERROR_REALM; /* this RMM's REC limit */

    *rec = (struct rmm_rec){
        .used = true,
        .addr = rec_addr,
        .realm = r,
        .index = r->num_recs,
        .mpidr = (p.mpidr & (MPIDR_AFF0_MASK | MPIDR_AFF1_MASK | MPIDR_AFF2_MASK)) |
                 (p.mpidr & MPIDR_AFF3_MASK) << 8 | VMPIDR_RES1,
        .runnable = (p.flags & RMI_REC_FLAG_RUNNABLE) != 0,
    };
    init_regs(rec, &p);
    if (rec->runnable)
        rim_rec_params(&r->rim, &p);
    for (unsigned int i = 0; i < RMM_REC_AUX_COUNT; i++) {
        rec->aux[i] = p.aux[i];
        granule_set(p.aux[i], GRANULE_REC_AUX);
    }
    granule_set(rec_addr, GRANULE_REC);
    r->num_recs++;
    return RMI_SUCCESS;
}

uint64_t smc_rec_destroy(uint64_t rec_addr)
{
    struct rmm_rec *rec = rec_from_addr(rec_addr);

    if (rec == NULL)
        return RMI_ERROR_INPUT;
    rmm_el1_save(rec);
    for (unsigned int i = 0; i < RMM_REC_AUX_COUNT; i++) {
        granule_zero(rec->aux[i]);
        granule_set(rec->aux[i], GRANULE_DELEGATED);
    }
    granule_zero(rec_addr);
    granule_set(rec_addr, GRANULE_DELEGATED);
    memset(rec, 0, sizeof(*rec));
    return RMI_SUCCESS;
}

void smc_rec_aux_count(uint64_t rd, struct rmi_regs *res)
{
    if (realm_from_rd(rd) == NULL) {
        res->x[0] = RMI_ERROR_INPUT;
        return;
    }
    res->x[0] = RMI_SUCCESS;
    res->x[1] = RMM_REC_AUX_COUNT;
}

/* The PSCI request the caller made is answered. CPU_ON succeeds by making
 * the target runnable at the entry point the caller gave, with its MMU off
 * and the caller's endianness (TF-RMM complete_psci_cpu_on). */
uint64_t smc_psci_complete(uint64_t caller_addr, uint64_t target_addr, uint64_t status)
{
    struct rmm_rec *caller = rec_from_addr(caller_addr);
    struct rmm_rec *target = rec_from_addr(target_addr);
    uint32_t fid;

    if (caller == NULL || target == NULL || caller == target || caller->realm != target->realm)
        return RMI_ERROR_INPUT;
    if (!caller->psci_pending)
        return RMI_ERROR_INPUT;
    if (target->index != rec_index_of_mpidr(caller->regs.x[1]))
        return RMI_ERROR_INPUT;
    fid = (uint32_t)caller->regs.x[0] & ~PSCI_SMC64;
    if (status != PSCI_SUCCESS && !(status == PSCI_DENIED && fid == PSCI_CPU_ON))
        return RMI_ERROR_INPUT;

    if (fid == PSCI_CPU_ON) {
        rmm_el1_save(caller);
        if (target->runnable) {
            caller->regs.x[0] = PSCI_ALREADY_ON;
        } else if (status == PSCI_DENIED) {
            caller->regs.x[0] = PSCI_DENIED;
        } else {
            rmm_el1_save(target);
            memset(&target->el1, 0, sizeof(target->el1));
            target->el1.sctlr = SCTLR_EL1_RES1 | (caller->el1.sctlr & (1ull << 25));
            target->regs.pstate = SPSR_MASK_ALL | SPSR_EL1H;
            target->regs.pc = caller->regs.x[2];
            target->regs.x[0] = caller->regs.x[3];
            target->runnable = true;
            caller->regs.x[0] = PSCI_SUCCESS;
        }
    } else { /* AFFINITY_INFO */
        caller->regs.x[0] = target->runnable ? PSCI_AFFINITY_ON : PSCI_AFFINITY_OFF;
    }
    caller->regs.x[1] = caller->regs.x[2] = caller->regs.x[3] = 0;
    caller->psci_pending = false;
    return RMI_SUCCESS;
}
