// The admin corrects colleagues' mistakes from /admin at 360 and 1280 px: finds a user by name,
// fixes a wrong role, resets a password (shown once), disables an account (after confirming),
// moves two users at once, renames an organisation and is told why a non-empty one cannot be
// deleted; a CSV import shows its preview and writes nothing until 确认导入 (checked through the
// API); the audit log filtered by the user shows what was done.
import { axe } from './audit.mjs';

async function api(t, method, path, token, body, type) {
  const headers = {};
  if (token) headers.Authorization = 'Bearer ' + token;
  let data;
  if (body !== undefined) {
    headers['Content-Type'] = type || 'application/json';
    data = type ? body : JSON.stringify(body);
  }
  const r = await fetch(t.base + path, { method, headers, body: data });
  const text = await r.text();
  let json = null;
  try { json = JSON.parse(text); } catch (e) { /* not JSON */ }
  return { status: r.status, json, text };
}
async function token(t, user, pw = 'dangxiao2026') {
  const r = await api(t, 'POST', '/api/v1/session', null, { username: user, password: pw });
  return r.status === 200 ? r.json.token : null;
}
async function findUser(t, adm, username) {
  const r = await api(t, 'GET', '/api/v1/users?per_page=200&q=' + encodeURIComponent(username), adm);
  return (r.json.users || []).find((u) => u.username === username) || null;
}

export default async function (t) {
  const adm = await token(t, 'admin');
  t.check(!!adm, 'admin token');
  const orgs = (await api(t, 'GET', '/api/v1/orgs', adm)).json.orgs;
  const root = orgs[0];
  for (const width of [360, 1280]) {
    const w = String(width);
    // Fixtures: a member wrongly made an instructor, two members to move, a target organisation,
    // and an organisation with one member in it (not deletable).
    const orgA = (await api(t, 'POST', '/api/v1/orgs', adm, { name: `调入支部${w}`, parent_id: root.id })).json.id;
    const orgFull = (await api(t, 'POST', '/api/v1/orgs', adm, { name: `有人支部${w}`, parent_id: root.id })).json.id;
    const mk = async (username, name, role, org) => {
      const r = await api(t, 'POST', '/api/v1/users', adm, { username, name, role, org_id: org, password: 'startpass01' });
      t.check(r.status === 201, `create ${username}: ${r.status} ${r.text}`);
      return r.json && r.json.id;
    };
    const wrong = await mk(`wrong${w}`, `错角色${w}`, 'instructor', root.id);
    const m1 = await mk(`movea${w}`, `待调甲${w}`, 'member', root.id);
    const m2 = await mk(`moveb${w}`, `待调乙${w}`, 'member', root.id);
    await mk(`stay${w}`, `留守${w}`, 'member', orgFull);

    // Two organisations of the same name under different parents: drop-downs show their paths.
    const twinName = `同名支部${w}`;
    const twin1 = (await api(t, 'POST', '/api/v1/orgs', adm, { name: twinName, parent_id: orgA })).json.id;
    const twin2 = (await api(t, 'POST', '/api/v1/orgs', adm, { name: twinName, parent_id: orgFull })).json.id;
    const ctx = await t.browser.newContext({ viewport: { width, height: 800 }, isMobile: width < 400, hasTouch: width < 400 });
    const page = await ctx.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await t.login(page, 'admin');
    await page.goto(t.base + '/admin');
    await page.waitForSelector('#user-list tbody tr[data-user]');
    t.check(await page.$('a[href="/admin/points"]') !== null, 'the point rules page is linked');

    // Search by name: one row.
    await page.fill('#user-q', `错角色${w}`);
    await page.waitForFunction((u) => {
      const rows = document.querySelectorAll('#user-list tbody tr[data-user]');
      return rows.length === 1 && rows[0].getAttribute('data-user') === u;
    }, `wrong${w}`);
    const row = `#user-list tr[data-user="wrong${w}"]`;
    t.check((await page.textContent(row + ' td.role')) === '教师', 'the wrong role is shown');
    // Search by organisation name finds its member.
    await page.fill('#user-q', `有人支部${w}`);
    await page.waitForSelector(`#user-list tr[data-user="stay${w}"]`);
    // Sorting by username descending puts moveb before movea.
    await page.fill('#user-q', `待调`);
    await page.waitForSelector(`#user-list tr[data-user="movea${w}"]`);
    await page.click('#user-list th[data-sort="username"] button');
    await page.waitForFunction(() => document.querySelector('#user-list th[data-sort="username"]').getAttribute('aria-sort') === 'ascending');
    await page.click('#user-list th[data-sort="username"] button');
    await page.waitForFunction(() => document.querySelector('#user-list th[data-sort="username"]').getAttribute('aria-sort') === 'descending');
    await page.waitForFunction((w) => {
      const u = Array.from(document.querySelectorAll('#user-list tbody tr[data-user]')).map((r) => r.getAttribute('data-user'));
      return u.indexOf('moveb' + w) >= 0 && u.indexOf('moveb' + w) < u.indexOf('movea' + w);
    }, w);

    // Move both to another organisation at once; the drop-down shows paths only where names repeat.
    await page.check(`#user-list tr[data-user="movea${w}"] input[type=checkbox]`);
    await page.check(`#user-list tr[data-user="moveb${w}"] input[type=checkbox]`);
    t.check((await page.textContent('#move-count')).includes('2'), 'two selected');
    const twinTexts = await page.$$eval('#move-form select option', (os, ids) => os.filter((o) => ids.includes(o.value)).map((o) => o.textContent.trim()), [String(twin1), String(twin2)]);
    t.check(twinTexts.length === 2 && twinTexts[0] !== twinTexts[1] && twinTexts.every((x) => x.includes('/') && x.endsWith(twinName)),
      `same-named organisations show their paths: ${twinTexts.join(' | ')}`);
    await page.selectOption('#move-form select', String(orgA));
    await page.click('#move-form button');
    await page.waitForFunction(() => document.querySelector('#move-form .msg').textContent.includes('已移动 2 人'));
    for (const id of [m1, m2]) {
      const u = (await api(t, 'GET', '/api/v1/users/' + id, adm)).json;
      t.check(u.org_id === orgA, `user ${id} moved: ${u.org_id} (want ${orgA})`);
    }

    // A stale edit: a colleague renamed the user after the page read the row → 409, nothing changes.
    await page.fill('#user-q', `错角色${w}`);
    await page.waitForFunction(() => document.querySelectorAll('#user-list tbody tr[data-user]').length === 1);
    await page.click(row + ' button[data-act="edit"]');
    await page.waitForSelector('#user-edit[open]');
    const cur = (await api(t, 'GET', '/api/v1/users/' + wrong, adm)).json;
    t.check((await api(t, 'PATCH', '/api/v1/users/' + wrong, adm, { name: `同事改名${w}`, version: cur.version })).status === 200, 'colleague edit');
    await page.selectOption('#user-edit-form select[name=role]', 'assessor');
    await page.click('#user-edit-form button.primary');
    await page.waitForFunction(() => document.querySelector('#user-edit-form .msg.err') && document.querySelector('#user-edit-form .msg').textContent.includes('已被他人修改'));
    const after = (await api(t, 'GET', '/api/v1/users/' + wrong, adm)).json;
    t.check(after.role === 'instructor' && after.name === `同事改名${w}`, `stale: nothing overwritten (${after.role}, ${after.name})`);
    await page.click('#user-edit-form button.cancel');
    await page.fill('#user-q', `同事改名${w}`);
    await page.waitForFunction(() => document.querySelectorAll('#user-list tbody tr[data-user]').length === 1);
    // Edit: fix the role.
    await page.click(row + ' button[data-act="edit"]');
    await page.waitForSelector('#user-edit[open]');
    for (const p of await axe(page)) t.check(false, `edit dialog ${width}: ${p}`);
    await page.selectOption('#user-edit-form select[name=role]', 'member');
    await page.click('#user-edit-form button.primary');
    await page.waitForSelector('#user-edit:not([open])', { state: 'attached' });
    await page.waitForFunction((s) => document.querySelector(s + ' td.role') && document.querySelector(s + ' td.role').textContent === '学员', row);
    t.check((await api(t, 'GET', '/api/v1/users/' + wrong, adm)).json.role === 'member', 'role corrected in the database');

    // Reset the password: a one-time password, shown once, that logs in and must be changed.
    await page.click(row + ' button[data-act="reset"]');
    await page.waitForSelector('#dx-confirm[open]');
    await page.click('#dx-confirm-ok');
    await page.waitForSelector('#pw-dialog[open]');
    const otp = (await page.textContent('#pw-value')).trim();
    for (const p of await axe(page)) t.check(false, `password dialog ${width}: ${p}`);
    t.check(otp.length === 12, `one-time password shown: ${otp}`);
    await page.click('#pw-done');
    t.check((await page.textContent('#pw-value')) === '', 'the password is gone once the dialog is closed');
    const login = await api(t, 'POST', '/api/v1/session', null, { username: `wrong${w}`, password: otp });
    t.check(login.status === 200 && login.json.user.must_change_password === true, `the one-time password logs in, change forced: ${login.status}`);
    const userTok = login.status === 200 ? login.json.token : null;

    // Disable: cancelling changes nothing; confirming disables, ends the session, refuses logins.
    await page.click(row + ' button[data-act="disable"]');
    await page.waitForSelector('#dx-confirm[open]');
    t.check((await page.textContent('#dx-confirm-text')).includes(`wrong${w}`), 'the confirmation names the user');
    await page.click('#dx-confirm-cancel');
    await page.waitForSelector('#dx-confirm:not([open])', { state: 'attached' });
    t.check((await api(t, 'GET', '/api/v1/users/' + wrong, adm)).json.active === true, 'cancel: still active');
    await page.click(row + ' button[data-act="disable"]');
    await page.waitForSelector('#dx-confirm[open]');
    await page.click('#dx-confirm-ok');
    await page.waitForFunction((s) => document.querySelector(s) && document.querySelector(s).classList.contains('inactive'), row);
    t.check((await api(t, 'GET', '/api/v1/users/' + wrong, adm)).json.active === false, 'disabled in the database');
    t.check((await api(t, 'GET', '/api/v1/me', userTok)).status === 401, 'the disabled user\'s session ended');
    t.check((await api(t, 'POST', '/api/v1/session', null, { username: `wrong${w}`, password: otp })).status === 401, 'no login when disabled');
    // Re-enable (not destructive: no question).
    await page.click(row + ' button[data-act="enable"]');
    await page.waitForFunction((s) => document.querySelector(s) && !document.querySelector(s).classList.contains('inactive'), row);
    t.check((await api(t, 'GET', '/api/v1/users/' + wrong, adm)).json.active === true, 're-enabled');

    // The only active admin cannot be disabled: the server's reason is shown, nothing changes.
    if ((await api(t, 'GET', '/api/v1/users?role=admin&active=1', adm)).json.total === 1) {
      await page.fill('#user-q', 'admin');
      await page.waitForSelector('#user-list tr[data-user="admin"]');
      await page.click('#user-list tr[data-user="admin"] button[data-act="disable"]');
      await page.waitForSelector('#dx-confirm[open]');
      await page.click('#dx-confirm-ok');
      await page.waitForFunction(() => document.querySelector('#user-msg.err') && document.getElementById('user-msg').textContent.includes('唯一'));
      t.check((await findUser(t, adm, 'admin')).active === true, 'the last admin stays active');
      await page.fill('#user-q', `同事改名${w}`);
      await page.waitForSelector(row);
    }
    // Audit log of this user: the role change, the reset, the disabling.
    await page.click(row + ' button[data-act="audit_of"]');
    await page.waitForSelector('#audit-list tr[data-action="user.disable"]');
    const log = await page.textContent('#audit-list');
    t.check(log.includes('修改用户') && log.includes('重置密码') && log.includes('停用用户') && log.includes('学员'), `audit log: ${log.slice(0, 300)}`);
    t.check(await page.$('#audit-list tr[data-action="user.create"]') !== null, 'its creation too');
    // A date range in the past shows nothing.
    await page.fill('#audit-from', '2001-01-01');
    await page.fill('#audit-to', '2001-01-02');
    await page.click('#audit-form button');
    await page.waitForFunction(() => document.querySelector('#audit-list tbody').textContent.includes('没有符合条件的记录'));
    await page.fill('#audit-from', '');
    await page.fill('#audit-to', '');
    await page.fill('#audit-user', 'nosuchuser');
    await page.click('#audit-form button');
    await page.waitForFunction(() => document.querySelector('#audit-form .msg').textContent.includes('nosuchuser'));

    // Organisations: a non-empty one is not deleted (the server's reason is shown); rename one.
    const full = `#org-tree li[data-org="${orgFull}"]`;
    await page.click(`${full} > .org-actions button.danger`);
    await page.waitForSelector('#dx-confirm[open]');
    await page.click('#dx-confirm-ok');
    await page.waitForFunction(() => document.getElementById('org-msg').textContent.includes('不能删除'));
    t.check((await api(t, 'GET', '/api/v1/orgs', adm)).json.orgs.some((o) => o.id === orgFull), 'the non-empty organisation stays');
    t.check((await page.textContent(`${full} > .count`)).includes('1 人'), 'its count is shown');
    await page.click(`#org-tree li[data-org="${orgA}"] > .org-actions button:not(.danger)`);
    await page.waitForSelector('#org-edit[open]');
    await page.fill('#org-edit-form input[name=name]', `改名支部${w}`);
    await page.click('#org-edit-form button.primary');
    await page.waitForFunction((id) => document.querySelector(`#org-tree li[data-org="${id}"] > .org-name`).textContent.startsWith('改名'), orgA);
    t.check((await api(t, 'GET', '/api/v1/orgs', adm)).json.orgs.find((o) => o.id === orgA).name === `改名支部${w}`, 'renamed');
    // Move the twin under orgA to the top level; its own subtree is never offered as a parent.
    await page.click(`#org-tree li[data-org="${orgA}"] > .org-actions button:not(.danger)`);
    await page.waitForSelector('#org-edit[open]');
    const offered = await page.$$eval('#org-edit-form select option', (os) => os.map((o) => o.value));
    t.check(!offered.includes(String(orgA)) && !offered.includes(String(twin1)) && offered.includes(String(orgFull)),
      'not under itself or its subtree');
    await page.click('#org-edit-form button.cancel');
    await page.click(`#org-tree li[data-org="${twin1}"] > .org-actions button:not(.danger)`);
    await page.waitForSelector('#org-edit[open]');
    await page.selectOption('#org-edit-form select', '0');
    await page.click('#org-edit-form button.primary');
    await page.waitForFunction((id) => document.querySelector(`#org-tree > li[data-org="${id}"]`) !== null, twin1);
    t.check(!(await api(t, 'GET', '/api/v1/orgs', adm)).json.orgs.find((o) => o.id === twin1).parent_id, 'moved to the top level');

    // CSV import: a new user, an update of an existing one, a bad line. The preview writes nothing.
    const pathA = (await api(t, 'GET', '/api/v1/orgs', adm)).json.orgs.find((o) => o.id === orgA).full_name;
    const csv = '用户名,姓名,组织,角色,密码\n' +
      `imp${w},导入新人${w},${root.full_name}/导入支部${w},学员,imppass0001\n` +
      `movea${w},待调甲改名${w},${pathA},,\n` +
      `bad user,坏行,${root.full_name},学员,imppass0002\n`;
    await page.setInputFiles('#import-form input[type=file]', { name: 'members.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.click('#import-form button');
    await page.waitForSelector('#import-preview tr[data-line]');
    t.check(await page.$('#import-preview tr[data-line="2"][data-action="create"]') !== null, 'line 2: create');
    const upd = await page.$('#import-preview tr[data-line="3"][data-action="update"]');
    t.check(upd !== null && (await upd.textContent()).includes(`待调甲${w} → 待调甲改名${w}`), 'line 3: update with the changed name');
    t.check(await page.$('#import-preview tr[data-line="4"][data-action="error"]') !== null, 'line 4: error');
    await t.shot(page, `admin-import-preview-${width}`);
    for (const p of await axe(page)) t.check(false, `import preview ${width}: ${p}`);
    t.check(await findUser(t, adm, `imp${w}`) === null, 'preview: nobody created');
    t.check((await findUser(t, adm, `movea${w}`)).name === `待调甲${w}`, 'preview: nobody changed');
    t.check(!(await api(t, 'GET', '/api/v1/orgs', adm)).json.orgs.some((o) => o.name === `导入支部${w}`), 'preview: no organisation created');
    await page.click('#import-confirm');
    await page.waitForSelector('#import-result .msg.ok');
    t.check((await page.textContent('#import-result')).includes('新建 1 人，更新 1 人'), 'import result');
    t.check((await findUser(t, adm, `imp${w}`)) !== null, 'confirmed: created');
    t.check((await findUser(t, adm, `movea${w}`)).name === `待调甲改名${w}`, 'confirmed: updated');
    // A role change in a file is kept out unless "allow role changes" is ticked.
    const roleCsv = `username,name,org,role,password\nstay${w},留守${w},${(await api(t, 'GET', '/api/v1/orgs', adm)).json.orgs.find((o) => o.id === orgFull).full_name},管理员,\n`;
    await page.setInputFiles('#import-form input[type=file]', { name: 'roles.csv', mimeType: 'text/csv', buffer: Buffer.from(roleCsv) });
    await page.click('#import-form button');
    await page.waitForSelector('#import-preview tr[data-line="2"]');
    const kept = await page.textContent('#import-preview tr[data-line="2"]');
    t.check(kept.includes('角色保持为学员'), `role kept without the box: ${kept}`);
    await page.check('#import-roles');
    await page.waitForFunction(() => { const r = document.querySelector('#import-preview tr[data-line="2"]'); return r && r.textContent.includes('学员 → 管理员'); });
    t.check(await page.$('#import-preview tr[data-line="2"][data-action="update"]') !== null, 'with the box: the role changes');
    t.check((await findUser(t, adm, `stay${w}`)).role === 'member', 'still a member before the confirmation');
    await page.click('#import-cancel');
    await page.uncheck('#import-roles');
    t.check(await page.$('#import-preview tr') === null, 'abandoned: no preview');
    t.check((await findUser(t, adm, `stay${w}`)).role === 'member', 'abandoned: still a member');
    // A file that is not CSV text: one message, no line errors.
    await page.setInputFiles('#import-form input[type=file]', { name: 'members.csv', mimeType: 'text/csv',
      buffer: Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0, 0xff, 0xfe, 1, 2, 3]) });
    await page.click('#import-form button');
    await page.waitForSelector('#import-preview .msg.err');
    t.check(await page.$$eval('#import-preview .msg.err', (n) => n.length) === 1 && await page.$('#import-preview tr') === null,
      'not CSV: one message, no lines');
    await page.setInputFiles('#import-form input[type=file]', { name: 'members.xlsx', mimeType: 'application/vnd.ms-excel', buffer: Buffer.from('x') });
    await page.click('#import-form button');
    await page.waitForSelector('#import-preview .msg.err');
    t.check((await page.textContent('#import-preview')).includes('.csv'), 'a spreadsheet is refused with one message');

    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    t.check(overflow <= 1, `no horizontal overflow at ${width}px (${overflow}px)`);
    await t.shot(page, `admin-users-${width}`);
    t.check(errors.length === 0, `no page errors at ${width}: ${errors.join('; ')}`);
    await ctx.close();
  }
}
