// journey.mjs — steps the role journeys (test_journey_*.mjs) share; not a test itself (run.mjs runs
// test_*.mjs only). A journey is one user's continuous story through the real UI; what lies outside
// that user's UI (another user's doing, a fixture) goes through sql() or api() and says so.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { audit } from './audit.mjs';

export const PHONE = { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true };
export const PC = { viewport: { width: 1280, height: 860 } };

export function sql(t, q) {
  return execFileSync('sqlite3', ['-cmd', '.timeout 10000', join(t.data, 'dangxiao.db'), q], { encoding: 'utf8' }).trim();
}

export async function api(t, method, path, token, body) {
  const headers = {};
  if (token) headers.Authorization = 'Bearer ' + token;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const r = await fetch(t.base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  let json = null;
  try { json = JSON.parse(text); } catch (e) { /* not JSON */ }
  return { status: r.status, json, text };
}

export async function token(t, username, password = 'dangxiao2026') {
  const r = await api(t, 'POST', '/api/v1/session', null, { username, password });
  return r.status === 200 ? r.json.token : null;
}

// A member of the organisation named org (the first of that name), with the demo password (its
// hash copied from zhangsan): the fixture of a journey that is not the admin's.
export function member(t, username, name, org) {
  sql(t, `INSERT INTO users(username, name, role, org_id, pw_hash, created_at, updated_at)
    SELECT '${username}', '${name}', 'member', (SELECT id FROM orgs WHERE name = '${org}' ORDER BY id LIMIT 1),
      pw_hash, strftime('%s','now'), strftime('%s','now') FROM users WHERE username = 'zhangsan'`);
  return Number(sql(t, `SELECT id FROM users WHERE username = '${username}'`));
}

// Every failed request, page error and console error of the page, except the URLs allowed.
export function watch(page, allow = []) {
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error' && !allow.some((a) => m.text().includes(a) || (m.location().url || '').includes(a)))
      errors.push('console: ' + m.text());
  });
  page.on('response', (r) => {
    if (r.status() >= 400 && !allow.some((a) => r.url().includes(a))) errors.push(r.status() + ' ' + r.url());
  });
  return errors;
}

export async function overflow(page) {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

// A screen of the journey, once its scripts have filled it: audited (axe serious/critical and
// tidy: each problem a failed check), never wider than the viewport, and kept as a screenshot.
export async function screen(t, page, name) {
  await page.waitForLoadState('networkidle', { timeout: 3000 }).catch(() => {});
  for (const p of await audit(page, name)) t.check(false, p);
  const o = await overflow(page);
  t.check(o <= 1, `${name}: no horizontal overflow (${o}px)`);
  await t.shot(page, name);
}

// Waits until the element's text passes test (a RegExp or a string it includes): its text.
export async function textOf(page, selector, test, timeout = 10000) {
  const re = test instanceof RegExp ? test.source : null;
  const flags = test instanceof RegExp ? test.flags : '';
  const h = await page.waitForFunction(([s, re, flags, str]) => {
    const e = document.querySelector(s);
    if (!e) return false;
    const x = e.textContent;
    return (re !== null ? new RegExp(re, flags).test(x) : x.includes(str)) ? x : false;
  }, [selector, re, flags, re === null ? test : ''], { timeout });
  return h.jsonValue();
}

// The academy year (Asia/Shanghai) as the server counts it.
export function year() {
  return new Date(Date.now() + 8 * 3600e3).getUTCFullYear();
}

// Answers one question of the exam page right, by tapping (q: the bank's question with its answer;
// choices are found by their text, as options are shuffled per attempt). Also test_exam's.
export async function answerRight(page, q) {
  const li = page.locator(`#q-${q.id}`);
  if (q.type === 'fill') {
    const inputs = li.locator('input[type=text]');
    for (let b = 0; b < q.answer.length; b++) await inputs.nth(b).fill(q.answer[b][0]);
    return;
  }
  const labels = li.locator('label.opt');
  const n = await labels.count();
  for (const i of q.answer) {
    for (let k = 0; k < n; k++) {
      const own = (await labels.nth(k).innerText()).replace(/^[A-Z]\.\s*/, '').trim();
      if (own === q.options[i]) { await labels.nth(k).tap(); break; }
    }
  }
}
