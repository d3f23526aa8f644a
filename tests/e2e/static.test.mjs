// Checks on static/ that need no server: both languages have the same keys, every literal key
// the screens use exists, and nothing breaks the Content-Security-Policy or loads from outside.
// Run with: node --test tests/e2e/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const STATIC = fileURLToPath(new URL('../../static/', import.meta.url));

function files(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) files(path, out);
    else out.push(path);
  }
  return out;
}

const all = files(STATIC);
const scripts = all.filter((f) => f.endsWith('.js'));
const pages = all.filter((f) => f.endsWith('.html'));

async function dictionaries() {
  const pt = (await import(join(STATIC, 'shared/i18n/pt-BR.js'))).default;
  const en = (await import(join(STATIC, 'shared/i18n/en.js'))).default;
  return { pt, en };
}

test('pt-BR and English have the same keys', async () => {
  const { pt, en } = await dictionaries();
  assert.deepEqual(Object.keys(en).filter((k) => !(k in pt)), [], 'keys only in English');
  assert.deepEqual(Object.keys(pt).filter((k) => !(k in en)), [], 'keys only in pt-BR');
});

test('every literal translation key used by the screens exists', async () => {
  const { pt } = await dictionaries();
  const missing = [];
  for (const file of scripts) {
    const src = readFileSync(file, 'utf8');
    for (const m of src.matchAll(/\bt\('([a-zA-Z0-9_.]+)'/g)) {
      const key = m[1];
      if (!(key in pt) && !(`${key}.other` in pt)) missing.push(`${relative(STATIC, file)}: ${key}`);
    }
  }
  assert.deepEqual(missing, []);
});

test('pages have no inline scripts or styles (CSP: script-src and style-src self)', () => {
  for (const file of pages) {
    const html = readFileSync(file, 'utf8');
    for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)) {
      assert.match(m[1], /\bsrc=/, `${relative(STATIC, file)}: inline <script>`);
      assert.equal(m[2].trim(), '', `${relative(STATIC, file)}: script with a body`);
    }
    assert.doesNotMatch(html, /<style\b/, `${relative(STATIC, file)}: <style> element`);
    assert.doesNotMatch(html, /\sstyle=/, `${relative(STATIC, file)}: style attribute`);
    assert.doesNotMatch(html, /\son[a-z]+=/, `${relative(STATIC, file)}: inline event handler`);
  }
});

test('scripts never build markup from strings or set style attributes', () => {
  for (const file of scripts) {
    const src = readFileSync(file, 'utf8');
    const name = relative(STATIC, file);
    assert.doesNotMatch(src, /\.innerHTML\s*=|insertAdjacentHTML|document\.write/, `${name}: HTML from strings`);
    assert.doesNotMatch(src, /setAttribute\(\s*['"]style['"]/, `${name}: style attribute`);
    assert.doesNotMatch(src, /\beval\(|new Function\(/, `${name}: eval`);
  }
});

test('nothing is loaded from outside the binary', () => {
  for (const file of [...scripts, ...pages, ...all.filter((f) => f.endsWith('.css'))]) {
    const src = readFileSync(file, 'utf8');
    const urls = [...src.matchAll(/\b(?:https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}[^\s'"`)]*/gi)].map((m) => m[0]);
    const external = urls.filter((u) => !u.includes('www.w3.org/2000/svg'));
    assert.deepEqual(external, [], `${relative(STATIC, file)} refers to outside addresses`);
  }
});
