// --fail-on warning|error: exit 1 when a finding of that severity or worse exists (contract).

import type { Finding } from '../../diagnosis/finding.js';
import { EXIT_FINDINGS } from '../../errors.js';

const RANK = { info: 0, warning: 1, error: 2 } as const;

export function failOnCode(findings: readonly Finding[], failOn: 'warning' | 'error' | undefined): number {
  if (!failOn) return 0;
  const min = RANK[failOn];
  return findings.some((f) => RANK[f.severity] >= min) ? EXIT_FINDINGS : 0;
}
