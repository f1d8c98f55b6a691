"""A recursive function: the sum of the values in a tree of ``(value, children)`` tuples,
the shape of parsed JSON or a syntax tree.

    python examples/trees.py [NODES]        prints the anatomy of tree_sum (a quick pass)
    python -m fastkern anatomy trees:tree_sum --quick      (the same, from examples/)
"""

import numpy as np

import fastkern


def sample_tree(nodes: int) -> tuple:
    """A random tree of ``nodes`` nodes (each node's parent drawn among the earlier ones)."""
    rng = np.random.default_rng(nodes)
    parents = [int(rng.integers(0, i)) for i in range(1, nodes)]
    values = rng.integers(-1000, 1000, nodes).tolist()
    children = [[] for _ in range(nodes)]
    built = [None] * nodes
    for node in range(nodes - 1, -1, -1):
        built[node] = (values[node], tuple(reversed(children[node])))
        if node:
            children[parents[node - 1]].append(built[node])
    return (built[0],)


@fastkern.kernel(sample=sample_tree, unit="node", sizes=(1_000, 100_000))
def tree_sum(node: tuple) -> int:
    """The sum of every value in the tree whose root is ``node``."""
    value, children = node
    total = value
    for child in children:
        total += tree_sum(child)
    return total


if __name__ == "__main__":
    import sys

    print(fastkern.anatomy(tree_sum, int(sys.argv[1]) if len(sys.argv) > 1 else 10_000, quick=True,
                           progress=True))
