// Steps of the walk for the finish of every page: focus rings, the quiet signed-out page and the
// dark theme.
import assert from 'node:assert/strict';

/** WCAG contrast ratio of two `rgb(r, g, b)` strings. */
export function contrast(a, b) {
  const lum = (css) => {
    const [r, g, bl] = css.match(/[\d.]+/g).slice(0, 3).map((v) => Number(v) / 255).map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

const ring = (page) =>
  page.evaluate(() => {
    const el = document.activeElement;
    const css = getComputedStyle(el);
    const root = getComputedStyle(document.documentElement);
    const probe = document.createElement('div');
    document.body.append(probe);
    probe.style.background = 'var(--surface)';
    const surface = getComputedStyle(probe).backgroundColor;
    probe.remove();
    return { tag: el.tagName, style: css.outlineStyle, width: css.outlineWidth, color: css.outlineColor, shadow: css.boxShadow, bg: root.backgroundColor, surface };
  });

/**
 * The page title takes focus on every load without drawing a box, also after a key press; the
 * keyboard's focus draws a ring of at least 3:1 against the page and the cards.
 */
export async function focusRings(page, heading) {
  await heading.waitFor();
  let r = await ring(page);
  assert.equal(r.tag, 'H1', 'the title has focus after the load');
  assert.equal(r.style, 'none', `no outline on the focused title: ${JSON.stringify(r)}`);
  assert.equal(r.shadow, 'none', `no box on the focused title: ${JSON.stringify(r)}`);
  // Script focus after a key press counts as :focus-visible in Chromium: still no box.
  const link = page.locator('.sidebar a').nth(1);
  await link.focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.activeElement && document.activeElement.tagName === 'H1');
  r = await ring(page);
  assert.equal(r.style, 'none', `no outline on the title after a keyboard move: ${JSON.stringify(r)}`);
  assert.equal(r.shadow, 'none', `no box on the title after a keyboard move: ${JSON.stringify(r)}`);
  await page.keyboard.press('Tab');
  r = await ring(page);
  assert.notEqual(r.tag, 'H1');
  assert.equal(r.style, 'solid', `the keyboard's focus shows: ${JSON.stringify(r)}`);
  assert.ok(parseFloat(r.width) >= 2, `a ring at least 2 px wide: ${r.width}`);
  for (const bg of [r.bg, r.surface]) {
    const ratio = contrast(r.color, bg);
    assert.ok(ratio >= 3, `the ring ${r.color} on ${bg} is ${ratio.toFixed(2)}:1`);
  }
}

/** A signed-out visitor's sign-in pages log nothing and get no error answer. */
export async function quietSignedOut(browser, base) {
  const context = await browser.newContext({ locale: 'pt-BR' });
  const noise = [];
  context.on('page', (page) => {
    page.on('console', (msg) => {
      if (['error', 'warning'].includes(msg.type())) noise.push(`${msg.type()}: ${msg.text()} ${msg.location().url || ''}`);
    });
    page.on('response', (res) => {
      if (res.status() >= 400) noise.push(`${res.status()} from ${res.request().method()} ${new URL(res.url()).pathname}`);
    });
  });
  const page = await context.newPage();
  for (const [path, title] of [['/admin/', 'Entrar no armario'], ['/portal/', 'Portal do cliente']]) {
    await page.goto(`${base}${path}`);
    await page.getByRole('heading', { level: 1, name: title }).waitFor();
    await page.waitForLoadState('networkidle');
  }
  await context.close();
  assert.deepEqual(noise, []);
}

/** With the system set to dark, the page is dark and its text keeps 4.5:1. */
export async function darkTheme(page, shot, name) {
  await page.emulateMedia({ colorScheme: 'dark' });
  try {
    await page.reload();
    await page.locator('h1').first().waitFor();
    const c = await page.evaluate(() => {
      const pick = (sel, prop) => {
        const el = document.querySelector(sel);
        return el ? getComputedStyle(el)[prop] : null;
      };
      return {
        bg: getComputedStyle(document.documentElement).backgroundColor,
        text: getComputedStyle(document.documentElement).color,
        surface: pick('.card, .topbar', 'backgroundColor'),
        muted: pick('.muted, .user-name, .stat .label', 'color'),
        link: pick('a', 'color'),
      };
    });
    assert.ok(contrast(c.bg, 'rgb(0, 0, 0)') < 2, `the page is dark: ${c.bg}`);
    for (const [fg, bg] of [[c.text, c.bg], [c.text, c.surface], [c.muted, c.surface], [c.muted, c.bg], [c.link, c.surface]]) {
      if (!fg || !bg) continue;
      const ratio = contrast(fg, bg);
      assert.ok(ratio >= 4.5, `${fg} on ${bg} is ${ratio.toFixed(2)}:1`);
    }
    await shot(page, `${name}-dark`);
  } finally {
    await page.emulateMedia({ colorScheme: 'light' });
    await page.reload();
  }
}

/** A fresh install's overview lists the four first steps, none done, each a link to where. */
export async function firstSteps(page) {
  const list = page.locator('.checklist li');
  await list.first().waitFor();
  assert.equal(await list.count(), 4);
  assert.equal(await page.locator('.checklist li.done').count(), 0);
  assert.equal(await page.locator('.checklist a').count(), 4);
  assert.match(await page.locator('.start').innerText(), /0 de 4/);
}

/** Once a company, an application, a key and a link exist, the list is gone. */
export async function firstStepsDone(page, base) {
  await page.goto(`${base}/admin/#/`);
  await page.locator('.stat-list').waitFor();
  await page.waitForLoadState('networkidle');
  assert.equal(await page.locator('.checklist').count(), 0, 'the first steps are hidden once done');
}
