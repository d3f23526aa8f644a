// Formatting for the chosen language, and the CNPJ rules used for as-you-type feedback.
import { lang } from './i18n.js';

export { cnpjChars, cnpjCheckDigits, cnpjProblem, formatCnpj } from './cnpj.js';

export function formatNumber(n, opts) {
  if (n === null || n === undefined || Number.isNaN(Number(n))) return '—';
  return new Intl.NumberFormat(lang(), opts).format(Number(n));
}

function toDate(value) {
  if (!value) return null;
  const d = value instanceof Date ? value : new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

export function formatDateTime(value) {
  const d = toDate(value);
  return d ? new Intl.DateTimeFormat(lang(), { dateStyle: 'short', timeStyle: 'short' }).format(d) : '—';
}

export function formatDate(value) {
  const d = toDate(value);
  return d ? new Intl.DateTimeFormat(lang(), { dateStyle: 'medium' }).format(d) : '—';
}

/** A 'YYYY-MM-DD' day label, read as a calendar day (no time-zone shift). */
export function formatDay(day, short = false) {
  const [y, m, d] = String(day).slice(0, 10).split('-').map(Number);
  if (!y || !m || !d) return String(day);
  const opts = short ? { day: '2-digit', month: '2-digit' } : { dateStyle: 'medium' };
  return new Intl.DateTimeFormat(lang(), { ...opts, timeZone: 'UTC' }).format(new Date(Date.UTC(y, m - 1, d)));
}

/** "3 hours ago" / "há 3 horas". */
export function formatRelative(value, now = Date.now()) {
  const d = toDate(value);
  if (!d) return '—';
  const seconds = Math.round((d.getTime() - now) / 1000);
  const abs = Math.abs(seconds);
  const rtf = new Intl.RelativeTimeFormat(lang(), { numeric: 'auto' });
  if (abs < 60) return rtf.format(seconds, 'second');
  if (abs < 3600) return rtf.format(Math.round(seconds / 60), 'minute');
  if (abs < 86400) return rtf.format(Math.round(seconds / 3600), 'hour');
  return rtf.format(Math.round(seconds / 86400), 'day');
}

export function formatBytes(bytes) {
  if (bytes === null || bytes === undefined) return '—';
  const units = ['byte', 'kilobyte', 'megabyte', 'gigabyte', 'terabyte'];
  let n = Number(bytes);
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i += 1;
  }
  return new Intl.NumberFormat(lang(), {
    style: 'unit',
    unit: units[i],
    unitDisplay: 'short',
    maximumFractionDigits: i === 0 ? 0 : 1,
  }).format(n);
}

export function formatDuration(ms) {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return '—';
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return formatNumber(s, { style: 'unit', unit: 'second', unitDisplay: 'short' });
  return formatNumber(Math.round(s / 60), { style: 'unit', unit: 'minute', unitDisplay: 'short' });
}

// --- CNPJ -------------------------------------------------------------------------------------

/** Only the digits of a search that looks like a numeric CNPJ. */
export function cnpjDigits(value) {
  return String(value || '').replace(/\D/g, '').slice(0, 14);
}
