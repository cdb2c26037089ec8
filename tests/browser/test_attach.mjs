// Course Markdown and attachments on a phone (360 px, touch) and a PC (1280 px): an inserted image asks
// for its alt text and an image without one is warned about; a PDF is uploaded on the editor, listed
// on the course page under 课件下载 and deleted after a confirmation; a wide GFM table scrolls inside
// its wrapper while the page itself does not scroll sideways.
import { audit } from './audit.mjs';

async function api(t, token, method, path, body) {
  const r = await fetch(t.base + path, { method, headers: { Authorization: 'Bearer ' + token, 'Content-Type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined });
  return { status: r.status, data: await r.json().catch(() => null) };
}

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c63f8ffff3f0005fe02fea7d6a4a30000000049454e44ae426082', 'hex');
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

export default async function (t) {
  const s = await fetch(t.base + '/api/v1/session', { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'teacher', password: 'dangxiao2026' }) }).then((r) => r.json());
  const wide = '| ' + Array.from({ length: 12 }, (_, i) => `第${i + 1}列学习内容`).join(' | ') + ' |\n|' +
    ' --- |'.repeat(12) + '\n| ' + Array.from({ length: 12 }, (_, i) => `单元格${i + 1}`).join(' | ') + ' |\n';
  for (const v of [{ width: 360, height: 740, isMobile: true, hasTouch: true }, { width: 1280, height: 800 }]) {
    const c = await api(t, s.token, 'POST', '/api/v1/courses', { title: `课件测试课${v.width}`, category: '党史党建',
      credit_hours: 1, body_md: '## 学习安排\n\n' + wide });
    t.check(c.status === 201, `${v.width}: course made: ${c.status}`);
    const ctx = await t.browser.newContext({ viewport: { width: v.width, height: v.height }, isMobile: !!v.isMobile,
      hasTouch: !!v.hasTouch });
    const page = await ctx.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await t.login(page, 'teacher');
    await page.goto(`${t.base}/teach/courses/${c.data.id}`);
    await page.waitForSelector('#attach-edit');

    // An image: the dialog asks for the alt text, the Markdown gets it.
    await page.setInputFiles('#image-file', { name: 'a.png', mimeType: 'image/png', buffer: PNG });
    await page.waitForSelector('#alt-dialog[open]');
    await page.fill('#alt-input', '支部 [活动] 合影');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => /!\[支部 \\\[活动\\\] 合影\]\(\/images\/\d+\)/.test(document.getElementById('body-md').value));
    t.check(await page.locator('#alt-warn').isHidden(), `${v.width}: no warning with alt text`);
    // Another without: inserted, and warned about.
    await page.setInputFiles('#image-file', { name: 'b.png', mimeType: 'image/png', buffer: PNG });
    await page.waitForSelector('#alt-dialog[open]');
    await page.click('#alt-skip');
    await page.waitForFunction(() => /!\[\]\(\/images\/\d+\)/.test(document.getElementById('body-md').value));
    await page.waitForSelector('#alt-warn:not([hidden])');
    t.check((await page.textContent('#alt-warn')).includes('1 张图片没有说明文字'), `${v.width}: the warning counts 1`);
    await page.click('#course-form button[type=submit]');
    await page.waitForFunction(() => document.getElementById('editor-msg').textContent === '已保存');

    // A PDF with a Chinese name; a non-PDF is refused with a message.
    await page.setInputFiles('#attach-file', { name: '第一讲 课件.pdf', mimeType: 'application/pdf', buffer: PDF });
    await page.waitForSelector('#attach-items li');
    t.check((await page.textContent('#attach-items li a')) === '第一讲 课件.pdf', `${v.width}: listed with its name`);
    t.check(await page.locator('#attach-none').isHidden(), `${v.width}: "none yet" hidden`);
    await page.setInputFiles('#attach-file', { name: 'x.pdf', mimeType: 'application/pdf', buffer: PNG });
    await page.waitForFunction(() => document.getElementById('attach-msg').textContent.includes('只能上传 PDF'));
    t.check((await page.locator('#attach-items li').count()) === 1, `${v.width}: the refused one is not listed`);
    await audit(page, `attach-editor-${v.width}`);

    // The course page: 课件下载 and the table scrolling inside its wrapper only.
    await page.goto(`${t.base}/courses/${c.data.id}`);
    await page.waitForSelector('#attachments');
    t.check((await page.textContent('#attachments h2')) === '课件下载', `${v.width}: 课件下载 section`);
    const href = await page.getAttribute('#attachments a', 'href');
    const dl = await page.evaluate(async (h) => {
      const r = await fetch(h, { credentials: 'same-origin' });
      return { status: r.status, cd: r.headers.get('Content-Disposition'), head: (await r.text()).slice(0, 5) };
    }, href);
    t.check(dl.status === 200 && dl.head === '%PDF-' && dl.cd.includes("filename*=UTF-8''%E7%AC%AC"),
      `${v.width}: download ${dl.status} ${dl.cd}`);
    const sc = await page.evaluate(() => {
      const w = document.querySelector('#course-body .md-table');
      return { wrap: !!w, inner: w ? w.scrollWidth > w.clientWidth : false,
        page: document.documentElement.scrollWidth <= document.documentElement.clientWidth };
    });
    t.check(sc.wrap, `${v.width}: the table has its wrapper`);
    if (v.width === 360) t.check(sc.inner, `${v.width}: the wide table scrolls inside its wrapper`);
    t.check(sc.page, `${v.width}: the page does not scroll sideways`);
    const alts = await page.$$eval('#course-body img', (is) => is.map((i) => i.getAttribute('alt')));
    t.check(alts.length === 2 && alts.includes('支部 [活动] 合影') && alts.includes(''), `${v.width}: the images' alt texts: ${JSON.stringify(alts)}`);
    await audit(page, `attach-course-${v.width}`);

    // Delete on the editor after the confirmation.
    await page.goto(`${t.base}/teach/courses/${c.data.id}`);
    await page.click('#attach-items .attach-del');
    await page.waitForSelector('#dx-confirm[open]');
    await page.click('#dx-confirm-ok');
    await page.waitForSelector('#attach-none:not([hidden])');
    const left = await api(t, s.token, 'GET', `/api/v1/courses/${c.data.id}/attachments`);
    t.check(left.status === 200 && left.data.attachments.length === 0, `${v.width}: deleted`);
    t.check(errors.length === 0, `${v.width}: no page errors: ${errors.join('; ')}`);
    await ctx.close();
  }
}
