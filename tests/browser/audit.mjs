// audit.mjs — the page audit every browser test may call (not a test itself: run.mjs runs test_*.mjs).
//   const problems = await audit(page, 'home-360');   // [] when the page passes
// 1. axe-core (npm devDependency) is evaluated in the page as it is now (after its scripts ran) and
//    every violation of impact "serious" or "critical" is a problem, named with its rule and nodes.
// 2. The HTML the server sent for page.url() (fetched again with the page's cookies) is checked by
//    HTML Tidy (Debian package tidy): every error and warning is a problem.
// Viewports: the caller opens its context at 360 px (isMobile, hasTouch) or 1280 px; see test_audit.mjs.
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const axeSource = readFileSync(join(root, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

// Tidy knows HTML5; these options keep it from "fixing" what is deliberate in a page shell:
// containers that scripts fill are empty when served.
const tidyArgs = ['-q', '-e', '-utf8', '--drop-empty-elements', 'no', '--show-warnings', 'yes', '--gnu-emacs', 'no'];

// Standard HTML attributes newer than Debian's tidy (5.6) that it calls "proprietary".
// aria-current is WAI-ARIA 1.1 (the current page in a breadcrumb or tree), allowed on every element.
const newer = ['loading', 'minlength', 'inputmode', 'enterkeyhint', 'decoding', 'playsinline', 'autocapitalize',
  'aria-current'];

export async function axe(page) {
  // Runtime evaluation is not subject to the page's CSP (script-src 'self'), a <script> tag would be.
  await page.evaluate(axeSource);
  const res = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ') + (n.failureSummary ? ' — ' + n.failureSummary.split('\n').slice(1, 2).join('') : '')) }));
  });
  return res.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `axe ${v.impact} ${v.id} (${v.help}): ${v.nodes.join(' | ')}`);
}

export function tidy(html) {
  const dir = mkdtempSync(join(tmpdir(), 'dx-tidy-'));
  const f = join(dir, 'page.html');
  writeFileSync(f, html);
  const r = spawnSync('tidy', [...tidyArgs, f], { encoding: 'utf8' });
  rmSync(dir, { recursive: true, force: true });
  if (r.error) return [`tidy: ${r.error.message} (apt-get install tidy)`];
  // status 0: clean, 1: warnings, 2: errors
  const lines = (r.stderr || '').split('\n').filter((l) => /(Warning|Error):/.test(l))
    .filter((l) => !newer.some((a) => l.includes(`proprietary attribute "${a}"`)));
  if (r.status === 2 && lines.length === 0) lines.push(`tidy exit ${r.status}: ${r.stderr}`);
  return lines.map((l) => 'tidy ' + l.trim());
}

export async function served(page) {
  const r = await page.request.get(page.url(), { headers: { Accept: 'text/html' } });
  return { status: r.status(), html: await r.text() };
}

export async function audit(page, name) {
  const problems = [];
  for (const p of await axe(page)) problems.push(`${name}: ${p}`);
  const s = await served(page);
  for (const p of tidy(s.html)) problems.push(`${name}: ${p}`);
  return problems;
}
