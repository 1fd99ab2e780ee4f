import net from 'node:net';

/** True when nothing listens on host:port (so we may start a server there). */
export function isPortFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

export async function assertPortFree(host: string, port: number, what: string, hint: string): Promise<void> {
  if (await isPortFree(host, port)) return;
  throw new Error(`Port ${port} on ${host} is already in use, so ${what} cannot start there. ${hint}`);
}
