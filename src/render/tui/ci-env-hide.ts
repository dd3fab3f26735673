// Ink decides once, when its module is first evaluated, whether it runs "in CI" (env CI or
// CONTINUOUS_INTEGRATION set): there it draws nothing until the app exits, which is right for a log
// and wrong for finscope's TUI, that only ever starts on a real terminal (tuiUnavailableReason). An
// on-call engineer's shell inside a CI runner, a dev container or a job console often has CI=true.
// So: hide those variables while ink is evaluated (this module is imported just before 'ink' in
// run-tui.tsx), and put them back right after (ci-env-restore.ts), so nothing else sees a change.

const HIDDEN_KEYS = ['CI', 'CONTINUOUS_INTEGRATION'] as const;

export const hiddenCiEnv: Array<[string, string]> = [];

for (const key of HIDDEN_KEYS) {
  const value = process.env[key];
  if (value !== undefined) {
    hiddenCiEnv.push([key, value]);
    delete process.env[key];
  }
}
