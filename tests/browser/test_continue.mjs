// The member's continue button (issue 12) at 360 px (touch) and 1280 px: on a course half watched
// it says 继续学习, names the lecture and where it resumes, and one tap opens that lecture, whose
// player resumes there; on a course not started it says 开始学习; the home page offers the lecture
// studied last. Progress is written into the database (a 60-second lecture watched to 0:30), so
// nothing waits for real heartbeats.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { audit } from './audit.mjs';

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
async function token(base, username) {
  const r = await fetch(base + '/api/v1/session', {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password: 'dangxiao2026' }),
  });
  return (await r.json()).token;
}

export default async function (t) {
  const db = join(t.data, 'dangxiao.db');
  const sql = (q) => execFileSync('sqlite3', ['-cmd', '.timeout 10000', db, q]);
  const course = (id, title) =>
    `INSERT INTO courses(id, owner_id, title, category, credit_hours, status, created_at, updated_at, published_at) ` +
    `VALUES (${id}, (SELECT id FROM users WHERE username='teacher'), '${title}', '党史党建', 1, 'published', ` +
    `strftime('%s','now'), strftime('%s','now'), strftime('%s','now'));` +
    [0, 1].map((i) => `INSERT INTO lectures(id, course_id, title, position, status, duration_s, media_version, created_at, ` +
      `updated_at) VALUES (${id * 10 + i}, ${id}, '第${i + 1}讲 继续学习测试${i + 1}', ${i}, 'ready', 60, 1, ` +
      `strftime('%s','now'), strftime('%s','now'));`).join('');
  sql(course(9911, '浏览器测试课：继续学习') + course(9912, '浏览器测试课：开始学习'));
  const tok = await token(t.base, 'zhaoliu');
  for (const id of [9911, 9912]) {
    const r = await fetch(`${t.base}/api/v1/courses/${id}/enroll`, { method: 'POST', headers: { Authorization: 'Bearer ' + tok } });
    t.check(r.status === 200, `enrolled in ${id}: ${r.status}`);
  }
  // 0:30 of the first lecture of 9911 watched.
  sql("INSERT INTO lecture_progress(user_id, lecture_id, coverage, covered_s, study_s, last_pos, updated_at, cov_version, cov_duration_s) " +
    "SELECT id, 99110, '[[0,30]]', 30, 30, 30, strftime('%s','now'), 1, 60 FROM users WHERE username='zhaoliu'");

  for (const [w, mobile] of [[360, true], [1280, false]]) {
    const ctx = await t.browser.newContext({ viewport: { width: w, height: 800 }, isMobile: mobile, hasTouch: mobile });
    const page = await ctx.newPage();
    const errors = watch(page);
    await t.login(page, 'zhaoliu');

    // Half watched: 继续学习, the lecture and 0:30.
    await page.goto(t.base + '/courses/9911');
    const btn = page.locator('#continue');
    t.check(await btn.count() === 1 && await btn.isVisible(), `${w}: the continue button is shown`);
    t.check((await btn.textContent()).trim() === '继续学习', `${w}: it says 继续学习: ${await btn.textContent()}`);
    const what = await page.locator('#continue-what').textContent();
    t.check(what.includes('第1讲') && what.includes('上次看到 0:30'), `${w}: names the lecture and 0:30: ${what}`);
    const box = await btn.boundingBox();
    t.check(box && box.x >= 0 && box.x + box.width <= w, `${w}: the button lies inside the screen: ${JSON.stringify(box)}`);
    if (mobile) t.check(box && box.height >= 40, `${w}: a thumb-sized target: ${box && box.height}px`);
    t.check(await overflow(page) <= 1, `${w}: course page has no horizontal overflow (${await overflow(page)}px)`);
    const problems = await audit(page, `course-continue-${w}`);
    t.check(problems.length === 0, `${w}: audit of the course page: ${problems.join('; ')}`);
    await t.shot(page, `course-continue-${w}`);

    // One tap: the lecture's player, which resumes at 0:30.
    await Promise.all([page.waitForURL(/\/lectures\/99110$/), btn.click()]);
    t.check(await page.locator('#player[data-lecture="99110"]').count() === 1, `${w}: the player of that lecture`);
    const resume = await page.evaluate(async () => {
      const r = await fetch('/api/v1/lectures/99110/progress');
      return (await r.json()).resume_position;
    });
    t.check(Math.abs(resume - 30) < 0.01, `${w}: the player resumes at 0:30 (${resume})`);
    t.check(await page.locator('#player[data-next="/lectures/99111?autoplay=1"]').count() === 1, `${w}: it moves on to 第2讲 at the end`);
    const rates = await page.locator('#rate option').allTextContents();
    t.check(rates.some((s) => s.includes('不计学时')) && rates.some((s) => s.includes('（计学时）')), `${w}: the rate menu says what counts: ${rates}`);
    t.check(await overflow(page) <= 1, `${w}: player has no horizontal overflow (${await overflow(page)}px)`);

    // Not started: 开始学习, the first lecture.
    await page.goto(t.base + '/courses/9912');
    t.check((await page.locator('#continue').textContent()).trim() === '开始学习', `${w}: it says 开始学习`);
    t.check(await page.locator('#continue').getAttribute('href') === '/lectures/99120', `${w}: leads to the first lecture`);

    // The home page: the lecture studied last, one tap away.
    await page.goto(t.base + '/');
    const last = page.locator('#continue-last-link');
    t.check(await last.count() === 1 && await last.getAttribute('href') === '/lectures/99110', `${w}: home offers the last lecture`);
    t.check(await overflow(page) <= 1, `${w}: home has no horizontal overflow (${await overflow(page)}px)`);
    await t.shot(page, `home-continue-${w}`);
    t.check(errors.length === 0, `${w}: no errors: ` + errors.join('; '));
    await ctx.close();
  }

  // The player's end (its media are not there, so the video's events are dispatched by hand and
  // the server's answers to play and heartbeat are stubbed): it moves on to the next lecture unless
  // told to stay, and a completed course's message stays until dismissed, without moving on.
  const ctx = await t.browser.newContext({ viewport: { width: 360, height: 800 }, isMobile: true, hasTouch: true });
  const page = await ctx.newPage();
  await t.login(page, 'zhaoliu');
  await page.goto(t.base + '/lectures/99110');
  await page.evaluate(() => document.getElementById('video').dispatchEvent(new Event('ended')));
  const next = page.locator('#next-banner');
  t.check(await next.isVisible(), 'at the end: the next lecture is announced');
  // The text is written once the page's strings have loaded: wait for it (bounded), then check.
  await page.waitForFunction(() => document.getElementById('next-text').textContent.includes('第2讲'), null, { timeout: 5000 }).catch(() => {});
  t.check((await page.locator('#next-text').textContent()).includes('第2讲'), 'it names 第2讲');
  await page.click('#next-stay');
  t.check(!(await next.isVisible()), '留在本讲 stops it');
  await page.waitForTimeout(6000);
  t.check(page.url().endsWith('/lectures/99110'), `still on the lecture after 6 s: ${page.url()}`);
  await Promise.all([page.waitForURL(/\/lectures\/99111\?autoplay=1$/, { timeout: 15000 }),
    page.evaluate(() => document.getElementById('video').dispatchEvent(new Event('ended')))]);
  t.check(true, 'moved on to 第2讲 by itself');

  await page.route('**/api/v1/lectures/99111/play', (r) => r.fulfill({ status: 201, contentType: 'application/json',
    body: JSON.stringify({ session: 1, resume_position: 0 }) }));
  await page.route('**/api/v1/lectures/99111/heartbeat', (r) => r.fulfill({ status: 200, contentType: 'application/json',
    body: JSON.stringify({ result: 'credited', credited_s: 5, lecture_study_s: 60, today_study_s: 60, coverage: 1,
      covered_s: 60, completed: true, course_completed: true, position: 60, intervals: [[0, 60]] }) }));
  await page.route('**/media/**', (r) => r.abort());
  await page.evaluate(() => document.getElementById('video').dispatchEvent(new Event('play')));
  await page.waitForTimeout(500);
  await page.evaluate(() => document.getElementById('video').dispatchEvent(new Event('ended')));
  const done = page.locator('#done-banner');
  await done.waitFor({ state: 'visible', timeout: 10000 });
  t.check((await page.locator('#done-text').textContent()).includes('课程已全部完成'), 'the course completion message');
  await page.waitForTimeout(6000);
  t.check(await done.isVisible(), 'it stays on screen');
  t.check(page.url().includes('/lectures/99111'), 'a completed course does not move on');
  await page.click('#done-close');
  t.check(!(await done.isVisible()), '知道了 dismisses it');
  await ctx.close();
}
