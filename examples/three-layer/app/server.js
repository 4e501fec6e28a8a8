// A tiny HTTP app: prints a line on start (for `docker run` checks) and answers / and /healthz.
const http = require('node:http');
const port = Number(process.env.PORT || 8080);
const version = process.env.APP_VERSION || 'dev';
if (process.argv.includes('--once')) {
  console.log(`node-app ${version} ok`);
  process.exit(0);
}
http
  .createServer((req, res) => {
    if (req.url === '/healthz') return res.end('ok');
    res.end(`hello from node-app ${version}\n`);
  })
  .listen(port, () => console.log(`node-app ${version} listening on ${port}`));
process.on('SIGTERM', () => process.exit(0));
