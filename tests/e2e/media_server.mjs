// media_server.mjs — a tiny origin for the URL-import tests: serves the files of DIR, plus
//   /redirect?n=N&to=PATH   N redirects, then PATH
//   /big?size=BYTES         that many zero bytes (with Content-Length)
//   /bigchunked?size=BYTES  the same without Content-Length (chunked)
//   /stall                  headers, then silence
//   node tests/e2e/media_server.mjs DIR PORT_FILE   (writes the port it listens on to PORT_FILE)
import http from 'node:http';
import { createReadStream, statSync, writeFileSync } from 'node:fs';
import { join, basename } from 'node:path';

const [dir, portFile] = process.argv.slice(2);
const srv = http.createServer((req, res) => {
  const u = new URL(req.url, 'http://x');
  const q = (k) => u.searchParams.get(k);
  if (u.pathname === '/redirect') {
    const n = Number(q('n') || 1), to = q('to') || '/';
    res.writeHead(302, { Location: n > 1 ? `/redirect?n=${n - 1}&to=${encodeURIComponent(to)}` : to });
    return res.end();
  }
  if (u.pathname === '/big' || u.pathname === '/bigchunked') {
    const size = Number(q('size') || 3e6);
    res.writeHead(200, u.pathname === '/big' ? { 'Content-Length': size } : {});
    let left = size;
    const block = Buffer.alloc(65536);
    const pump = () => {
      while (left > 0) {
        const n = Math.min(left, block.length);
        left -= n;
        if (!res.write(block.subarray(0, n))) return res.once('drain', pump);
      }
      res.end();
    };
    res.on('error', () => {});
    return pump();
  }
  if (u.pathname === '/stall') {
    res.writeHead(200, { 'Content-Length': 1000000 });
    return res.write('x');
  }
  const f = join(dir, basename(u.pathname));
  let st;
  try { st = statSync(f); } catch (e) { res.writeHead(404); return res.end('not found'); }
  res.writeHead(200, { 'Content-Length': st.size, 'Content-Type': 'application/octet-stream' });
  createReadStream(f).pipe(res);
});
srv.listen(0, '127.0.0.1', () => writeFileSync(portFile, String(srv.address().port)));
