// Loads a TimelineJS3 JSON export into the real TimelineJS3 library in headless Chromium and prints
// what a reader would get, as JSON: where the time navigation sits in the embed, how many slides,
// markers and groups were built, and anything the page logged as an error.
//
// usage: node timeline.mjs EXPORT.json [EMBED_HEIGHT] [EMBED_WIDTH]   (IQTL_SHOT=FILE.png: a screenshot too)
//
// Every request is answered from node_modules under a made-up origin; anything else is refused, so
// the page never reaches the network (TimelineJS would fetch its locale from a CDN by default).
import { readFileSync } from 'node:fs';
import { join, dirname, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM, LAUNCH_ARGS } from './browser.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, 'node_modules', '@knight-lab', 'timelinejs', 'dist');
const [exportFile, heightArg, widthArg] = process.argv.slice(2);
const height = Number(heightArg || 760);
const width = Number(widthArg || 1000);
const data = readFileSync(exportFile, 'utf8');
const ORIGIN = 'http://iqtl.test';

const page_html = `<!doctype html><html lang="en"><head><meta charset="utf-8">
<link rel="stylesheet" href="${ORIGIN}/css/timeline.css">
<style>body{margin:0}#embed{width:${width}px;height:${height}px}</style></head>
<body><div id="embed"></div>
<script src="${ORIGIN}/js/timeline.js"></script>
<script>
window.__errors = [];
window.__ready = false;
const tl = new TL.Timeline('embed', ${data}, {script_path: '${ORIGIN}/js/', hash_bookmark: false});
tl.on('ready', () => { window.__ready = true; });
tl.on('dataloaded', () => { window.__loaded = true; });
</script></body></html>`;

const TYPES = { '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json', '.woff': 'font/woff',
  '.woff2': 'font/woff2', '.ttf': 'font/ttf', '.svg': 'image/svg+xml', '.png': 'image/png' };

const browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
let page;
const out = { errors: [], console: [], refused: [] };
try {
  page = await browser.newPage({ viewport: { width: width + 40, height: height + 40 } });
  page.on('pageerror', (e) => out.errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') out.console.push(m.text()); });
  await page.route('**/*', async (route) => {
    const url = new URL(route.request().url());
    if (url.origin !== ORIGIN) {
      out.refused.push(url.href);
      return route.abort();
    }
    if (url.pathname === '/') return route.fulfill({ contentType: 'text/html', body: page_html });
    const file = normalize(join(dist, decodeURIComponent(url.pathname)));
    if (!file.startsWith(dist)) return route.abort();
    try {
      const ext = file.slice(file.lastIndexOf('.'));
      return route.fulfill({ contentType: TYPES[ext] || 'application/octet-stream', body: readFileSync(file) });
    } catch {
      out.refused.push(url.href);
      return route.abort();
    }
  });
  await page.goto(`${ORIGIN}/`);
  await page.waitForFunction(() => window.__ready, null, { timeout: 30000 });
  await page.waitForTimeout(1200); // the time navigation animates into place after `ready`
  Object.assign(out, await page.evaluate(() => {
    const box = (el) => { if (!el) return null; const r = el.getBoundingClientRect();
      return { top: r.top, bottom: r.bottom, left: r.left, right: r.right, height: r.height, width: r.width }; };
    const slides = [...document.querySelectorAll('.tl-storyslider .tl-slide')];
    return {
      embed: box(document.getElementById('embed')),
      timenav: box(document.querySelector('.tl-timenav')),
      storyslider: box(document.querySelector('.tl-storyslider')),
      slides: slides.length,
      slide_ids: slides.map((s) => s.id),
      slide_headlines: slides.map((s) => (s.querySelector('.tl-headline') || {}).textContent || ''),
      markers: document.querySelectorAll('.tl-timemarker').length,
      markers_top: Math.min(...[...document.querySelectorAll('.tl-timemarker')].map((m) => m.getBoundingClientRect().top)),
      markers_bottom: Math.max(...[...document.querySelectorAll('.tl-timemarker')].map((m) => m.getBoundingClientRect().bottom)),
      groups: [...document.querySelectorAll('.tl-timegroup')].map((g) =>
        (g.querySelector('.tl-timegroup-message') || {}).textContent || ''),
      eras: document.querySelectorAll('.tl-timeera').length,
      message: (document.querySelector('.tl-message-full') || {}).textContent || '',
    };
  }));
  if (process.env.IQTL_SHOT) await page.screenshot({ path: process.env.IQTL_SHOT });
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(out) + '\n');
