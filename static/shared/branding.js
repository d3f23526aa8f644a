// The branding form (display name, colour, logo as a data URL of at most 64 KiB), shared by the
// owner's dashboard and the portal, and the code that applies a company's colour to the page.
import { api } from './api.js';
import { h, nextId } from './dom.js';
import { createForm } from './form.js';
import { formatBytes } from './format.js';
import { t } from './i18n.js';
import { notify } from './ui.js';

export const LOGO_MAX = 64 * 1024;
const LOGO_TYPES = ['image/png', 'image/jpeg', 'image/webp', 'image/gif'];
const COLOR = /^#[0-9a-fA-F]{6}$/;

/** Applies the company colour to the page (CSSOM, allowed by the CSP). */
export function applyBrandColor(color) {
  const root = document.documentElement;
  if (color && COLOR.test(color)) {
    root.style.setProperty('--brand', color);
    root.style.setProperty('--brand-soft', `color-mix(in srgb, ${color} 12%, white)`);
  } else {
    root.style.removeProperty('--brand');
    root.style.removeProperty('--brand-soft');
  }
}

function readAsDataUrl(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

/** A form field (same interface as form.js fields) holding a new logo as a data URL; the limit is
 * on the image's bytes, as on the server. The current logo is shown from its URL; the value is
 * `undefined` until the logo is replaced (a data URL) or removed (null). */
function logoField(currentUrl) {
  const id = nextId('f-logo');
  let value;
  const shown = () => (value === undefined ? currentUrl || null : value);
  const preview = h('img', { class: 'logo-preview', alt: t('branding.logoPreview'), src: shown() || undefined, hidden: !shown() });
  const input = h('input', { id, type: 'file', accept: LOGO_TYPES.join(','), 'aria-describedby': `${id}-hint ${id}-error` });
  const remove = h('button', { type: 'button', class: 'btn small', hidden: !shown() }, t('branding.logoRemove'));
  const error = h('p', { id: `${id}-error`, class: 'field-error', 'aria-live': 'polite' });
  const el = h(
    'div',
    { class: 'field wide' },
    h('label', { for: id }, t('branding.logo')),
    h('div', { class: 'row' }, preview, remove),
    input,
    h('p', { id: `${id}-hint`, class: 'field-hint' }, t('branding.logoHint', { max: formatBytes(LOGO_MAX) })),
    error,
  );
  const f = {
    name: 'logo_data_url',
    el,
    get value() {
      return value;
    },
    setError(message) {
      error.textContent = message || '';
      el.classList.toggle('invalid', Boolean(message));
    },
    validate: () => !error.textContent,
    focus: () => input.focus(),
    matches: (name) => name === 'logo_data_url' || name === 'logo',
  };
  const show = () => {
    const src = shown();
    preview.hidden = !src;
    if (src) preview.src = src;
    else preview.removeAttribute('src');
    remove.hidden = !src;
  };
  input.addEventListener('change', async () => {
    f.setError('');
    const file = input.files && input.files[0];
    if (!file) return;
    if (!LOGO_TYPES.includes(file.type)) {
      f.setError(t('branding.logoType'));
      return;
    }
    if (file.size > LOGO_MAX) {
      f.setError(t('branding.logoTooBig', { size: formatBytes(file.size), max: formatBytes(LOGO_MAX) }));
      return;
    }
    value = await readAsDataUrl(file);
    show();
  });
  remove.addEventListener('click', () => {
    value = null;
    input.value = '';
    f.setError('');
    show();
    input.focus();
  });
  return f;
}

/** brandingForm(company, onSaved(company)) → form element. */
export function brandingForm(company, onSaved) {
  const form = createForm({
    fields: [
      { name: 'display_name', label: t('branding.displayName'), maxLength: 120, value: company.display_name, hint: t('branding.displayNameHint') },
      { name: 'primary_color', label: t('branding.color'), type: 'color', value: company.primary_color || '', hint: t('branding.colorHint') },
      logoField(company.logo_url),
    ],
    submitLabel: t('action.save'),
    async onSubmit(values) {
      // An empty string clears a value on the server; an untouched logo is not sent.
      const body = {
        display_name: values.display_name || '',
        primary_color: values.primary_color || '',
      };
      if (values.logo_data_url !== undefined) body.logo_data_url = values.logo_data_url || '';
      const saved = await api.patch(`/companies/${encodeURIComponent(company.id)}`, body);
      notify(t('branding.saved'));
      if (onSaved) onSaved(saved || { ...company, ...body });
    },
  });
  return form.el;
}
