#!/usr/bin/env node
// finscope command-line entry: runs the compiled CLI (built by `npm ci` through `prepare`).
process.env.NODE_ENV ??= 'production'; // ink runs React's production build (25% faster per frame)
// Big capture files: start the decode threads now, while the CLI's own modules load.
await import('../dist/src/capture/prewarm.js').then((m) => m.prewarmForArguments(process.argv.slice(2)), () => undefined);
const { main } = await import('../dist/src/cli/main.js');
process.exitCode = await main(process.argv.slice(2));
