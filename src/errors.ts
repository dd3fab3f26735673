// Error taxonomy and exit codes (contract): bad input is data (InputIssue), bugs are exceptions.

export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;
export const EXIT_DATA = 65;
export const EXIT_INTERNAL = 70;

/** Nothing useful can be read from an input (bad magic, empty file, unreadable file). Exit 65. */
export class CaptureFormatError extends Error {
  constructor(readonly inputName: string, detail: string) {
    super(`${quoteName(inputName)}: ${detail}`);
    this.name = 'CaptureFormatError';
  }
}

/** The command line is wrong. Exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** File names in messages are quoted and stripped of control characters. */
export function quoteName(name: string): string {
  // JSON quoting escapes C0 controls but not DEL and C1 (U+009B is a terminal's CSI).
  return JSON.stringify(name).replace(/[\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
