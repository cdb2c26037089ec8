// An instructor tidies a course's lectures on the course editor, with the keyboard only, on a phone
// (360 px, touch) and a PC (1280 px): moves lectures with the up/down buttons (Enter and Space), the
// focus stays on the lecture moved, the order is saved and survives a reload; a lecture with a video
// offers to replace it (替换视频), one without says to upload; unpublishing asks first, with the number
// of members enrolled.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { audit } from './audit.mjs';

function sql(t, q) {
  return execFileSync('sqlite3', ['-cmd', '.timeout 10000', join(t.data, 'dangxiao.db'), q]).toString().trim();
}

async function api(t, token, method, path, body) {
  const r = await fetch(t.base + path, { method, headers: { Authorization: 'Bearer ' + token, 'Content-Type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined });
  return { status: r.status, data: await r.json().catch(() => null) };
}

function watch(page) {
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push('console: ' + m.text()); });
  page.on('response', (r) => { if (r.status() >= 400) errors.push(r.status() + ' ' + r.url()); });
  return errors;
}

const order = (page) => page.$$eval('#lecture-order > li', (lis) => lis.map((li) => Number(li.getAttribute('data-id'))));
const focusedId = (page) => page.evaluate(() => {
  const li = document.activeElement && document.activeElement.closest('#lecture-order > li');
  return li ? Number(li.getAttribute('data-id')) : 0;
});

export default async function (t) {
  const s = await fetch(t.base + '/api/v1/session', { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'teacher', password: 'dangxiao2026' }) }).then((r) => r.json());
  for (const v of [{ width: 360, height: 740, isMobile: true, hasTouch: true }, { width: 1280, height: 800 }]) {
    const c = await api(t, s.token, 'POST', '/api/v1/courses', { title: `排序测试课${v.width}`, category: '党史党建', credit_hours: 1 });
    t.check(c.status === 201, `${v.width}: course made: ${c.status}`);
    const ids = [];
    for (const title of ['第一讲 甲', '第二讲 乙', '第三讲 丙']) {
      const l = await api(t, s.token, 'POST', `/api/v1/courses/${c.data.id}/lectures`, { title });
      ids.push(l.data.id);
    }
    // The first has a video (written into the database: no transcoding needed here).
    sql(t, `UPDATE lectures SET status = 'ready', duration_s = 30, media_version = 1 WHERE id = ${ids[0]}`);

    const ctx = await t.browser.newContext({ viewport: { width: v.width, height: v.height }, isMobile: !!v.isMobile,
      hasTouch: !!v.hasTouch });
    const page = await ctx.newPage();
    const errors = watch(page);
    await t.login(page, 'teacher');
    await page.goto(`${t.base}/teach/courses/${c.data.id}`);
    await page.waitForSelector('#lecture-order > li');
    t.check(JSON.stringify(await order(page)) === JSON.stringify(ids), `${v.width}: starts in creation order`);
    t.check(await page.locator('#lecture-order > li').first().locator('.lo-up').isDisabled(), `${v.width}: the first cannot go up`);
    t.check((await page.locator(`#lecture-order > li[data-id="${ids[1]}"] .badge`).textContent()).includes('学员不可见'),
      `${v.width}: a lecture without a video is marked hidden from members`);

    // Keyboard only: Tab to the first lecture's "下移" and press Enter.
    await page.focus(`#lecture-order > li[data-id="${ids[0]}"] .lo-rename`);
    let saved = page.waitForResponse((r) => r.url().endsWith('/lectures/order') && r.request().method() === 'PUT');
    await page.keyboard.press('Tab'); // its 上移 is disabled (the first lecture): Tab goes on to 下移
    t.check(await page.evaluate(() => document.activeElement.classList.contains('lo-down')), `${v.width}: Tab reaches 下移`);
    await page.keyboard.press('Enter');
    t.check((await saved).status() === 200, `${v.width}: the move is saved`);
    t.check(JSON.stringify(await order(page)) === JSON.stringify([ids[1], ids[0], ids[2]]), `${v.width}: moved down one`);
    t.check(await focusedId(page) === ids[0], `${v.width}: the focus stays on the lecture moved`);
    await page.waitForFunction(() => document.getElementById('order-msg').textContent.includes('第 2 讲'));
    // Space on the last lecture's "上移", twice: it becomes the first.
    await page.focus(`#lecture-order > li[data-id="${ids[2]}"] .lo-up`);
    for (let i = 0; i < 2; i++) {
      saved = page.waitForResponse((r) => r.url().endsWith('/lectures/order'));
      await page.keyboard.press('Space');
      t.check((await saved).status() === 200, `${v.width}: move ${i + 1} saved`);
    }
    const want = [ids[2], ids[1], ids[0]];
    t.check(JSON.stringify(await order(page)) === JSON.stringify(want), `${v.width}: moved up to the top (${await order(page)})`);
    t.check(await focusedId(page) === ids[2], `${v.width}: focus follows it to the top`);
    t.check(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth) <= 1, `${v.width}: no horizontal overflow`);
    for (const p of await audit(page, `reorder-${v.width}`)) t.check(false, p);
    await t.shot(page, `reorder-${v.width}`);

    // Reload: the order is the saved one, on the page and through the API.
    await page.reload();
    await page.waitForSelector('#lecture-order > li');
    t.check(JSON.stringify(await order(page)) === JSON.stringify(want), `${v.width}: order kept after a reload (${await order(page)})`);
    const listed = await api(t, s.token, 'GET', `/api/v1/courses/${c.data.id}/lectures`);
    t.check(JSON.stringify(listed.data.lectures.map((l) => l.id)) === JSON.stringify(want), `${v.width}: the API has it too`);

    // Publish (it has a ready lecture and hours), then unpublish: asked first, with the members enrolled.
    const m = await fetch(t.base + '/api/v1/session', { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'wangwu', password: 'dangxiao2026' }) }).then((r) => r.json());
    await page.click('#publish');
    await page.waitForSelector('#unpublish:not([hidden])');
    await api(t, m.token, 'POST', `/api/v1/courses/${c.data.id}/enroll`);
    // The platform's own confirmation dialog (DX.confirm): cancel first, then confirm.
    await page.click('#unpublish');
    await page.waitForSelector('#dx-confirm[open]');
    const asked = await page.textContent('#dx-confirm-text');
    t.check(asked.includes('1 名学员'), `${v.width}: unpublish asks with the count (${asked})`);
    await page.click('#dx-confirm-cancel');
    await page.waitForSelector('#dx-confirm:not([open])', { state: 'attached' });
    t.check(!(await page.locator('#unpublish').isHidden()), `${v.width}: cancelled: still published`);
    await page.click('#unpublish');
    await page.waitForSelector('#dx-confirm[open]');
    await page.click('#dx-confirm-ok');
    await page.waitForSelector('#publish:not([hidden])');
    t.check((await page.textContent('#editor-msg')).includes('1 名'), `${v.width}: the answer tells the count`);

    // The lectures page: replace for the one with a video, upload for the others.
    await page.goto(`${t.base}/teach/courses/${c.data.id}/lectures`);
    await page.waitForSelector(`#lec-${ids[0]} .lec-source label`);
    await page.waitForFunction((id) => document.querySelector(`#lec-${id} .lec-source label`).textContent.includes('替换视频'), ids[0]);
    t.check(!(await page.textContent(`#lec-${ids[1]} .lec-source label`)).includes('替换视频'), `${v.width}: no video: upload, not replace`);
    t.check(errors.length === 0, `${v.width}: page errors ${errors.join('; ')}`);
    await ctx.close();
  }
}
