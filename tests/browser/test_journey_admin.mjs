// The admin's journey on a PC (1280 px), one continuous story on /admin and /classes: builds a
// branch of the organisation tree (a party committee and a branch under it), imports the branch's
// members from a CSV file (the preview first, also naming the organisation the file creates, then
// 确认导入), fixes the role of the member the file wrongly made an instructor, sets the committee's
// requirement for this year (the branches under it inherit it), makes a course required for the
// committee, creates a topic class and assigns it to the committee, whose members are then on the
// class roster. Every screen is audited (axe + tidy); everything is created by the journey itself.
import { PC, api, token, watch, screen, textOf, year } from './journey.mjs';

const COMMITTEE = '旅程党委';
const BRANCH = '旅程第一支部';
const BRANCH2 = '旅程第二支部'; // created by the import
const ROOT = '市委组织部';

export default async function (t) {
  const adm = await token(t, 'admin'); // the test's own view of the database, to compare with the page
  const Y = year();
  const ctx = await t.browser.newContext(PC);
  const page = await ctx.newPage();
  const errors = watch(page);
  await t.login(page, 'admin');
  await page.goto(t.base + '/admin');
  await page.waitForSelector('#user-list tbody tr[data-user]');
  await screen(t, page, 'journey-admin-1280');

  // ---- the tree: a committee under the root, a branch under the committee
  const orgForm = page.locator('#org-form');
  const addOrg = async (name, parent) => {
    await orgForm.locator('input[name=name]').fill(name);
    const v = await orgForm.locator('select[name=parent_id] option', { hasText: parent }).first().getAttribute('value');
    await orgForm.locator('select[name=parent_id]').selectOption(v);
    await orgForm.locator('button').click();
    await page.locator('#org-tree .org-name', { hasText: name }).waitFor();
  };
  await addOrg(COMMITTEE, ROOT);
  await addOrg(BRANCH, COMMITTEE);
  const orgs = (await api(t, 'GET', '/api/v1/orgs', adm)).json.orgs;
  const committee = orgs.find((o) => o.name === COMMITTEE);
  const branch = orgs.find((o) => o.name === BRANCH);
  t.check(committee && branch && branch.parent_id === committee.id, `the branch is under the committee: ${JSON.stringify(branch)}`);
  t.check(await page.locator(`#org-tree li[data-org="${committee.id}"] li[data-org="${branch.id}"]`).count() === 1,
    'the tree shows the branch inside the committee');

  // ---- the members CSV: preview (nothing written), then confirm
  const path1 = `${ROOT}/${COMMITTEE}/${BRANCH}`, path2 = `${ROOT}/${COMMITTEE}/${BRANCH2}`;
  const csv = '用户名,姓名,组织,角色,密码\n' +
    `jny_chen,陈旅程,${path1},学员,jnypass0001\n` +
    `jny_lin,林旅程,${path1},教师,jnypass0002\n` + // wrong: she is a member; fixed below
    `jny_zhou,周旅程,${path2},学员,jnypass0003\n`;
  await page.setInputFiles('#import-form input[type=file]', { name: '旅程支部党员.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.click('#import-form button');
  await page.waitForSelector('#import-preview tr[data-line="4"]');
  const actions = await page.locator('#import-preview tr[data-line]').evaluateAll((rs) => rs.map((r) => r.getAttribute('data-action')));
  t.check(JSON.stringify(actions) === '["create","create","create"]', `preview: three new members (${actions})`);
  t.check((await page.textContent('#import-preview')).includes(BRANCH2), 'the preview names the organisation the file creates');
  t.check((await api(t, 'GET', '/api/v1/users?q=jny_', adm)).json.total === 0, 'the preview wrote nobody');
  await screen(t, page, 'journey-admin-import-preview-1280');
  await page.click('#import-confirm');
  const done = await textOf(page, '#import-result', '新建 3 人');
  t.check(done.includes('新建 3 人'), `import result: ${done}`);
  const imported = (await api(t, 'GET', '/api/v1/users?per_page=50&q=jny_', adm)).json.users;
  t.check(imported.length === 3, `three members imported: ${imported.map((u) => u.username + ':' + u.role)}`);
  await page.locator('#org-tree .org-name', { hasText: BRANCH2 }).waitFor();

  // ---- the wrong role: find her, open the edit dialog, make her a member
  await page.fill('#user-q', '林旅程');
  const row = '#user-list tr[data-user="jny_lin"]';
  await page.waitForFunction((s) => document.querySelectorAll('#user-list tbody tr[data-user]').length === 1 &&
    document.querySelector(s), row);
  t.check((await page.textContent(row + ' td.role')) === '教师', 'the imported role shows 教师');
  await page.click(row + ' button[data-act="edit"]');
  await page.waitForSelector('#user-edit[open]');
  await page.selectOption('#user-edit-form select[name=role]', 'member');
  await page.click('#user-edit-form button.primary');
  await page.waitForFunction((s) => document.querySelector(s + ' td.role') && document.querySelector(s + ' td.role').textContent === '学员', row);
  const lin = (await api(t, 'GET', '/api/v1/users?q=jny_lin', adm)).json.users[0];
  t.check(lin && lin.role === 'member', `role fixed in the database: ${lin && lin.role}`);

  // ---- the committee's requirement this year: 30 hours, 12 of them required
  const rf = page.locator('#require-form');
  await rf.scrollIntoViewIfNeeded();
  await rf.locator('select[name=org_id]').selectOption(String(committee.id));
  const before = await textOf(page, '#require-current', /\d/);
  t.check(before.includes('未单独设置'), `before: inherited (${before})`);
  await rf.locator('input[name=year]').fill(String(Y));
  await rf.locator('input[name=total_hours]').fill('30');
  await rf.locator('input[name=required_hours]').fill('12');
  await rf.locator('button').click();
  await textOf(page, '#require-form .msg', '已保存');
  const now = await textOf(page, '#require-current', '总学时 30');
  t.check(now.includes(`${Y} 年度要求`) && now.includes('必修 12'), `after: the committee's own (${now})`);
  // The audit log below says so, in words (the list is fetched again after the save).
  const logged = await textOf(page, '#audit-list tbody tr:first-child', '设置年度学时要求');
  t.check(logged.includes(COMMITTEE), `the audit log names the change and the committee: ${logged}`);
  const req = (await api(t, 'GET', `/api/v1/requirements?org_id=${committee.id}&year=${Y}`, adm)).json.orgs;
  const br = req.find((o) => o.org_id === branch.id);
  t.check(br && br.own === null && br.effective.total_hours === 30 && br.effective.required_hours === 12 &&
    br.effective.source_org_id === committee.id, `the branch inherits it: ${JSON.stringify(br)}`);
  // The branch's member sees it on /me (the API the page reads).
  const chen = await token(t, 'jny_chen', 'jnypass0001');
  const sum = chen ? (await api(t, 'GET', '/api/v1/me/summary', chen)).json : null;
  t.check(sum && sum.requirement.total_hours === 30 && sum.requirement.required_hours === 12,
    `the member's requirement is the committee's: ${JSON.stringify(sum && sum.requirement)}`);

  // ---- a required course for the committee this year
  const af = page.locator('#assign-form');
  const course = await af.locator('#assign-course option', { hasText: '基层党支部工作实务' }).getAttribute('value');
  await af.locator('#assign-course').selectOption(course);
  await af.locator('select.org-select').selectOption(String(committee.id));
  await af.locator('button').click();
  await textOf(page, '#assign-form .msg', '已指派');
  const item = page.locator('#assign-list li', { hasText: COMMITTEE });
  await item.waitFor({ timeout: 10000 }); // the list is fetched again after the message
  t.check(await item.count() === 1 && (await item.textContent()).includes('基层党支部工作实务'), 'the assignment is listed');
  const mine = chen ? (await api(t, 'GET', '/api/v1/courses?per_page=100', chen)).json.courses : [];
  const c2 = mine.find((c) => String(c.id) === course);
  t.check(c2 && c2.required === true, `the course is required for the branch's member: ${JSON.stringify(c2 && { required: c2.required })}`);
  await screen(t, page, 'journey-admin-done-1280');

  // ---- a topic class for the committee: created on /classes, assigned on its page
  await page.goto(t.base + '/classes');
  await page.waitForSelector('#course-pick select');
  await screen(t, page, 'journey-admin-classes-1280');
  const cf = page.locator('#class-form');
  const day = (d) => new Date(Date.now() + 8 * 3600e3 + d * 86400e3).toISOString().slice(0, 10);
  await cf.locator('input[name=title]').fill('旅程党委主题教育专题班');
  await cf.locator('textarea[name=summary]').fill('旅程党委党员年内完成必修课程。');
  await cf.locator('input[name=opens]').fill(day(-1));
  await cf.locator('input[name=closes]').fill(day(60));
  await cf.locator('select[name=mode]').selectOption('assigned');
  await cf.locator(`#course-pick select[data-id="${course}"]`).selectOption('required');
  await Promise.all([page.waitForURL(/\/classes\/\d+$/), cf.locator('button[type=submit]').click()]);
  const classId = Number(page.url().match(/(\d+)$/)[1]);
  t.check((await page.textContent('h1')).includes('旅程党委主题教育专题班'), 'the class page');
  await page.locator('#assign-form select[name=org_id]').selectOption(String(committee.id));
  await Promise.all([page.waitForEvent('load'), page.locator('#assign-form button').click()]);
  const assigned = await page.textContent('#assign');
  t.check(assigned.includes('已指派') && assigned.includes(COMMITTEE), `assigned to the committee: ${assigned.slice(0, 120)}`);
  await screen(t, page, 'journey-admin-class-1280');
  // The roster: the committee's three members (both branches), nobody else.
  await page.goto(`${t.base}/classes/${classId}/roster`);
  await page.waitForSelector('#roster');
  const names = await page.locator('#roster').textContent();
  t.check(['陈旅程', '林旅程', '周旅程'].every((n) => names.includes(n)) && !names.includes('张三'),
    `the roster lists the committee's members: ${names.replace(/\s+/g, ' ').slice(0, 200)}`);
  await screen(t, page, 'journey-admin-roster-1280');
  t.check(errors.length === 0, `no page errors or failed requests: ${errors.join('; ')}`);
  await ctx.close();
}
