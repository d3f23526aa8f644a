// Translations: pt-BR first, English by a switch remembered in localStorage.
import ptBR from './i18n/pt-BR.js';
import en from './i18n/en.js';

const STORAGE_KEY = 'armario.lang';
const DICTS = { 'pt-BR': ptBR, en };
export const LANGS = [
  { code: 'pt-BR', label: 'PT', name: 'Português' },
  { code: 'en', label: 'EN', name: 'English' },
];

function stored() {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

let current = DICTS[stored()] ? stored() : 'pt-BR';
document.documentElement.lang = current;

/** The current language code, also the Intl locale ('pt-BR' or 'en'). */
export function lang() {
  return current;
}

export function setLang(code) {
  if (!DICTS[code]) return;
  current = code;
  document.documentElement.lang = code;
  try {
    localStorage.setItem(STORAGE_KEY, code);
  } catch {
    // Private mode: the switch still works for this page.
  }
  window.dispatchEvent(new CustomEvent('langchange', { detail: code }));
}

function lookup(dict, key, params) {
  if (params && typeof params.count === 'number') {
    const rule = new Intl.PluralRules(current).select(params.count);
    if (dict[`${key}.${rule}`] !== undefined) return dict[`${key}.${rule}`];
    if (dict[`${key}.other`] !== undefined) return dict[`${key}.other`];
  }
  return dict[key];
}

/** t('companies.title'), t('usage.lastDays', {count: 7}); `{name}` placeholders are filled from params. */
export function t(key, params) {
  let text = lookup(DICTS[current], key, params);
  if (text === undefined) text = lookup(ptBR, key, params);
  if (text === undefined) return key;
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (m, name) => (params[name] === undefined ? m : String(params[name])));
}

/** t() when the key exists, otherwise the fallback (for labels derived from API values). */
export function tOr(key, fallback) {
  const text = t(key);
  return text === key ? fallback : text;
}
