/**
 * Ascending height, in place. The walk is depth-first, so the list is often nearly sorted:
 * insertion sort is linear then and, for the usual handful of nodes, cheaper than a call to
 * `Array.prototype.sort` with a comparator. Long lists go to the built-in sort.
 */
export function sortByHeight(nodes: { readonly height: number }[]): void {
  if (nodes.length > 64) {
    // A chain's walk comes out sorted already: one linear check instead of a sort.
    for (let i = 1; i < nodes.length; i++) {
      if (nodes[i - 1]!.height > nodes[i]!.height) {
        nodes.sort((a, b) => a.height - b.height);
        return;
      }
    }
    return;
  }
  for (let i = 1; i < nodes.length; i++) {
    const node = nodes[i]!;
    let j = i - 1;
    while (j >= 0 && nodes[j]!.height > node.height) {
      nodes[j + 1] = nodes[j]!;
      j--;
    }
    nodes[j + 1] = node;
  }
}
