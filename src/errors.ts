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
  return JSON.stringify(name);
}
