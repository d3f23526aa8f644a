// The chart's value axis: round steps (1, 2 or 5 × 10^n) that reach the largest value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { niceTicks } from '../../static/shared/ticks.js';

const round = (v) => {
  if (v === 0) return true;
  const exp = 10 ** Math.floor(Math.log10(v));
  return [1, 2, 5].some((m) => Math.abs(v / exp - m) < 1e-9);
};

test('every step is 1, 2 or 5 times a power of ten, and the top reaches the maximum', () => {
  for (const max of [0, 1, 3, 5, 7, 10, 13, 37, 99, 101, 250, 999, 1234, 48213, 7.5e6]) {
    const ticks = niceTicks(max);
    const step = ticks[1] - ticks[0];
    assert.ok(round(step), `max ${max}: step ${step} (${ticks})`);
    assert.ok(ticks.every((v, i) => Math.abs(v - i * step) < 1e-6), `max ${max}: even steps (${ticks})`);
    assert.ok(ticks.at(-1) >= max, `max ${max}: top ${ticks.at(-1)}`);
    assert.ok(ticks.length >= 2 && ticks.length <= 6, `max ${max}: ${ticks.length} ticks`);
  }
});

test('the values that gave odd ticks before get whole, round ones', () => {
  assert.deepEqual(niceTicks(5), [0, 2, 4, 6]);
  assert.deepEqual(niceTicks(10), [0, 5, 10]);
  assert.deepEqual(niceTicks(50), [0, 20, 40, 60]);
  assert.deepEqual(niceTicks(0), [0, 1]);
  assert.deepEqual(niceTicks(3), [0, 1, 2, 3]);
});
