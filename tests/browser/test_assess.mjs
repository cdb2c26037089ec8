// The assessor of 第一党委 on a phone (360 px) and on a PC (1280 px) opens /assess: the tree, the
// summary per branch with the SVG chart (and its text alternative), the member table; filters those
// at risk, searches a name, drills down into a branch, downloads the Excel file; the print view
// keeps the chart and tables and drops the navigation and forms.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

function sql(t, q) {
  return execFileSync('sqlite3', ['-cmd', '.timeout 10000', join(t.data, 'dangxiao.db'), q]).toString().trim();
}

export default async function (t) {
  const year = Number(sql(t, "SELECT strftime('%Y', 'now', '+8 hours')"));
  // zhangsan has met the requirement (55 h, default 50 / 0), lisi has 1 h; zhaoliu nothing.
  sql(t, `INSERT OR REPLACE INTO score_totals(user_id, year, hours_required, hours_elective, points) VALUES
    ((SELECT id FROM users WHERE username='zhangsan'), ${year}, 10, 45, 120),
    ((SELECT id FROM users WHERE username='lisi'), ${year}, 0, 1, 5)`);
  for (const width of [360, 1280]) {
    const ctx = await t.browser.newContext({ viewport: { width, height: 900 }, acceptDownloads: true });
    const page = await ctx.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => { if (m.type() === 'error') errors.push('console: ' + m.text()); });
    await t.login(page, 'assessor');
    await page.goto(t.base + '/assess');
    t.check(await page.locator('h1').textContent() === '考核', `${width}: the page title`);
    t.check(await page.locator('.assess-tree a', { hasText: '机关第一支部' }).count() === 1, `${width}: the tree lists the branches`);
    t.check(await page.locator('.assess-tree a', { hasText: '第二党委' }).count() === 0, `${width}: nothing outside the subtree`);
    // The chart: an SVG with role=img, a title and a desc naming every branch and its share.
    const svg = page.locator('figure.chart svg[role=img]');
    t.check(await svg.count() === 1, `${width}: one chart`);
    const desc = await svg.locator('desc').textContent();
    t.check(desc.includes('机关第一支部：50%') && desc.includes('机关第二支部：0%'), `${width}: the chart's text alternative (${desc})`);
    const bar = await svg.locator('g.dx-bar rect').first().boundingBox();
    const fig = await page.locator('figure.chart').boundingBox();
    const svgBox = await svg.boundingBox();
    // On a phone the chart keeps a legible size and scrolls inside its figure; the page does not.
    t.check(bar && bar.width > 10 && fig.width <= width && svgBox.width >= Math.min(540, fig.width),
      `${width}: the 50% bar is drawn and the chart fits (${bar && bar.width}, ${fig.width}, ${svgBox.width})`);
    // The summary table says the same.
    const row1 = await page.locator('#org-table tbody tr', { hasText: '机关第一支部' }).textContent();
    t.check(row1.includes('50.0%'), `${width}: summary row ${row1}`);
    t.check(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth) <= 1,
      `${width}: no horizontal overflow of the page`);
    await t.shot(page, `assess-${width}`);
    // Filter: those at risk.
    await page.selectOption('#f-status', 'at_risk');
    await Promise.all([page.waitForURL(/status=at_risk/), page.click('.assess-filter button')]);
    const names = await page.locator('#member-table tbody th').allTextContents();
    t.check(names.length === 2 && names.some((n) => n.includes('李四')) && names.some((n) => n.includes('赵六')),
      `${width}: at risk: ${names.join('|')}`);
    t.check((await page.locator('#member-table .badge').allTextContents()).every((s) => s === '有风险'), `${width}: badges`);
    // Search by name.
    await page.selectOption('#f-status', '');
    await page.fill('#f-q', '张');
    await Promise.all([page.waitForURL(/q=/), page.click('.assess-filter button')]);
    const found = await page.locator('#member-table tbody th').allTextContents();
    t.check(found.length === 1 && found[0].includes('张三'), `${width}: search: ${found.join('|')}`);
    t.check((await page.locator('#member-table .badge').first().textContent()) === '已达标', `${width}: 张三 met`);
    // Export of what is shown: an Excel file.
    const href = await page.locator('.exports a', { hasText: 'Excel' }).getAttribute('href');
    t.check(href.includes('format=xlsx') && href.includes('q='), `${width}: export link ${href}`);
    const [dl] = await Promise.all([page.waitForEvent('download'), page.locator('.exports a', { hasText: 'Excel' }).click()]);
    t.check(/\.xlsx$/.test(dl.suggestedFilename()), `${width}: download ${dl.suggestedFilename()}`);
    // Drill down into a branch from the summary table.
    await page.goto(t.base + '/assess');
    await Promise.all([page.waitForURL(/org_id=\d+/), page.locator('#org-table a', { hasText: '机关第二支部' }).click()]);
    t.check((await page.locator('.crumbs').textContent()).includes('机关第二支部'), `${width}: drilled down`);
    t.check((await page.locator('#member-table tbody th').allTextContents()).length === 1, `${width}: one member in 机关第二支部`);
    // Without a webhook the reminder button is off and says why.
    t.check(await page.locator('#remind-send').isDisabled(), `${width}: reminder button off without a webhook`);
    // Print: no navigation, tree or forms; the chart and tables stay.
    await page.goto(t.base + '/assess');
    await page.emulateMedia({ media: 'print' });
    t.check(!(await page.locator('header.top').isVisible()) && !(await page.locator('.assess-tree').isVisible()) &&
      !(await page.locator('.assess-filter').isVisible()), `${width}: print hides navigation, tree and forms`);
    t.check(await page.locator('figure.chart svg').isVisible() && await page.locator('#member-table').isVisible(),
      `${width}: print keeps chart and table`);
    await page.emulateMedia({ media: 'screen' });
    t.check(errors.length === 0, `${width}: no page errors: ${errors.join('; ')}`);
    await ctx.close();
  }
  // A member is refused.
  const ctx = await t.browser.newContext();
  const page = await ctx.newPage();
  await t.login(page, 'wangwu');
  const r = await page.goto(t.base + '/assess');
  t.check(r.status() === 403, `member: ${r.status()}`);
  await ctx.close();
}
