/**
 * A free TCP port for a server a test starts itself. Chosen below Linux's ephemeral range (32768+),
 * where outgoing connections take their local ports: a port picked there can be taken by any client
 * socket before the server binds it.
 */
import net from 'node:net';

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

export async function freePort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    if (await bindable(port)) return port;
  }
  throw new Error('no free port found between 20000 and 32000');
}
