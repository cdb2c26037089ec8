// The member's journey on a phone (360 px, touch), one continuous story: logs in, finds the
// required course of her committee already in 我的课程 on the catalog page, opens it and its
// lecture, plays the demo lecture through hls.js until the server credits the study time, takes the
// course exam and passes it, joins the open topic class (which the course completes), sees her hours,
// points and status move on /me, downloads the class certificate (a PDF whose QR code holds the
// verification address) and the verification page answers anyone who opens it.
// Fixture (outside her UI): the member herself, in a new branch of 第一党委 whose requirement this
// year is the demo course's hours, so that completing it moves her status to 已达标.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PHONE, sql, api, token, member, watch, screen, textOf, year, answerRight } from './journey.mjs';

const COURSE = 1; // the demo course (required for 第一党委), its 40-second lecture and its exam
const BRANCH = '旅程学习支部';
const CLASS = '学习贯彻党的二十大精神网络专题班'; // the demo's open class; the demo course is its required one

const credited = (r) => r.url().endsWith('/heartbeat') && r.status() === 200 &&
  r.json().then((j) => j.result === 'credited' && j.credited_s > 0, () => false);

export default async function (t) {
  const Y = year();
  const hours = Number(sql(t, `SELECT credit_hours FROM courses WHERE id = ${COURSE}`));
  sql(t, `INSERT INTO orgs(name, parent_id, path, created_at) VALUES ('${BRANCH}', (SELECT id FROM orgs WHERE name = '第一党委'), '', 0);
    UPDATE orgs SET path = (SELECT path FROM orgs WHERE name = '第一党委') || id || '/' WHERE name = '${BRANCH}';
    INSERT INTO requirements(org_id, year, total_hours, required_hours, updated_at)
      SELECT id, ${Y}, ${hours}, ${hours}, 0 FROM orgs WHERE name = '${BRANCH}';`);
  const uid = member(t, 'jny_member', '旅程学员', BRANCH);
  // The demo lecture is transcoded when the server starts (other tests wait for it too).
  const w0 = Date.now();
  for (let i = 0; i < 600 && sql(t, `SELECT status FROM lectures WHERE course_id = ${COURSE} ORDER BY position LIMIT 1`) !== 'ready'; i++)
    await new Promise((r) => setTimeout(r, 500));
  if (Date.now() - w0 > 1000) console.log(`    waited ${Math.round((Date.now() - w0) / 1000)} s for the demo lecture's transcode`);
  const teacher = await token(t, 'teacher'); // the bank with its answers: what the test knows, not the member
  const bank = new Map((await api(t, 'GET', `/api/v1/courses/${COURSE}/questions`, teacher)).json.questions.map((q) => [q.id, q]));
  const dir = mkdtempSync(join(tmpdir(), 'dx-journey-member-'));
  const ctx = await t.browser.newContext({ ...PHONE, acceptDownloads: true });
  const page = await ctx.newPage();
  const errors = watch(page, ['/heartbeat']); // a heartbeat may be refused (429) by design on leaving the page
  try {
    await t.login(page, 'jny_member');
    const before = await page.evaluate(() => fetch('/api/v1/me/summary').then((r) => r.json()));

    // ---- the catalog: the required course already in 我的课程
    await page.waitForSelector('#my-courses li');
    const mine = page.locator('#my-courses li').first();
    t.check((await mine.textContent()).includes('全面从严治党') && await mine.locator('.badge.required').count() === 1,
      `the required course first in my courses: ${await mine.textContent()}`);
    t.check(await page.locator('#course-list .course-card').count() >= 2, 'the catalog lists the courses');
    await screen(t, page, 'journey-member-home-360');
    await Promise.all([page.waitForURL(new RegExp(`/courses/${COURSE}$`)), mine.locator('a').first().tap()]);
    await page.waitForSelector('#course-progress progress');
    t.check((await page.locator('#continue').textContent()).trim() === '开始学习', 'the course page offers 开始学习');
    await screen(t, page, 'journey-member-course-360');

    // ---- the lecture: real HLS playback until a heartbeat is credited
    await Promise.all([page.waitForURL(/\/lectures\/\d+$/), page.locator('#continue').tap()]);
    const lecture = Number(page.url().match(/(\d+)$/)[1]);
    await page.waitForFunction(() => window.DX && document.getElementById('today-s').textContent !== '—');
    await page.evaluate(() => { document.getElementById('video').muted = true; });
    const beat = page.waitForResponse(credited, { timeout: 45000 });
    await page.locator('#play-start').tap();
    t.check(await page.evaluate(() => new Promise((res) => {
      const v = document.getElementById('video');
      const check = () => (window.Hls ? res(v.src.startsWith('blob:')) : setTimeout(check, 100));
      check();
    })), 'hls.js plays the stream');
    const hb = await (await beat).json();
    t.check(hb.credited_s >= 10, `the first heartbeat credits about 15 s: ${JSON.stringify(hb)}`);
    const today = await textOf(page, '#today-s', /[1-9]\d* 秒/);
    t.check(/秒/.test(today), `the player shows today's credited time: ${today}`);
    await screen(t, page, 'journey-member-player-360');
    await page.evaluate(() => document.getElementById('video').pause());
    await page.goto(`${t.base}/courses/${COURSE}`);
    // Shortcut: the rest of the 40-second lecture is marked watched in the database (watching to
    // the end is test_player's; it would take the journey past a minute).
    sql(t, `UPDATE lecture_progress SET covered_s = (SELECT duration_s FROM lectures WHERE id = ${lecture}),
      study_s = (SELECT duration_s FROM lectures WHERE id = ${lecture}), completed_at = strftime('%s','now')
      WHERE user_id = ${uid} AND lecture_id = ${lecture}`);

    // ---- the exam, from the course page: every question answered right, submitted, passed
    await page.reload();
    await Promise.all([page.waitForURL(/\/quizzes\/\d+$/), page.locator('#exam-go').tap()]);
    await page.waitForSelector('#quiz-questions li.q');
    const ids = await page.locator('#quiz-questions li.q').evaluateAll((ls) => ls.map((l) => +l.getAttribute('data-id')));
    for (const id of ids) await answerRight(page, bank.get(id));
    await textOf(page, '#quiz-saved', '已保存');
    await screen(t, page, 'journey-member-exam-360');
    await page.locator('#quiz-submit').tap();
    await page.waitForSelector('#quiz-confirm[open]');
    await Promise.all([page.waitForURL(/\/attempts\/\d+$/), page.locator('#quiz-confirm-yes').tap()]);
    await page.waitForSelector('#quiz-score');
    t.check(/100/.test(await page.locator('#quiz-score .score').innerText()) &&
      (await page.locator('#quiz-verdict').innerText()).includes('通过'), 'score 100, passed');
    await screen(t, page, 'journey-member-result-360');

    // ---- the topic class: from 我的学习 to the classes, joined, completed at once by the course
    await Promise.all([page.waitForURL(/\/me$/), page.locator('header a[href="/me"]').tap()]);
    await Promise.all([page.waitForURL(/\/classes$/), page.locator('main a[href="/classes"]').first().tap()]);
    const item = page.locator('#classes-open li', { hasText: CLASS });
    await screen(t, page, 'journey-member-classes-360');
    await Promise.all([page.waitForURL(/\/classes\/\d+$/), item.locator('button.join').tap()]);
    const dl = page.locator('#cert-download');
    await dl.waitFor({ timeout: 10000 });
    t.check((await page.locator('#class-me').textContent()).includes('100%'), 'the class is complete');
    await screen(t, page, 'journey-member-class-360');

    // ---- /me: hours, points and status have moved
    const after = await page.evaluate(() => fetch('/api/v1/me/summary').then((r) => r.json()));
    t.check(after.credit_hours === before.credit_hours + hours && after.required_hours === before.required_hours + hours,
      `hours ${before.credit_hours} → ${after.credit_hours} (+${hours})`);
    t.check(after.points > before.points, `points ${before.points} → ${after.points}`);
    t.check(before.status !== 'met' && after.status === 'met', `status ${before.status} → ${after.status}`);
    await Promise.all([page.waitForURL(/\/me$/), page.locator('header a[href="/me"]').tap()]);
    t.check(await page.locator('#me-status').getAttribute('data-status') === 'met' &&
      (await page.locator('#me-status .me-badge').textContent()) === '已达标', '/me says 已达标');
    const bar = await page.locator('.me-hours .me-bar').first().textContent();
    t.check(bar.includes(`${after.credit_hours} / ${hours} 学时`), `/me shows the hours: ${bar}`);
    t.check(await page.locator('#points-year').textContent() === String(after.points), '/me shows the year\'s points');
    await screen(t, page, 'journey-member-me-360');

    // ---- the certificate: a PDF whose QR code is the verification address, which answers anyone
    await page.goBack();
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#cert-download').tap()]);
    const pdf = join(dir, 'cert.pdf');
    await download.saveAs(pdf);
    t.check(readFileSync(pdf).subarray(0, 5).toString() === '%PDF-', 'the certificate is a PDF');
    const text = execFileSync('pdftotext', ['-enc', 'UTF-8', pdf, '-'], { encoding: 'utf8' }).replace(/\s+/g, '');
    t.check(text.includes('旅程学员') && text.includes(CLASS), 'it names the member and the class');
    execFileSync('pdftoppm', ['-r', '150', '-png', '-singlefile', pdf, join(dir, 'cert')]);
    const qr = execFileSync('zbarimg', ['--quiet', '--raw', join(dir, 'cert.png')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const verifyLink = await page.locator('#class-me a[href*="/verify/"]').getAttribute('href');
    t.check(/\/verify\/[A-Za-z0-9]+$/.test(qr) && qr.endsWith(new URL(verifyLink, t.base).pathname),
      `the QR code holds the verification address (${qr}, the page links ${verifyLink})`);
    const anyone = await t.browser.newContext(PHONE);
    const vp = await anyone.newPage();
    const r = await vp.goto(t.base + new URL(qr).pathname);
    t.check(r.status() === 200 && (await vp.locator('#verdict').textContent()).includes('真实有效'), 'verification: genuine');
    const holder = (await vp.locator('#v-holder').textContent()).trim();
    t.check(holder.startsWith('旅') && holder.includes('*') && !holder.includes('旅程学员'), `the holder's name is masked: ${holder}`);
    await screen(t, vp, 'journey-member-verify-360');
    await anyone.close();
    t.check(errors.length === 0, `no page errors or failed requests: ${errors.join('; ')}`);
  } finally {
    await ctx.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
