// The CNPJ rules used for as-you-type feedback, the same as the server's: 12 letters or digits
// then 2 check digits (alphanumeric CNPJ, IN RFB 2.229/2024; numeric ones are the special case
// with digits only). Each character counts as its character code minus 48, so digits keep
// their value and 'A' is 17. No imports, so the rules can be tested without a browser.

/** The letters and digits of a CNPJ, upper case, at most 14: '12.abc.345/01de-35' → '12ABC34501DE35'. */
export function cnpjChars(value) {
  return String(value || '').replace(/[^0-9A-Za-z]/g, '').toUpperCase().slice(0, 14);
}

/** Masks as typed: 12abc34501de35 → 12.ABC.345/01DE-35 (partial input masked as far as it goes). */
export function formatCnpj(value) {
  const d = cnpjChars(value);
  const parts = [d.slice(0, 2), d.slice(2, 5), d.slice(5, 8), d.slice(8, 12), d.slice(12, 14)];
  let out = parts[0];
  if (d.length > 2) out += `.${parts[1]}`;
  if (d.length > 5) out += `.${parts[2]}`;
  if (d.length > 8) out += `/${parts[3]}`;
  if (d.length > 12) out += `-${parts[4]}`;
  return out;
}

function checkDigit(chars, weights) {
  const sum = weights.reduce((acc, w, i) => acc + w * (chars.charCodeAt(i) - 48), 0);
  const rest = sum % 11;
  return rest < 2 ? 0 : 11 - rest;
}

/** The two check digits for the first 12 characters (upper-case letters or digits). */
export function cnpjCheckDigits(first12) {
  const d1 = checkDigit(first12, [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]);
  const d2 = checkDigit(first12 + d1, [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]);
  return `${d1}${d2}`;
}

// Bare or formatted; each mark only at its standard place. Mirrors src/domain/cnpj.rs.
const SHAPE = /^[0-9A-Za-z]{2}\.?[0-9A-Za-z]{3}\.?[0-9A-Za-z]{3}\/?[0-9A-Za-z]{4}-?[0-9A-Za-z]{2}$/;

/**
 * null when valid, otherwise 'shape' (a character other than letters, digits and the standard
 * punctuation), 'length' or 'check'. Accepts formatted or bare input in any case.
 */
export function cnpjProblem(value) {
  const raw = String(value || '').trim();
  if (/[^0-9A-Za-z./-]/.test(raw)) return 'shape';
  const d = cnpjChars(raw);
  if (raw.replace(/[^0-9A-Za-z]/g, '').length !== 14) return 'length';
  if (!SHAPE.test(raw)) return 'shape';
  if (!/^\d{2}$/.test(d.slice(12)) || /^(.)\1{13}$/.test(d)) return 'check';
  return cnpjCheckDigits(d.slice(0, 12)) === d.slice(12) ? null : 'check';
}
