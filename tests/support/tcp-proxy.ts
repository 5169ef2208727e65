import { createServer, type Server, type Socket, connect } from 'node:net';
import type { AddressInfo } from 'node:net';

export type TcpProxy = {
  url: string;
  /** While off, new connections are refused (reset at once) and open ones are cut: "unreachable". */
  setReachable(on: boolean): void;
  stop(): Promise<void>;
};

/** A loopback TCP relay in front of a real server, for testing what happens when it cannot be reached. */
export async function startTcpProxy(targetUrl: string): Promise<TcpProxy> {
  const target = new URL(targetUrl);
  let reachable = true;
  const open = new Set<Socket>();
  const server: Server = createServer((client) => {
    if (!reachable) {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect(Number(target.port), target.hostname);
    open.add(client);
    open.add(upstream);
    const close = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    setReachable(on) {
      reachable = on;
      if (!on) for (const s of open) s.destroy();
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}
