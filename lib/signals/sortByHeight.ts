/**
 * Ascending height, in place (stable). The walk is depth-first, so the list is often in order
 * already (a chain, a fan-out): one linear check then instead of a sort with a comparator. A
 * short list out of order (a diamond) is insertion-sorted: `Array.prototype.sort` with a
 * comparator cost a fifth of a diamond's notification.
 */
export function sortByHeight(nodes: { readonly height: number }[]): void {
  for (let i = 1; i < nodes.length; i++) {
    if (nodes[i - 1]!.height > nodes[i]!.height) {
      if (nodes.length > 32) {
        nodes.sort((a, b) => a.height - b.height);
        return;
      }
      // Insertion sort from here on (stable: moves a node only past strictly higher ones).
      for (let j = i; j < nodes.length; j++) {
        const node = nodes[j]!;
        let k = j - 1;
        while (k >= 0 && nodes[k]!.height > node.height) {
          nodes[k + 1] = nodes[k]!;
          k--;
        }
        nodes[k + 1] = node;
      }
      return;
    }
  }
}
