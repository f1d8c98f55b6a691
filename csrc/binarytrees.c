#include <stdlib.h>

#include "fastkern.h"

#define MIN_DEPTH 4
#define PIECE_DEPTH FK_BINARY_TREES_PIECE_DEPTH

typedef struct fk_node {
    struct fk_node *left, *right;
} node_t;

/* What a phase does to each of its trees. */
enum { BUILD_AND_CHECK, BUILD, CHECK };

static int64_t tree_nodes(int depth)
{
    return ((int64_t)1 << (depth + 1)) - 1;
}

/* Blocks of nodes kept from one call for the next, so that their pages stay mapped: a block
 * handed back to malloc may go back to the OS (glibc trims its heap once the free top
 * exceeds twice the largest block it has mapped, which a second thread's block crosses),
 * and the next call would fault every page in again, as much work for the kernel as the
 * trees are for the thread. Each slot holds one block or NULL (its capacity, a hint, in
 * kept_nodes; the block's own header is the truth); a call takes the smallest that fits.
 * At most KEPT_SLOTS blocks of up to KEPT_MAX_BYTES each stay allocated. */
#define KEPT_SLOTS 4
#define KEPT_MAX_BYTES ((size_t)16 << 20)
typedef struct {
    size_t nodes, pad; /* 16 bytes: the nodes after it keep malloc's alignment */
} block_t;
static block_t *kept[KEPT_SLOTS];
static size_t kept_nodes[KEPT_SLOTS];
static unsigned evict_next;

static void keep(block_t *block)
{
    int i;
    for (i = 0; i < KEPT_SLOTS; i++) {
        block_t *empty = NULL;
        if (__atomic_compare_exchange_n(&kept[i], &empty, block, 0, __ATOMIC_ACQ_REL,
                                        __ATOMIC_RELAXED))
            break;
    }
    if (i == KEPT_SLOTS) { /* every slot taken: the oldest size gives way */
        i = (int)(__atomic_fetch_add(&evict_next, 1, __ATOMIC_RELAXED) % KEPT_SLOTS);
        free(__atomic_exchange_n(&kept[i], block, __ATOMIC_ACQ_REL));
    }
    __atomic_store_n(&kept_nodes[i], block->nodes, __ATOMIC_RELAXED);
}

static node_t *take_nodes(int64_t nodes)
{
    int best = -1;
    for (int i = 0; i < KEPT_SLOTS; i++) {
        size_t has = __atomic_load_n(&kept_nodes[i], __ATOMIC_RELAXED);
        if (__atomic_load_n(&kept[i], __ATOMIC_RELAXED) != NULL && has >= (size_t)nodes
            && (best < 0 || has < __atomic_load_n(&kept_nodes[best], __ATOMIC_RELAXED)))
            best = i;
    }
    block_t *block = best < 0 ? NULL : __atomic_exchange_n(&kept[best], NULL, __ATOMIC_ACQ_REL);
    if (block != NULL && block->nodes >= (size_t)nodes)
        return (node_t *)(block + 1);
    if (block != NULL) /* another call swapped the slot meanwhile */
        keep(block);
    block = malloc(sizeof(block_t) + (size_t)nodes * sizeof(node_t));
    if (block == NULL)
        return NULL;
    block->nodes = (size_t)nodes;
    return (node_t *)(block + 1);
}

static void give_nodes(node_t *nodes)
{
    if (nodes == NULL)
        return;
    block_t *block = (block_t *)nodes - 1;
    if (block->nodes * sizeof(node_t) <= KEPT_MAX_BYTES)
        keep(block);
    else
        free(block);
}

/* A tree of `depth` rooted at `node`, its nodes taken from there on in depth-first order
 * (so a walk reads memory forwards); returns the first node after it. Passing the free
 * node in and out, not through memory, keeps it in a register. */
static node_t *build(node_t *node, int depth)
{
    if (depth == 0) {
        node->left = node->right = NULL;
        return node + 1;
    }
    node_t *right = build(node + 1, depth - 1);
    node->left = node + 1;
    node->right = right;
    return build(right, depth - 1);
}

static int64_t check(const node_t *node)
{
    if (node->left == NULL)
        return 1;
    return 1 + check(node->left) + check(node->right);
}

/* A tree deeper than PIECE_DEPTH is built and walked a piece at a time: its top `levels`
 * levels (2^levels - 1 nodes, in heap order at the start of its block) over 2^levels
 * pieces of depth PIECE_DEPTH, each laid out depth-first after them. */
static int top_levels(int depth)
{
    return depth > PIECE_DEPTH ? depth - PIECE_DEPTH : 0;
}

static node_t *piece(node_t *tree, int levels, int64_t i)
{
    return tree + (((int64_t)1 << levels) - 1) + i * tree_nodes(PIECE_DEPTH);
}

static void link_top(node_t *tree, int levels)
{
    int64_t top = ((int64_t)1 << levels) - 1;
    for (int64_t t = 0; t < top; t++) {
        int64_t left = 2 * t + 1, right = 2 * t + 2;
        tree[t].left = left < top ? tree + left : piece(tree, levels, left - top);
        tree[t].right = right < top ? tree + right : piece(tree, levels, right - top);
    }
}

/* The nodes above the pieces, walked through the links. */
static int64_t check_top(const node_t *node, int levels)
{
    if (levels == 0)
        return 0;
    return 1 + check_top(node->left, levels - 1) + check_top(node->right, levels - 1);
}

static int64_t *put_row(fk_binary_trees_t *s, int64_t depth, int64_t iterations)
{
    int64_t *row = s->row[s->rows++];
    row[0] = depth;
    row[1] = iterations;
    row[2] = 0;
    return row;
}

static void add_phase(fk_binary_trees_t *s, int kind, int depth, int64_t trees, int64_t *units)
{
    fk_binary_trees_phase_t *phase = &s->phase[s->phases++];
    int64_t pieces = (int64_t)1 << top_levels(depth);
    phase->kind = kind;
    phase->depth = depth;
    phase->row = s->rows - 1;
    if (pieces == 1) {
        phase->items = trees;
        phase->item_units = kind == BUILD_AND_CHECK ? 2 * tree_nodes(depth) : tree_nodes(depth);
    } else {
        phase->items = trees * (kind == BUILD_AND_CHECK ? 2 * pieces : pieces);
        phase->item_units = tree_nodes(PIECE_DEPTH);
    }
    phase->first_unit = *units;
    *units += phase->items * phase->item_units;
}

/* Phases: the stretch tree, the long-lived tree's building, the iterations of each depth,
 * the long-lived tree's walk. Rows accumulate their check as the phases run. */
int64_t fk_binary_trees_open(fk_binary_trees_t *s, int max_depth)
{
    int deepest = max_depth > MIN_DEPTH + 2 ? max_depth : MIN_DEPTH + 2;
    int64_t units = 0;
    s->rows = s->phases = 0;
    s->owns = 1;
    s->scratch = s->whole = take_nodes(tree_nodes(deepest + 1));
    s->long_lived = take_nodes(tree_nodes(deepest));
    if (s->scratch == NULL || s->long_lived == NULL) {
        fk_binary_trees_close(s);
        return -1;
    }
    put_row(s, deepest + 1, 1);
    add_phase(s, BUILD_AND_CHECK, deepest + 1, 1, &units);
    add_phase(s, BUILD, deepest, 1, &units);
    for (int depth = MIN_DEPTH; depth <= deepest; depth += 2) {
        int64_t iterations = (int64_t)1 << (deepest - depth + MIN_DEPTH);
        put_row(s, depth, iterations);
        add_phase(s, BUILD_AND_CHECK, depth, iterations, &units);
    }
    put_row(s, deepest, 1);
    add_phase(s, CHECK, deepest, 1, &units);
    return units;
}

/* Item i of a phase: a whole tree, or (for deep trees) the building or the walk of one
 * piece; the last piece built links the top, the last walked walks it. */
static void do_item(fk_binary_trees_t *s, const fk_binary_trees_phase_t *phase, int64_t i)
{
    int levels = top_levels(phase->depth);
    node_t *scratch = levels ? s->scratch : s->whole;
    node_t *tree = phase->kind == BUILD_AND_CHECK ? scratch : s->long_lived;
    int64_t *check_sum = &s->row[phase->row][2];
    int64_t pieces = (int64_t)1 << levels;
    if (levels == 0) { /* the long-lived tree, built or walked */
        if (phase->kind == BUILD)
            build(tree, phase->depth);
        else
            *check_sum += check(tree);
        return;
    }
    int64_t j = phase->kind == BUILD_AND_CHECK ? i % (2 * pieces) : i;
    int building = phase->kind == BUILD || (phase->kind == BUILD_AND_CHECK && j < pieces);
    j %= pieces;
    if (building) {
        build(piece(tree, levels, j), PIECE_DEPTH);
        if (j == pieces - 1)
            link_top(tree, levels);
    } else {
        *check_sum += check(piece(tree, levels, j));
        if (j == pieces - 1)
            *check_sum += check_top(tree, levels);
    }
}

/* Units count nodes; an item belongs to the range its first unit is in. */
void fk_binary_trees_range(void *state, int64_t begin, int64_t end)
{
    fk_binary_trees_t *s = state;
    for (int p = 0; p < s->phases; p++) {
        const fk_binary_trees_phase_t *phase = &s->phase[p];
        int64_t from = begin - phase->first_unit, to = end - phase->first_unit;
        int64_t first = from <= 0 ? 0 : (from + phase->item_units - 1) / phase->item_units;
        int64_t last = to <= 0 ? 0 : (to + phase->item_units - 1) / phase->item_units;
        last = last < phase->items ? last : phase->items;
        if (phase->kind == BUILD_AND_CHECK && top_levels(phase->depth) == 0) {
            int64_t total = 0; /* whole trees in this thread's own block, one tight loop */
            for (int64_t i = first; i < last; i++) {
                build(s->whole, phase->depth);
                total += check(s->whole);
            }
            s->row[phase->row][2] += total;
        } else {
            for (int64_t i = first; i < last; i++)
                do_item(s, phase, i);
        }
    }
}

void fk_binary_trees_close(fk_binary_trees_t *s)
{
    if (s->owns == 1) {
        give_nodes(s->scratch);
        give_nodes(s->long_lived);
    } else if (s->owns == 2) {
        give_nodes(s->whole);
    }
    s->owns = 0;
    s->scratch = s->long_lived = s->whole = NULL;
}

static int joins(const fk_binary_trees_phase_t *phase)
{
    return top_levels(phase->depth) == 0 && phase->kind != CHECK;
}

int fk_binary_trees_groups(const void *state, int64_t unit, int64_t *start, int64_t *end)
{
    const fk_binary_trees_t *s = state;
    int p = 0;
    while (p + 1 < s->phases && s->phase[p + 1].first_unit <= unit)
        p++;
    const fk_binary_trees_phase_t *phase = &s->phase[p];
    int64_t length = phase->items * phase->item_units;
    if (top_levels(phase->depth) == 0) {
        /* Whole trees, and the long-lived tree's build, do not depend on each other: every
         * such phase next to this one joins its group, so threads meet at no boundary
         * between them (the long-lived tree's walk waits for its build). */
        int first = p, last = p;
        while (phase->kind != CHECK && first > 0 && joins(&s->phase[first - 1]))
            first--;
        while (phase->kind != CHECK && last + 1 < s->phases && joins(&s->phase[last + 1]))
            last++;
        *start = s->phase[first].first_unit;
        *end = s->phase[last].first_unit + s->phase[last].items * s->phase[last].item_units;
        return FK_GROUP_SHARED;
    }
    if (phase->kind != BUILD_AND_CHECK) {
        *start = phase->first_unit;
        *end = phase->first_unit + length;
        return FK_GROUP_WHOLE;
    }
    int64_t tree_units = 2 * ((int64_t)1 << top_levels(phase->depth)) * phase->item_units;
    *start = unit - (unit - phase->first_unit) % tree_units;
    *end = *start + tree_units;
    return FK_GROUP_WHOLE;
}

int fk_binary_trees_fork(const fk_binary_trees_t *s, fk_binary_trees_t *copy)
{
    int deepest = 0;
    for (int p = 0; p < s->phases; p++)
        if (top_levels(s->phase[p].depth) == 0 && s->phase[p].depth > deepest)
            deepest = s->phase[p].depth;
    *copy = *s;
    for (int r = 0; r < s->rows; r++)
        copy->row[r][2] = 0;
    copy->owns = 2;
    copy->whole = take_nodes(tree_nodes(deepest));
    return copy->whole == NULL ? -1 : 0;
}

void fk_binary_trees_add(fk_binary_trees_t *s, const fk_binary_trees_t *copy)
{
    for (int r = 0; r < s->rows; r++)
        s->row[r][2] += copy->row[r][2];
}
