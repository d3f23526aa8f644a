// The CNPJ mask and live check of the web forms (static/shared/cnpj.js), without a browser:
// numeric and alphanumeric CNPJs, formatted or bare, in any case, as the server accepts them.
// Run with: node --test tests/e2e/
import { test } from 'node:test';
import assert from 'node:assert/strict';

const { cnpjChars, cnpjCheckDigits, cnpjProblem, formatCnpj } = await import('../../static/shared/cnpj.js');

test('the mask formats alphanumeric CNPJs in upper case as they are typed', () => {
  assert.equal(formatCnpj('12abc34501de35'), '12.ABC.345/01DE-35');
  assert.equal(formatCnpj('12.abc.345/01de-35'), '12.ABC.345/01DE-35');
  assert.equal(formatCnpj('12ab'), '12.AB');
  assert.equal(formatCnpj('12abc345'), '12.ABC.345');
  assert.equal(formatCnpj('12abc3450'), '12.ABC.345/0');
  assert.equal(cnpjChars(' 12.abc.345/01de-35 '), '12ABC34501DE35');
});

test('numeric CNPJs are masked and checked as before', () => {
  assert.equal(formatCnpj('11222333000181'), '11.222.333/0001-81');
  assert.equal(cnpjProblem('11.222.333/0001-81'), null);
  assert.equal(cnpjProblem('11222333000181'), null);
  assert.equal(cnpjProblem('11.222.333/0001-82'), 'check');
  assert.equal(cnpjProblem('00000000000000'), 'check');
  assert.equal(cnpjProblem('1122233300018'), 'length');
});

test('the live check accepts alphanumeric CNPJs and their check digits', () => {
  assert.equal(cnpjCheckDigits('12ABC34501DE'), '35');
  for (const ok of ['12.ABC.345/01DE-35', '12ABC34501DE35', '12.abc.345/01de-35', ' 12abc34501de35 ']) {
    assert.equal(cnpjProblem(ok), null, ok);
  }
  assert.equal(cnpjProblem('12.ABC.345/01DE-36'), 'check');
  assert.equal(cnpjProblem('12.ABC.345/01DE-3A'), 'check');
});

test('stray characters and misplaced punctuation are refused, like the server does', () => {
  for (const bad of ['11.222.333/0001 81', '11 222 333 0001 81', '11_222333000181', '12.ÁBC.345/01DE-35']) {
    assert.equal(cnpjProblem(bad), 'shape', bad);
  }
  for (const bad of ['11-222-333-0001-81', '11..222.333/0001-81', '11222333000181-']) {
    assert.equal(cnpjProblem(bad), 'shape', bad);
  }
});
