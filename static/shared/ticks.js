// Round steps for a chart's value axis, kept apart from the drawing so it can be tested alone.

/**
 * The ticks of a value axis from 0 up to at least `max`: about four steps, each 1, 2 or 5 times a
 * power of ten, and never less than 1 (counts have no fractions). niceTicks(5) → [0, 2, 4, 6].
 */
export function niceTicks(max, count = 4) {
  const rough = Math.max(max, 0) / count;
  let step = 1;
  if (rough > 1) {
    const exp = 10 ** Math.floor(Math.log10(rough));
    const f = rough / exp;
    step = (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * exp;
  }
  const steps = Math.max(1, Math.ceil(max / step));
  return Array.from({ length: steps + 1 }, (_, i) => i * step);
}
