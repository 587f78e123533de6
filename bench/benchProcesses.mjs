// Shared by the hub and cluster benchmarks: stopping a child process and the op body the drivers send.

/** Asks a child to stop (IPC 'stop'), SIGKILLs it after `graceMs`, resolves once it exited. */
export async function stopChild(child, graceMs = 10_000) {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  if (child.connected) child.send('stop');
  setTimeout(() => child.kill('SIGKILL'), graceMs).unref();
  await exited;
}

let opBody;
/** One lww-map op body (JSON), built once from dist. */
export async function lwwOpBody() {
  if (opBody === undefined) {
    const lib = await import('../dist/index.js');
    const clock = lib.createHlc({ nodeId: 'bench' });
    opBody = JSON.stringify(lib.lwwMap.encode(lib.lwwMap.set(lib.lwwMap.create(), 'field', 'x', clock.tick())));
  }
  return opBody;
}
