/* SPDX-License-Identifier: MIT */
/*
 * An interval tree (a treap ordered by start, each node carrying the
 * largest end below it), for dma-debug's "which live mapping covers or
 * overlaps this range" questions in O(log n) expected time.
 */
#ifndef CCDMA_INTERVAL_TREE_H
#define CCDMA_INTERVAL_TREE_H

#include <stdbool.h>
#include <stdint.h>

struct itree_node {
    uint64_t start;
    uint64_t last;      /* inclusive end */
    uint64_t max_last;  /* largest `last` in this subtree */
    uint32_t prio;
    struct itree_node *left, *right;
};

/* The next treap priority from *state (xorshift32, never zero from a
 * non-zero seed): priorities need only be well spread. */
static inline uint32_t itree_next_prio(uint32_t *state)
{
    uint32_t x = *state;

    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *state = x;
    return x;
}

/* n->start, n->last and n->prio must be set. Equal starts are allowed. */
void itree_insert(struct itree_node **root, struct itree_node *n);
/* n must be in the tree. */
void itree_remove(struct itree_node **root, struct itree_node *n);

/* The first node, in start order, that overlaps [start, last] and for which
 * match(node, ctx) is true; NULL if none. */
struct itree_node *itree_find(struct itree_node *root, uint64_t start,
                              uint64_t last,
                              bool (*match)(const struct itree_node *, void *),
                              void *ctx);

#endif /* CCDMA_INTERVAL_TREE_H */
