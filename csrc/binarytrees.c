#include <stdlib.h>

#include "fastkern.h"

#define MIN_DEPTH 4

typedef struct node {
    struct node *left, *right;
} node_t;

/* Nodes are taken from one block in depth-first order, so a walk reads memory forwards. */
typedef struct {
    node_t *nodes, *next;
} arena_t;

static int64_t tree_nodes(int depth)
{
    return ((int64_t)1 << (depth + 1)) - 1;
}

static int arena_open(arena_t *arena, int depth)
{
    arena->nodes = arena->next = malloc((size_t)tree_nodes(depth) * sizeof(node_t));
    return arena->nodes != NULL;
}

static node_t *build(arena_t *arena, int depth)
{
    node_t *node = arena->next++;
    if (depth == 0) {
        node->left = node->right = NULL;
    } else {
        node->left = build(arena, depth - 1);
        node->right = build(arena, depth - 1);
    }
    return node;
}

static int64_t check(const node_t *node)
{
    if (node->left == NULL)
        return 1;
    return 1 + check(node->left) + check(node->right);
}

/* Build a tree of `depth` at the start of a reusable arena, walk it, and drop it. */
static int64_t check_scratch_tree(arena_t *scratch, int depth)
{
    scratch->next = scratch->nodes;
    return check(build(scratch, depth));
}

static int64_t *put_row(int64_t *row, int64_t depth, int64_t iterations, int64_t check)
{
    row[0] = depth;
    row[1] = iterations;
    row[2] = check;
    return row + 3;
}

ptrdiff_t fk_binary_trees(int max_depth, int64_t *rows)
{
    int deepest = max_depth > MIN_DEPTH + 2 ? max_depth : MIN_DEPTH + 2;
    arena_t scratch, long_lived;
    if (!arena_open(&scratch, deepest + 1))
        return -1;
    if (!arena_open(&long_lived, deepest)) {
        free(scratch.nodes);
        return -1;
    }
    int64_t *row = put_row(rows, deepest + 1, 1, check_scratch_tree(&scratch, deepest + 1));
    node_t *kept = build(&long_lived, deepest);
    for (int depth = MIN_DEPTH; depth <= deepest; depth += 2) {
        int64_t iterations = (int64_t)1 << (deepest - depth + MIN_DEPTH), total = 0;
        for (int64_t i = 0; i < iterations; i++)
            total += check_scratch_tree(&scratch, depth);
        row = put_row(row, depth, iterations, total);
    }
    row = put_row(row, deepest, 1, check(kept));
    free(long_lived.nodes);
    free(scratch.nodes);
    return (row - rows) / 3;
}
