// A tiny server for the example: / and /health on $PORT (8080 by default).
import { createServer } from 'node:http';

createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end(req.url === '/health' ? 'ok\n' : 'web-shop\n');
}).listen(Number(process.env.PORT ?? 8080));
