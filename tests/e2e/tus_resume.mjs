// tus_resume.mjs — tus-js-client (the browser's uploader, here in Node) against the real server:
// uploads a file in 64 KiB chunks, drops the connection in the middle of the fourth chunk, then
// resumes with a new Upload object from the server's offset (HEAD) and finishes.
//   node tests/e2e/tus_resume.mjs BASE TOKEN LECTURE_ID FILE
// Prints one JSON line {ok, size, aborted_at, resumed_from, url} and exits 0 when the upload completed.
import * as tus from 'tus-js-client';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

const [base, token, lecture, file] = process.argv.slice(2);
const data = readFileSync(file);
const CHUNK = 64 * 1024;
const common = {
  endpoint: base + '/api/v1/uploads',
  chunkSize: CHUNK,
  retryDelays: [100, 300, 1000, 2000, 4000],
  headers: { Authorization: 'Bearer ' + token },
  metadata: { lecture_id: String(lecture), filename: basename(file) },
};
const out = { ok: false, size: data.length };

function run(opts) {
  return new Promise((resolve, reject) => {
    const up = new tus.Upload(data, { ...common, ...opts, onSuccess: () => resolve(up), onError: reject });
    if (opts.onUpload) opts.onUpload(up);
    up.start();
  });
}

try {
  // First attempt: abort (no termination) once 3.5 chunks are on the wire.
  let first;
  await new Promise((resolve, reject) => {
    first = new tus.Upload(data, {
      ...common,
      onProgress(sent) {
        if (sent > CHUNK * 3.5 && !out.aborted_at) {
          out.aborted_at = sent;
          first.abort(false).then(resolve, reject);
        }
      },
      onSuccess: () => reject(new Error('finished before the interruption')),
      onError: reject,
    });
    first.start();
  });
  if (!first.url) throw new Error('no upload URL after creation');
  out.url = first.url;
  // Second attempt: a new client object that knows only the URL, as after a page reload.
  await run({
    uploadUrl: first.url,
    onBeforeRequest(req) {
      if (req.getMethod() === 'PATCH' && out.resumed_from === undefined)
        out.resumed_from = Number(req.getHeader('Upload-Offset'));
    },
  });
  out.ok = out.resumed_from > 0 && out.resumed_from < data.length;
} catch (e) {
  out.error = String(e && e.message || e);
}
console.log(JSON.stringify(out));
process.exit(out.ok ? 0 : 1);
