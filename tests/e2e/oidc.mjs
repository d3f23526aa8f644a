// An application's user signs in through armario's hosted page in Chromium, at phone width and
// in English: the page wears the company's name, the sign-in goes back to the application with
// a code, and the tokens the application gets for it name the user, the company and the role
// granted in the portal.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { PHONE, watchedContext } from './harness.mjs';

const b64url = (buf) => buf.toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

async function api(base, path, { method = 'GET', token, body } = {}) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  assert.ok(res.ok, `${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** oidcWalk({browser, problems, base, owner, appId, person, shot}): `person` belongs to a company
 * linked to the application and holds its role `tecnico`. */
export async function oidcWalk({ browser, problems, base, owner, appId, person, shot }) {
  const { token } = await api(base, '/api/v1/auth/login', { method: 'POST', body: { email: owner.email, password: owner.password } });
  // The application returns to a page of this server, so the browser never leaves loopback.
  const redirect = `${base}/healthz`;
  await api(base, `/api/v1/applications/${encodeURIComponent(appId)}/oidc`, { method: 'PUT', token, body: { redirect_uris: [redirect] } });
  const issued = await api(base, `/api/v1/applications/${encodeURIComponent(appId)}/credentials`, { method: 'POST', token, body: { label: 'oidc walk' } });
  const secret = issued.secret;
  await api(base, '/api/v1/auth/logout', { method: 'POST', token });

  const verifier = b64url(randomBytes(48));
  const challenge = b64url(createHash('sha256').update(verifier).digest());
  const url = new URL(`${base}/oauth2/authorize`);
  for (const [k, v] of Object.entries({
    client_id: appId, redirect_uri: redirect, response_type: 'code', scope: 'openid profile email',
    state: 'walk-state', nonce: 'walk-nonce', code_challenge: challenge, code_challenge_method: 'S256',
    login_hint: person.email,
  })) url.searchParams.set(k, v);

  const ctx = await watchedContext(browser, problems, PHONE);
  try {
    const page = await ctx.newPage();
    await page.goto(url.toString());
    // pt-BR first, wearing the company's name; then the switch to English.
    await page.getByRole('heading', { level: 1, name: /^Entrar em / }).waitFor();
    await page.getByText(/^Com sua conta de .+\.$/).waitFor();
    await page.getByLabel('Idioma').selectOption('en');
    await page.getByRole('heading', { level: 1, name: /^Sign in to / }).waitFor();
    await page.getByText(/^With your .+ account\.$/).waitFor();
    assert.equal(await page.getByLabel(/^E-mail/).inputValue(), person.email, 'the login_hint fills the address');
    await shot(page, 'oidc-hosted-signin-phone-en');
    await page.getByLabel(/^Password/).fill(person.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => u.pathname === '/healthz');
    const back = new URL(page.url());
    assert.equal(back.searchParams.get('state'), 'walk-state');
    assert.equal(back.searchParams.get('iss'), base);
    const code = back.searchParams.get('code');
    assert.ok(code, 'a code came back');

    const res = await fetch(`${base}/oauth2/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: `Basic ${Buffer.from(`${appId}:${secret}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirect, code_verifier: verifier }),
    });
    const tokens = await res.json();
    assert.equal(res.status, 200, JSON.stringify(tokens));
    const claims = JSON.parse(Buffer.from(tokens.id_token.split('.')[1], 'base64url').toString());
    assert.equal(claims.email, person.email);
    assert.equal(claims.nonce, 'walk-nonce');
    assert.deepEqual(claims.roles, ['tecnico']);

    // Signed in already: a second request offers to continue as that person.
    const again = new URL(url);
    again.searchParams.set('state', 'second');
    await page.goto(again.toString());
    await page.getByRole('button', { name: `Continue as ${person.name}` }).click();
    await page.waitForURL((u) => u.pathname === '/healthz' && u.searchParams.get('state') === 'second');
  } finally {
    await ctx.close();
  }
}
