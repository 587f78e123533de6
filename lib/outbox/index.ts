export { createOutbox, type Outbox, type OutboxOptions, type OutboxSender, type EnqueueOptions, type RegisterOptions } from './outbox.js';
export type { OutboxOp, DeadLetter } from './outboxOp.js';
export { isTransientError } from './isTransientError.js';
export { RefusedError, isRefusal } from './refusedError.js';
export { httpSender, type HttpSenderOptions } from './httpSender.js';
export type { LockManagerLike } from './localLocks.js';
