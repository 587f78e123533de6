/**
 * Ascending height, in place (stable). The walk is depth-first, so the list is often in order
 * already (a chain, a fan-out): one linear check then instead of a sort with a comparator.
 */
export function sortByHeight(nodes: { readonly height: number }[]): void {
  for (let i = 1; i < nodes.length; i++) {
    if (nodes[i - 1]!.height > nodes[i]!.height) {
      nodes.sort((a, b) => a.height - b.height);
      return;
    }
  }
}
