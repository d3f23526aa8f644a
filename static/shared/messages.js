// The server writes its validation messages in English ("cnpj: is already in use"). Next to a
// field the UI shows them without the field prefix, in the chosen language when the phrase is
// one it knows, and as the server wrote them otherwise.
import { t } from './i18n.js';

const PHRASES = [
  [/^is required$/, () => t('validation.required')],
  [/^must be an e-mail address$/, () => t('validation.email')],
  [/^must have 14 characters$/, () => t('validation.cnpj14')],
  [/^must be 14 letters or digits, bare or formatted/, () => t('validation.cnpjShape')],
  [/^(check digits do not match|is not a valid CNPJ|must end with two check digits)/, () => t('validation.cnpjCheck')],
  [/^must be a colour like/, () => t('validation.color')],
  [/^must be a phone number/, () => t('validation.phoneDigits')],
  [/^must be 3 to 63 lowercase letters/, () => t('validation.slug')],
  [/is reserved for the platform/, () => t('validation.slugReserved')],
  [/^must have at least (\d+) characters$/, (m) => t('validation.minLength', { min: m[1] })],
  [/^must have at most (\d+) characters$/, (m) => t('validation.maxLength', { max: m[1] })],
  [/^must be at most 64 KiB$/, () => t('validation.logoSize')],
  [/^must be a PNG, JPEG, WebP or GIF image$|^must be a (base64 )?data: URL/, () => t('branding.logoType')],
  [/^must be between 1 and (\d+)$/, (m) => t('validation.between', { max: m[1] })],
];

const IN_USE = { cnpj: 'validation.cnpjInUse', email: 'validation.emailInUse', slug: 'validation.slugInUse' };

/** The message to show next to the field the API error names. */
export function fieldMessage(err) {
  const field = err.field || '';
  let text = String(err.message || '');
  if (field && text.startsWith(`${field}: `)) text = text.slice(field.length + 2);
  const leaf = field.split('.').pop();
  if (text === 'is already in use') return t(IN_USE[leaf] || 'validation.inUse');
  for (const [re, say] of PHRASES) {
    const m = re.exec(text);
    if (m) return say(m);
  }
  return text;
}
