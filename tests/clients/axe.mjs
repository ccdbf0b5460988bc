// Runs axe-core on a page in headless Chromium at each of the given widths, follows every overview
// link to its anchor, and prints what it found as JSON: axe's violations (WCAG 2.0-2.2 A and AA,
// and best practices), the sizes of the overview's links, and where each followed anchor landed
// against any sticky heading above it.
//
// usage: node axe.mjs PAGE.html WIDTH [WIDTH...]
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM, LAUNCH_ARGS } from './browser.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const axeSource = readFileSync(join(here, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
const [pageFile, ...widths] = process.argv.slice(2);
const url = pathToFileURL(resolve(pageFile)).href;
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa', 'best-practice'];

const browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
const out = {};
try {
  for (const width of widths.map(Number)) {
    const page = await browser.newPage({ viewport: { width, height: 800 } });
    const refused = [];
    // The page is self-contained: anything it asks for besides itself is refused and reported.
    await page.route('**/*', (route) => {
      if (route.request().url() === url) return route.continue();
      refused.push(route.request().url());
      return route.abort();
    });
    await page.goto(url);
    await page.addScriptTag({ content: axeSource });
    const axe = await page.evaluate(async (tags) => {
      const res = await window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
      return {
        version: window.axe.version,
        violations: res.violations.map((v) => ({ id: v.id, impact: v.impact, tags: v.tags, nodes: v.nodes.length,
          targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) })),
        target_size_rule: window.axe.getRules(['wcag22aa']).some((r) => r.ruleId === 'target-size'),
      };
    }, TAGS);
    const links = await page.evaluate(() => [...document.querySelectorAll('.overview a')].map((a) => {
      const r = a.getBoundingClientRect();
      return { href: a.getAttribute('href'), width: r.width, height: r.height };
    }));
    const landed = [];
    for (const { href } of links) {
      landed.push(await page.evaluate((href) => {
        window.scrollTo(0, 0);
        document.querySelector(`.overview a[href="${href}"]`).click();
        const target = document.getElementById(decodeURIComponent(href.slice(1)));
        const t = target.getBoundingClientRect();
        // Whatever sticks to the top of the viewport over the target's column covers its first line.
        let covered = 0;
        for (const el of document.querySelectorAll('body *')) {
          const pos = getComputedStyle(el).position;
          if (pos !== 'sticky' && pos !== 'fixed') continue;
          const r = el.getBoundingClientRect();
          if (r.height && r.top <= 1 && r.bottom > 0 && r.left < t.right && r.right > t.left) covered = Math.max(covered, r.bottom);
        }
        return { href, top: t.top, covered_to: covered, scrolled: window.scrollY };
      }, href));
    }
    out[width] = { ...axe, overview_links: links, landed, refused };
    await page.close();
  }
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(out) + '\n');
