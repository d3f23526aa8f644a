// Hash router: '#/companies/cmp_1?tab=users' → the handler of '/companies/:id' with
// params {id: 'cmp_1'} and query {tab: 'users'}.

export function parseHash(hash = location.hash) {
  const raw = hash.replace(/^#/, '') || '/';
  const [path, qs = ''] = raw.split('?');
  return { path: path || '/', query: Object.fromEntries(new URLSearchParams(qs)) };
}

/** '#/companies' + {q: 'x', status: ''} → '#/companies?q=x' (empty values left out). */
export function href(path, query) {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query || {})) {
    if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  }
  const qs = params.toString();
  return `#${path}${qs ? `?${qs}` : ''}`;
}

export function navigate(path, query, { replace = false } = {}) {
  const target = href(path, query);
  if (replace) {
    history.replaceState(null, '', target);
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } else if (location.hash !== target) {
    location.hash = target;
  } else {
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  }
}

function compile(pattern) {
  const names = [];
  const source = pattern
    .split('/')
    .map((part) => {
      if (part.startsWith(':')) {
        names.push(part.slice(1));
        return '([^/]+)';
      }
      return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return { regex: new RegExp(`^${source}/?$`), names };
}

/**
 * createRouter([{path: '/companies/:id', ...}], {onRoute}) — on every hash change
 * `onRoute({route, params, query, path})` gets the matching route, or `{nav: null}` when none
 * matches; the caller renders.
 */
export function createRouter(routes, { onRoute }) {
  const table = routes.map((r) => ({ ...r, ...compile(r.path) }));
  function resolve() {
    const { path, query } = parseHash();
    for (const route of table) {
      const m = route.regex.exec(path);
      if (!m) continue;
      const params = {};
      route.names.forEach((name, i) => {
        params[name] = decodeURIComponent(m[i + 1]);
      });
      onRoute({ route, params, query, path });
      return;
    }
    onRoute({ route: { nav: null }, params: {}, query, path });
  }
  window.addEventListener('hashchange', resolve);
  return {
    resolve,
    stop: () => window.removeEventListener('hashchange', resolve),
  };
}
