/**
 * Whether `room` matches `pattern`, where `*` stands for any run of characters (none included):
 * `board:*` matches `board:1` and `board:`, `*` matches every room, `a*z` matches `az` and `abcz`.
 * Room names cannot contain `*`, so a pattern without one is an exact name.
 */
export function matchesRoom(pattern: string, room: string): boolean {
  const parts = pattern.split('*');
  if (parts.length === 1) return pattern === room;
  const first = parts[0] as string;
  const last = parts[parts.length - 1] as string;
  if (room.length < first.length + last.length || !room.startsWith(first) || !room.endsWith(last)) return false;
  // Middle parts in order, each as early as possible, between the fixed prefix and suffix.
  let at = first.length;
  const end = room.length - last.length;
  for (const part of parts.slice(1, -1)) {
    const found = room.indexOf(part, at);
    if (found < 0 || found + part.length > end) return false;
    at = found + part.length;
  }
  return true;
}

/** Whether any of `patterns` matches `room`. */
export function anyMatches(patterns: readonly string[], room: string): boolean {
  return patterns.some((pattern) => matchesRoom(pattern, room));
}
