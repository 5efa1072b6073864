// The baseline receiver: a bare node:http server that reads each body and answers 200 with an
// empty OTLP export response (an empty protobuf message, or `{}` for JSON).
// Prints `{"port": N}` once listening; ends on SIGTERM or when its stdin closes.
import http from 'node:http';

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    Buffer.concat(chunks);
    const json = String(req.headers['content-type'] ?? '').includes('json');
    const answer = json ? '{}' : '';
    res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf', 'content-length': Buffer.byteLength(answer) });
    res.end(answer);
  });
});
server.keepAliveTimeout = 5_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ port: server.address().port, pid: process.pid })}\n`));
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.stdin.on('end', stop).resume();
