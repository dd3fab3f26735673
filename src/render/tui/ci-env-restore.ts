// Puts back the variables ci-env-hide.ts hid while ink was evaluated (see there for why).

import { hiddenCiEnv } from './ci-env-hide.js';

for (const [key, value] of hiddenCiEnv.splice(0)) process.env[key] = value;
