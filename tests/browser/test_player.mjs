// A member watches a lecture through hls.js on a phone-sized screen and sees the server credit it;
// on a PC: the rate menu, the idle prompt 「仍在学习吗?」 and pausing when the page is hidden.
// The lecture is made here (a 30 s ffmpeg test clip cut into HLS, rows written with sqlite3), so the
// test does not wait for the demo's transcode.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

function sql(t, q) {
  return execFileSync('sqlite3', ['-cmd', '.timeout 10000', join(t.data, 'dangxiao.db'), q], { encoding: 'utf8' }).trim();
}

// DATA/media/{lecture}/{version}/: master.m3u8, v0/index.m3u8, v0/seg_NNNNN.ts (transcoder/storage.h).
function makeMedia(t, lecture) {
  const dir = join(t.data, 'media', String(lecture), '1');
  mkdirSync(join(dir, 'v0'), { recursive: true });
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    '-t', '30', '-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'main', '-pix_fmt', 'yuv420p',
    '-g', '50', '-keyint_min', '50', '-sc_threshold', '0', '-b:v', '600k', '-c:a', 'aac', '-b:a', '96k',
    '-f', 'hls', '-hls_time', '4', '-hls_playlist_type', 'vod',
    '-hls_segment_filename', join(dir, 'v0', 'seg_%05d.ts'), join(dir, 'v0', 'index.m3u8')]);
  writeFileSync(join(dir, 'master.m3u8'),
    '#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-INDEPENDENT-SEGMENTS\n' +
    '#EXT-X-STREAM-INF:BANDWIDTH=900000,RESOLUTION=640x360\nv0/index.m3u8\n');
}

async function enrol(t, user, course) {
  const s = await fetch(t.base + '/api/v1/session', { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: user, password: 'dangxiao2026' }) }).then((r) => r.json());
  const r = await fetch(`${t.base}/api/v1/courses/${course}/enroll`, { method: 'POST', headers: { Authorization: 'Bearer ' + s.token } });
  if (!r.ok) sql(t, `INSERT OR IGNORE INTO enrollments(user_id, course_id, enrolled_at) SELECT id, ${course}, strftime('%s','now') FROM users WHERE username='${user}'`);
}

function watch(page, errors) {
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error' && !m.text().includes('429')) errors.push('console: ' + m.text()); });
  // A 429 may happen by design (a heartbeat on page hide right after another); nothing else may fail.
  page.on('response', (r) => { if (r.status() >= 400 && !(r.status() === 429 && r.url().endsWith('/heartbeat'))) errors.push(r.status() + ' ' + r.url()); });
}

const beatCredited = (r) => r.url().endsWith('/heartbeat') && r.status() === 200 &&
  r.json().then((j) => j.credited_s > 0 && j.result === 'credited', () => false);

export default async function (t) {
  const course = Number(sql(t, "INSERT INTO courses(owner_id, title, category, status, created_at, updated_at, published_at) " +
    "VALUES ((SELECT id FROM users WHERE username='teacher'), '浏览器学习测试课', '测试', 'published', strftime('%s','now'), strftime('%s','now'), strftime('%s','now')) RETURNING id"));
  const lecture = Number(sql(t, 'INSERT INTO lectures(course_id, title, position, status, duration_s, media_version, created_at, updated_at) ' +
    `VALUES (${course}, '第一讲 测试视频', 0, 'ready', 30, 1, strftime('%s','now'), strftime('%s','now')) RETURNING id`));
  makeMedia(t, lecture);
  await enrol(t, 'zhangsan', course);

  // ---- a phone: play through hls.js, heartbeats credited, the page shows the server's figures
  {
    const ctx = await t.browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
    const page = await ctx.newPage();
    const errors = [];
    watch(page, errors);
    // Media loads on play: opening the page fetches no segment, no playlist, not even hls.js.
    const media = [];
    page.on('request', (r) => { if (/\/media\/|hls\.min\.js/.test(r.url())) media.push(r.url()); });
    await t.login(page, 'zhangsan');
    await page.goto(`${t.base}/lectures/${lecture}`);
    await page.waitForFunction(() => window.DX && document.getElementById('today-s').textContent !== '—');
    await page.waitForLoadState('networkidle');
    await page.waitForTimeout(1500);
    const ts = media.filter((u) => /\.ts(\?|$)/.test(u)).length;
    t.check(ts === 0, `no .ts segment before play (${ts}): ${media.join(' ')}`);
    t.check(media.length === 0, `nothing of the stream before play: ${media.join(' ')}`);
    t.check(await page.evaluate(() => document.getElementById('video').preload) === 'none', 'preload="none"');
    t.check(await page.isVisible('#play-start'), 'a play button over the poster');
    const played = page.waitForResponse((r) => r.url().endsWith(`/lectures/${lecture}/play`) && r.status() === 201);
    await page.evaluate(() => { document.getElementById('video').muted = true; });
    await page.click('#play-start');
    const usesHls = await page.evaluate(() => new Promise((res) => {
      const v = document.getElementById('video');
      const check = () => (window.Hls ? res(v.src.startsWith('blob:')) : setTimeout(check, 100));
      check();
    }));
    t.check(usesHls, 'hls.js plays through Media Source Extensions (blob: src)');
    await played;
    const credited = await page.waitForResponse(beatCredited, { timeout: 45000 });
    const hb = await credited.json();
    await page.waitForFunction(() => document.getElementById('video').currentTime > 16, null, { timeout: 30000 });
    t.check(media.some((u) => /\.ts(\?|$)/.test(u)), `segments load after play: ${media.join(' ')}`);
    t.check(hb.credited_s >= 10 && hb.credited_s <= 16.5, `first heartbeat credited about 15 s: ${JSON.stringify(hb)}`);
    t.check(hb.coverage > 0.3 && hb.coverage < 0.6, `coverage about half: ${hb.coverage}`);
    await page.waitForFunction(() => Number(document.getElementById('cov-bar').value) > 0);
    const shown = await page.evaluate(() => ({
      today: document.getElementById('today-s').textContent, total: document.getElementById('lecture-s').textContent,
      pct: document.getElementById('cov-pct').textContent, bar: Number(document.getElementById('cov-bar').value),
      strip: document.querySelectorAll('#cov-strip span').length,
    }));
    const secs = (s) => { const m = s.match(/(?:(\d+) 分 )?(\d+) 秒/); return m ? Number(m[1] || 0) * 60 + Number(m[2]) : -1; };
    t.check(secs(shown.today) >= Math.floor(hb.today_study_s) && secs(shown.today) > 0, `今日已计学时 shows the server's ${hb.today_study_s}: ${shown.today}`);
    t.check(shown.bar >= hb.coverage - 1e-9 && shown.strip >= 1 && /%$/.test(shown.pct), `coverage shown: ${JSON.stringify(shown)}`);
    // The progress endpoint agrees with what the page shows.
    const prog = await page.evaluate((id) => fetch(`/api/v1/lectures/${id}/progress`).then((r) => r.json()), lecture);
    t.check(prog.lecture_study_s >= hb.lecture_study_s && prog.intervals.length >= 1, `progress: ${JSON.stringify(prog)}`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    t.check(overflow <= 1, `no horizontal overflow at 360px (${overflow}px)`);
    await t.shot(page, 'player-360');
    t.check(errors.length === 0, `no errors at 360: ${errors.join('; ')}`);
    await ctx.close();
  }

  // ---- a PC: resume, rate menu, idle prompt (page clock moved 20 minutes), hidden page pauses
  {
    const ctx = await t.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await ctx.newPage();
    const errors = [];
    watch(page, errors);
    await t.login(page, 'zhangsan');
    await page.clock.install();
    await page.goto(`${t.base}/lectures/${lecture}`);
    await page.waitForFunction(() => window.DX && document.getElementById('today-s').textContent !== '—');
    const resume = await page.evaluate((id) => fetch(`/api/v1/lectures/${id}/progress`).then((r) => r.json()), lecture);
    t.check(resume.resume_position > 10, `resumes from the last position: ${resume.resume_position}`);
    const played = page.waitForResponse((r) => r.url().endsWith(`/lectures/${lecture}/play`) && r.status() === 201);
    // The video's own play control works too (no stream before it is pressed).
    await page.evaluate(() => { const v = document.getElementById('video'); v.muted = true; v.play().catch(() => {}); });
    await played;
    await page.waitForFunction(() => document.getElementById('video').currentTime > 0, null, { timeout: 15000 });
    const at = await page.evaluate(() => document.getElementById('video').currentTime);
    t.check(at >= resume.resume_position - 1, `playing from the resume position (${at} vs ${resume.resume_position})`);
    // Rate menu: 1.5x plays, and the page says it earns nothing.
    await page.selectOption('#rate', '1.5');
    t.check(await page.evaluate(() => document.getElementById('video').playbackRate) === 1.5, 'rate 1.5 applied');
    t.check(await page.isVisible('#rate-note'), 'note that faster than max_rate earns nothing');
    await page.selectOption('#rate', '1');
    // Idle: 20 minutes without input pause the video and ask 「仍在学习吗?」 until answered.
    await page.clock.fastForward('20:05');
    await page.waitForSelector('#idle[open]', { timeout: 5000 });
    t.check((await page.textContent('#idle')).includes('仍在学习吗'), 'idle prompt text');
    t.check(await page.evaluate(() => document.getElementById('video').paused), 'paused while the prompt is open');
    await t.shot(page, 'player-1280-idle');
    await page.click('#idle-yes');
    await page.waitForFunction(() => !document.getElementById('video').paused, null, { timeout: 5000 });
    t.check(!(await page.isVisible('#idle')), 'prompt closed after the answer');
    // Hidden page: paused at once, with a keepalive heartbeat.
    const beat = page.waitForRequest((r) => r.url().endsWith('/heartbeat'), { timeout: 5000 });
    await page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    const req = await beat;
    t.check(await page.evaluate(() => document.getElementById('video').paused), 'hidden page pauses the video');
    t.check(JSON.parse(req.postData() || '{}').session > 0, 'heartbeat sent on hide');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    t.check(overflow <= 1, `no horizontal overflow at 1280px (${overflow}px)`);
    await t.shot(page, 'player-1280');
    t.check(errors.length === 0, `no errors at 1280: ${errors.join('; ')}`);
    await ctx.close();
  }
}
