// My account at 360 and 1280 px: a member changes the password (the current one required, the two
// new ones equal), sees the sessions and ends another one (whose token stops working at once); a
// user whose password an admin reset is led to /account first.
async function api(t, method, path, token, body) {
  const headers = {};
  if (token) headers.Authorization = 'Bearer ' + token;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const r = await fetch(t.base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  let json = null;
  try { json = await r.json(); } catch (e) { /* no body */ }
  return { status: r.status, json };
}
async function login(t, username, password) {
  const r = await api(t, 'POST', '/api/v1/session', null, { username, password });
  return r.status === 200 ? r.json.token : null;
}

export default async function (t) {
  const adm = await login(t, 'admin', 'dangxiao2026');
  const org = (await api(t, 'GET', '/api/v1/orgs', adm)).json.orgs[0].id;
  for (const width of [360, 1280]) {
    const user = `acct${width}`;
    const c = await api(t, 'POST', '/api/v1/users', adm, { username: user, name: `账户${width}`, role: 'member', org_id: org, password: 'first-pass-1' });
    t.check(c.status === 201, `user created: ${c.status}`);
    const other = await login(t, user, 'first-pass-1'); // another device
    const ctx = await t.browser.newContext({ viewport: { width, height: 800 }, isMobile: width < 400, hasTouch: width < 400 });
    const page = await ctx.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await t.login(page, user, 'first-pass-1');
    await page.click('#account-link');
    await page.waitForURL((u) => u.pathname === '/account');
    await page.waitForSelector('#session-list li');
    t.check(await page.$$eval('#session-list li', (n) => n.length) === 2, 'two sessions listed');
    t.check(await page.$('#session-list li.current .badge') !== null, 'the current one is marked');

    // End the other session: its token stops working at once.
    await page.click('#session-list li:not(.current) button');
    await page.waitForFunction(() => document.querySelectorAll('#session-list li').length === 1);
    t.check((await api(t, 'GET', '/api/v1/me', other)).status === 401, 'the ended session is refused');
    // Ending the current one asks first; cancelling keeps it.
    await page.click('#session-list li.current button');
    await page.waitForSelector('#dx-confirm[open]');
    await page.click('#dx-confirm-cancel');
    await page.waitForSelector('#dx-confirm:not([open])', { state: 'attached' });
    t.check(page.url().endsWith('/account'), 'still logged in after cancelling');

    // Password: a mismatch and a wrong current password are refused with Chinese messages.
    await page.fill('#pw-form [name=current_password]', 'first-pass-1');
    await page.fill('#pw-form [name=new_password]', 'second-pass-2');
    await page.fill('#pw-form [name=confirm_password]', 'second-pass-3');
    await page.click('#pw-form button');
    await page.waitForFunction(() => document.querySelector('#pw-form .msg').textContent.includes('不一致'));
    await page.fill('#pw-form [name=current_password]', 'not-my-password');
    await page.fill('#pw-form [name=confirm_password]', 'second-pass-2');
    await page.click('#pw-form button');
    await page.waitForFunction(() => document.querySelector('#pw-form .msg.err') && document.querySelector('#pw-form .msg').textContent.includes('当前密码不正确'));
    await page.fill('#pw-form [name=current_password]', 'first-pass-1');
    await page.fill('#pw-form [name=new_password]', 'second-pass-2');
    await page.fill('#pw-form [name=confirm_password]', 'second-pass-2');
    await page.click('#pw-form button');
    await page.waitForSelector('#pw-form .msg.ok');
    t.check(await login(t, user, 'second-pass-2') !== null, 'the new password works');
    t.check(await login(t, user, 'first-pass-1') === null, 'the old one does not');

    // An admin resets the password: the one-time password leads to /account first.
    const u = (await api(t, 'GET', '/api/v1/users?q=' + user, adm)).json.users.find((x) => x.username === user);
    const reset = await api(t, 'POST', `/api/v1/users/${u.id}/password-reset?version=${u.version}`, adm);
    t.check(reset.status === 200, `reset: ${reset.status}`);
    const ctx2 = await t.browser.newContext({ viewport: { width, height: 800 } });
    const p2 = await ctx2.newPage();
    await p2.goto(t.base + '/login');
    await p2.fill('input[name=username]', ' ' + user.toUpperCase() + ' ');
    await p2.fill('input[name=password]', reset.json.password);
    await Promise.all([p2.waitForURL((x) => x.pathname === '/account'), p2.click('button[type=submit]')]);
    t.check(await p2.$('#must-change') !== null, 'told to change the password');
    await p2.goto(t.base + '/');
    t.check(new URL(p2.url()).pathname === '/account', `other pages lead to /account: ${p2.url()}`);
    await ctx2.close();

    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    t.check(overflow <= 1, `no horizontal overflow at ${width}px (${overflow}px)`);
    await t.shot(page, `account-${width}`);
    t.check(errors.length === 0, `no page errors at ${width}: ${errors.join('; ')}`);
    await ctx.close();
  }
}
