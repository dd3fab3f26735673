// Diagnosis: the default rule list. The list is data: order decides the order of a connection's findings.

import type { RuleDefinition } from '../rule.js';
import { aborted } from './aborted.js';
import { acceptBacklogOverflow } from './accept-backlog-overflow.js';
import { connectionRefused } from './connection-refused.js';
import { duplicateConnection } from './duplicate-connection.js';
import { finNotReturned } from './fin-not-returned.js';
import { idlePoolCloseWait } from './idle-pool-close-wait.js';
import { peerTimeout } from './peer-timeout.js';
import { resetAfterHalfClose } from './reset-after-half-close.js';
import { synUnanswered } from './syn-unanswered.js';
import { timeWaitPileUp } from './time-wait-pile-up.js';
import { unansweredRequest } from './unanswered-request.js';
import { zeroWindow } from './zero-window.js';

export const DEFAULT_RULES: readonly RuleDefinition[] = [
  finNotReturned,
  unansweredRequest,
  idlePoolCloseWait,
  duplicateConnection,
  resetAfterHalfClose,
  zeroWindow,
  acceptBacklogOverflow,
  synUnanswered,
  connectionRefused,
  aborted,
  peerTimeout,
  timeWaitPileUp,
];
