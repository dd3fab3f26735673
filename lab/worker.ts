// Lab helper process: one role per invocation (a server to kill, or actors inside a network namespace).

import net from 'node:net';
import { closed, connect, endSocket, request, startLineServer } from './peers.js';

const [role, host, portText] = process.argv.slice(2);
const port = Number(portText);

async function main(): Promise<void> {
  switch (role) {
    case 'kv-server': {
      // Redis-like: answers PING with +PONG until it is killed (scenario server-stopped kills it with SIGKILL).
      const server = net.createServer((s) => {
        s.on('error', () => undefined);
        s.on('data', (b: Buffer) => {
          for (const line of b.toString().split('\r\n')) if (line === 'PING') s.write('+PONG\r\n');
        });
      });
      server.listen(port, host, () => console.log('ready'));
      return;
    }
    case 'line-server': {
      await startLineServer(host ?? '', port);
      console.log('ready');
      return;
    }
    case 'line-client': {
      // The netns-veth script: #1 stays open, #2 half-closes towards a server that holds, #3 the server closes.
      const a = await connect(host ?? '', port);
      await request(a, 'REQ');
      const b = await connect(host ?? '', port);
      await request(b, 'HOLD');
      await endSocket(b);
      const c = await connect(host ?? '', port);
      await request(c, 'BYE');
      await closed(c);
      console.log('done');
      setInterval(() => undefined, 60_000); // keep the sockets until the lab kills us
      return;
    }
    default:
      console.error(`unknown worker role ${role}`);
      process.exit(2);
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
