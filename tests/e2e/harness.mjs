// The parts of the end-to-end walk that are not about armario: launching Debian's Chromium,
// watching for console errors and for requests that leave 127.0.0.1, steps, screenshots.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 375, height: 812 };

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export async function launch() {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', args: ARGS, headless: true });
}

/**
 * A browser context that records problems: console errors (except the browser's own report of an
 * API answer the page expected, such as 401 before sign-in or 404 for a foreign company), page
 * errors, failed static files, 5xx answers and any request to a host other than 127.0.0.1.
 */
export async function watchedContext(browser, problems, viewport = DESKTOP) {
  const context = await browser.newContext({ viewport, locale: 'pt-BR', acceptDownloads: true });
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (['data:', 'blob:'].includes(url.protocol) || url.hostname === '127.0.0.1') return route.continue();
    problems.push(`request left 127.0.0.1: ${url.href}`);
    return route.abort();
  });
  context.on('page', (page) => watchPage(page, problems));
  return context;
}

function watchPage(page, problems) {
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const where = msg.location().url || '';
    const expected = /Failed to load resource: the server responded with a status of 4\d\d/.test(msg.text()) && new URL(where, 'http://x').pathname.startsWith('/api/');
    if (!expected) problems.push(`console error: ${msg.text()} ${where}`);
  });
  page.on('response', (res) => {
    const path = new URL(res.url()).pathname;
    if (res.status() >= 500) problems.push(`${res.status()} from ${res.request().method()} ${path}`);
    else if (res.status() >= 400 && !path.startsWith('/api/')) problems.push(`${res.status()} for static file ${path}`);
  });
}

/** Waits until no list or card is still loading. */
export async function settled(page) {
  await page.waitForFunction(() => !document.querySelector('.state-loading, [aria-busy="true"]'), null, { timeout: 15000 });
}

export function screenshotter(dir) {
  mkdirSync(dir, { recursive: true });
  return async (page, name) => {
    await settled(page).catch(() => {});
    const size = page.viewportSize();
    const file = join(dir, `${name}-${size.width <= 500 ? 'phone' : 'desktop'}.png`);
    await page.screenshot({ path: file, fullPage: true });
    return file;
  };
}

/**
 * Runs named steps in order, stopping at the first failure (later steps depend on earlier ones).
 * A step given `missing` (a reason, such as an endpoint the server does not have yet) is skipped
 * and reported, without failing the walk.
 */
export function stepper() {
  const results = [];
  return {
    results,
    async step(name, fn, { missing } = {}) {
      if (results.some((r) => !r.ok && !r.skipped)) {
        results.push({ name, ok: false, skipped: false, blocked: true });
        console.log(`not run - ${name}`);
        return;
      }
      if (missing) {
        results.push({ name, ok: false, skipped: true });
        console.log(`skip - ${name}: ${missing}`);
        return;
      }
      const started = Date.now();
      try {
        await fn();
        results.push({ name, ok: true });
        console.log(`ok - ${name} (${Date.now() - started} ms)`);
      } catch (err) {
        results.push({ name, ok: false, error: err });
        console.log(`not ok - ${name}\n  ${String(err && err.stack ? err.stack : err).split('\n').slice(0, 6).join('\n  ')}`);
      }
    },
  };
}

/** A random valid CNPJ (12 random digits and their two check digits). */
export function randomCnpj() {
  const digits = Array.from({ length: 12 }, () => Math.floor(Math.random() * 10)).join('');
  const dv = (s, w) => {
    const r = w.reduce((a, x, i) => a + x * Number(s[i]), 0) % 11;
    return r < 2 ? 0 : 11 - r;
  };
  const d1 = dv(digits, [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]);
  const d2 = dv(digits + d1, [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]);
  return `${digits}${d1}${d2}`;
}

/** The same CNPJ with a wrong last check digit. */
export function badCnpj(cnpj) {
  return cnpj.slice(0, 13) + ((Number(cnpj[13]) + 1) % 10);
}

// A label is the field's name, followed by ' *' when the field is required.
export const exactLabel = (label) => new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}( \\*)?$`);
export const field = (page, label) => page.getByLabel(exactLabel(label));
export const heading = (page, name) => page.getByRole('heading', { level: 1, name });
