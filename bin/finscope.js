#!/usr/bin/env node
// finscope command-line entry: runs the CLI as built by `npm ci` (through `prepare`): tsc's output
// in dist/src, bundled with yargs into a few files in dist/bundle. One file instead of ~140 modules
// saves ~60 ms of every start (module resolution and compilation, measured on summary).
process.env.NODE_ENV ??= 'production'; // ink runs React's production build (25% faster per frame)
// Big capture files: start the decode threads now, while the CLI's own modules load.
await import('../dist/bundle/prewarm.js').then((m) => m.prewarmForArguments(process.argv.slice(2)), () => undefined);
const { main } = await import('../dist/bundle/main.js');
process.exitCode = await main(process.argv.slice(2));
