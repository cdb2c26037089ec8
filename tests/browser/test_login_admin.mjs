// The admin logs in on a phone-sized screen and on a PC, builds the tree and imports a CSV.
export default async function (t) {
  for (const width of [360, 1280]) {
    const ctx = await t.browser.newContext({ viewport: { width, height: 800 } });
    const page = await ctx.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('response', (r) => { if (r.status() >= 400 && !r.url().endsWith('/api/v1/session')) errors.push(r.status() + ' ' + r.url()); });
    // A wrong password shows the server's Chinese message and stays on the login page.
    await page.goto(t.base + '/admin');
    t.check(page.url().includes('/login'), `anonymous /admin redirects to login (${page.url()})`);
    const focus = await page.evaluate(() => document.activeElement && document.activeElement.name);
    t.check(focus === 'username', `the username field has the focus: ${focus}`);
    t.check(await page.getAttribute('input[name=username]', 'autocapitalize') === 'off', 'autocapitalize="off"');
    await page.fill('input[name=username]', 'admin');
    await page.fill('input[name=password]', 'wrong-password');
    await page.click('button[type=submit]');
    await page.waitForSelector('#login-error:not([hidden])');
    t.check((await page.textContent('#login-error')).includes('错误'), 'bad login message in Chinese');
    // Surrounding spaces and capitals in the username do not matter.
    await page.fill('input[name=username]', '  Admin ');
    await page.fill('input[name=password]', 'dangxiao2026');
    await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.click('button[type=submit]')]);
    await page.goto(t.base + '/admin');
    await page.waitForSelector('#org-tree li');
    t.check((await page.textContent('#org-tree')).includes('市委组织部'), 'tree shows the demo root');
    const name = `浏览器党委${width}`;
    await page.fill('#org-form input[name=name]', name);
    await page.click('#org-form button');
    await page.waitForFunction((n) => document.getElementById('org-tree').textContent.includes(n), name);
    // CSV import from the page.
    const csv = 'username,name,org,role,password\n' +
      `web${width}a,网页甲,省委/网页支部${width},member,webpass01\n` +
      `bad user,网页乙,省委,member,webpass02\n`;
    await page.setInputFiles('#import-form input[type=file]', { name: 'm.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    // The upload first shows the preview (line 2 created, line 3 an error); nothing is written
    // until 确认导入.
    await page.click('#import-form button');
    await page.waitForSelector('#import-preview tr[data-line]');
    const pre = await page.textContent('#import-preview');
    t.check(pre.includes('新建 1 人') && pre.includes('错误 1 行'), `preview summary shown: ${pre}`);
    t.check(await page.$('#import-preview tr[data-line="2"][data-action="create"]') !== null, 'line 2 will be created');
    t.check(await page.$('#import-preview tr[data-line="3"][data-action="error"]') !== null, 'line 3 is an error');
    t.check(await page.$('#import-result .msg') === null, 'no result before the confirmation');
    await page.click('#import-confirm');
    await page.waitForSelector('#import-result .msg');
    const res = await page.textContent('#import-result');
    t.check(res.includes('新建 1 人') && res.includes('第 3 行'), `import result shown: ${res}`);
    t.check(await page.$('#import-preview tr') === null, 'the preview is gone after the confirmation');
    // Nothing overflows horizontally at this width.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    t.check(overflow <= 1, `no horizontal overflow at ${width}px (${overflow}px)`);
    await t.shot(page, `admin-${width}`);
    t.check(errors.length === 0, `no page errors at ${width}: ${errors.join('; ')}`);
    await ctx.close();
  }
}
