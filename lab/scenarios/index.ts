// Scenario catalogue: the order fixes each scenario's port block, so append new ones at the end.

import type { Scenario } from '../scenario.js';
import { abortiveClose } from './abortive-close.js';
import { backlogOverflow } from './backlog-overflow.js';
import { blockedWorkers } from './blocked-workers.js';
import { cleanClose } from './clean-close.js';
import { forkingClient } from './forking-client.js';
import { forkingServer } from './forking-server.js';
import { ipv6Loopback } from './ipv6-loopback.js';
import { keepaliveIdle } from './keepalive-idle.js';
import { midCapture } from './mid-capture.js';
import { netnsVeth } from './netns-veth.js';
import { refused } from './refused.js';
import { serverStopped } from './server-stopped.js';

export const ALL_SCENARIOS: readonly Scenario[] = [
  forkingServer,
  forkingClient,
  serverStopped,
  keepaliveIdle,
  blockedWorkers,
  cleanClose,
  refused,
  abortiveClose,
  backlogOverflow,
  midCapture,
  ipv6Loopback,
  netnsVeth,
];
