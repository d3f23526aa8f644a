// A relying party built on openid-client 6, signing a user in to an application through armario
// and out again (RP-initiated logout), then again with private_key_jwt.
//
// Run by tests/oidc_rp.rs against a live server; every value comes from the environment:
// OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_REDIRECT_URI, OIDC_POST_LOGOUT_URI,
// OIDC_EMAIL, OIDC_PASSWORD, OIDC_NAME, OIDC_COMPANY_ID, OIDC_COMPANY_SLUG, and OIDC_OWNER_TOKEN
// to register the application's public key for private_key_jwt.
//
// The browser's part (the hosted sign-in page) is played with the same calls the page makes,
// with a cookie jar of our own. Prints one line per check; exits non-zero at the first failure.
import * as client from 'openid-client';

const env = process.env;
const issuer = env.OIDC_ISSUER;

function check(ok, what) {
  console.log(`${ok ? 'ok   ' : 'FAIL '} ${what}`);
  if (!ok) process.exit(1);
}

// The browser: a cookie jar and fetch without following redirects.
const jar = new Map();
async function browse(url, init = {}) {
  const headers = { ...(init.headers || {}) };
  if (jar.size) headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const res = await fetch(new URL(url, issuer), { ...init, headers, redirect: 'manual' });
  for (const line of res.headers.getSetCookie()) {
    const [pair, ...attrs] = line.split(';');
    const at = pair.indexOf('=');
    const name = pair.slice(0, at).trim();
    const value = pair.slice(at + 1).trim();
    const gone = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === '';
    if (gone) jar.delete(name);
    else jar.set(name, value);
  }
  return res;
}

async function postJson(path, body) {
  return browse(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': jar.get('armario_csrf') || '' },
    body: JSON.stringify(body),
  });
}

const insecure = { execute: [client.allowInsecureRequests] };

// One code flow through the hosted page's calls; the tokens, checked by openid-client.
async function signIn(config, how) {
  const verifier = client.randomPKCECodeVerifier();
  const challenge = await client.calculatePKCECodeChallenge(verifier);
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: env.OIDC_REDIRECT_URI,
    scope: 'openid profile email',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state,
    nonce,
  });

  let res = await browse(url);
  const location = res.headers.get('location') || '';
  check(res.status === 303 && location.includes('/signin/#request='), 'the authorization endpoint sends the browser to the hosted page');
  const requestId = new URLSearchParams(new URL(location, issuer).hash.slice(1)).get('request');

  res = await postJson('/api/v1/auth/login', { email: env.OIDC_EMAIL, password: env.OIDC_PASSWORD });
  check(res.status === 200 && jar.has('armario_session') && jar.has('armario_csrf'), 'the user signs in on the hosted page');
  res = await postJson(`/oauth2/requests/${encodeURIComponent(requestId)}/complete`, { consent: false });
  const done = await res.json();
  check(res.status === 200 && typeof done.redirect_to === 'string', 'openid profile email need no consent: completing answers redirect_to');

  const tokens = await client.authorizationCodeGrant(config, new URL(done.redirect_to), {
    pkceCodeVerifier: verifier,
    expectedState: state,
    expectedNonce: nonce,
    idTokenExpected: true,
  });
  check(Boolean(tokens.access_token && tokens.id_token), `authorizationCodeGrant (${how}) gets the tokens; iss, state, nonce checked`);
  return tokens;
}

// private_key_jwt: the application registers a public key and signs its assertions with the
// private half, which openid-client builds; no secret is sent.
async function privateKeyJwt() {
  const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
  const { kty, crv, x, y } = await crypto.subtle.exportKey('jwk', pair.publicKey);
  const res = await fetch(new URL(`/api/v1/applications/${env.OIDC_CLIENT_ID}/oidc`, issuer), {
    method: 'PUT',
    headers: { Authorization: `Bearer ${env.OIDC_OWNER_TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      redirect_uris: [env.OIDC_REDIRECT_URI],
      post_logout_redirect_uris: [env.OIDC_POST_LOGOUT_URI],
      jwk: { kty, crv, x, y, alg: 'ES256', use: 'sig' },
    }),
  });
  check(res.status === 200, `the owner registers the application's public key (${res.status})`);
  const config = await client.discovery(new URL(issuer), env.OIDC_CLIENT_ID, {}, client.PrivateKeyJwt(pair.privateKey), insecure);
  const tokens = await signIn(config, 'private_key_jwt');
  check(tokens.claims().email === env.OIDC_EMAIL, 'the ID token names the user');
}

async function main() {
  const config = await client.discovery(new URL(issuer), env.OIDC_CLIENT_ID, env.OIDC_CLIENT_SECRET, undefined, insecure);
  check(config.serverMetadata().issuer === issuer, 'discovery names the issuer');
  const tokens = await signIn(config, 'client_secret_post');
  check(tokens.refresh_token === undefined, 'no refresh token without offline_access');
  const claims = tokens.claims();
  check(claims.aud === env.OIDC_CLIENT_ID && claims.iss === issuer, 'the ID token is for this client from this issuer');
  check(claims.email === env.OIDC_EMAIL && claims.company_slug === env.OIDC_COMPANY_SLUG, 'the ID token names the user and the company');

  const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
  check(info.sub === claims.sub, 'userinfo answers for the same subject');
  check(info.email === env.OIDC_EMAIL, `userinfo: email = ${info.email}`);
  check(info.name === env.OIDC_NAME, `userinfo: name = ${info.name}`);
  check(info.company_id === env.OIDC_COMPANY_ID, `userinfo: company_id = ${info.company_id}`);
  check(info.company_slug === env.OIDC_COMPANY_SLUG, `userinfo: company_slug = ${info.company_slug}`);
  check(Array.isArray(info.roles), 'userinfo: roles is a list');

  let res = await browse('/api/v1/auth/me');
  check(res.status === 200, 'the session is alive before logout');

  const session = jar.get('armario_session');
  const logoutState = client.randomState();
  const endSession = client.buildEndSessionUrl(config, {
    id_token_hint: tokens.id_token,
    post_logout_redirect_uri: env.OIDC_POST_LOGOUT_URI,
    state: logoutState,
  });
  res = await browse(endSession);
  const back = new URL(res.headers.get('location') || '', issuer);
  check(res.status === 303, `the end-session URL answers ${res.status} (303 wanted)`);
  check(`${back.origin}${back.pathname}` === env.OIDC_POST_LOGOUT_URI, 'logout returns to the registered post-logout URI');
  check(back.searchParams.get('state') === logoutState, 'logout returns the state');

  // The server ended the session itself: the old cookie, sent again as it was, is refused.
  res = await fetch(new URL('/api/v1/auth/me', issuer), { headers: { cookie: `armario_session=${session}` } });
  check(res.status === 401, `the session is ended: /api/v1/auth/me answers ${res.status}`);

  jar.clear();
  await privateKeyJwt();
  console.log('openid-client: every check passed');
}

main().catch((e) => {
  console.log(`FAIL  ${e && e.stack ? e.stack : e}`);
  process.exit(1);
});
