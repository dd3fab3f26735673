// The package version, read once from package.json (for --version and internal-error reports).
import { readFileSync } from 'node:fs';

function readVersion(): string {
  for (const rel of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'finscope' && pkg.version) return pkg.version;
    } catch {
      // try the next location (source tree vs dist/ layout)
    }
  }
  return '0.0.0';
}

export const VERSION = readVersion();
