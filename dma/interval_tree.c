/* SPDX-License-Identifier: MIT */
/*
 * Interval treap. Nodes are ordered by (start, address), so equal starts
 * still give every node a unique key and removal finds the exact node.
 * Depth is O(log n) expected, from the random priorities.
 */
#include "interval_tree.h"

#include <stddef.h>

static bool before(const struct itree_node *a, const struct itree_node *b)
{
    if (a->start != b->start)
        return a->start < b->start;
    return (uintptr_t)a < (uintptr_t)b;
}

static void update(struct itree_node *n)
{
    n->max_last = n->last;
    if (n->left && n->left->max_last > n->max_last)
        n->max_last = n->left->max_last;
    if (n->right && n->right->max_last > n->max_last)
        n->max_last = n->right->max_last;
}

/* Split t into nodes before key (*l) and the rest (*r). */
static void split(struct itree_node *t, const struct itree_node *key,
                  struct itree_node **l, struct itree_node **r)
{
    if (!t) {
        *l = NULL;
        *r = NULL;
    } else if (before(t, key)) {
        split(t->right, key, &t->right, r);
        update(t);
        *l = t;
    } else {
        split(t->left, key, l, &t->left);
        update(t);
        *r = t;
    }
}

/* Every node of l comes before every node of r. */
static struct itree_node *merge(struct itree_node *l, struct itree_node *r)
{
    if (!l)
        return r;
    if (!r)
        return l;
    if (l->prio > r->prio) {
        l->right = merge(l->right, r);
        update(l);
        return l;
    }
    r->left = merge(l, r->left);
    update(r);
    return r;
}

static struct itree_node *insert(struct itree_node *t, struct itree_node *n)
{
    if (!t)
        return n;
    if (n->prio > t->prio) {
        split(t, n, &n->left, &n->right);
        update(n);
        return n;
    }
    if (before(n, t))
        t->left = insert(t->left, n);
    else
        t->right = insert(t->right, n);
    update(t);
    return t;
}

void itree_insert(struct itree_node **root, struct itree_node *n)
{
    n->left = NULL;
    n->right = NULL;
    n->max_last = n->last;
    *root = insert(*root, n);
}

static struct itree_node *remove_node(struct itree_node *t, struct itree_node *n)
{
    if (!t)
        return NULL;
    if (t == n)
        return merge(t->left, t->right);
    if (before(n, t))
        t->left = remove_node(t->left, n);
    else
        t->right = remove_node(t->right, n);
    update(t);
    return t;
}

void itree_remove(struct itree_node **root, struct itree_node *n)
{
    *root = remove_node(*root, n);
    n->left = NULL;
    n->right = NULL;
}

struct itree_node *itree_find(struct itree_node *t, uint64_t start,
                              uint64_t last,
                              bool (*match)(const struct itree_node *, void *),
                              void *ctx)
{
    struct itree_node *hit;

    if (!t || t->max_last < start)
        return NULL;
    hit = itree_find(t->left, start, last, match, ctx);
    if (hit)
        return hit;
    if (t->start > last)
        return NULL; /* everything to the right starts later still */
    if (t->last >= start && match(t, ctx))
        return t;
    return itree_find(t->right, start, last, match, ctx);
}
