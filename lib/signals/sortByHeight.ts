/**
 * Ascending height, in place (stable). The walk is depth-first, so the list is often in order
 * already (a chain, a fan-out): insertion sort then only checks each neighbour. A short list out
 * of order (a diamond) is insertion-sorted too (`Array.prototype.sort` with a comparator cost a
 * fifth of a diamond's notification); a long one out of order goes to the built-in sort.
 */
export function sortByHeight(nodes: { readonly height: number }[]): void {
  for (let i = 1; i < nodes.length; i++) {
    const node = nodes[i]!;
    let k = i - 1;
    if (nodes[k]!.height <= node.height) continue;
    if (nodes.length > 32) {
      nodes.sort((a, b) => a.height - b.height);
      return;
    }
    // Moves the node only past strictly higher ones: equal heights keep the walk order.
    while (k >= 0 && nodes[k]!.height > node.height) {
      nodes[k + 1] = nodes[k]!;
      k--;
    }
    nodes[k + 1] = node;
  }
}
