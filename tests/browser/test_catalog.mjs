// A member of a branch on a phone and on a PC finds a course by a Chinese phrase, sees the
// required course of their organisation first, enrols and reads the page; an instructor writes
// and publishes a course with an image and a live preview.
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

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

export default async function (t) {
  // Member of 机关第一支部 (under 第一党委, which the demo assigns the required course to).
  for (const [width, user] of [[360, 'zhangsan'], [1280, 'zhaoliu']]) {
    const ctx = await t.browser.newContext({ viewport: { width, height: 800 } });
    const page = await ctx.newPage();
    const errors = watch(page);
    await t.login(page, user);
    await page.goto(t.base + '/');
    // My courses: the required course first, marked 必修, with a progress bar.
    const first = page.locator('#my-courses li').first();
    t.check((await first.textContent()).includes('全面从严治党'), `${width}: required course first in my courses`);
    t.check(await first.locator('.badge.required').count() === 1, `${width}: marked 必修`);
    t.check(await first.locator('progress').count() === 1, `${width}: progress bar`);
    // Catalog: required first there too.
    const firstCard = page.locator('#course-list .course-card').first();
    t.check((await firstCard.locator('.badge.required').count()) === 1, `${width}: catalog starts with a required course`);
    t.check(await overflow(page) <= 1, `${width}: home has no horizontal overflow (${await overflow(page)}px)`);
    await t.shot(page, `home-${width}`);
    // Search by a Chinese phrase in the middle of a word.
    await page.fill('#catalog-form input[name=q]', '从严治');
    await Promise.all([page.waitForURL(/q=/), page.click('#catalog-form button[type=submit]')]);
    const titles = await page.locator('#course-list h3').allTextContents();
    t.check(titles.length >= 1 && titles[0].includes('全面从严治党'), `${width}: search finds the course (${titles.join('|')})`);
    t.check(!page.url().includes('sort='), `${width}: default fields left out of the address (${page.url()})`);
    // A filter applies on change.
    await Promise.all([page.waitForURL(/type=elective/), page.selectOption('#catalog-form select[name=type]', 'elective')]);
    t.check((await page.locator('#course-list').count()) === 0 || !(await page.locator('#course-list').textContent()).includes('全面从严治党'),
      `${width}: the required course is not elective for this member`);
    await page.goto(t.base + '/?q=' + encodeURIComponent('从严治'));
    await Promise.all([page.waitForURL(/\/courses\/\d+$/), page.locator('#course-list h3 a').first().click()]);
    // The course page: rendered body with its image, enrol, then progress.
    await page.waitForSelector('#course-body h2');
    t.check(await page.locator('#course-body blockquote').count() >= 1, `${width}: quote rendered`);
    t.check(await page.locator('#course-body ol li').count() >= 3, `${width}: list rendered`);
    const imgOk = await page.locator('#course-body img').first().evaluate((i) => i.complete && i.naturalWidth > 0);
    t.check(imgOk, `${width}: body image loads`);
    t.check((await page.locator('.course-head .badge.required').count()) === 1, `${width}: 必修 on the course page`);
    // A required course is the member's without a click (issue 12): its progress at once (the
    // start / continue button needs a lecture that plays: test_continue.mjs). Other tests share
    // this server, so the count is at least this member.
    await page.waitForSelector('#course-progress progress');
    t.check(await page.locator('#enroll').count() === 0, `${width}: no enrol button on a required course`);
    const count = Number(((await page.textContent('.course-head')).match(/(\d+) 人已选/) || [0, -1])[1]);
    t.check(count >= 1, `${width}: enrolled count shown (${count})`);
    t.check(await overflow(page) <= 1, `${width}: course page has no horizontal overflow (${await overflow(page)}px)`);
    await t.shot(page, `course-${width}`);
    await page.goto(t.base + '/');
    t.check(!(await page.locator('#my-courses li').first().textContent()).includes('未选课'), `${width}: enrolled in my courses`);
    t.check(errors.length === 0, `no page errors at ${width}: ${errors.join('; ')}`);
    await ctx.close();
  }

  // The instructor writes a course with an image and publishes it.
  const png = readFileSync(join(t.data, 'images', '1.png'));
  for (const width of [1280, 360]) {
    const ctx = await t.browser.newContext({ viewport: { width, height: 900 } });
    const page = await ctx.newPage();
    const errors = watch(page);
    await t.login(page, 'teacher');
    await page.goto(t.base + '/teach');
    t.check((await page.textContent('#teach-list')).includes('全面从严治党'), `${width}: teach list shows the demo course`);
    await t.shot(page, `teach-${width}`);
    const title = `浏览器新课${width}`;
    await page.fill('#new-course input[name=title]', title);
    await page.selectOption('#new-course select[name=category]', '政策法规');
    await Promise.all([page.waitForURL(/\/teach\/courses\/\d+$/), page.click('#new-course button')]);
    const id = page.url().match(/(\d+)$/)[1];
    await page.fill('#course-form input[name=title]', title);
    await page.fill('#course-form textarea[name=summary]', '浏览器测试写的课程');
    await page.fill('#body-md', '## 第一部分\n\n> 不忘初心\n\n- 要点一\n- 要点二\n\n<script>alert(1)</script>\n\n[坏链接](javascript:alert(1))\n');
    await page.waitForFunction(() => document.querySelector('#preview h2') && document.querySelector('#preview h2').textContent === '第一部分');
    t.check(await page.locator('#preview script').count() === 0 && !(await page.innerHTML('#preview')).includes('javascript:'),
      `${width}: preview is sanitised`);
    t.check((await page.textContent('#preview')).includes('坏链接'), `${width}: unsafe link keeps its text`);
    // An image into the body (at the end), and a cover.
    await page.locator('#body-md').evaluate((ta) => { ta.selectionStart = ta.selectionEnd = ta.value.length; });
    await page.setInputFiles('#image-file', { name: 'pic.bin', mimeType: 'application/octet-stream', buffer: png });
    // The editor asks for the image's alt text (test_attach.mjs covers it); this one has a caption.
    await page.waitForSelector('#alt-dialog[open]');
    await page.fill('#alt-input', '示意图');
    await page.click('#alt-ok');
    await page.waitForFunction(() => /!\[示意图\]\(\/images\/\d+\)/.test(document.getElementById('body-md').value));
    await page.waitForSelector('#preview img');
    await page.setInputFiles('#cover-file', { name: 'cover.png', mimeType: 'image/png', buffer: png });
    await page.waitForSelector('#cover-preview:not([hidden])');
    // Not an image: a clear message in Chinese, nothing inserted.
    const before = await page.inputValue('#body-md');
    const refused = page.waitForResponse((r) => r.url().endsWith('/images') && r.status() === 415);
    await page.setInputFiles('#image-file', { name: 'fake.png', mimeType: 'image/png', buffer: Buffer.from('<svg onload="alert(1)"></svg>') });
    await refused;
    await page.waitForFunction(() => document.getElementById('editor-msg').textContent.includes('PNG'));
    t.check((await page.inputValue('#body-md')) === before, `${width}: nothing inserted for a non-image`);
    await page.selectOption('#course-form select[name=category]', '政治理论');
    await page.click('#course-form button[type=submit]');
    await page.waitForFunction(() => document.getElementById('editor-msg').textContent === '已保存');
    // Publishing needs a lecture with a video and credit hours (issue 12): a ready lecture written
    // into the database, the hours through the form.
    execFileSync('sqlite3', ['-cmd', '.timeout 10000', join(t.data, 'dangxiao.db'),
      `INSERT INTO lectures(course_id, title, position, status, duration_s, media_version, created_at, updated_at)
       VALUES (${id}, '第一讲', 1, 'ready', 30, 1, strftime('%s','now'), strftime('%s','now'))`]);
    await page.fill('#course-form input[name=credit_hours]', '1');
    await page.click('#publish');
    await page.waitForSelector('#unpublish:not([hidden])');
    t.check((await page.textContent('#status-badge')) === '已发布', `${width}: published badge`);
    t.check(await overflow(page) <= 1, `${width}: editor has no horizontal overflow (${await overflow(page)}px)`);
    await t.shot(page, `editor-${width}`);
    await ctx.close();
    // A member sees it, with its image and cover.
    const mctx = await t.browser.newContext({ viewport: { width, height: 800 } });
    const mp = await mctx.newPage();
    const merr = watch(mp);
    await t.login(mp, 'lisi');
    await mp.goto(t.base + '/?q=' + encodeURIComponent(title));
    t.check((await mp.locator('#course-list h3').first().textContent()) === title, `${width}: member finds the new course`);
    t.check(await mp.locator('#course-list .course-card img').first().evaluate((i) => i.complete && i.naturalWidth > 0), `${width}: cover shown`);
    await mp.goto(t.base + '/courses/' + id);
    t.check((await mp.textContent('#course-body h2')) === '第一部分', `${width}: body as written`);
    t.check(await mp.locator('#course-body img').evaluate((i) => i.complete && i.naturalWidth > 0), `${width}: image shown`);
    t.check((await mp.textContent('.course-head .badge.cat')) === '政治理论', `${width}: category saved`);
    t.check(merr.length === 0, `no member page errors at ${width}: ${merr.join('; ')}`);
    await mctx.close();
    const expected = errors.filter((e) => !e.includes('415'));
    t.check(expected.length === 0, `no editor errors at ${width}: ${expected.join('; ')}`);
  }

  // The admin makes the elective demo course required for 第二党委; its member sees 必修 first.
  {
    const ctx = await t.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    const errors = watch(page);
    await t.login(page, 'admin');
    await page.goto(t.base + '/admin');
    await page.waitForSelector('#assign-list li');
    await page.waitForFunction(() => document.querySelectorAll('#assign-course option').length > 0 &&
      document.querySelectorAll('#assign-form select.org-select option').length > 0);
    t.check((await page.textContent('#assign-list')).includes('全面从严治党'), 'admin sees the demo assignment');
    const course = await page.locator('#assign-course option', { hasText: '基层党支部工作实务' }).getAttribute('value');
    await page.selectOption('#assign-course', course);
    const org = await page.locator('#assign-form select.org-select option', { hasText: '第二党委' }).getAttribute('value');
    await page.selectOption('#assign-form select.org-select', org);
    await page.click('#assign-form button');
    await page.waitForFunction(() => document.getElementById('assign-list').textContent.includes('基层党支部工作实务'));
    await t.shot(page, 'admin-assign-1280');
    t.check(errors.length === 0, `no admin page errors: ${errors.join('; ')}`);
    await ctx.close();
    const mctx = await t.browser.newContext({ viewport: { width: 360, height: 800 } });
    const mp = await mctx.newPage();
    await t.login(mp, 'wangwu');
    await mp.goto(t.base + '/');
    const first = mp.locator('#my-courses li').first();
    t.check((await first.textContent()).includes('基层党支部工作实务') && (await first.locator('.badge.required').count()) === 1,
      'the new required course is first for a member of 第二党委');
    t.check(!(await mp.textContent('#my-courses')).includes('全面从严治党'), '第一党委\'s required course is not theirs');
    await mctx.close();
  }
}
