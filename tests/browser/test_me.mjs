// A member on a phone (360 px) and on a PC (1280 px) opens /me: hours against the requirement
// (total and required), the status in plain words, the projection to the year end, points today
// and this year, the weekly study chart (SVG with a text alternative: its title, desc and a table),
// the ledger with paging; the page never scrolls sideways. The member, their organisation (with a
// requirement of its own), totals, daily rows and 45 ledger rows are written with SQL first, so no
// other test's activity changes what is expected; what the page shows is compared with
// /api/v1/me/summary and with DESIGN.md's status rule computed here again.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { audit } from './audit.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const zh = JSON.parse(readFileSync(join(here, '..', '..', 'web', 'i18n', 'zh-CN.json'), 'utf8'));

function sql(t, q) {
  return execFileSync('sqlite3', ['-cmd', '.timeout 10000', join(t.data, 'dangxiao.db'), q]).toString().trim();
}

// The page's hour format: at most two decimals, no trailing zeros.
const hours = (h) => String(Number((Math.round(h * 100) / 100).toFixed(2)));
// fmt_duration: "m:ss" under an hour, else "h:mm:ss".
function dur(s) {
  s = Math.round(s);
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), x = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${x}` : `${m}:${x}`;
}

export default async function (t) {
  // Academy time is Asia/Shanghai (UTC+8 all year).
  const year = Number(sql(t, "SELECT strftime('%Y', 'now', '+8 hours')"));
  const ymd = (daysAgo) => Number(sql(t, `SELECT strftime('%Y%m%d', 'now', '+8 hours', '-${daysAgo} days')`));
  sql(t, `INSERT INTO orgs(name, parent_id, path, created_at) VALUES ('我的学习测试支部', 1, '', 0);
    UPDATE orgs SET path = '/1/' || id || '/' WHERE name = '我的学习测试支部';
    INSERT INTO users(username, name, role, org_id, pw_hash, created_at, updated_at)
      SELECT 'me_browser', '学习测试员', 'member', (SELECT id FROM orgs WHERE name = '我的学习测试支部'), pw_hash, 0, 0
      FROM users WHERE username = 'zhangsan';
    INSERT INTO requirements(org_id, year, total_hours, required_hours, updated_at)
      SELECT id, ${year}, 40, 10, 0 FROM orgs WHERE name = '我的学习测试支部';`);
  const uid = Number(sql(t, "SELECT id FROM users WHERE username = 'me_browser'"));
  // 4 h required + 30.5 h elective this year, 123 points, 5 courses, 10 h of study.
  sql(t, `INSERT INTO score_totals(user_id, year, hours_required, hours_elective, study_s, points, courses_completed, updated_at)
    VALUES (${uid}, ${year}, 4, 30.5, 36000, 123, 5, 0)`);
  // Today: a login (1) and 30 min of study (6); a week ago an hour, two weeks ago an hour and a half.
  sql(t, `INSERT INTO score_daily(user_id, day, rule, points, qty) VALUES
    (${uid}, ${ymd(0)}, 'login', 1, 1), (${uid}, ${ymd(0)}, 'study', 6, 1800),
    (${uid}, ${ymd(7)}, 'study', 10, 3600), (${uid}, ${ymd(14)}, 'study', 10, 5400)`);
  // 45 ledger rows (20 a page: 3 pages), the newest a required course of 2.5 credit hours.
  sql(t, `WITH RECURSIVE s(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM s WHERE k < 44)
    INSERT INTO ledger(user_id, seq, rule, points, ref, at, detail, prev, hash)
      SELECT ${uid}, k, 'study', 1, 'me' || k, strftime('%s', 'now') - (46 - k) * 600, NULL, randomblob(32), randomblob(32) FROM s;
    INSERT INTO ledger(user_id, seq, rule, points, ref, at, detail, prev, hash)
      VALUES (${uid}, 45, 'course_completed', 13, '990777', strftime('%s', 'now') - 60,
              '{"credit_hours":2.5,"required":true}', randomblob(32), randomblob(32));`);

  for (const width of [360, 1280]) {
    const mobile = width === 360;
    const ctx = await t.browser.newContext({ viewport: { width, height: 900 }, isMobile: mobile, hasTouch: mobile });
    const page = await ctx.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => { if (m.type() === 'error') errors.push('console: ' + m.text()); });
    await t.login(page, 'me_browser');
    await page.goto(t.base + '/me');
    const s = await page.evaluate(async () => (await fetch('/api/v1/me/summary')).json());
    t.check(s.year === year && s.credit_hours === 34.5 && s.required_hours === 4 && s.requirement.total_hours === 40 &&
      s.requirement.required_hours === 10, `${width}: summary ${JSON.stringify(s)}`);
    // The status by DESIGN.md's rule, from the elapsed share of the year the server reports.
    const exp = 40 * s.elapsed;
    const want = 34.5 >= 40 && 4 >= 10 ? 'met' : 34.5 >= exp ? 'on_track' : 34.5 < exp / 2 ? 'at_risk' : 'behind';
    t.check(s.status === want, `${width}: status ${s.status}, by the rule ${want} (elapsed ${s.elapsed})`);
    t.check(await page.locator('h1').first().textContent() === `我的学习 ${year} 年度`,
      `${width}: title ${await page.locator('h1').first().textContent()}`);
    // Status in plain words: the label and its meaning, the hours expected by today.
    const box = page.locator('#me-status');
    t.check(await box.getAttribute('data-status') === s.status, `${width}: data-status`);
    t.check((await box.locator('.me-badge').textContent()) === zh[`scoring.status.${s.status}`], `${width}: badge`);
    t.check((await box.locator('.me-meaning').textContent()) === zh[`me.meaning.${s.status}`], `${width}: meaning in words`);
    if (s.status !== 'met') {
      const e = await box.locator('.me-expected').textContent();
      t.check(e.includes(`${hours(s.expected_hours)} 学时`) && e.includes('已完成 34.5 学时'), `${width}: expected: ${e}`);
    }
    const proj = await box.locator('.me-projection').textContent();
    t.check(proj.includes(`预计年底可达 ${hours(s.projection.hours)} 学时`) &&
      proj.includes(s.projection.meets ? '能够达到年度要求' : '低于年度要求'), `${width}: projection: ${proj}`);
    // Hours against the requirement: total and required, as text and as meters.
    const bars = page.locator('.me-hours .me-bar');
    t.check(await bars.count() === 2, `${width}: two bars`);
    t.check((await bars.nth(0).textContent()).includes('总学时') && (await bars.nth(0).textContent()).includes('34.5 / 40 学时'),
      `${width}: total bar: ${await bars.nth(0).textContent()}`);
    t.check((await bars.nth(1).textContent()).includes('必修学时') && (await bars.nth(1).textContent()).includes('4 / 10 学时'),
      `${width}: required bar: ${await bars.nth(1).textContent()}`);
    t.check(await bars.nth(0).locator('meter').getAttribute('value') === '34.50' &&
      await bars.nth(0).locator('meter').getAttribute('max') === '40.00', `${width}: total meter`);
    t.check((await page.locator('.me-hours .help').textContent()).includes('30.5 学时') &&
      (await page.locator('.me-hours .help').textContent()).includes('完成课程 5'), `${width}: elective hours and courses`);
    // Points today (score_daily of today: 1 + 6) and this year.
    t.check(await page.locator('#points-today').textContent() === '7', `${width}: points today ${await page.locator('#points-today').textContent()}`);
    t.check(await page.locator('#points-year').textContent() === '123', `${width}: points this year`);
    t.check((await page.locator('.me-points').textContent()).includes('10:00:00'), `${width}: study time 10 h`);
    // The weekly chart: an SVG image with a title and a desc, and the same figures as a table.
    const svg = page.locator('.me-chart svg[role=img]');
    t.check(await svg.count() === 1, `${width}: one chart`);
    t.check((await svg.locator(':scope > title').count()) === 1 && (await svg.locator('desc').textContent()).length > 0,
      `${width}: chart title and desc`);
    // On a phone the chart keeps a legible size and scrolls inside its figure; the page does not.
    const svgBox = await svg.boundingBox();
    const fig = await page.locator('.me-chart figure').boundingBox();
    t.check(svgBox && fig && svgBox.width >= Math.min(540, fig.width) && fig.width <= width,
      `${width}: chart legible and inside the page (${svgBox && svgBox.width}, ${fig && fig.width})`);
    await page.locator('.me-chart summary').click();
    const cells = await page.locator('.me-chart table tbody tr td:nth-child(2)').allTextContents();
    t.check(cells.length === 12 && cells[11] === dur(1800) && cells[10] === dur(3600) && cells[9] === dur(5400),
      `${width}: weekly table: ${cells.join('|')}`);
    // The ledger: newest first, 20 a page, 3 pages.
    const rows = page.locator('#ledger tbody tr');
    t.check(await rows.count() === 20, `${width}: 20 rows on page 1 (${await rows.count()})`);
    const first = await rows.first().textContent();
    t.check(first.includes('2.5 学时，必修') && first.includes('+13'), `${width}: newest row: ${first}`);
    t.check((await page.locator('#ledger .pager span').textContent()) === '1 / 3', `${width}: pager 1 / 3`);
    await Promise.all([page.waitForURL(/page=2/), page.locator('#ledger .pager a[rel=next]').click()]);
    t.check(await rows.count() === 20 && (await page.locator('#ledger .pager span').textContent()) === '2 / 3',
      `${width}: page 2`);
    await Promise.all([page.waitForURL(/page=3/), page.locator('#ledger .pager a[rel=next]').click()]);
    t.check(await rows.count() === 5 && await page.locator('#ledger .pager a[rel=next]').count() === 0,
      `${width}: page 3 has the last 5 rows and no next link`);
    await Promise.all([page.waitForURL(/page=2/), page.locator('#ledger .pager a[rel=prev]').click()]);
    t.check((await page.locator('#ledger .pager span').textContent()) === '2 / 3', `${width}: back to page 2`);
    // Never sideways, on either page.
    for (const u of ['/me', '/me?page=3']) {
      await page.goto(t.base + u);
      t.check(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth) <= 1,
        `${width}: no horizontal overflow of ${u}`);
    }
    await page.goto(t.base + '/me');
    const problems = await audit(page, `me-${width}`);
    t.check(problems.length === 0, `${width}: audit: ${problems.join('; ')}`);
    await t.shot(page, `me-${width}`);
    t.check(errors.length === 0, `${width}: no page errors: ${errors.join('; ')}`);
    await ctx.close();
  }
}
