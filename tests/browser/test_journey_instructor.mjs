// The instructor's journey on a PC (1280 px): creates a course on /teach, gives it credit hours,
// adds a lecture and uploads its video (a 5-second clip made here with ffmpeg -f lavfi) watching the
// progress bar over a slowed line, waits on the same page until the transcode says 就绪, sets up
// the exam and imports its questions from a Markdown file (预览 first: nothing is written until
// 导入), publishes the course, and — once five members have taken the exam and one has completed
// the course and rated it (their doing, outside this UI: the API and one SQL shortcut) — reads the
// item statistics, the ratings and the roster. Every screen is audited (axe + tidy).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PC, sql, api, token, member, watch, screen, textOf } from './journey.mjs';

const TITLE = '旅程新课：党支部组织生活';

// The bank, and the right answer of each question by its stem (for the members below).
const BANK = `# ${TITLE}

## 1. “三会一课”中的“一课”是指（　）。
- [ ] 团课
- [x] 党课
- [ ] 业务培训课
解析：“三会一课”是支部党员大会、支部委员会、党小组会和党课。
标签：三会一课

## 2. 支部党员大会一般每季度召开1次。
答案：对
解析：《中国共产党支部工作条例（试行）》规定，党员大会一般每季度召开1次。

## 3. 发展党员要经过____个阶段、____个步骤。
答案：5|五；25|二十五

## 4. 下列属于“三会”的有（　）。
- [x] 支部党员大会
- [x] 支部委员会
- [x] 党小组会
- [ ] 职工代表大会
`;
const RIGHT = [
  ['一课', { texts: ['党课'] }], ['每季度', { tf: 0 }], ['发展党员', { blanks: ['5', '25'] }],
  ['三会', { texts: ['支部党员大会', '支部委员会', '党小组会'] }],
];

// One answer to an attempt's question, right or wrong, in the positions the attempt shows.
function answerOf(q, right) {
  const [, a] = RIGHT.find(([k]) => q.stem.includes(k));
  if (a.blanks) return right ? a.blanks : ['9', '9'];
  if (a.tf !== undefined) return [right ? a.tf : 1 - a.tf];
  const opts = q.options || [];
  if (right) return a.texts.map((x) => opts.indexOf(x));
  return [opts.findIndex((x) => !a.texts.includes(x))];
}

export default async function (t) {
  const dir = mkdtempSync(join(tmpdir(), 'dx-journey-teach-'));
  const clip = join(dir, '第一讲 组织生活.mp4');
  // 5 s (the least a lecture video may last) of 640x360 at 10 fps: ~0.5 MB, one rendition (360p).
  execFileSync('ffmpeg', ['-nostdin', '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=10:duration=5', '-f', 'lavfi', '-i', 'sine=frequency=330:duration=5',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-b:v', '800k', '-pix_fmt', 'yuv420p', '-c:a', 'aac', clip]);
  const md = join(dir, '旅程题库.md');
  writeFileSync(md, BANK);
  try {
    const ctx = await t.browser.newContext(PC);
    const page = await ctx.newPage();
    const errors = watch(page);
    await t.login(page, 'teacher');

    // ---- a new course, with its hours
    await page.goto(t.base + '/teach');
    await page.waitForSelector('#teach-list li');
    await screen(t, page, 'journey-teach-1280');
    await page.fill('#new-course input[name=title]', TITLE);
    await page.selectOption('#new-course select[name=category]', '党史党建');
    await Promise.all([page.waitForURL(/\/teach\/courses\/\d+$/), page.click('#new-course button')]);
    const course = Number(page.url().match(/(\d+)$/)[1]);
    await page.fill('#course-form textarea[name=summary]', '支部组织生活的制度与实践。');
    await page.fill('#body-md', '## 学习目标\n\n- 掌握“三会一课”制度\n- 了解发展党员的程序\n');
    await page.fill('#course-form input[name=credit_hours]', '1');
    await page.click('#course-form button[type=submit]');
    await textOf(page, '#editor-msg', '已保存');
    await screen(t, page, 'journey-teach-editor-1280');

    // ---- the lecture: upload over a slowed line, the progress bar moves, then the transcode
    await Promise.all([page.waitForURL(/\/lectures$/), page.locator('.crumbs a[href$="/lectures"]').click()]);
    await page.fill('#lecture-form input[name=title]', '第一讲 组织生活制度');
    await page.click('#lecture-form button');
    const card = page.locator('article.lecture', { hasText: '第一讲 组织生活制度' });
    await card.waitFor();
    const cdp = await ctx.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: 120 * 1024 });
    await card.locator('input.lec-file').setInputFiles(clip);
    await page.waitForFunction(() => { const b = document.querySelector('.lec-upload progress'); return b && Number(b.value) > 0.15; },
      null, { timeout: 30000 });
    const up = await card.locator('.up-text').textContent();
    t.check(/已上传 .*（\d+%）/.test(up), `the progress bar says how far: ${up}`);
    await t.shot(page, 'journey-teach-uploading-1280');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    await card.locator('.msg.ok', { hasText: '上传完成' }).waitFor({ timeout: 60000 });
    const t0 = Date.now();
    await card.locator('.badge.st-ready').waitFor({ timeout: 120000 }); // by the page's polling, no reload
    console.log(`    the upload was transcoded ${Math.round((Date.now() - t0) / 1000)} s after it completed`);
    const meta = await card.locator('.lec-meta').textContent();
    t.check(meta.includes('360p') && meta.includes('0:05'), `rendition and duration shown: ${meta}`);
    await screen(t, page, 'journey-teach-lectures-1280');

    // ---- the exam: settings, then the questions from a Markdown file, previewed first
    await Promise.all([page.waitForURL(/\/teach$/), page.locator('main a[href="/teach"]').first().click()]);
    await Promise.all([page.waitForURL(/\/quiz$/), page.locator(`#teach-list a[href="/teach/courses/${course}/quiz"]`).click()]);
    const st = page.locator('#quiz-settings');
    await st.locator('input[name=num_questions]').fill('4');
    await st.locator('input[name=pass_score]').fill('60');
    await st.locator('input[name=time_limit_min]').fill('20');
    await st.locator('input[name=max_attempts]').fill('3');
    await Promise.all([page.waitForEvent('load'), st.locator('button').click()]); // the first save creates the exam
    const quiz = Number(await page.locator('#quiz-settings').getAttribute('data-quiz'));
    t.check(quiz > 0, `the exam exists: ${quiz}`);
    await page.setInputFiles('#import-file', md);
    await page.waitForFunction(() => document.getElementById('import-text').value.includes('三会一课'));
    t.check(await page.inputValue('#import-format') === 'text/markdown', 'the file is read as Markdown');
    await page.click('#import-preview');
    const pv = await textOf(page, '#import-msg', /\d/);
    t.check(pv.includes('4'), `preview: ${pv}`);
    t.check(await page.locator('#import-preview-box li').count() >= 4, 'the preview shows the questions as members see them');
    const bankNow = await page.evaluate((c) => fetch(`/api/v1/courses/${c}/questions`).then((r) => r.json()), course);
    t.check(bankNow.questions && bankNow.questions.length === 0, `the preview wrote nothing (${JSON.stringify(bankNow).slice(0, 80)})`);
    await screen(t, page, 'journey-teach-import-preview-1280');
    await page.click('#import-go');
    await textOf(page, '#bank-count', '4');
    t.check(await page.locator('#bank-list > li').count() === 4, 'four questions in the bank');

    // ---- publish
    await page.goto(`${t.base}/teach/courses/${course}`);
    await page.click('#publish');
    await page.waitForSelector('#unpublish:not([hidden])');
    t.check((await page.textContent('#status-badge')) === '已发布', 'published');
    await screen(t, page, 'journey-teach-published-1280');

    // ---- outside this UI: five members take the exam (100, 75, 50, 25, 0); the first has watched
    // the lecture (SQL: watching is the member journey's) so her pass completes the course and
    // she rates it.
    const scores = [], rightBy = {};
    for (let k = 0; k < 5; k++) {
      const uid = member(t, `jny_stu${k}`, `学员${'甲乙丙丁戊'[k]}旅程`, '机关第二支部');
      const tok = await token(t, `jny_stu${k}`);
      const en = await api(t, 'POST', `/api/v1/courses/${course}/enroll`, tok);
      if (k === 0)
        sql(t, `INSERT INTO lecture_progress(user_id, lecture_id, covered_s, study_s, completed_at, updated_at)
          SELECT ${uid}, id, duration_s, duration_s, strftime('%s','now'), strftime('%s','now') FROM lectures WHERE course_id = ${course}`);
      const at = await api(t, 'POST', `/api/v1/quizzes/${quiz}/attempts`, tok);
      const answers = {};
      (at.json ? at.json.questions : []).forEach((q, i) => {
        answers[q.id] = answerOf(q, i < 4 - k);
        rightBy[q.id] = (rightBy[q.id] || 0) + (i < 4 - k ? 1 : 0);
      });
      const sub = await api(t, 'POST', `/api/v1/attempts/${at.json && at.json.attempt_id}/submit`, tok, { answers });
      t.check(en.status === 200 && at.status === 201 && sub.status === 200, `member ${k}: ${en.status} ${at.status} ${sub.status} ${sub.text}`);
      scores.push(sub.json && sub.json.score);
      if (k === 0) {
        const rate = await api(t, 'POST', `/api/v1/courses/${course}/rating`, tok, { stars: 4, comment: '制度讲得清楚，例子贴近支部' });
        t.check(rate.status === 200 || rate.status === 201, `rated: ${rate.status} ${rate.text}`);
      }
    }
    t.check(JSON.stringify(scores) === '[100,75,50,25,0]', `scores ${scores}`);

    // ---- item statistics (and the ratings on the same page)
    await page.goto(`${t.base}/teach/courses/${course}/quiz`);
    await Promise.all([page.waitForURL(/\/stats$/), page.locator(`a[href="/teach/quizzes/${quiz}/stats"]`).first().click()]);
    const summary = (await page.locator('#stats-summary p').first().textContent()).replace(/\s+/g, ' ');
    t.check(summary.includes('5 ·'), `5 attempts in the summary: ${summary}`);
    const rows = page.locator('#stats-items tbody tr');
    t.check(await rows.count() === 4, `four items (${await rows.count()})`);
    // Per item: 5 attempts, the share right as the members answered it, a discrimination figure.
    const cells = await rows.evaluateAll((rs) => rs.map((r) => [r.getAttribute('data-id'), ...[...r.cells].map((c) => c.textContent)]));
    for (const [id, , , n, facility, disc] of cells)
      t.check(n === '5' && facility === `${(rightBy[id] || 0) * 20}%` && /^-?\d\.\d\d$/.test(disc),
        `item ${id}: attempts ${n}, facility ${facility} (want ${(rightBy[id] || 0) * 20}%), discrimination ${disc}`);
    const ratings = await page.locator('#stats-ratings').textContent();
    t.check(ratings.includes('4.0') && ratings.includes('制度讲得清楚'), `ratings on the stats page: ${ratings.slice(0, 200)}`);
    await screen(t, page, 'journey-teach-stats-1280');
    await Promise.all([page.waitForURL(/\/ratings$/), page.locator(`#stats-ratings a[href="/courses/${course}/ratings"]`).click()]);
    t.check((await page.locator('.rating-avg').textContent()).includes('4.0'), 'the ratings page: 4.0');
    t.check((await page.textContent('main')).includes('制度讲得清楚'), 'the comment is listed');
    await screen(t, page, 'journey-teach-ratings-1280');

    // ---- the roster: five enrolled, one completed
    await page.goto(`${t.base}/teach/courses/${course}`);
    await Promise.all([page.waitForURL(/\/roster$/), page.locator('.crumbs a[href$="/roster"]').click()]);
    await page.waitForSelector('#roster');
    const rosterRows = await page.locator('#roster tbody tr').allTextContents();
    t.check(rosterRows.length === 5, `five enrolled on the roster (${rosterRows.length})`);
    const row0 = rosterRows.find((r) => r.includes('学员甲旅程')) || '';
    t.check(row0.includes('已完成') && rosterRows.filter((r) => r !== row0).every((r) => r.includes('未完成')),
      `the one who completed shows so: ${rosterRows.join(' | ')}`);
    const done = sql(t, `SELECT count(*) FROM enrollments WHERE course_id = ${course} AND completed_at IS NOT NULL`);
    t.check(done === '1', `one completion in the database (${done})`);
    await screen(t, page, 'journey-teach-roster-1280');
    t.check(errors.length === 0, `no page errors or failed requests: ${errors.join('; ')}`);
    await ctx.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
