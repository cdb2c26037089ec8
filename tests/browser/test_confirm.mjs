// The one confirmation dialog (DX.confirm in web/js/app.js) guards unpublishing a course: at 360 and
// 1280 px the instructor is asked first; cancelling (the button, or Escape) changes nothing. The
// demo course stays published (other tests use it), so the test never confirms here; confirming is
// covered where the change is reversible (test_admin_users: disable, delete).
import { axe } from './audit.mjs';

export default async function (t) {
  const s = await fetch(t.base + '/api/v1/session', { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'teacher', password: 'dangxiao2026' }) }).then((r) => r.json());
  const status = async () => (await fetch(t.base + '/api/v1/courses/1', { headers: { Authorization: 'Bearer ' + s.token } })
    .then((r) => r.json())).status;
  t.check(await status() === 'published', 'the demo course is published');
  for (const width of [360, 1280]) {
    const ctx = await t.browser.newContext({ viewport: { width, height: 800 }, isMobile: width < 400, hasTouch: width < 400 });
    const page = await ctx.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await t.login(page, 'teacher');
    await page.goto(t.base + '/teach/courses/1');
    await page.waitForSelector('#unpublish:not([hidden])');
    await page.click('#unpublish');
    await page.waitForSelector('#dx-confirm[open]');
    t.check((await page.textContent('#dx-confirm-text')).includes('取消发布'), `${width}: the question says what happens`);
    const focused = await page.evaluate(() => document.activeElement && document.activeElement.id);
    t.check(focused === 'dx-confirm-cancel', `${width}: the safe answer has the focus (${focused})`);
    for (const p of await axe(page)) t.check(false, `confirm dialog ${width}: ${p}`);
    await page.click('#dx-confirm-cancel');
    await page.waitForSelector('#dx-confirm:not([open])', { state: 'attached' });
    t.check(await status() === 'published', `${width}: cancelled, still published`);
    await page.click('#unpublish');
    await page.waitForSelector('#dx-confirm[open]');
    await page.keyboard.press('Escape');
    await page.waitForSelector('#dx-confirm:not([open])', { state: 'attached' });
    await page.waitForTimeout(300);
    t.check(await status() === 'published', `${width}: Escape, still published`);
    t.check(errors.length === 0, `${width}: no page errors: ${errors.join('; ')}`);
    await ctx.close();
  }
}
