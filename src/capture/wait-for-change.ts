// Capture stage, across threads: the reading side's sleep on a SharedArrayBuffer word, shared by
// the segment ring and the byte ring.

/** Atomics.waitAsync (Node 16+; missing from the ES2022 library types this project compiles with). */
const waitAsync = (Atomics as unknown as {
  waitAsync(array: Int32Array, index: number, value: number, timeoutMs: number): { async: boolean; value: Promise<string> | string };
}).waitAsync;

/**
 * Resolve once `control[index]` no longer holds `value` (the writer notifies it), or after about
 * `timeoutMs`; at once when it has changed already. The event loop stays free meanwhile.
 */
export async function waitForChange(control: Int32Array, index: number, value: number, timeoutMs: number): Promise<void> {
  const r = waitAsync(control, index, value, timeoutMs);
  if (!r.async) return;
  // A pending waitAsync does not keep Node's event loop alive: a timer does.
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([r.value, new Promise<void>((resolve) => { timer = setTimeout(resolve, timeoutMs + 10); })]);
  clearTimeout(timer);
}
