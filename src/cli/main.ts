// Command line -> command. The single place that maps errors to exit codes (contract):
// 0 done, 1 findings at or above --fail-on, 2 usage error, 65 unreadable input, 70 internal error.

import yargs, { type Argv } from 'yargs';
import { CaptureFormatError, EXIT_DATA, EXIT_INTERNAL, EXIT_USAGE, UsageError } from '../errors.js';
import { VERSION } from '../version.js';
import { escapeTerminal } from '../render/escape.js';
import type { CommonOptions } from './options.js';

type Handler = (options: CommonOptions & Record<string, unknown>) => Promise<number>;

/** A non-negative finite number, or a usage error (yargs would turn `abc` into null silently). */
function nonNegative(name: string) {
  return (value: unknown): number => {
    const n = typeof value === 'number' ? value : Number(value);
    if (!Number.isFinite(n) || n < 0) throw new UsageError(`--${name} must be a non-negative number, got ${JSON.stringify(value)}`);
    return n;
  };
}

function positiveInteger(name: string) {
  return (value: unknown): number => {
    const n = typeof value === 'number' ? value : Number(value);
    if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--${name} must be a positive integer, got ${JSON.stringify(value)}`);
    return n;
  };
}

function common(y: Argv): Argv<CommonOptions> {
  return y
    .positional('capture', { type: 'string', array: true, describe: 'capture file(s): pcap, pcapng, gzip or tcpdump text; - for stdin', demandOption: true })
    .option('input-format', { choices: ['pcap', 'pcapng', 'tcpdump'] as const, describe: 'override format detection' })
    .option('output', { alias: 'o', type: 'string', describe: 'write to FILE instead of standard output' })
    .option('filter', { type: 'string', describe: 'select connections: port 9000 and state CLOSE_WAIT, host 10.0.0.5, finding fin-not-returned, ...' })
    .option('fail-on', { choices: ['warning', 'error'] as const, describe: 'exit 1 when a finding of this severity or worse exists' })
    .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'no progress or warnings on standard error' })
    .option('color', { type: 'boolean', describe: 'colour output (default: when stdout is a terminal and NO_COLOR is unset)' })
    .option('time-wait', { default: 60, coerce: nonNegative('time-wait'), describe: 'seconds an endpoint stays in TIME_WAIT (Linux: 60)' })
    .option('fin-timeout', { default: 60, coerce: nonNegative('fin-timeout'), describe: 'seconds before an orphaned FIN_WAIT_2 disappears (Linux tcp_fin_timeout: 60)' })
    .option('date', { type: 'string', describe: 'YYYY-MM-DD for tcpdump text that has only times of day' })
    .option('strict', { type: 'boolean', default: false, describe: 'treat input warnings as errors (exit 65)' })
    .option('max-connections', { coerce: positiveInteger('max-connections'), describe: 'connections held in memory at most (default 200,000): beyond it the oldest finished ones and unanswered SYNs are evicted into counters, and the summary and a warning say how many' })
    .option('min-age', { default: 5, coerce: nonNegative('min-age'), describe: 'seconds before a half-close is more than info' })
    .check((argv) => {
      if (argv.date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(argv.date)) throw new UsageError(`--date must be YYYY-MM-DD, got ${JSON.stringify(argv.date)}`);
      return true;
    }) as unknown as Argv<CommonOptions>;
}

async function load(name: string): Promise<Handler> {
  switch (name) {
    case 'summary': return (await import('./commands/summary.js')).runSummary as unknown as Handler;
    case 'flows': return (await import('./commands/flows.js')).runFlows as unknown as Handler;
    case 'packets': return (await import('./commands/packets.js')).runPackets as unknown as Handler;
    case 'diagram': return (await import('./commands/diagram.js')).runDiagram as unknown as Handler;
    case 'report': return (await import('./commands/report.js')).runReport as unknown as Handler;
    case 'tui':
      // ink reads CI when it is evaluated: hide it first (see ci-env-hide.ts). Imported on its own
      // because the bundler (dist/bundle) hoists the command's imports of ink above its own code.
      await import('../render/tui/ci-env-hide.js');
      return (await import('./commands/tui.js')).runTui as unknown as Handler;
    default: throw new Error(`no command ${name}`);
  }
}

/** yargs 18 drops a lone `-` from positional lists; it travels as this token and is mapped back. */
const STDIN_TOKEN = '\u0000stdin';
const fromStdinToken = (a: string) => (a === STDIN_TOKEN ? '-' : a);

/**
 * yargs renders and caches the whole help text as it hands a named command to the command's
 * handler (a no-op one here: yargs supplies it when a command has none), for a help call later in
 * an async handler: 21-28 ms of CPU in every run, timed inside yargs. finscope never asks yargs for
 * help after parsing, so the cache is skipped. Help itself (`--help`, usage errors) does not go
 * through the cache. Internal API, pinned yargs: when it is missing, nothing changes but the time.
 */
function skipHelpCache(y: Argv): void {
  type Usage = { cacheHelpMessage?: () => void };
  const internal = (y as unknown as { getInternalMethods?: () => { getUsageInstance?: () => Usage | undefined } }).getInternalMethods;
  const usage = typeof internal === 'function' ? internal.call(y).getUsageInstance?.() : undefined;
  if (usage !== undefined && typeof usage.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => undefined;
}

/** Parses argv and runs the command; resolves to the process exit code. Never throws. */
export async function main(argv: string[]): Promise<number> {
  // yargs only parses; the command runs after it, outside yargs, so its errors reach reportError
  // as they are. The builder yargs runs is the matched command's, so it names the command.
  let chosen: string | null = null;
  const run = (name: string, build: (y: Argv) => Argv) => (y: Argv): Argv => {
    chosen = name;
    return build(y);
  };
  const parser = yargs(argv.map((a) => (a === '-' ? STDIN_TOKEN : a)));
  // once: yargs keeps one usage object for the instance and every command's reset of it
  skipHelpCache(parser);
  try {
    const args = await parser
      .scriptName('finscope')
      // English whatever LANG says, like the rest of finscope's output (yargs' own words would
      // otherwise mix into our English help; the bundled CLI does not ship yargs' locale files)
      .locale('en')
      .usage('finscope [command] <capture...> [options]\n\nFinds TCP connections left half-closed (CLOSE_WAIT), which endpoint leaks them, since when, and why.')
      .command(['summary <capture..>', '$0 <capture..>'], 'incident summary: states per endpoint and findings (default)', run('summary', (y) =>
        common(y)
          .option('format', { choices: ['text', 'json', 'md'] as const, default: 'text' })
          .option('fd-limit', { default: 1024, coerce: positiveInteger('fd-limit'), describe: 'file-descriptor limit to project CLOSE_WAIT growth against' })))
      .command('flows <capture..>', 'one row per TCP connection', run('flows', (y) =>
        common(y)
          .option('format', { choices: ['table', 'ndjson', 'json', 'csv', 'zeek'] as const, describe: 'default: table on a terminal, ndjson otherwise' })
          .option('sort', { type: 'string', describe: 'sort by a column (id, ts, duration, bytes, pkts, state, orig_state, resp_state, age); prefix - for descending' })))
      .command('packets <capture..>', 'one row per TCP segment (tcpdump-like text, or NDJSON)', run('packets', (y) =>
        common(y).option('format', { choices: ['text', 'ndjson'] as const, default: 'text' })))
      .command('diagram <capture..>', 'SVG ladder diagram(s) of connections, or a timeline of many', run('diagram', (y) =>
        common(y)
          .option('flow', { type: 'number', array: true, describe: 'connection id (repeatable)' })
          .option('timeline', { type: 'boolean', default: false, describe: 'bars over time coloured by state, and state counts over time' })
          .option('format', { choices: ['svg', 'png'] as const, default: 'svg' })))
      .command('report <capture..>', 'self-contained HTML postmortem report', run('report', (y) =>
        common(y).option('format', { choices: ['html', 'md'] as const, default: 'html' })))
      .command('tui <capture..>', 'interactive terminal browser', run('tui', (y) => common(y)))
      .strict()
      .demandCommand(1, 'give a capture file (or - for standard input)')
      .version(VERSION)
      .help()
      .alias('h', 'help')
      .wrap(Math.min(110, process.stdout.columns || 100))
      .exitProcess(false)
      .fail((message, error) => {
        // yargs wraps errors thrown by `coerce` in its own YError: those are usage errors too.
        if (!error || error instanceof UsageError || error.name === 'YError') throw new UsageError(error?.message ?? message);
        throw error;
      })
      .parseAsync();
    // No command chosen, or yargs has answered --help or --version itself.
    if (chosen === null || args.help === true || args.version === true) return 0;
    const handler = await load(chosen);
    const options = args as unknown as CommonOptions & Record<string, unknown>;
    options.capture = options.capture.map(fromStdinToken);
    if (options.output !== undefined) options.output = fromStdinToken(options.output);
    return await handler(options);
  } catch (error) {
    return reportError(error);
  }
}

function reportError(error: unknown): number {
  if (error instanceof UsageError) {
    process.stderr.write(`finscope: ${escapeTerminal(error.message)}\nRun 'finscope --help' for usage.\n`);
    return EXIT_USAGE;
  }
  if (error instanceof CaptureFormatError) {
    // Messages quote names from the command line and bytes from the input: no control character
    // (C1 and DEL included, which JSON quoting leaves alone) reaches the terminal.
    process.stderr.write(`finscope: ${escapeTerminal(error.message)}\n`);
    return EXIT_DATA;
  }
  if ((error as NodeJS.ErrnoException | null)?.code === 'EPIPE') {
    // The reader of our standard output went away (`finscope packets x | head`): nothing is wrong.
    return 0;
  }
  if (isNodeFileError(error)) {
    // Inputs that cannot be opened are CaptureFormatErrors; an fs error that gets here is about the
    // output (-o FILE, diagram pages, report assets) or standard output itself.
    const e = error as NodeJS.ErrnoException;
    const what = e.path !== undefined ? escapeTerminal(JSON.stringify(e.path)) : 'standard output';
    const verb = e.syscall === 'read' || e.syscall === 'scandir' ? 'read' : 'write';
    process.stderr.write(`finscope: cannot ${verb} ${what}: ${e.code}${e.syscall ? ` (${e.syscall})` : ''}\n`);
    return EXIT_DATA;
  }
  const detail = error instanceof Error ? error.stack ?? error.message : String(error);
  process.stderr.write(
    `finscope ${VERSION}: internal error (a bug). Please report it with the command line and this text:\n${detail}\n`,
  );
  return EXIT_INTERNAL;
}

function isNodeFileError(error: unknown): error is NodeJS.ErrnoException {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR' || code === 'ENOTDIR' || code === 'EMFILE'
    || code === 'ENOSPC' || code === 'EDQUOT' || code === 'EFBIG' || code === 'EROFS' || code === 'EIO' || code === 'EPERM';
}
