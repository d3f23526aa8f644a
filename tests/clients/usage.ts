// Type-checked (never run) against the TypeScript client generated from the live OpenAPI
// document: if an operation, a field or a type changes, this stops compiling.
import { createClient } from './client/client';
import {
  createCompany,
  listLinkedCompanies,
  login,
  readCompanySecret,
} from './client/sdk.gen';
import type { Company, SecretValueOut } from './client/types.gen';

export async function ownerThenApplication(base: string, key: string): Promise<string> {
  const anonymous = createClient({ baseUrl: base });
  const session = await login({
    client: anonymous,
    body: { email: 'owner@example.com', password: 'a long password' },
    throwOnError: true,
  });
  // An account with two-factor sign-in answers a challenge instead (202): narrow to a session.
  if (!('token' in session.data)) throw new Error('this owner needs a second factor');
  const token: string = session.data.token;
  const owner = createClient({ baseUrl: base, auth: token });
  const created = await createCompany({
    client: owner,
    body: { legal_name: 'Oficina', cnpj: '11.222.333/0001-81' },
    throwOnError: true,
  });
  const company: Company = created.data;
  const app = createClient({ baseUrl: base, auth: key });
  const linked = await listLinkedCompanies({ client: app, throwOnError: true });
  const scopes: string[] = linked.data.items.flatMap((item) => item.scopes);
  const secret = await readCompanySecret({
    client: app,
    path: { id: company.id, kind: 'omie' },
    throwOnError: true,
  });
  const out: SecretValueOut = secret.data;
  const appKey: string | undefined = out.values['app_key'];
  return `${company.status} ${scopes.join(',')} ${appKey ?? ''}`;
}
