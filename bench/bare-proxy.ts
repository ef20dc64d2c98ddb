/** The baseline: a bare node:http reverse proxy (keep-alive agent, piping bytes), no auth, no limits, no accounting. */
import http from 'node:http';

const upstream = new URL(process.env.UPSTREAM ?? 'http://127.0.0.1:11500');
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
const port = Number(process.env.PORT ?? 11600);

http
  .createServer((req, res) => {
    const p = http.request(
      { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: { 'content-type': 'application/json' }, agent },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    p.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(p);
  })
  .listen(port, '127.0.0.1', () => console.log(`bare proxy on ${port}`));
