// run.mjs — browser tests: starts the real server (seeded demo academy) on a free port, runs every
// tests/browser/test_*.mjs with playwright-core driving Debian's chromium, prints the tally.
// A test module exports `default async function (t)` where t = {browser, base, data, login, check, shot}.
import { chromium } from 'playwright-core';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, mkdirSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv[2];
const bin = process.env.DX_BIN || 'bin/dangxiao-san';

function freePort() {
  return new Promise((res) => { const s = net.createServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); }); });
}

async function startServer() {
  const data = mkdtempSync(join(tmpdir(), 'dx-browser-'));
  execFileSync(bin, ['seed', '--data', data], { stdio: 'ignore' });
  const port = await freePort();
  const log = openSync(join(data, 'server.log'), 'a');
  const proc = spawn(bin, ['serve', '--data', data, '--listen', `127.0.0.1:${port}`], { stdio: ['ignore', log, log] });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    try { const r = await fetch(base + '/api/v1/health'); if (r.ok) return { proc, base, data }; } catch (e) { /* not yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('server did not start');
}

const files = readdirSync(here).filter((f) => /^test_.*\.mjs$/.test(f) && (!only || f.includes(only))).sort();
let passed = 0, failed = 0;
const srv = await startServer();
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--no-first-run', '--disable-quic', '--disable-sync',
    '--autoplay-policy=no-user-gesture-required'],
});
const shots = process.env.DX_SHOTS || join(tmpdir(), 'dx-shots');
mkdirSync(shots, { recursive: true });
for (const f of files) {
  let fails = [];
  const t = {
    browser, base: srv.base, data: srv.data,
    check(cond, msg) { if (!cond) fails.push(msg); },
    async login(page, user, pw = 'dangxiao2026') {
      await page.goto(srv.base + '/login');
      await page.fill('input[name=username]', user);
      await page.fill('input[name=password]', pw);
      await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.click('button[type=submit]')]);
    },
    async shot(page, name) { await page.screenshot({ path: join(shots, name + '.png'), fullPage: true }); },
  };
  const t0 = Date.now();
  try {
    const mod = await import(join(here, f));
    await mod.default(t);
  } catch (e) { fails.push('exception: ' + (e && e.stack || e)); }
  const ms = Date.now() - t0;
  if (fails.length) { failed++; console.log(`not ok - ${f} [${ms} ms]`); fails.forEach((m) => console.log('    FAIL ' + m)); }
  else { passed++; console.log(`ok - ${f} [${ms} ms]`); }
}
await browser.close();
srv.proc.kill('SIGTERM');
await new Promise((r) => setTimeout(r, 300));
if (!process.env.DX_KEEP) rmSync(srv.data, { recursive: true, force: true });
console.log(`browser: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
