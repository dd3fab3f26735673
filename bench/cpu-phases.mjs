// How much of the machine's CPU a finscope run uses in each of its phases: runs the command with
// FINSCOPE_TIMINGS=1, samples the process's CPU time (user + system, all threads, from
// /proc/PID/stat) every 10 ms, and lines the samples up with the phases finscope reports (start-up,
// reading and tracking, diagnosis and output). Prints one JSON line per run. Linux only.
//
// The question it answers: is there idle CPU left that more threads could use? On two cores,
// `summary` of the bench's capture A uses most of both while it reads and tracks.
//
//   node bench/cpu-phases.mjs [--runs N] -- node bin/finscope.js summary --quiet FILE
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

const args = process.argv.slice(2);
let runs = 3;
const at = args.indexOf('--runs');
if (at >= 0 && at < args.indexOf('--')) { runs = Number(args[at + 1]); args.splice(at, 2); }
const dash = args.indexOf('--');
const command = dash >= 0 ? args.slice(dash + 1) : [];
if (command.length === 0 || !(runs >= 1) || process.platform !== 'linux') {
  console.error('usage (Linux): node bench/cpu-phases.mjs [--runs N] -- COMMAND [ARGS...]');
  process.exit(2);
}

const TICK_S = 0.01; // USER_HZ is 100 on every Linux this runs on (getconf CLK_TCK)
const cores = availableParallelism();

/** utime + stime of the whole process (fields 14 and 15 of /proc/PID/stat), seconds; null when gone. */
function cpuOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_S;
  } catch {
    return null;
  }
}

function runOnce() {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(command[0], command.slice(1), { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, FINSCOPE_TIMINGS: '1' } });
    const samples = []; // [seconds since spawn, cpu seconds]
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setInterval(() => {
      const cpu = cpuOf(child.pid);
      if (cpu !== null) samples.push([(performance.now() - t0) / 1000, cpu]);
    }, 10);
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(timer);
      const wall = (performance.now() - t0) / 1000;
      const m = /start-up ([\d.]+) s, reading and tracking ([\d.]+) s.*diagnosis ([\d.]+) s, output ([\d.]+) s/.exec(stderr);
      if (code !== 0 || !m) return reject(new Error(`exit ${code}, no timings line: ${stderr.slice(0, 300)}`));
      const [startUp, readTrack, diagnosis, output] = m.slice(1).map(Number);
      // the CPU used up to time t: the last sample at or before it (samples lag by up to 10 ms)
      const cpuAt = (t) => {
        let c = 0;
        for (const [ts, cpu] of samples) if (ts <= t) c = cpu;
        return c;
      };
      const phase = (from, to) => {
        const cpu = cpuAt(to) - cpuAt(from);
        return { wall: +(to - from).toFixed(3), cpu: +cpu.toFixed(2), ofCores: +(cpu / (to - from) / cores).toFixed(2) };
      };
      const a = startUp, b = a + readTrack, c = b + diagnosis + output;
      resolve({
        wall: +wall.toFixed(3), cpu: samples.length ? +samples[samples.length - 1][1].toFixed(2) : null, cores,
        startUp: phase(0, a), readingAndTracking: phase(a, b), diagnosisAndOutput: phase(b, c),
      });
    });
  });
}

for (let i = 0; i < runs; i++) console.log(JSON.stringify(await runOnce()));
