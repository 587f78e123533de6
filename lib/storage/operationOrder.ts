/**
 * Keeps a storage adapter's operations in call order: writes run one after another, and a read
 * waits for every write called before it (read-your-writes even when the caller did not await),
 * while reads called together still run in parallel.
 */
export interface OperationOrder {
  /** Runs `task` after every write and read-barrier called before it. */
  write<T>(task: () => Promise<T>): Promise<T>;
  /** Runs `task` after every write called before it. */
  read<T>(task: () => Promise<T>): Promise<T>;
}

/** Creates an {@link OperationOrder}. */
export function createOperationOrder(): OperationOrder {
  let writesDone: Promise<unknown> = Promise.resolve();
  const after = <T>(previous: Promise<unknown>, task: () => Promise<T>): Promise<T> =>
    // A failed earlier write must not block later ones: its caller already got the error.
    previous.then(task, task);
  return {
    write(task) {
      const run = after(writesDone, task);
      writesDone = run.catch(() => undefined);
      return run;
    },
    read(task) {
      return after(writesDone, task);
    },
  };
}
