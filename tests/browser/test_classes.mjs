// A member on a 360-px phone joins an open topic class from /classes, studies its course (real
// heartbeats through the API, 11 s), downloads the completion certificate from the class page and
// from /me/certificates, and anyone opens the verification page the QR code points to.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

function watch(page) {
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push('console: ' + m.text()); });
  page.on('response', (r) => { if (r.status() >= 400 && !r.url().endsWith('/api/v1/session')) errors.push(r.status() + ' ' + r.url()); });
  return errors;
}
async function overflow(page) {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function api(base, method, path, token, body) {
  const headers = { Authorization: 'Bearer ' + token };
  if (body) headers['Content-Type'] = 'application/json';
  const r = await fetch(base + path, { method, headers, body: body ? JSON.stringify(body) : undefined });
  const text = await r.text();
  let data = null;
  try { data = JSON.parse(text); } catch (e) { data = text; }
  return { status: r.status, data };
}
async function token(base, username) {
  const r = await fetch(base + '/api/v1/session', {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password: 'dangxiao2026' }),
  });
  return (await r.json()).token;
}

export default async function (t) {
  // A course with a ready 10-second lecture, straight into the database (no transcoding wait).
  const db = join(t.data, 'dangxiao.db');
  execFileSync('sqlite3', ['-cmd', '.timeout 10000', db,
    "INSERT INTO courses(id, owner_id, title, category, credit_hours, status, created_at, updated_at, published_at) " +
    "VALUES (9901, (SELECT id FROM users WHERE username='teacher'), '浏览器测试课：党章学习', '党史党建', 1, 'published', " +
    "strftime('%s','now'), strftime('%s','now'), strftime('%s','now'));" +
    "INSERT INTO lectures(id, course_id, title, position, status, duration_s, media_version, created_at, updated_at) " +
    "VALUES (99010, 9901, '第1讲', 0, 'ready', 10, 1, strftime('%s','now'), strftime('%s','now'));"]);
  const admin = await token(t.base, 'admin');
  const now = Date.now();
  const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const made = await api(t.base, 'POST', '/api/v1/classes', admin, {
    title: '浏览器测试专题班：学习党章', summary: '手机上报名、学习、下载证书。', course_ids: [9901],
    opens_at: iso(now - 3600e3), closes_at: iso(now + 30 * 86400e3), capacity: 10,
  });
  t.check(made.status === 201, `class created: ${made.status} ${JSON.stringify(made.data)}`);
  const id = made.data.id;

  const ctx = await t.browser.newContext({ viewport: { width: 360, height: 800 }, acceptDownloads: true });
  const page = await ctx.newPage();
  const errors = watch(page);
  await t.login(page, 'wangwu');
  await page.goto(t.base + '/classes');
  const item = page.locator(`#classes-open li[data-id="${id}"]`);
  t.check(await item.count() === 1, 'the class is open to join on /classes');
  t.check(await overflow(page) <= 1, `/classes has no horizontal overflow (${await overflow(page)}px)`);
  await t.shot(page, 'classes-360');
  await Promise.all([page.waitForURL(new RegExp(`/classes/${id}$`)), item.locator('button.join').click()]);
  t.check(await page.locator('#class-me progress').count() === 1, 'joined: progress shown');
  t.check((await page.locator('#class-courses li').first().textContent()).includes('浏览器测试课'), 'its course listed');
  t.check((await page.locator('#remains').textContent()).includes('1'), 'one required course remains');
  t.check(await overflow(page) <= 1, `class page has no horizontal overflow (${await overflow(page)}px)`);
  await t.shot(page, 'class-joined-360');

  // Study the course to the end through the API (the player's heartbeats): 6 s and 5 s.
  const tok = await token(t.base, 'wangwu');
  let r = await api(t.base, 'POST', '/api/v1/courses/9901/enroll', tok);
  t.check(r.status === 200, `enrolled: ${r.status}`);
  r = await api(t.base, 'POST', '/api/v1/lectures/99010/play', tok);
  const session = r.data.session;
  await sleep(6000);
  r = await api(t.base, 'POST', '/api/v1/lectures/99010/heartbeat', tok, { session, position: 5.5, playing: true, rate: 1 });
  t.check(r.status === 200, `heartbeat 1: ${r.status} ${JSON.stringify(r.data)}`);
  await sleep(5200);
  r = await api(t.base, 'POST', '/api/v1/lectures/99010/heartbeat', tok, { session, position: 10, playing: true, rate: 1 });
  t.check(r.status === 200 && r.data.course_completed, `course completed: ${JSON.stringify(r.data)}`);

  await page.reload();
  const dl = page.locator('#cert-download');
  t.check(await dl.count() === 1, 'the class page offers the certificate');
  const [download] = await Promise.all([page.waitForEvent('download'), dl.click()]);
  const path = await download.path();
  const pdf = readFileSync(path);
  t.check(pdf.subarray(0, 5).toString() === '%PDF-', 'the download is a PDF');
  const text = execFileSync('pdftotext', ['-enc', 'UTF-8', path, '-']).toString().replace(/\s+/g, '');
  t.check(text.includes('王五') && text.includes('1学时'), 'the certificate names the member and the hours');
  t.check(await overflow(page) <= 1, `completed class page has no horizontal overflow (${await overflow(page)}px)`);
  await t.shot(page, 'class-completed-360');

  // /me/certificates lists it with a download too.
  await page.goto(t.base + '/me/certificates');
  const links = page.locator('#my-certificates a[download]');
  t.check(await links.count() >= 1, 'listed on /me/certificates');
  const [d2] = await Promise.all([page.waitForEvent('download'), links.first().click()]);
  t.check(readFileSync(await d2.path()).subarray(0, 5).toString() === '%PDF-', 'downloaded from /me/certificates');
  t.check(await overflow(page) <= 1, `/me/certificates has no horizontal overflow (${await overflow(page)}px)`);
  await t.shot(page, 'certificates-360');
  const verifyHref = await page.locator('#my-certificates a:not([download])').first().getAttribute('href');
  t.check(errors.length === 0, 'no errors: ' + errors.join('; '));

  // Anyone, not logged in, on a phone: the verification page.
  const pub = await t.browser.newContext({ viewport: { width: 360, height: 800 } });
  const vp = await pub.newPage();
  await vp.goto(verifyHref);
  t.check((await vp.locator('#verdict').textContent()).includes('真实有效'), 'verification says genuine');
  t.check((await vp.locator('#v-holder').textContent()).trim() === '王*', 'the name is masked');
  t.check(await overflow(vp) <= 1, `verification page has no horizontal overflow (${await overflow(vp)}px)`);
  await t.shot(vp, 'verify-360');
  await pub.close();
  await ctx.close();
}
