// Fetch wrapper for /api/v1: same origin, cookie credentials, CSRF header on writes,
// and one error type carrying the API's {code, message, field}.

import { lang } from './i18n.js';

const BASE = '/api/v1';
const SAFE = new Set(['GET', 'HEAD']);
let unauthorizedHandler = null;
let enrollmentHandler = null;

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `HTTP ${status}`);
    this.status = status;
    this.code = (body && body.code) || (status ? `http_${status}` : 'network');
    this.field = body && body.field ? body.field : null;
    this.errorId = body && body.error_id ? body.error_id : null;
  }
  get notFound() {
    return this.status === 404;
  }
}

/** Called once per 401 on an authenticated request, so the page can show the sign-in form. */
export function onUnauthorized(fn) {
  unauthorizedHandler = fn;
}

/** Called on a 403 `mfa_enrollment_required`: a policy wants a second factor set up first. */
export function onEnrollmentRequired(fn) {
  enrollmentHandler = fn;
}

export function readCookie(name) {
  for (const part of document.cookie.split(';')) {
    const [k, ...rest] = part.trim().split('=');
    if (k === name) return decodeURIComponent(rest.join('='));
  }
  return '';
}

/** Builds `/api/v1{path}?query`, leaving out empty query values. */
export function apiUrl(path, query) {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query || {})) {
    if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  }
  const qs = params.toString();
  return BASE + path + (qs ? `?${qs}` : '');
}

export async function request(method, path, { body, query, quiet401 = false } = {}) {
  const headers = { Accept: 'application/json', 'Accept-Language': lang() };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (!SAFE.has(method)) {
    const token = readCookie('armario_csrf');
    if (token) headers['X-CSRF-Token'] = token;
  }
  let res;
  try {
    res = await fetch(apiUrl(path, query), {
      method,
      headers,
      credentials: 'same-origin',
      cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, null);
  }
  if (res.status === 204) return null;
  const type = res.headers.get('Content-Type') || '';
  let data = null;
  if (type.includes('json')) data = await res.json().catch(() => null);
  else data = await res.text().catch(() => '');
  if (!res.ok) {
    const err = new ApiError(res.status, data && typeof data === 'object' ? data : null);
    if (res.status === 401 && !quiet401 && unauthorizedHandler) unauthorizedHandler(err);
    if (err.code === 'mfa_enrollment_required' && enrollmentHandler) enrollmentHandler(err);
    throw err;
  }
  return data;
}

/** Every item of a paged list: follows `next_cursor`, 200 at a time, to the last page. For the
 * lists a screen needs whole (names to pick from, a chart's rows); tables page instead. */
export async function allItems(path, query) {
  const items = [];
  let cursor;
  do {
    const page = await request('GET', path, { query: { ...query, cursor, limit: 200 } });
    items.push(...((page && page.items) || []));
    cursor = page && page.next_cursor;
  } while (cursor);
  return items;
}

export const api = {
  get: (path, query, opts) => request('GET', path, { ...opts, query }),
  post: (path, body, opts) => request('POST', path, { ...opts, body: body === undefined ? {} : body }),
  put: (path, body, opts) => request('PUT', path, { ...opts, body }),
  patch: (path, body, opts) => request('PATCH', path, { ...opts, body }),
  del: (path, opts) => request('DELETE', path, opts),
};
