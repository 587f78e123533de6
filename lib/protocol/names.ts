// Shapes of the names that travel in frames. Strict on purpose: they end up in log lines, metric
// labels and storage keys, so control characters and unbounded lengths are refused at the door.

const NAME = /^[A-Za-z0-9_.:@-]{1,128}$/;
const OP_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** Longest token a hello may carry. */
export const MAX_TOKEN_LENGTH = 4096;

/** What {@link isRoomName} accepts, for error messages. */
export const ROOM_NAME_RULE = '1-128 characters of A-Z a-z 0-9 _ . : @ -';

/** What {@link isOpId} accepts, for error messages. */
export const OP_ID_RULE = '1-64 characters of A-Z a-z 0-9 _ -';

/** Room and document names: 1–128 characters of `A-Z a-z 0-9 _ . : @ -`. */
export function isRoomName(value: unknown): value is string {
  return typeof value === 'string' && NAME.test(value);
}

/** Document names follow the room-name rule. */
export const isDocName = isRoomName;

/** Op ids: 1–64 characters of `A-Z a-z 0-9 _ -` (what `randomId` produces, and room for others). */
export function isOpId(value: unknown): value is string {
  return typeof value === 'string' && OP_ID.test(value);
}
