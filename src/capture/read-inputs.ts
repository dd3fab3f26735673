// The input driver every command uses: capture files or stdin (plain or gzip; pcap, pcapng or
// tcpdump text) -> one time-ordered stream of TcpSegments handed to a callback, plus a summary.

import { fstat, read as readFd } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import type { Readable } from 'node:stream';
import { CaptureFormatError, UsageError } from '../errors.js';
import type { AddressTable } from '../segment/address-table.js';
import type { IssueLog } from '../segment/input-issues.js';
import { TcpSegment } from '../segment/tcp-segment.js';
import { TcpdumpTextReader } from '../text/tcpdump-text-reader.js';
import { FileByteSource, StreamByteSource, type ByteSource } from './byte-source.js';
import { DETECT_BYTES, detectFormat } from './detect-format.js';
import { DEFAULT_WINDOW, InputBuffer } from './input-buffer.js';
import { PcapReader } from './pcap-reader.js';
import { PcapngReader } from './pcapng-reader.js';
import { gzipFileOnThread, gzipSource, type GzipEnd, type GzipSource } from './gunzip.js';
import { IndexHeap } from './index-heap.js';
import { PARALLEL_MIN_BYTES, parallelPlan, readSegmentsParallel } from './parallel-read.js';
import { Step, type InputFormat, type ReaderContext, type SegmentReader } from './segment-reader.js';

export interface ReadOptions {
  /** Skip detection (`--input-format`); gzip is still recognised by its magic bytes. */
  format?: InputFormat;
  /** YYYY-MM-DD for tcpdump text with times of day only. */
  date?: string;
  addresses: AddressTable;
  issues: IssueLog;
  /** Called every few MiB, and once at the end. `totalBytes` is undefined when unknown (stdin). */
  onProgress?: (bytesRead: number, totalBytes: number | undefined) => void;
  /** Standard input, for `-` (default: the process's; read from fd 0 directly when it is a regular file). */
  stdin?: NodeJS.ReadableStream;
  /**
   * Read and decode on worker threads while the caller's thread consumes the segments: 'auto'
   * (the default) when every input is a regular file and together they are big enough to repay
   * the threads' start-up; true for any regular files; false never. The segments, their order and
   * the summary are the same either way.
   */
  parallel?: boolean | 'auto';
  /** Decode workers on the parallel path (default: one per input, at most one fewer than the cores,
   *  at least one; see workersFor). Several inputs per worker are merged inside the worker. */
  decodeWorkers?: number;
  /** Index of the first input in TcpSegment.input (a decode worker reading part of a command line). */
  firstInputIndex?: number;
  /**
   * The consumer's brake, for output slower than reading (`finscope packets` into a slow pipe):
   * called between chunks of input, never per segment; when it returns a promise, reading waits for
   * it (and stops with its error if it rejects). The segment callback can then stay synchronous
   * while what it produces stays bounded to about one chunk's worth.
   */
  backpressure?: Brake;
  /**
   * How gzip inputs are decompressed: 'thread' inflates a file on a worker thread of its own
   * while this thread decodes (the default for files of PARALLEL_MIN_BYTES and more, with two
   * cores or more); 'sync' inflates on this thread (the default otherwise); 'stream' through
   * Node's gunzip stream. All give the same segments; tests choose, and decode workers choose
   * 'sync' when a thread more would not have a core of its own.
   */
  gzipEngine?: 'thread' | 'sync' | 'stream';
}

export type Brake = () => Promise<void> | undefined;

export interface InputSummary {
  /** As given on the command line (`-` for stdin). */
  name: string;
  format: InputFormat;
  gzip: boolean;
  /** Link types seen (pcap: one; pcapng: one per distinct interface type; text: none). */
  linkTypes: number[];
  /** Records (packets or text lines) read, TCP or not. */
  records: number;
  /** TCP segments handed on. */
  segments: number;
  /** Bytes read, after decompression. */
  bytes: number;
  /** Bytes read from the file or stdin itself (differs from `bytes` for gzip). */
  rawBytes: number;
}

export interface ReadSummary {
  inputs: InputSummary[];
  segments: number;
  records: number;
  bytes: number;
}

/** Progress is reported at most this often (in bytes read), never per packet. */
const PROGRESS_STEP = 4 * 1024 * 1024;
const MIN_MERGE_WINDOW = 256 * 1024;
const MERGE_WINDOWS_TOTAL = 64 * 1024 * 1024;
/** Segments between brake checks in the merge: refills alone could be up to every input's whole
 *  window apart (inputs whose times interleave run dry together), 64 MiB of capture. */
const MERGE_BRAKE_SEGMENTS = 16384;

/** One opened input: its bytes, its reader and its own reused TcpSegment. */
interface OpenInput {
  readonly name: string;
  readonly format: InputFormat;
  readonly gzip: boolean;
  readonly input: InputBuffer;
  readonly reader: SegmentReader & { fatal?: string | null; linkTypes?: readonly number[] };
  readonly seg: TcpSegment;
  readonly totalBytes: number | undefined;
  rawBytes(): number;
  segments: number;
  close(): Promise<void>;
}

/**
 * Read every input and call `onSegment` for each TCP segment, in timestamp order across inputs
 * (stable: on equal timestamps, command-line order). The segment object is reused: copy what you
 * keep. Damage inside an input is reported to `opts.issues` and reading goes on with what is
 * readable; an input that is not a capture at all throws CaptureFormatError before any segment
 * is delivered. No inputs, or `-` twice, is a UsageError.
 */
export async function readSegments(inputs: string[], opts: ReadOptions, onSegment: (seg: TcpSegment) => void): Promise<ReadSummary> {
  if (inputs.length === 0) throw new UsageError('no input: give a capture file, or - for standard input');
  if (inputs.filter((name) => name === '-').length > 1) throw new UsageError('standard input (-) can be read only once');
  const sizes = await parallelPlan(inputs, opts.parallel ?? 'auto');
  if (sizes !== null) return readSegmentsParallel(inputs, sizes, opts, onSegment);
  const window = inputs.length <= 1 ? DEFAULT_WINDOW : Math.max(MIN_MERGE_WINDOW, Math.min(DEFAULT_WINDOW, Math.floor(MERGE_WINDOWS_TOTAL / inputs.length)));
  const opened: OpenInput[] = [];
  try {
    const first = opts.firstInputIndex ?? 0;
    for (let i = 0; i < inputs.length; i++) opened.push(await openInput(inputs[i]!, first + i, opts, window));
    const progress = new ProgressReporter(opened, opts.onProgress);
    if (opened.length === 1) await drainOne(opened[0]!, onSegment, progress, opts.backpressure);
    else await merge(opened, onSegment, progress, opts.backpressure);
    progress.finish();
    return summarize(opened);
  } finally {
    for (const o of opened) await o.close().catch(() => undefined);
  }
}

/** One input: a tight synchronous loop that awaits only when the buffer needs refilling. */
async function drainOne(o: OpenInput, onSegment: (seg: TcpSegment) => void, progress: ProgressReporter, brake: Brake | undefined): Promise<void> {
  const { reader, seg } = o;
  let segments = 0;
  try {
    for (;;) {
      const step = reader.next(seg);
      if (step === Step.Segment) {
        segments++;
        onSegment(seg);
      } else if (step === Step.NeedMore) {
        await refill(o, brake);
        progress.update();
      } else {
        break;
      }
    }
  } finally {
    o.segments += segments;
  }
  throwIfFatal(o);
}

/** Several inputs: a k-way merge on (tsSec, tsNsec, input index) over a heap of inputs. */
async function merge(opened: OpenInput[], onSegment: (seg: TcpSegment) => void, progress: ProgressReporter, brake: Brake | undefined): Promise<void> {
  // Input i is input number first + i: ties on the position are ties on command-line order.
  const heap = new IndexHeap(opened.length, (a, b) => {
    const sa = opened[a]!.seg, sb = opened[b]!.seg;
    if (sa.tsSec !== sb.tsSec) return sa.tsSec < sb.tsSec;
    if (sa.tsNsec !== sb.tsNsec) return sa.tsNsec < sb.tsNsec;
    return a < b;
  });
  const advance = async (o: OpenInput): Promise<boolean> => {
    let step = o.reader.next(o.seg);
    while (step === Step.NeedMore) {
      await refill(o, brake);
      progress.update();
      step = o.reader.next(o.seg);
    }
    if (step === Step.End) throwIfFatal(o);
    return step === Step.Segment;
  };

  // Prime every input first, so that an unreadable one fails before anything is delivered.
  for (let i = 0; i < opened.length; i++) {
    if (await advance(opened[i]!)) heap.push(i);
  }
  let untilBrake = MERGE_BRAKE_SEGMENTS;
  while (heap.size > 0) {
    const o = opened[heap.top]!;
    o.segments++;
    onSegment(o.seg);
    // Synchronous fast path; only a refill awaits.
    let step = o.reader.next(o.seg);
    while (step === Step.NeedMore) {
      await refill(o, brake);
      progress.update();
      step = o.reader.next(o.seg);
    }
    if (step === Step.Segment) {
      heap.topChanged();
    } else {
      throwIfFatal(o);
      heap.pop();
    }
    if (--untilBrake === 0) {
      untilBrake = MERGE_BRAKE_SEGMENTS;
      const wait = brake?.();
      if (wait !== undefined) await wait;
    }
  }
}

/** Wait for the consumer when it asks to (see ReadOptions.backpressure), then read more of `o`. */
async function refill(o: OpenInput, brake: Brake | undefined): Promise<void> {
  const wait = brake?.();
  if (wait !== undefined) await wait;
  const want = o.reader.want;
  const input = o.input;
  if (input.available >= want) throw new Error(`${o.format} reader of ${JSON.stringify(o.name)} asked for ${want} bytes while ${input.available} are buffered`);
  await input.ensure(want);
  if (input.available < want && !input.eof) throw new Error(`${o.format} reader of ${JSON.stringify(o.name)} asked for ${want} bytes, more than the input window can hold`);
}

function throwIfFatal(o: OpenInput): void {
  const fatal = o.reader.fatal;
  if (fatal) throw new CaptureFormatError(o.name, fatal);
}

async function openInput(name: string, index: number, opts: ReadOptions, window: number): Promise<OpenInput> {
  const issues = opts.issues;
  let rawSource: ByteSource;
  let totalBytes: number | undefined;
  if (name === '-') {
    const onError = (error: Error) => issues.add('other', name, 0, -1, 0, `reading standard input failed: ${error.message}`);
    totalBytes = opts.stdin === undefined ? await stdinFileSize() : undefined;
    rawSource = totalBytes !== undefined ? new StdinFileByteSource() : new StreamByteSource((opts.stdin ?? process.stdin) as Readable, onError);
  } else {
    let handle: FileHandle;
    try {
      handle = await open(name, 'r');
    } catch (error) {
      throw new CaptureFormatError(name, `cannot open: ${errorText(error)}`);
    }
    const stat = await handle.stat();
    if (stat.isDirectory()) {
      await handle.close();
      throw new CaptureFormatError(name, 'is a directory, not a capture');
    }
    totalBytes = stat.isFile() ? stat.size : undefined;
    rawSource = new FileByteSource(handle);
  }

  const raw = new InputBuffer(rawSource, window);
  try {
    await raw.ensure(2);
  } catch (error) {
    await rawSource.close().catch(() => undefined);
    throw new CaptureFormatError(name, `cannot read: ${errorText(error)}`);
  }
  let input = raw;
  let gzip = false;
  let gzipError: string | null = null;
  let close = (): Promise<void> => rawSource.close();
  let rawBytes = (): number => input.bytesRead;
  if (raw.available >= 2 && raw.buf[raw.start] === 0x1f && raw.buf[raw.start + 1] === 0x8b) {
    gzip = true;
    const onEnd: GzipEnd = (error, produced) => {
      if (error === null) return;
      gzipError = error;
      issues.add('gzip-error', name, 0, produced, 0,
        `the gzip stream is damaged or cut short after ${produced} decompressed bytes (${error}); everything before was read`);
    };
    const engine = opts.gzipEngine ?? (name !== '-' && totalBytes !== undefined && totalBytes >= PARALLEL_MIN_BYTES
      && availableParallelism() >= 2 ? 'thread' : 'sync');
    let source: GzipSource;
    if (engine === 'thread' && name !== '-') {
      // The worker reads the file itself, from the start.
      await rawSource.close();
      source = gzipFileOnThread(name, onEnd);
    } else {
      source = gzipSource(rawSource, Buffer.from(raw.buf.subarray(raw.start, raw.end)), onEnd, engine === 'stream' ? 'stream' : 'sync');
    }
    input = new InputBuffer(source, window);
    rawBytes = () => source.compressed();
    close = () => source.close();
  }

  try {
    // Detection looks at up to DETECT_BYTES: wait for them (or the end), so that the verdict does
    // not depend on how the first chunk of a pipe happened to be cut.
    await input.ensure(DETECT_BYTES);
    if (input.available === 0) {
      if (gzip) throw new CaptureFormatError(name, gzipError ? `gzip data that does not decompress: ${gzipError}` : 'gzip data that decompresses to nothing');
      throw new CaptureFormatError(name, 'empty input: not a capture (0 bytes)');
    }
    let format = opts.format;
    if (format === undefined) {
      const head = input.buf.subarray(input.start, input.start + Math.min(input.available, DETECT_BYTES));
      const detected = detectFormat(head, name, input.eof && input.available <= DETECT_BYTES);
      if (detected === 'gzip') throw new CaptureFormatError(name, 'gzip inside gzip: decompress it once first');
      format = detected;
    }
    const ctx: ReaderContext = { inputName: name, inputIndex: index, addresses: opts.addresses, issues, date: opts.date };
    const reader = format === 'pcap' ? new PcapReader(input, ctx)
      : format === 'pcapng' ? new PcapngReader(input, ctx)
        : new TcpdumpTextReader(input, ctx);
    return {
      name, format, gzip, input, reader, totalBytes, segments: 0, close,
      seg: new TcpSegment(),
      rawBytes,
    };
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
}

/**
 * Standard input redirected from a regular file (`finscope - < x.pcap`), read straight from file
 * descriptor 0 into the caller's buffer, 4 MiB at a time, like FileByteSource. (Pipes stay with the
 * stream, whose reading runs ahead of the decoder while the writer keeps writing.)
 */
class StdinFileByteSource implements ByteSource {
  read(into: Buffer, offset: number, length: number): Promise<number> {
    return new Promise((resolve, reject) => {
      readFd(0, into, offset, length, null, (error, bytesRead) => (error ? reject(error) : resolve(bytesRead)));
    });
  }

  async close(): Promise<void> {
    // fd 0 belongs to the process.
  }
}

/** Size of standard input when it is a regular file, else undefined (a pipe, a terminal). */
function stdinFileSize(): Promise<number | undefined> {
  return new Promise((resolve) => {
    fstat(0, (error, stat) => resolve(!error && stat.isFile() ? stat.size : undefined));
  });
}

class ProgressReporter {
  private lastReported = 0;
  private readonly total: number | undefined;

  constructor(private readonly opened: OpenInput[], private readonly callback: ReadOptions['onProgress']) {
    let total: number | undefined = 0;
    for (const o of opened) total = o.totalBytes === undefined || total === undefined ? undefined : total + o.totalBytes;
    this.total = total;
  }

  update(): void {
    if (this.callback === undefined) return;
    const read = this.read();
    if (read - this.lastReported < PROGRESS_STEP) return;
    this.lastReported = read;
    this.callback(read, this.total);
  }

  finish(): void {
    if (this.callback === undefined) return;
    this.callback(this.read(), this.total);
  }

  private read(): number {
    let n = 0;
    for (const o of this.opened) n += o.rawBytes();
    return n;
  }
}

function summarize(opened: OpenInput[]): ReadSummary {
  const inputs = opened.map((o): InputSummary => ({
    name: o.name,
    format: o.format,
    gzip: o.gzip,
    linkTypes: [...(o.reader.linkTypes ?? [])],
    records: o.reader.records,
    segments: o.segments,
    bytes: o.input.bytesRead,
    rawBytes: o.rawBytes(),
  }));
  return {
    inputs,
    segments: inputs.reduce((n, i) => n + i.segments, 0),
    records: inputs.reduce((n, i) => n + i.records, 0),
    bytes: inputs.reduce((n, i) => n + i.bytes, 0),
  };
}

function errorText(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  if (e && typeof e.code === 'string') {
    switch (e.code) {
      case 'ENOENT': return 'no such file';
      case 'EACCES': return 'permission denied';
      case 'EISDIR': return 'is a directory';
      default: return `${e.code} (${e.message})`;
    }
  }
  return error instanceof Error ? error.message : String(error);
}
