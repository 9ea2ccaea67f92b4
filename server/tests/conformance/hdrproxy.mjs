// Adds `x-api-key: KEY` to every request and forwards it to TARGET, passing Host and
// Origin through unchanged (so the DNS-rebinding checks still test the real server).
// The conformance CLI cannot send headers of its own.
//   node hdrproxy.mjs LISTEN_PORT TARGET_BASE_URL KEY
import http from 'node:http';

const [listen, target, key] = [Number(process.argv[2]), new URL(process.argv[3]), process.argv[4]];
http
  .createServer((req, res) => {
    const upstream = http.request(
      { host: target.hostname, port: target.port, path: req.url, method: req.method,
        headers: { ...req.headers, 'x-api-key': key } },
      (answer) => { res.writeHead(answer.statusCode, answer.headers); answer.pipe(res); },
    );
    upstream.on('error', (e) => { res.writeHead(502); res.end(String(e)); });
    req.pipe(upstream);
  })
  .listen(listen, '127.0.0.1', () => console.log(`hdrproxy on 127.0.0.1:${listen} -> ${target}`));
