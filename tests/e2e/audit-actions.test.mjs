// The audit log's action picker lists every action the server writes, each named in both
// languages. Run with: node --test tests/e2e/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));
const STATIC = fileURLToPath(new URL('../../static/', import.meta.url));

function rustFiles(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) rustFiles(path, out);
    // Unit-test files write no audit events; their strings (setting names, say) are not actions.
    else if (name.endsWith('.rs') && name !== 'tests.rs' && !name.endsWith('_tests.rs')) out.push(path);
  }
  return out;
}

// Actions are written as NewAuditEvent::new("kind.verb") or chosen in a match arm ("kind.verb").
const KINDS = ['company', 'user', 'owner', 'auth', 'application', 'credential', 'link', 'secret', 'domain', 'backup', 'keys', 'invitation'];
const ACTION = new RegExp(`"((?:${KINDS.join('|')})\\.[a-z_]+)"`, 'g');
// Strings of that shape that are not actions (a field name in an error; `secret.changed`, the
// webhook event both secret actions become).
const NOT_ACTIONS = new Set(['secret.changed', 'company.contact_email', 'company.legal_name', 'company.cnpj', 'company.trade_name', 'company.contact_phone', 'company.slug', 'user.email', 'user.name', 'user.password']);

test('the action picker lists every audit action the server writes, named in both languages', async () => {
  const written = new Set();
  for (const file of rustFiles(SRC)) {
    for (const m of readFileSync(file, 'utf8').matchAll(ACTION)) if (!NOT_ACTIONS.has(m[1])) written.add(m[1]);
  }
  assert.ok(written.has('company.created') && written.has('auth.login_failed'), 'found the actions in src/');
  const { AUDIT_ACTIONS } = await import(join(STATIC, 'shared/audit-actions.js'));
  const listed = new Set(Object.values(AUDIT_ACTIONS).flat());
  assert.deepEqual([...written].filter((a) => !listed.has(a)).sort(), [], 'actions missing from static/shared/audit-actions.js');
  const pt = (await import(join(STATIC, 'shared/i18n/pt-BR.js'))).default;
  const en = (await import(join(STATIC, 'shared/i18n/en.js'))).default;
  for (const a of listed) {
    assert.ok(pt[`auditAction.${a}`], `pt-BR names ${a}`);
    assert.ok(en[`auditAction.${a}`], `English names ${a}`);
  }
  for (const kind of Object.keys(AUDIT_ACTIONS)) assert.ok(pt[`auditKind.${kind}`] && en[`auditKind.${kind}`], `kind ${kind} is named`);
});
