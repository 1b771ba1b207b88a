/* SPDX-License-Identifier: MIT */
/*
 * The host's doorbell check (monitor/host/virtio_shadow.c) against
 * made-up rings in a fake realm: 64 pages of RAM seen at their unprotected
 * IPAs, each page shared or private. Every ring field is realm-controlled,
 * so besides the good paths each test builds one way a ring can be wrong
 * and checks that the verdict and the reported place are exact. ASan sees
 * every read the checker makes go through the fake memory.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include <ccdma/virtio_spec.h>
#include "virtio_shadow.h"

#define SHARED_BIT 0x80000000ull
#define PAGE 0x1000ull
#define NPAGES 64
#define RAM_IPA 0x40000000ull
#define ALIAS(off) ((RAM_IPA | SHARED_BIT) + (off))
#define QNUM 8u
#define F_INDIRECT 4u
#define QUEUE_RESET 0x0c0u

static uint8_t *ram;           /* NPAGES pages */
static bool shared[NPAGES];
static bool read_outside;      /* the checker read memory it had not checked */

static bool fake_shared(void *ctx, uint64_t addr)
{
    (void)ctx;
    if (!(addr & SHARED_BIT) || addr < ALIAS(0) || addr >= ALIAS(NPAGES * PAGE))
        return false;
    return shared[(addr - ALIAS(0)) / PAGE];
}

static void fake_read(void *ctx, uint64_t addr, void *dst, size_t len)
{
    (void)ctx;
    if (addr < ALIAS(0) || addr + len > ALIAS(NPAGES * PAGE) || !fake_shared(NULL, addr) ||
        !fake_shared(NULL, addr + len - 1)) {
        read_outside = true;
        memset(dst, 0, len);
        return;
    }
    memcpy(dst, ram + (addr - ALIAS(0)), len);
}

static const struct vshadow_mem mem = {NULL, fake_shared, fake_read};

/* Ring layout in page 0 (desc, avail, used); buffers in pages 1..; an
 * indirect table in page 2. */
#define DESC_OFF 0x000u
#define AVAIL_OFF 0x400u
#define USED_OFF 0x800u
#define BUF(n) (PAGE * (1 + (n)))
#define IND_OFF (2 * PAGE)

static struct vring_desc *desc_at(uint64_t off) { return (struct vring_desc *)(ram + off); }
static uint16_t *avail_word(unsigned int i) { return (uint16_t *)(ram + AVAIL_OFF) + i; }

static void fresh(struct vshadow *s)
{
    memset(ram, 0, NPAGES * PAGE);
    for (unsigned int i = 0; i < NPAGES; i++)
        shared[i] = i < 8; /* pages 0..7 shared, the rest private */
    read_outside = false;
    vshadow_reset(s);
}

/* A register write while setting up; only a surprise is reported. */
static void w(struct vshadow *s, uint32_t off, uint32_t val)
{
    unsigned int q;
    if (vshadow_write(s, off, val, &q))
        check(false, "setup write is not a doorbell", "off 0x%x", off);
}

static void setup_queue(struct vshadow *s, unsigned int sel, uint32_t num, uint64_t desc,
                        uint64_t avail, uint64_t used)
{
    w(s, VIRTIO_MMIO_QUEUE_SEL, sel);
    w(s, VIRTIO_MMIO_QUEUE_NUM, num);
    w(s, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)desc);
    w(s, VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(desc >> 32));
    w(s, VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)avail);
    w(s, VIRTIO_MMIO_QUEUE_DRIVER_HIGH, (uint32_t)(avail >> 32));
    w(s, VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)used);
    w(s, VIRTIO_MMIO_QUEUE_DEVICE_HIGH, (uint32_t)(used >> 32));
    w(s, VIRTIO_MMIO_QUEUE_READY, 1);
}

static void std_queue(struct vshadow *s)
{
    setup_queue(s, 0, QNUM, ALIAS(DESC_OFF), ALIAS(AVAIL_OFF), ALIAS(USED_OFF));
}

static void set_desc(unsigned int i, uint64_t addr, uint32_t len, uint16_t flags,
                     uint16_t next)
{
    *desc_at(DESC_OFF + 16u * i) = (struct vring_desc){addr, len, flags, next};
}

/* Make heads[] available after the current avail index. */
static void publish(const uint16_t *heads, unsigned int n)
{
    uint16_t idx = *avail_word(1);
    for (unsigned int i = 0; i < n; i++)
        *avail_word(2 + (uint16_t)(idx + i) % QNUM) = heads[i];
    *avail_word(1) = (uint16_t)(idx + n);
}

static enum vshadow_result notify(struct vshadow *s, unsigned int queue,
                                  struct vshadow_violation *v)
{
    unsigned int q = 99;
    bool bell = vshadow_write(s, VIRTIO_MMIO_QUEUE_NOTIFY, queue, &q);
    check(bell && q == queue, "QueueNotify is recognised", "bell %d queue %u", bell, q);
    return vshadow_check_notify(s, q, &mem, v);
}

static void expect(enum vshadow_result got, enum vshadow_result want, const char *name,
                   const struct vshadow_violation *v)
{
    check(got == want, name, "result %d, want %d (desc %ld element %ld what %s)", got, want,
          v->desc, v->element, v->what ? v->what : "-");
}

static void test_good_chains(struct vshadow *s)
{
    struct vshadow_violation v;
    uint16_t heads[] = {0, 3};

    fresh(s);
    std_queue(s);
    set_desc(0, ALIAS(BUF(0)), 512, VIRTQ_DESC_F_NEXT, 1);
    set_desc(1, ALIAS(BUF(1)) + 100, 200, VIRTQ_DESC_F_WRITE, 0);
    set_desc(3, ALIAS(BUF(2)), (uint32_t)PAGE, VIRTQ_DESC_F_WRITE, 0);
    publish(heads, 2);
    expect(notify(s, 0, &v), VSHADOW_OK, "two chains in shared pages pass", &v);
    CHECK_EQ(s->q[0].last_avail, 2, "the checked index is remembered");
    expect(notify(s, 0, &v), VSHADOW_OK, "a doorbell with nothing new passes", &v);
    check(!read_outside, "nothing read outside checked memory", "read outside");

    /* A buffer that spans several shared pages. */
    set_desc(3, ALIAS(BUF(2)) + 8, (uint32_t)(3 * PAGE), 0, 0);
    publish(heads + 1, 1);
    expect(notify(s, 0, &v), VSHADOW_OK, "a buffer over three shared pages passes", &v);
}

static void test_private_buffers(struct vshadow *s)
{
    struct vshadow_violation v;
    uint16_t head = 2;

    fresh(s);
    std_queue(s);
    set_desc(2, ALIAS(BUF(0)), 64, VIRTQ_DESC_F_NEXT, 5);
    set_desc(5, ALIAS(20 * PAGE) + 16, 64, VIRTQ_DESC_F_WRITE, 0);
    publish(&head, 1);
    expect(notify(s, 0, &v), VSHADOW_PRIVATE, "a buffer in a private page is refused", &v);
    CHECK_EQ(v.desc, 5, "the report names the descriptor");
    CHECK_EQ(v.bad, ALIAS(20 * PAGE) + 16, "... and the private address");
    check(v.element == -1 && !strcmp(v.what, "buffer"), "... as a buffer", "%s", v.what);
    CHECK_EQ(s->q[0].last_avail, 0, "a failed check does not advance");

    fresh(s);
    std_queue(s);
    set_desc(0, RAM_IPA + BUF(0), 64, 0, 0); /* shared page, protected encoding */
    publish((uint16_t[]){0}, 1);
    expect(notify(s, 0, &v), VSHADOW_PRIVATE,
           "the protected IPA of a shared page is refused (it reaches host memory)", &v);

    fresh(s);
    std_queue(s);
    set_desc(0, ALIAS(8 * PAGE) - 16, 64, 0, 0); /* last shared page into the first private */
    publish((uint16_t[]){0}, 1);
    expect(notify(s, 0, &v), VSHADOW_PRIVATE, "a buffer running into a private page is refused",
           &v);
    CHECK_EQ(v.bad, ALIAS(8 * PAGE), "the report names the first private page");

    fresh(s);
    std_queue(s);
    set_desc(0, UINT64_MAX - 15, 64, 0, 0);
    publish((uint16_t[]){0}, 1);
    expect(notify(s, 0, &v), VSHADOW_PRIVATE, "a buffer that wraps the address space is refused",
           &v);

    fresh(s);
    std_queue(s);
    set_desc(0, ALIAS(30 * PAGE), 0, 0, 0);
    publish((uint16_t[]){0}, 1);
    expect(notify(s, 0, &v), VSHADOW_OK, "an empty buffer touches nothing", &v);
}

static void test_ring_areas(struct vshadow *s)
{
    struct vshadow_violation v;

    fresh(s);
    setup_queue(s, 0, QNUM, ALIAS(DESC_OFF), ALIAS(AVAIL_OFF), ALIAS(9 * PAGE));
    expect(notify(s, 0, &v), VSHADOW_PRIVATE, "a used ring in a private page is refused", &v);
    check(v.desc == -1 && !strcmp(v.what, "used ring"), "the report names the used ring",
          "%ld %s", v.desc, v.what);

    fresh(s);
    setup_queue(s, 0, QNUM, RAM_IPA + DESC_OFF, ALIAS(AVAIL_OFF), ALIAS(USED_OFF));
    expect(notify(s, 0, &v), VSHADOW_PRIVATE, "a descriptor table at a protected IPA is refused",
           &v);

    fresh(s);
    setup_queue(s, 0, QNUM, ALIAS(8), ALIAS(AVAIL_OFF), ALIAS(USED_OFF));
    expect(notify(s, 0, &v), VSHADOW_BAD_RING, "a misaligned descriptor table is refused", &v);

    fresh(s);
    setup_queue(s, 0, 6, ALIAS(DESC_OFF), ALIAS(AVAIL_OFF), ALIAS(USED_OFF));
    expect(notify(s, 0, &v), VSHADOW_BAD_RING, "a queue size that is not a power of two", &v);
    fresh(s);
    setup_queue(s, 0, 0, ALIAS(DESC_OFF), ALIAS(AVAIL_OFF), ALIAS(USED_OFF));
    expect(notify(s, 0, &v), VSHADOW_BAD_RING, "a queue size of zero", &v);
    fresh(s);
    setup_queue(s, 0, 65536, ALIAS(DESC_OFF), ALIAS(AVAIL_OFF), ALIAS(USED_OFF));
    expect(notify(s, 0, &v), VSHADOW_BAD_RING, "a queue size above 32768", &v);
}

static void test_bad_walks(struct vshadow *s)
{
    struct vshadow_violation v;

    fresh(s);
    std_queue(s);
    set_desc(0, ALIAS(BUF(0)), 8, VIRTQ_DESC_F_NEXT, 1);
    set_desc(1, ALIAS(BUF(0)), 8, VIRTQ_DESC_F_NEXT, 0);
    publish((uint16_t[]){0}, 1);
    expect(notify(s, 0, &v), VSHADOW_BAD_RING, "a looping chain is refused", &v);

    fresh(s);
    std_queue(s);
    publish((uint16_t[]){QNUM}, 1);
    expect(notify(s, 0, &v), VSHADOW_BAD_RING, "a head beyond the queue is refused", &v);

    fresh(s);
    std_queue(s);
    set_desc(0, ALIAS(BUF(0)), 8, VIRTQ_DESC_F_NEXT, 200);
    publish((uint16_t[]){0}, 1);
    expect(notify(s, 0, &v), VSHADOW_BAD_RING, "a next index beyond the queue is refused", &v);

    fresh(s);
    std_queue(s);
    *avail_word(1) = QNUM + 1;
    expect(notify(s, 0, &v), VSHADOW_BAD_RING, "an available index a queue ahead is refused",
           &v);

    fresh(s);
    std_queue(s);
    set_desc(0, ALIAS(BUF(0)), 8, VIRTQ_DESC_F_NEXT, 1);
    set_desc(1, ALIAS(BUF(0)), 8, 0, 0);
    publish((uint16_t[]){0, 0, 0, 0, 0}, 5);
    expect(notify(s, 0, &v), VSHADOW_BAD_RING,
           "chains holding more descriptors than the queue are refused", &v);

    /* The index wraps at 65536. */
    fresh(s);
    std_queue(s);
    s->q[0].last_avail = 65535;
    *avail_word(1) = 65535;
    set_desc(4, ALIAS(BUF(0)), 8, 0, 0);
    set_desc(5, ALIAS(BUF(1)), 8, 0, 0);
    publish((uint16_t[]){4, 5}, 2);
    expect(notify(s, 0, &v), VSHADOW_OK, "two chains across the index wrap pass", &v);
    CHECK_EQ(s->q[0].last_avail, 1, "the index wrapped");
}

static void test_indirect(struct vshadow *s)
{
    struct vshadow_violation v;
    struct vring_desc *ind = desc_at(IND_OFF);

    fresh(s);
    std_queue(s);
    ind[0] = (struct vring_desc){ALIAS(BUF(3)), 16, VIRTQ_DESC_F_NEXT, 1};
    ind[1] = (struct vring_desc){ALIAS(BUF(4)), 16, VIRTQ_DESC_F_WRITE, 0};
    set_desc(0, ALIAS(IND_OFF), 32, F_INDIRECT, 0);
    publish((uint16_t[]){0}, 1);
    expect(notify(s, 0, &v), VSHADOW_OK, "an indirect chain in shared pages passes", &v);

    ind[1].addr = ALIAS(40 * PAGE);
    publish((uint16_t[]){0}, 1);
    expect(notify(s, 0, &v), VSHADOW_PRIVATE, "a private buffer in an indirect table is refused",
           &v);
    check(v.desc == 0 && v.element == 1, "the report names the indirect element",
          "desc %ld element %ld", v.desc, v.element);

    fresh(s);
    std_queue(s);
    set_desc(0, ALIAS(30 * PAGE), 32, F_INDIRECT, 0);
    publish((uint16_t[]){0}, 1);
    expect(notify(s, 0, &v), VSHADOW_PRIVATE, "an indirect table in a private page is refused",
           &v);
    check(!read_outside, "the private table was never read", "read outside");

    static const struct {
        struct vring_desc head, e0, e1;
        const char *name;
    } bad[] = {
        {{ALIAS(IND_OFF), 24, F_INDIRECT, 0}, {0, 0, 0, 0}, {0, 0, 0, 0},
         "an indirect length that is not whole descriptors"},
        {{ALIAS(IND_OFF), 32, F_INDIRECT | VIRTQ_DESC_F_NEXT, 1}, {0, 0, 0, 0}, {0, 0, 0, 0},
         "INDIRECT together with NEXT"},
        {{ALIAS(IND_OFF), 32, F_INDIRECT, 0}, {ALIAS(IND_OFF), 32, F_INDIRECT, 0}, {0, 0, 0, 0},
         "a nested indirect table"},
        {{ALIAS(IND_OFF), 32, F_INDIRECT, 0}, {ALIAS(BUF(3)), 8, VIRTQ_DESC_F_NEXT, 1},
         {ALIAS(BUF(3)), 8, VIRTQ_DESC_F_NEXT, 0}, "a looping indirect chain"},
        {{ALIAS(IND_OFF), 32, F_INDIRECT, 0}, {ALIAS(BUF(3)), 8, VIRTQ_DESC_F_NEXT, 2},
         {0, 0, 0, 0}, "an indirect next beyond the table"},
        {{ALIAS(IND_OFF), 16 * (QNUM + 1), F_INDIRECT, 0}, {0, 0, 0, 0}, {0, 0, 0, 0},
         "an indirect table longer than the queue"},
    };
    for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        fresh(s);
        std_queue(s);
        ind[0] = bad[i].e0;
        ind[1] = bad[i].e1;
        *desc_at(DESC_OFF) = bad[i].head;
        publish((uint16_t[]){0}, 1);
        expect(notify(s, 0, &v), VSHADOW_BAD_RING, bad[i].name, &v);
    }
}

/* ---- The end-of-run check ----------------------------------------------------------------------
 * A device need not wait for a doorbell: QEMU's virtio-rng pops avail
 * entries from its main loop. So at the end of a run every live queue is
 * checked from where its last check stopped (vshadow_check_live). */

/* A second queue's rings, in shared page 7. */
#define Q1_OFF (7 * PAGE)

static void set_desc_q1(unsigned int i, uint64_t addr, uint32_t len, uint16_t flags,
                        uint16_t next)
{
    *desc_at(Q1_OFF + DESC_OFF + 16u * i) = (struct vring_desc){addr, len, flags, next};
}

static void publish_q1(uint16_t head)
{
    uint16_t *avail = (uint16_t *)(ram + Q1_OFF + AVAIL_OFF);
    avail[2 + avail[1] % QNUM] = head;
    avail[1]++;
}

static enum vshadow_result sweep(struct vshadow *s, struct vshadow_violation *v,
                                 struct vshadow_sweep *sw)
{
    sw->queues = sw->chains = 99; /* must be overwritten */
    return vshadow_check_live(s, &mem, v, sw);
}

static void test_exit_check(struct vshadow *s)
{
    struct vshadow_violation v;
    struct vshadow_sweep sw;

    /* Published, never notified, clean: passes, and is remembered. */
    fresh(s);
    std_queue(s);
    set_desc(0, ALIAS(BUF(0)), 64, VIRTQ_DESC_F_NEXT, 1);
    set_desc(1, ALIAS(BUF(1)), 64, VIRTQ_DESC_F_WRITE, 0);
    publish((uint16_t[]){0}, 1);
    expect(sweep(s, &v, &sw), VSHADOW_OK,
           "end of run: a clean chain published without a doorbell passes", &v);
    check(sw.queues == 1 && sw.chains == 1, "... after walking it", "queues %u chains %u",
          sw.queues, sw.chains);
    CHECK_EQ(s->q[0].last_avail, 1, "... and it is remembered");
    expect(sweep(s, &v, &sw), VSHADOW_OK, "a second sweep with nothing new passes", &v);
    CHECK_EQ(sw.chains, 0, "... and walks nothing");

    /* Published, never notified, a private buffer: caught. */
    fresh(s);
    std_queue(s);
    set_desc(0, ALIAS(BUF(0)), 64, VIRTQ_DESC_F_NEXT, 1);
    set_desc(1, ALIAS(20 * PAGE) + 32, 64, VIRTQ_DESC_F_WRITE, 0);
    publish((uint16_t[]){0}, 1);
    expect(sweep(s, &v, &sw), VSHADOW_PRIVATE,
           "end of run: a private buffer in a chain never notified is caught", &v);
    check(v.queue == 0 && v.desc == 1 && v.bad == ALIAS(20 * PAGE) + 32 &&
              v.what != NULL && !strcmp(v.what, "buffer"),
          "... naming the queue, the descriptor and the address", "queue %u desc %ld bad 0x%llx %s",
          v.queue, v.desc, (unsigned long long)v.bad, v.what ? v.what : "-");
    CHECK_EQ(s->q[0].last_avail, 0, "... and a failed sweep does not advance");

    /* The sweep starts where the last doorbell's check stopped. */
    fresh(s);
    std_queue(s);
    set_desc(0, ALIAS(BUF(0)), 64, 0, 0);
    publish((uint16_t[]){0}, 1);
    expect(notify(s, 0, &v), VSHADOW_OK, "a notified clean chain passes its doorbell", &v);
    set_desc(2, RAM_IPA + BUF(1), 64, VIRTQ_DESC_F_WRITE, 0); /* protected IPA, shared page */
    publish((uint16_t[]){2}, 1);
    expect(sweep(s, &v, &sw), VSHADOW_PRIVATE,
           "end of run: a protected IPA published after the last doorbell is caught", &v);
    check(sw.chains == 1 && v.desc == 2, "... walking only the chain published since",
          "chains %u desc %ld", sw.chains, v.desc);

    /* Every live queue, not only the last one notified. */
    fresh(s);
    std_queue(s);
    setup_queue(s, 1, QNUM, ALIAS(Q1_OFF + DESC_OFF), ALIAS(Q1_OFF + AVAIL_OFF),
                ALIAS(Q1_OFF + USED_OFF));
    set_desc(0, ALIAS(BUF(0)), 64, 0, 0);
    publish((uint16_t[]){0}, 1);
    set_desc_q1(3, ALIAS(30 * PAGE), 16, VIRTQ_DESC_F_WRITE, 0);
    publish_q1(3);
    expect(sweep(s, &v, &sw), VSHADOW_PRIVATE, "end of run: every live queue is checked", &v);
    check(v.queue == 1 && v.desc == 3 && sw.queues == 2 && sw.chains == 2,
          "... the second queue's chain is the one named", "queue %u desc %ld queues %u chains %u",
          v.queue, v.desc, sw.queues, sw.chains);

    /* A live queue whose rings are no longer shared (freed while the
     * device may still use them): caught even with no chain pending. */
    fresh(s);
    std_queue(s);
    shared[0] = false;
    expect(sweep(s, &v, &sw), VSHADOW_PRIVATE,
           "end of run: a live queue whose rings went private is caught", &v);
    check(v.desc == -1 && v.what != NULL && !strcmp(v.what, "descriptor table"),
          "... naming the ring", "%ld %s", v.desc, v.what ? v.what : "-");

    /* A queue reset since (Status 0) is one the device forgot. */
    fresh(s);
    std_queue(s);
    set_desc(0, ALIAS(30 * PAGE), 64, 0, 0);
    publish((uint16_t[]){0}, 1);
    w(s, VIRTIO_MMIO_STATUS, 0);
    expect(sweep(s, &v, &sw), VSHADOW_OK, "end of run: a queue reset since is not checked", &v);
    check(sw.queues == 0 && sw.chains == 0, "... nothing is walked", "queues %u chains %u",
          sw.queues, sw.chains);
}

static void test_registers(struct vshadow *s)
{
    struct vshadow_violation v;
    unsigned int q;

    fresh(s);
    expect(notify(s, 0, &v), VSHADOW_IDLE, "a queue never made ready is idle", &v);
    expect(notify(s, VSHADOW_MAX_QUEUES, &v), VSHADOW_BAD_RING,
           "a queue the monitor does not track cannot pass", &v);

    /* Addresses take effect at QueueReady; later writes do not move them. */
    std_queue(s);
    w(s, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)(RAM_IPA + DESC_OFF));
    set_desc(0, ALIAS(BUF(0)), 8, 0, 0);
    publish((uint16_t[]){0}, 1);
    expect(notify(s, 0, &v), VSHADOW_OK, "addresses written after QueueReady are not live", &v);
    w(s, VIRTIO_MMIO_QUEUE_READY, 1);
    expect(notify(s, 0, &v), VSHADOW_PRIVATE, "... until QueueReady latches them", &v);

    /* QueueNum applies at once, as QEMU does. */
    fresh(s);
    std_queue(s);
    w(s, VIRTIO_MMIO_QUEUE_NUM, 3);
    expect(notify(s, 0, &v), VSHADOW_BAD_RING, "QueueNum written after QueueReady is live", &v);

    /* QueueNum values QEMU ignores are ignored here too, so the shadow
     * checks the ring slots the device really reads. */
    fresh(s);
    std_queue(s);
    w(s, VIRTIO_MMIO_QUEUE_NUM, 2048);
    CHECK_EQ(s->q[0].num, QNUM, "QueueNum above 1024 is ignored, as QEMU does");
    w(s, VIRTIO_MMIO_QUEUE_NUM, 0);
    CHECK_EQ(s->q[0].num, QNUM, "QueueNum 0 on a live queue is ignored, as QEMU does");

    /* Status 0 forgets the queue; QueueReset (virtio-pci only) does not. */
    fresh(s);
    std_queue(s);
    w(s, VIRTIO_MMIO_STATUS, 0);
    expect(notify(s, 0, &v), VSHADOW_IDLE, "a device reset makes the queue idle", &v);
    std_queue(s);
    w(s, VIRTIO_MMIO_STATUS, 7);
    expect(notify(s, 0, &v), VSHADOW_OK, "another status keeps it", &v);
    w(s, QUEUE_RESET, 1);
    expect(notify(s, 0, &v), VSHADOW_OK,
           "QueueReset is no virtio-mmio register in QEMU 7.2: the queue stays live", &v);

    /* QueueSel beyond QEMU's limit is ignored; beyond ours it is not tracked. */
    fresh(s);
    w(s, VIRTIO_MMIO_QUEUE_SEL, 5000);
    CHECK_EQ(s->queue_sel, 0, "QueueSel at or above 1024 is ignored");
    setup_queue(s, VSHADOW_MAX_QUEUES + 1, QNUM, ALIAS(DESC_OFF), ALIAS(AVAIL_OFF),
                ALIAS(USED_OFF));
    check(!s->q[0].live, "writes to an untracked queue touch no tracked one", "queue 0 live");
    check(vshadow_write(s, VIRTIO_MMIO_QUEUE_NOTIFY, 0x10003, &q) && q == 3,
          "the notify value's low 16 bits name the queue", "q %u", q);
}

int main(void)
{
    struct vshadow *s = calloc(1, sizeof(*s));

    ram = calloc(NPAGES, PAGE);
    if (!s || !ram)
        return 2;
    test_good_chains(s);
    test_private_buffers(s);
    test_ring_areas(s);
    test_bad_walks(s);
    test_indirect(s);
    test_registers(s);
    test_exit_check(s);
    check(!read_outside, "the checker only read memory it had found shared", "read outside");
    free(ram);
    free(s);
    return check_summary();
}
