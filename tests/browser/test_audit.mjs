// Every page of the product, as each role meets it, at 360 px (phone, touch) and 1280 px (PC):
// axe-core finds no serious or critical violation and HTML Tidy finds nothing in the served HTML
// (tests/browser/audit.mjs). With DX_SCREENSHOTS=DIR (make screenshots) each view is also saved
// there as a small JPEG, DIR/NAME-WIDTH.jpg.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { audit } from './audit.mjs';

// [name, user (null: no session), path, selector the page's scripts have filled when it is ready]
// A page added to the product gets a row here.
export const PAGES = [
  ['login', null, '/login', '#login-form'],
  ['home', 'lisi', '/', '#my-courses li'],
  ['catalog-search', 'lisi', '/?q=' + encodeURIComponent('从严治'), '#course-list .course-card'],
  ['course', 'lisi', '/courses/1', '#course-body h2'],
  ['player', 'lisi', '/lectures/1', 'main h1'],
  ['not-found', 'lisi', '/courses/999999', 'main'],
  ['assessor-home', 'assessor', '/', 'main'],
  ['teach', 'teacher', '/teach', '#teach-list li'],
  ['teach-edit', 'teacher', '/teach/courses/1', '#preview h2'],
  ['upload', 'teacher', '/teach/courses/1/lectures', '#lectures article.lecture'],
  ['roster', 'teacher', '/teach/courses/1/roster', '#roster'],
  ['admin', 'admin', '/admin', '#assign-list li'],
  ['account', 'lisi', '/account', '#session-list li'],
  // Quizzes: {attempt} is lisi's graded attempt of the demo exam, made below (she has an open one too).
  ['quiz-take', 'lisi', '/quizzes/1', '#quiz-questions li.q'],
  ['quiz-result', 'lisi', '/attempts/{attempt}', '#quiz-results li.q'],
  ['daily', 'lisi', '/daily', '#quiz-start'],
  ['bank', 'teacher', '/teach/courses/1/quiz', '#bank-list li'],
  ['quiz-stats', 'teacher', '/teach/quizzes/1/stats', '#stats-items tbody tr'],
  ['ratings', 'teacher', '/courses/1/ratings', 'main h1'],
  // Scoring and classes: {class} is the demo open class (lisi joins it below), {code} the
  // verification code of lisi's yearly 学时证明, issued below.
  ['me', 'lisi', '/me', '#me-status'],
  ['me-certificates', 'lisi', '/me/certificates', '#my-certificates li.cert-item'],
  ['assess', 'assessor', '/assess', '#org-table'],
  ['classes', 'lisi', '/classes', '#classes-mine li.class-item'],
  ['class', 'lisi', '/classes/{class}', '#class-courses li'],
  ['class-roster', 'admin', '/classes/{class}/roster', '#roster'],
  // Staff see every class with its roster link (inside the item: a list holds only items).
  ['classes-staff', 'admin', '/classes', '#classes-staff li.class-item a[href$="/roster"]'],
  ['verify', null, '/verify/{code}', '#verdict.ok'],
  ['admin-points', 'admin', '/admin/points', '#rules tbody tr'],
];

const VIEWS = [
  { width: 360, height: 740, isMobile: true, hasTouch: true },
  { width: 1280, height: 800 },
];

async function settle(page) {
  // Let the page's own requests finish (a page that polls may never go idle: bounded).
  await page.waitForLoadState('networkidle', { timeout: 3000 }).catch(() => {});
}

export default async function (t) {
  // The member is enrolled in the demo course, so its lecture's player opens.
  const s = await fetch(t.base + '/api/v1/session', { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'lisi', password: 'dangxiao2026' }) }).then((r) => r.json());
  const en = await fetch(`${t.base}/api/v1/courses/1/enroll`, { method: 'POST', headers: { Authorization: 'Bearer ' + s.token } });
  t.check(en.ok, `lisi enrols in the demo course: ${en.status}`);
  // Members know a lecture once it has a video (issue 12): wait for the demo lecture's transcode.
  for (let i = 0; i < 600; i++) { // up to 5 min on a loaded machine
    const l = await fetch(`${t.base}/api/v1/lectures/1`, { headers: { Authorization: 'Bearer ' + s.token } });
    if (l.status === 200) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  // A graded attempt of the demo exam (nothing answered) for the result page, then an open one.
  const api = (method, path, body) => fetch(t.base + path, { method,
    headers: { Authorization: 'Bearer ' + s.token, 'Content-Type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined }).then(async (r) => ({ status: r.status, data: await r.json().catch(() => null) }));
  const a1 = await api('POST', '/api/v1/quizzes/1/attempts');
  const done = a1.data ? await api('POST', `/api/v1/attempts/${a1.data.attempt_id}/submit`, { answers: {} }) : a1;
  const a2 = await api('POST', '/api/v1/quizzes/1/attempts');
  t.check(a1.status === 201 && done.status === 200 && a2.status === 201,
    `lisi's attempts: start ${a1.status}, submit ${done.status}, again ${a2.status}`);
  // The demo open class, joined; a yearly certificate of this academy year (Beijing time) for its code.
  const cl = await api('GET', '/api/v1/classes');
  const all = cl.data ? Object.values(cl.data).filter(Array.isArray).flat() : [];
  const open = all.find((c) => c.title === '学习贯彻党的二十大精神网络专题班');
  const jn = open ? await api('POST', `/api/v1/classes/${open.id}/join`) : { status: 0 };
  const year = new Date(Date.now() + 8 * 3600e3).getUTCFullYear();
  const yc = await api('POST', '/api/v1/me/certificates', { year });
  t.check(open && (jn.status === 200 || jn.status === 201) && yc.status === 201 && yc.data.code,
    `lisi joins the open class (${open ? open.id : 'none'}: ${jn.status}) and gets a yearly certificate: ${yc.status}`);
  const fill = (path) => path.replace('{attempt}', a1.data ? a1.data.attempt_id : 0)
    .replace('{class}', open ? open.id : 0).replace('{code}', yc.data ? yc.data.code : 'none');
  const shots = process.env.DX_SCREENSHOTS;
  if (shots) mkdirSync(shots, { recursive: true });
  for (const v of VIEWS) {
    const sessions = new Map(); // user → context, logged in once per view
    const ctxFor = async (user) => {
      const key = user || '';
      if (sessions.has(key)) return sessions.get(key);
      const ctx = await t.browser.newContext({ viewport: { width: v.width, height: v.height },
        isMobile: !!v.isMobile, hasTouch: !!v.hasTouch, deviceScaleFactor: 1 });
      if (user) { const p = await ctx.newPage(); await t.login(p, user); await p.close(); }
      sessions.set(key, ctx);
      return ctx;
    };
    for (const [name, user, path, ready] of PAGES) {
      const ctx = await ctxFor(user);
      const page = await ctx.newPage();
      const errors = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      try {
        const r = await page.goto(t.base + fill(path));
        t.check(name === 'not-found' ? r.status() === 404 : r.status() === 200, `${name}-${v.width}: status ${r.status()}`);
        await page.waitForSelector(ready, { timeout: 15000 });
        await settle(page);
        for (const p of await audit(page, `${name}-${v.width}`)) t.check(false, p);
        if (shots) await page.screenshot({ path: join(shots, `${name}-${v.width}.jpg`), type: 'jpeg', quality: 45 });
      } catch (e) {
        t.check(false, `${name}-${v.width}: ${e.message.split('\n')[0]}`);
      }
      t.check(errors.length === 0, `${name}-${v.width}: page errors ${errors.join('; ')}`);
      await page.close();
    }
    for (const ctx of sessions.values()) await ctx.close();
  }
}
