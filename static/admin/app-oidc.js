// The application's OpenID client settings: what its developers need (client id, issuer) and
// where users may return after signing in and out, token lifetimes, a public key.
import { api } from '../shared/api.js';
import { h } from '../shared/dom.js';
import { createForm } from '../shared/form.js';
import { t } from '../shared/i18n.js';
import { card, details, notify } from '../shared/ui.js';

const lines = (text) => String(text || '').split('\n').map((s) => s.trim()).filter(Boolean);
const indexed = (name) => [name, ...Array.from({ length: 10 }, (_, i) => `${name}[${i}]`)];

function parseJwk(text) {
  const raw = String(text || '').trim();
  if (!raw) return null;
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

function settingsForm(app, settings, reload) {
  const form = createForm({
    fields: [
      { name: 'redirect_uris', label: t('oidc.redirectUris'), type: 'textarea', rows: 3, value: settings.redirect_uris.join('\n'), apiField: indexed('redirect_uris') },
      { name: 'post_logout_redirect_uris', label: t('oidc.logoutUris'), type: 'textarea', rows: 2, value: settings.post_logout_redirect_uris.join('\n'), apiField: indexed('post_logout_redirect_uris') },
      { name: 'access_token_ttl', label: t('oidc.accessTtl'), type: 'number', value: settings.access_token_ttl },
      { name: 'id_token_ttl', label: t('oidc.idTtl'), type: 'number', value: settings.id_token_ttl },
      { name: 'refresh_token_ttl', label: t('oidc.refreshTtl'), type: 'number', value: settings.refresh_token_ttl },
      {
        name: 'jwk',
        label: t('oidc.jwk'),
        type: 'textarea',
        rows: 3,
        value: settings.jwk ? JSON.stringify(settings.jwk) : '',
        apiField: ['jwk'],
        validate: (v) => (parseJwk(v) === undefined ? t('validation.json') : null),
      },
    ],
    async onSubmit(values) {
      const body = {
        redirect_uris: lines(values.redirect_uris),
        post_logout_redirect_uris: lines(values.post_logout_redirect_uris),
        access_token_ttl: values.access_token_ttl,
        id_token_ttl: values.id_token_ttl,
        refresh_token_ttl: values.refresh_token_ttl,
      };
      const jwk = parseJwk(values.jwk);
      if (jwk) body.jwk = jwk;
      await api.put(`/applications/${encodeURIComponent(app.id)}/oidc`, body);
      notify(t('oidc.saved'));
      reload();
    },
  });
  return form.el;
}

/** The card on the application page; loads its own settings. */
export function oidcCard(app) {
  const body = h('div', {});
  const el = card(t('oidc.settingsTitle'), h('p', { class: 'muted' }, t('oidc.settingsIntro')), body);
  async function load() {
    const s = await api.get(`/applications/${encodeURIComponent(app.id)}/oidc`);
    const discovery = `${s.issuer}/.well-known/openid-configuration`;
    body.replaceChildren(
      details([
        [t('oidc.clientId'), h('code', {}, s.client_id)],
        [t('oidc.issuer'), h('code', {}, s.issuer)],
        [t('oidc.discovery'), h('code', {}, discovery)],
      ]),
      h('p', { class: 'muted' }, t('oidc.secretNote')),
      settingsForm(app, s, load),
    );
  }
  load().catch((err) => body.replaceChildren(h('p', { role: 'alert' }, err.message)));
  return el;
}
