// Traffic actors used by scenarios and workers: a line-protocol server whose requests say how to close, and its client.

import net from 'node:net';
import { LabError } from './util.js';

/**
 * Commands a client sends (one per line) and what the server does:
 *  REQ   reply `OK`; on the client's FIN, close too (a clean passive close)
 *  HOLD  reply `OK`; on the client's FIN do nothing: the server app never closes → CLOSE_WAIT
 *  BYE   reply `BYE`, then close() (server closes first)
 *  END   reply `BYE`, then shutdown(SHUT_WR) but keep the socket
 *  ABORT close with SO_LINGER 0 (resetAndDestroy) → RST
 */
export type LineCommand = 'REQ' | 'HOLD' | 'BYE' | 'END' | 'ABORT';

export interface LineServer {
  server: net.Server;
  sockets: Set<net.Socket>;
  close(): void;
}

/** Listens on host:port; with pauseOnConnect the application never reads (requests sit in Recv-Q). */
export async function startLineServer(host: string, port: number, opts: { pauseOnConnect?: boolean } = {}): Promise<LineServer> {
  const sockets = new Set<net.Socket>();
  // allowHalfOpen: we decide per connection what a received FIN does (Node would otherwise end() for us).
  const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: opts.pauseOnConnect ?? false }, (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined); // RSTs are part of the experiments
    let hold = false;
    let buf = '';
    s.on('data', (b: Buffer) => {
      buf += b.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const cmd = buf.slice(0, nl).trim() as LineCommand;
        buf = buf.slice(nl + 1);
        switch (cmd) {
          case 'REQ':
            s.write('OK\n');
            break;
          case 'HOLD':
            hold = true;
            s.write('OK\n');
            break;
          case 'BYE':
            s.write('BYE\n', () => s.destroy());
            break;
          case 'END':
            s.end('BYE\n');
            break;
          case 'ABORT':
            s.resetAndDestroy();
            break;
          default:
            s.write('ERR\n');
        }
      }
    });
    s.on('end', () => {
      if (!hold) s.end();
    });
  });
  await listen(server, host, port);
  return {
    server,
    sockets,
    close() {
      server.close();
      for (const s of sockets) s.destroy();
    },
  };
}

export function listen(server: net.Server, host: string, port: number, backlog?: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, ...(backlog === undefined ? {} : { backlog }) }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

export function connect(host: string, port: number, opts: { allowHalfOpen?: boolean; localAddress?: string } = {}): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host, port, allowHalfOpen: opts.allowHalfOpen ?? false, ...(opts.localAddress ? { localAddress: opts.localAddress } : {}) });
    s.once('connect', () => {
      s.off('error', reject);
      s.on('error', () => undefined); // later RSTs are part of the experiments
      resolve(s);
    });
    s.once('error', reject);
  });
}

/** Writes one line and resolves with the next line the peer sends. */
export function request(s: net.Socket, line: string, timeoutMs = 3000): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => {
      s.off('data', onData);
      reject(new LabError(`no reply to ${line} within ${timeoutMs} ms`));
    }, timeoutMs);
    const onData = (b: Buffer): void => {
      buf += b.toString();
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      s.off('data', onData);
      resolve(buf.slice(0, nl));
    };
    s.on('data', onData);
    s.write(`${line}\n`);
  });
}

/** Resolves when Node reports the socket fully closed (both directions done or destroyed). */
export function closed(s: net.Socket, timeoutMs = 3000): Promise<void> {
  if (s.destroyed) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new LabError(`socket not closed within ${timeoutMs} ms`)), timeoutMs);
    s.once('close', () => {
      clearTimeout(t);
      resolve();
    });
  });
}

/** Half-closes (FIN) and resolves once the FIN has been handed to the kernel. */
export function endSocket(s: net.Socket): Promise<void> {
  return new Promise((resolve) => s.end(() => resolve()));
}
