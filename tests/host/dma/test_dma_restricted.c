/* SPDX-License-Identifier: MIT */
/*
 * Destroying a restricted bounce pool against the
 * devices that point at it and the maps that race with it.
 *
 *  - a device that holds the pool (ccdma_device_init) makes destroy EBUSY
 *    until ccdma_device_release;
 *  - a pool being destroyed, a destroyed one, and a later pool that reuses
 *    its slot are refused (ESTATE) to a device that still points there;
 *  - a mapper thread and a destroyer thread: every map either succeeded
 *    before the destroy (and unmaps cleanly) or fails cleanly, and destroy
 *    never succeeds while a device holds the pool or a slot is taken.
 */
#include "dma_test.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>

#define PAGE CCDMA_PAGE_SIZE
#define POOL_PAGES 16

static struct ccdma_config nodebug(void)
{
    struct ccdma_config c = t_config();

    c.debug = false;
    return c;
}

static void restricted_dev(struct ccdma_device *dev, const char *name,
                           struct ccdma_swiotlb *pool)
{
    ccdma_device_default(dev, name, UINT64_MAX);
    dev->restricted_pool = pool;
    REQUIRE(ccdma_device_init(dev) == CCDMA_OK);
}

/* ---- references -------------------------------------------------------------------- */

static void test_destroy_while_held(void)
{
    uint8_t *mem = t_pages(POOL_PAGES), *buf = t_pages(1);
    struct ccdma_device a, b, never;
    struct ccdma_swiotlb *pool;
    ccdma_dma_t d;

    REQUIRE(ccdma_swiotlb_restricted_create("held", mem, POOL_PAGES * PAGE, true, &pool) == 0);
    restricted_dev(&a, "a", pool);
    CHECK_ERR(ccdma_swiotlb_restricted_destroy(pool), CCDMA_EBUSY,
              "destroy while a device holds the pool: EBUSY");
    CHECK_EQ(t_pool_stats(pool).nslots, POOL_PAGES * PAGE / CCDMA_SWIOTLB_SLOT_SIZE,
             "the pool is still there");
    CHECK(t_range_shared(t_pa(mem), POOL_PAGES * PAGE), "and still shared");
    CHECK_ERR(ccdma_map_single(&a, buf, 100, CCDMA_TO_DEVICE, 0, &d), CCDMA_OK,
              "and still serves its device");
    CHECK_ERR(ccdma_unmap_single(&a, d, 100, CCDMA_TO_DEVICE, 0), CCDMA_OK, "unmap");

    CHECK_ERR(ccdma_device_init(&a), CCDMA_OK, "init the same device again");
    restricted_dev(&b, "b", pool);
    CHECK_ERR(ccdma_device_release(&a), CCDMA_OK, "release one device");
    CHECK_ERR(ccdma_swiotlb_restricted_destroy(pool), CCDMA_EBUSY,
              "another device still holds it: EBUSY");
    b.restricted_pool = NULL;
    CHECK_ERR(ccdma_device_init(&b), CCDMA_OK, "init the other again without the pool");
    CHECK_ERR(ccdma_swiotlb_restricted_destroy(pool), CCDMA_OK,
              "destroy once no device holds it (two inits counted once, "
              "and the reference moved with the re-init)");
    CHECK(t_range_private(t_pa(mem), POOL_PAGES * PAGE), "the memory is private again");

    CHECK_ERR(ccdma_map_single(&a, buf, 100, CCDMA_TO_DEVICE, 0, &d), CCDMA_ESTATE,
              "a released device pointing at the destroyed pool: ESTATE");
    CHECK_EQ(d, CCDMA_DMA_ADDR_INVALID, "with no address");
    CHECK_ERR(ccdma_device_release(&a), CCDMA_OK, "release twice is harmless");
    memset(&never, 0, sizeof(never));
    CHECK_ERR(ccdma_device_release(&never), CCDMA_EINVAL,
              "a device never initialised has nothing to release");
    CHECK_ERR(ccdma_swiotlb_restricted_destroy(pool), CCDMA_EINVAL, "destroy twice: EINVAL");
    t_pages_free(mem, POOL_PAGES);
    t_pages_free(buf, 1);
}

/* ---- a pool being destroyed, and its slot reused ------------------------------------- */

/* What the unshare observer saw and did, mid-destroy. */
static struct {
    struct ccdma_swiotlb *pool;
    struct ccdma_device *released;
    uint8_t *buf;
    bool ran;
    int map_ret, alloc_ret, init_ret, stats_ret;
    ccdma_dma_t map_out;
} obs;

/*
 * Called by the port for the destroy's conversion of the pool back to
 * private: past the destroy's check, before the memory goes. The calls
 * below (coherent device, dma-debug off, refused before any slot or page)
 * do not enter the port, whose lock the destroying thread holds here.
 */
static void observe_destroy(void *va, ccdma_phys_t pa, size_t bytes, void *ctx)
{
    struct ccdma_swiotlb_stats s;
    struct ccdma_device late;
    ccdma_dma_t h;
    void *cpu;

    (void)va;
    (void)pa;
    (void)bytes;
    (void)ctx;
    if (obs.ran)
        return;
    obs.ran = true;
    obs.map_ret = ccdma_map_single(obs.released, obs.buf, 64, CCDMA_TO_DEVICE, 0, &obs.map_out);
    obs.alloc_ret = ccdma_alloc_coherent(obs.released, PAGE, 0, 0, &cpu, &h);
    ccdma_device_default(&late, "late", UINT64_MAX);
    late.restricted_pool = obs.pool;
    obs.init_ret = ccdma_device_init(&late);
    obs.stats_ret = ccdma_swiotlb_get_stats(obs.pool, &s);
}

static void test_dying_pool(void)
{
    uint8_t *mem = t_pages(POOL_PAGES), *mem2 = t_pages(POOL_PAGES), *buf = t_pages(1);
    struct ccdma_swiotlb *pool, *pool2;
    struct ccdma_device dev;
    ccdma_dma_t d, h;
    void *cpu;

    REQUIRE(ccdma_swiotlb_restricted_create("dying", mem, POOL_PAGES * PAGE, true, &pool) == 0);
    restricted_dev(&dev, "dev", pool);
    REQUIRE(ccdma_device_release(&dev) == CCDMA_OK);
    memset(&obs, 0, sizeof(obs));
    obs.pool = pool;
    obs.released = &dev;
    obs.buf = buf;
    host_platform_set_unshare_observer(observe_destroy, NULL);
    CHECK_ERR(ccdma_swiotlb_restricted_destroy(pool), CCDMA_OK, "destroy");
    host_platform_set_unshare_observer(NULL, NULL);
    if (T.cc) {
        CHECK(obs.ran, "the observer ran mid-destroy (the pool's conversion back)");
        CHECK_ERR(obs.map_ret, CCDMA_ESTATE, "mid-destroy: a map through the pool fails: ESTATE");
        CHECK_EQ(obs.map_out, CCDMA_DMA_ADDR_INVALID, "with no address");
        CHECK_ERR(obs.alloc_ret, CCDMA_ESTATE, "mid-destroy: an allocation from it fails: ESTATE");
        CHECK_ERR(obs.init_ret, CCDMA_EINVAL, "mid-destroy: no device can take the pool: EINVAL");
        CHECK_ERR(obs.stats_ret, CCDMA_EINVAL, "mid-destroy: it has no statistics any more");
    } else {
        printf("# plain: destroy converts nothing, so there is no mid-destroy moment to observe\n");
    }
    CHECK(t_range_private(t_pa(mem), POOL_PAGES * PAGE), "the memory is private again");
    CHECK_ERR(ccdma_swiotlb_get_stats(pool, &(struct ccdma_swiotlb_stats){0}), CCDMA_EINVAL,
              "a destroyed pool has no statistics");

    /* A later pool takes the same slot: the stale pointer in dev now points
     * at it, and must not reach it. */
    REQUIRE(ccdma_swiotlb_restricted_create("later", mem2, POOL_PAGES * PAGE, true, &pool2) == 0);
    CHECK(pool2 == pool, "set-up: the later pool reuses the slot");
    CHECK_ERR(ccdma_map_single(&dev, buf, 64, CCDMA_TO_DEVICE, 0, &d), CCDMA_ESTATE,
              "a device that held the destroyed pool cannot map through the later one");
    CHECK_ERR(ccdma_alloc_coherent(&dev, PAGE, 0, 0, &cpu, &h), CCDMA_ESTATE,
              "nor allocate from it");
    CHECK_EQ(t_pool_stats(pool2).maps + t_pool_stats(pool2).allocs, 0, "the later pool saw nothing");
    CHECK_EQ(t_pool_stats(pool2).used, 0, "and has no slot taken");
    CHECK_ERR(ccdma_device_init(&dev), CCDMA_OK, "init again: the device takes the later pool");
    CHECK_ERR(ccdma_map_single(&dev, buf, 64, CCDMA_TO_DEVICE, 0, &d), CCDMA_OK, "and maps through it");
    CHECK_ERR(ccdma_unmap_single(&dev, d, 64, CCDMA_TO_DEVICE, 0), CCDMA_OK, "unmap");
    CHECK_ERR(ccdma_device_release(&dev), CCDMA_OK, "release");
    CHECK_ERR(ccdma_swiotlb_restricted_destroy(pool2), CCDMA_OK, "destroy the later pool");
    t_pages_free(mem, POOL_PAGES);
    t_pages_free(mem2, POOL_PAGES);
    t_pages_free(buf, 1);
}

/* Shutdown is the one destroy that does not wait for the devices. A device
 * registered before it still holds a reference by pool instance, so a pool
 * created in the same slot after the next init is not its pool. */
static void test_across_shutdown(void)
{
    struct ccdma_config c = t_config();
    uint8_t *mem, *buf;
    struct ccdma_swiotlb *pool, *pool2;
    struct ccdma_device old, fresh;
    ccdma_dma_t d;

    t_setup_with(NULL, &c);
    mem = t_pages(POOL_PAGES);
    buf = t_pages(1);
    REQUIRE(ccdma_swiotlb_restricted_create("before", mem, POOL_PAGES * PAGE, true, &pool) == 0);
    restricted_dev(&old, "old", pool);
    CHECK_EQ(ccdma_shutdown(), 0, "shutdown (the pool goes with it)");
    REQUIRE(ccdma_init(&c) == CCDMA_OK);
    REQUIRE(ccdma_swiotlb_restricted_create("after", mem, POOL_PAGES * PAGE, true, &pool2) == 0);
    CHECK(pool2 == pool, "set-up: the new pool reuses the slot");
    CHECK_ERR(ccdma_map_single(&old, buf, 64, CCDMA_TO_DEVICE, 0, &d), CCDMA_ESTATE,
              "the old device's reference does not name the new pool: ESTATE");
    CHECK_EQ(t_pool_stats(pool2).maps, 0, "the new pool saw nothing");
    restricted_dev(&fresh, "fresh", pool2);
    CHECK_ERR(ccdma_device_release(&old), CCDMA_OK, "releasing the old device");
    CHECK_ERR(ccdma_swiotlb_restricted_destroy(pool2), CCDMA_EBUSY,
              "does not drop the new device's reference");
    CHECK_ERR(ccdma_device_release(&fresh), CCDMA_OK, "release the new device");
    CHECK_ERR(ccdma_swiotlb_restricted_destroy(pool2), CCDMA_OK, "destroy");
    t_pages_free(mem, POOL_PAGES);
    t_pages_free(buf, 1);
    CHECK_EQ(ccdma_shutdown(), 0, "clean shutdown");
    CHECK_EQ(t_port().pages_in_use, 0, "every page back");
    CHECK_EQ(t_port().bad_frees + t_port().bad_conversions, 0, "no refused free or conversion");
    host_platform_fini();
}

/* ---- two threads --------------------------------------------------------------------- */

#define RACE_ROUNDS 24
#define RACE_HELD_MAPS 500      /* maps the mapper makes while destroy must be EBUSY */
#define RACE_HELD_TRIES 100     /* destroys tried meanwhile (the mapper never pauses) */
#define RACE_AFTER_FAILS 200    /* failed maps the mapper makes after the destroy */
#define RACE_TIMEOUT_NS 20000000000ull

struct race {
    struct ccdma_device *dev;
    struct ccdma_swiotlb *pool;
    uint8_t *buf;
    atomic_bool releasing;      /* set before ccdma_device_release() */
    atomic_bool destroyed;      /* set once destroy returned 0 */
    atomic_bool give_up;
    atomic_ulong maps_ok, maps_failed;
    atomic_ulong early_fails;   /* failed while the device still held the pool */
    atomic_ulong bad_fails;     /* failed with another code, or left an address */
    atomic_ulong late_maps;     /* succeeded although begun after the destroy */
    atomic_ulong bad_unmaps, bad_reads;
    atomic_ulong ebusy, bad_destroys, destroy_ok;
};

static void *mapper(void *arg)
{
    struct race *r = arg;
    unsigned long fails_after = 0;

    for (unsigned int i = 0; !atomic_load(&r->give_up); i++) {
        uint8_t *src = r->buf + (i % 32) * 64, got[64];
        bool after = atomic_load(&r->destroyed);
        ccdma_dma_t d;
        int ret = ccdma_map_single(r->dev, src, 64, CCDMA_TO_DEVICE, 0, &d);

        if (ret == CCDMA_OK) {
            atomic_fetch_add(&r->maps_ok, 1);
            if (after)
                atomic_fetch_add(&r->late_maps, 1);
            /* The device reads the bounce slot: it must hold our bytes. */
            if (t_dev_read(r->dev, d, got, sizeof(got)) || memcmp(got, src, sizeof(got)))
                atomic_fetch_add(&r->bad_reads, 1);
            if (ccdma_unmap_single(r->dev, d, 64, CCDMA_TO_DEVICE, 0) != CCDMA_OK)
                atomic_fetch_add(&r->bad_unmaps, 1);
            continue;
        }
        atomic_fetch_add(&r->maps_failed, 1);
        if (ret != CCDMA_ESTATE || d != CCDMA_DMA_ADDR_INVALID)
            atomic_fetch_add(&r->bad_fails, 1);
        /* Read after the failure: `releasing` is set before the release,
         * so a failure the release caused always sees it. */
        if (!atomic_load(&r->releasing))
            atomic_fetch_add(&r->early_fails, 1);
        if (after && ++fails_after >= RACE_AFTER_FAILS)
            break;
    }
    return NULL;
}

static void *destroyer(void *arg)
{
    struct race *r = arg;
    uint64_t deadline = ccdma_plat_time_ns() + RACE_TIMEOUT_NS;
    int ret;

    /* While the device holds the pool, every attempt must be refused,
     * whatever the mapper is doing at that moment. */
    for (unsigned int tries = 0;
         (atomic_load(&r->maps_ok) < RACE_HELD_MAPS || tries < RACE_HELD_TRIES) &&
         ccdma_plat_time_ns() < deadline;
         tries++) {
        ret = ccdma_swiotlb_restricted_destroy(r->pool);
        if (ret == CCDMA_EBUSY) {
            atomic_fetch_add(&r->ebusy, 1);
            continue;
        }
        atomic_fetch_add(&r->bad_destroys, 1);
        if (ret == CCDMA_OK) {
            atomic_store(&r->destroyed, true);
            return NULL;
        }
    }
    /* Let go: from here a map either took its slots first (EBUSY until it
     * unmaps) or fails. */
    atomic_store(&r->releasing, true);
    ccdma_device_release(r->dev);
    while (ccdma_plat_time_ns() < deadline) {
        ret = ccdma_swiotlb_restricted_destroy(r->pool);
        if (ret == CCDMA_OK) {
            atomic_fetch_add(&r->destroy_ok, 1);
            atomic_store(&r->destroyed, true);
            return NULL;
        }
        if (ret != CCDMA_EBUSY) {
            atomic_fetch_add(&r->bad_destroys, 1);
            break;
        }
        sched_yield();
    }
    atomic_store(&r->give_up, true);
    return NULL;
}

static void test_two_threads(void)
{
    uint8_t *mem = t_pages(POOL_PAGES), *buf = t_pages(1);
    unsigned long ok = 0, failed = 0, early = 0, bad = 0, late = 0, unmaps = 0, reads = 0;
    unsigned long ebusy = 0, bad_destroys = 0, destroyed = 0, private_after = 0;
    char line[160];

    for (size_t i = 0; i < PAGE; i++)
        buf[i] = (uint8_t)(i * 7 + 3);
    for (int round = 0; round < RACE_ROUNDS; round++) {
        struct race r = {.buf = buf};
        struct ccdma_device dev;
        pthread_t tm, td;

        REQUIRE(ccdma_swiotlb_restricted_create("race", mem, POOL_PAGES * PAGE, true,
                                                &r.pool) == 0);
        restricted_dev(&dev, "race", r.pool);
        r.dev = &dev;
        REQUIRE(pthread_create(&tm, NULL, mapper, &r) == 0);
        REQUIRE(pthread_create(&td, NULL, destroyer, &r) == 0);
        pthread_join(td, NULL);
        if (!atomic_load(&r.destroyed))
            atomic_store(&r.give_up, true);
        pthread_join(tm, NULL);

        ok += atomic_load(&r.maps_ok);
        failed += atomic_load(&r.maps_failed);
        early += atomic_load(&r.early_fails);
        bad += atomic_load(&r.bad_fails);
        late += atomic_load(&r.late_maps);
        unmaps += atomic_load(&r.bad_unmaps);
        reads += atomic_load(&r.bad_reads);
        ebusy += atomic_load(&r.ebusy);
        bad_destroys += atomic_load(&r.bad_destroys);
        destroyed += atomic_load(&r.destroy_ok);
        private_after += t_range_private(t_pa(mem), POOL_PAGES * PAGE);
        if (!atomic_load(&r.destroyed)) {
            /* Leave the runtime clean for the remaining checks. */
            ccdma_device_release(&dev);
            ccdma_swiotlb_restricted_destroy(r.pool);
        }
    }
    snprintf(line, sizeof(line), "%d rounds: %lu maps, %lu clean failures, %lu EBUSY",
             RACE_ROUNDS, ok, failed, ebusy);
    printf("# %s\n", line);
    CHECK_EQ(destroyed, RACE_ROUNDS, "every round's destroy succeeded after the release");
    CHECK_EQ(bad_destroys, 0, "destroy never succeeded (or failed otherwise) while the device held the pool");
    CHECK(ebusy >= (unsigned long)RACE_ROUNDS * RACE_HELD_TRIES,
          "destroy was attempted, and refused, during the maps");
    CHECK(ok >= (unsigned long)RACE_ROUNDS * RACE_HELD_MAPS, "the maps ran");
    CHECK_EQ(early, 0, "no map failed while the device held the pool");
    CHECK_EQ(bad, 0, "every failed map failed with ESTATE and no address");
    CHECK_EQ(late, 0, "no map begun after the destroy succeeded");
    CHECK_EQ(unmaps, 0, "every successful map unmapped cleanly");
    CHECK_EQ(reads, 0, "the device read the right bytes from every mapping");
    CHECK_EQ(private_after, RACE_ROUNDS, "the memory was private again after every destroy");
    t_pages_free(mem, POOL_PAGES);
    t_pages_free(buf, 1);
}

/* `test_dma_restricted ENC [held|dying|shutdown|threads]`: one test alone
 * (a failing test can abort the binary at a set-up step). */
static bool wanted(int argc, char **argv, const char *key)
{
    return argc < 3 || strcmp(argv[2], key) == 0;
}

int main(int argc, char **argv)
{
    struct ccdma_config c = nodebug();

    t_start(argc, argv, "dma restricted pool destroy");
    if (wanted(argc, argv, "held"))
        t_run(test_destroy_while_held, "destroy while a device holds the pool");
    /* dma-debug off: the observer must not allocate dma-debug entries
     * while the port's lock is held (see observe_destroy). */
    if (wanted(argc, argv, "dying"))
        t_run_with(test_dying_pool, "maps on a pool being destroyed, and on its reused slot", &c);
    if (wanted(argc, argv, "shutdown"))
        t_run_raw(test_across_shutdown, "a device registered before a shutdown");
    if (wanted(argc, argv, "threads"))
        t_run(test_two_threads, "a mapper thread against a destroyer thread");
    return t_finish();
}
