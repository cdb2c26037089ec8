// The assessor's journey on a PC (1280 px), then the same key screens on a phone (360 px): opens
// the report /assess, goes down the tree to a branch, filters the members 进度落后 (behind),
// downloads the Excel file of what is shown (unzipped here: the Chinese header and the member are
// in the sheet's XML, the others are not), and sends the branch a reminder, which a webhook
// receiver started here (a local HTTP server standing for the group robot) gets as the robot's JSON
// text message. The branch, its members and their hours are the journey's own fixture (SQL).
import http from 'node:http';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PC, PHONE, sql, api, token, member, watch, screen, textOf, year } from './journey.mjs';

const BRANCH = '旅程考核支部';

// The robot: records every POST body, answers {"errcode":0} as WeCom/DingTalk robots do.
function receiver() {
  const got = [];
  const waiters = [];
  const srv = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      got.push({ method: req.method, type: req.headers['content-type'] || '', body });
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"errcode":0,"errmsg":"ok"}');
      waiters.splice(0).forEach((w) => w());
    });
  });
  return new Promise((res) => srv.listen(0, '127.0.0.1', () => res({
    url: `http://127.0.0.1:${srv.address().port}/robot/send?key=journey`, got,
    next: (ms) => new Promise((ok, fail) => {
      if (got.length) return ok(got[0]);
      const timer = setTimeout(() => fail(new Error('the receiver got nothing')), ms);
      waiters.push(() => { clearTimeout(timer); ok(got[0]); });
    }),
    close: () => new Promise((r) => srv.close(r)),
  })));
}

export default async function (t) {
  const Y = year();
  // Fixture: a branch of 第一党委 (the assessor's subtree) with its own requirement of 100 hours and
  // three members: one met, one behind, one at risk, by DESIGN.md's rule at today's share of the year.
  sql(t, `INSERT INTO orgs(name, parent_id, path, created_at) VALUES ('${BRANCH}', (SELECT id FROM orgs WHERE name = '第一党委'), '', 0);
    UPDATE orgs SET path = (SELECT path FROM orgs WHERE name = '第一党委') || id || '/' WHERE name = '${BRANCH}';
    INSERT INTO requirements(org_id, year, total_hours, required_hours, updated_at)
      SELECT id, ${Y}, 100, 0, 0 FROM orgs WHERE name = '${BRANCH}';`);
  const met = member(t, 'jny_met', '达标旅程', BRANCH);
  const behind = member(t, 'jny_behind', '落后旅程', BRANCH);
  const risk = member(t, 'jny_risk', '风险旅程', BRANCH);
  const elapsed = (await api(t, 'GET', '/api/v1/me/summary', await token(t, 'jny_met'))).json.elapsed;
  const hBehind = Math.round(100 * elapsed * 0.75 * 100) / 100, hRisk = Math.round(100 * elapsed * 0.2 * 100) / 100;
  sql(t, `INSERT OR REPLACE INTO score_totals(user_id, year, hours_required, hours_elective, points) VALUES
    (${met}, ${Y}, 0, 100, 300), (${behind}, ${Y}, 0, ${hBehind}, 80), (${risk}, ${Y}, 0, ${hRisk}, 20)`);
  // The webhook is the admin's setting (outside the assessor's UI): pointed at the receiver.
  const robot = await receiver();
  const adm = await token(t, 'admin');
  const set = await api(t, 'PUT', '/api/v1/scoring/settings', adm, { webhook_url: robot.url });
  t.check(set.status === 200, `webhook set: ${set.status} ${set.text}`);
  const dir = mkdtempSync(join(tmpdir(), 'dx-journey-xlsx-'));
  try {
    const ctx = await t.browser.newContext({ ...PC, acceptDownloads: true });
    const page = await ctx.newPage();
    const errors = watch(page);
    await t.login(page, 'assessor');
    // ---- the report, then down the tree to the branch
    await page.goto(t.base + '/assess');
    await page.waitForSelector('#org-table');
    await screen(t, page, 'journey-assess-1280');
    await Promise.all([page.waitForURL(/org_id=\d+/), page.locator('.assess-tree a', { hasText: BRANCH }).click()]);
    t.check((await page.locator('.crumbs').textContent()).includes(BRANCH), 'drilled down to the branch');
    const all = await page.locator('#member-table tbody th').allTextContents();
    t.check(all.length === 3, `the branch's three members: ${all.join('|')}`);
    // ---- filter: behind
    await page.selectOption('#f-status', 'behind');
    await Promise.all([page.waitForURL(/status=behind/), page.click('.assess-filter button')]);
    const names = await page.locator('#member-table tbody th').allTextContents();
    t.check(names.length === 1 && names[0].includes('落后旅程'), `behind: ${names.join('|')}`);
    t.check((await page.locator('#member-table .badge').allTextContents()).join() === '进度落后', 'its badge says 进度落后');
    await screen(t, page, 'journey-assess-behind-1280');
    const filtered = page.url();
    // ---- Excel of what is shown
    const link = page.locator('.exports a', { hasText: 'Excel' });
    t.check((await link.getAttribute('href')).includes('status=behind'), 'the export keeps the filter');
    const [dl] = await Promise.all([page.waitForEvent('download'), link.click()]);
    const xlsx = join(dir, 'report.xlsx');
    await dl.saveAs(xlsx);
    t.check(/\.xlsx$/.test(dl.suggestedFilename()), `file name ${dl.suggestedFilename()}`);
    const entries = execFileSync('unzip', ['-Z1', xlsx], { encoding: 'utf8' }).split('\n');
    const sheet = entries.find((e) => /^xl\/worksheets\/sheet\d+\.xml$/.test(e));
    t.check(!!sheet && entries.includes('[Content_Types].xml'), `an OOXML workbook: ${entries.join(' ')}`);
    // The sheet's text: inline strings in the sheet, or the shared strings it points to.
    let xml = sheet ? execFileSync('unzip', ['-p', xlsx, sheet], { encoding: 'utf8' }) : '';
    if (entries.includes('xl/sharedStrings.xml')) xml += execFileSync('unzip', ['-p', xlsx, 'xl/sharedStrings.xml'], { encoding: 'utf8' });
    t.check(xml.includes('姓名') && xml.includes('组织') && xml.includes('学时'), `the Chinese header in the sheet XML: ${xml.slice(0, 300)}`);
    t.check(xml.includes('落后旅程') && !xml.includes('达标旅程') && !xml.includes('风险旅程'), 'the sheet holds what was shown only');
    // ---- the reminder of the branch, to the robot
    const send = page.locator('#remind-send');
    t.check(await send.isEnabled(), 'the reminder button is on with a webhook');
    await send.click();
    const queued = await textOf(page, '#remind-msg', /\S/);
    t.check(!(await page.locator('#remind-msg').getAttribute('class')).includes('err'), `queued: ${queued}`);
    const shown = await page.locator('#remind-content').textContent();
    t.check(shown.includes('落后旅程') && shown.includes('风险旅程') && !shown.includes('达标旅程'), `the message shown: ${shown}`);
    const msg = await robot.next(15000);
    let j = null;
    try { j = JSON.parse(msg.body); } catch (e) { /* checked below */ }
    t.check(msg.method === 'POST' && msg.type.startsWith('application/json'), `a JSON POST: ${msg.method} ${msg.type}`);
    t.check(j && j.msgtype === 'text' && typeof j.text.content === 'string', `the robot's text message: ${msg.body}`);
    t.check(j && j.text.content === shown && j.text.content.includes(BRANCH), `the robot got what the page showed: ${j && j.text.content}`);
    // The page lists it as sent once the outbox has delivered it.
    // (The filter's address ends in #members: a goto to it again would only scroll; reload.)
    await page.reload();
    t.check((await page.locator('.remind-list li').first().textContent()).includes('已送达'), 'listed as delivered');
    await screen(t, page, 'journey-assess-reminded-1280');
    t.check(errors.length === 0, `1280: no page errors or failed requests: ${errors.join('; ')}`);
    await ctx.close();

    // ---- the key screens again on a phone
    const pctx = await t.browser.newContext(PHONE);
    const phone = await pctx.newPage();
    const perr = watch(phone);
    await t.login(phone, 'assessor');
    await phone.goto(t.base + '/assess');
    await phone.waitForSelector('#org-table');
    await screen(t, phone, 'journey-assess-360');
    await phone.goto(filtered.replace(/#.*/, ''));
    t.check((await phone.locator('#member-table tbody th').allTextContents()).join() .includes('落后旅程'), '360: the filtered table');
    await screen(t, phone, 'journey-assess-behind-360');
    t.check(perr.length === 0, `360: no page errors or failed requests: ${perr.join('; ')}`);
    await pctx.close();
    t.check(robot.got.length === 1, `one message delivered (${robot.got.length})`);
  } finally {
    // Reminders off again for the tests that follow on this server.
    await api(t, 'PUT', '/api/v1/scoring/settings', adm, { webhook_url: '' });
    await robot.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
