// SVG line and bar charts without a library. The chart draws at the width it is given and
// redraws when that changes, so text stays readable on a phone.
import { h, s, mount } from './dom.js';
import { formatNumber } from './format.js';
import { niceTicks } from './ticks.js';

const PAD = { top: 12, right: 12, bottom: 28, left: 48 };

function axes(width, height, labels, ticks, xAt, formatLabel) {
  const innerH = height - PAD.top - PAD.bottom;
  const max = ticks[ticks.length - 1];
  const out = [];
  for (const v of ticks) {
    const y = PAD.top + innerH - (v / max) * innerH;
    out.push(s('line', { x1: PAD.left, x2: width - PAD.right, y1: y, y2: y, class: 'grid' }));
    out.push(s('text', { x: PAD.left - 6, y: y + 4, 'text-anchor': 'end', class: 'tick' }, formatNumber(v, { notation: 'compact' })));
  }
  const step = Math.max(1, Math.ceil(labels.length / Math.max(1, Math.floor((width - PAD.left) / 56))));
  labels.forEach((label, i) => {
    if (i % step !== 0) return;
    out.push(s('text', { x: xAt(i), y: height - 8, 'text-anchor': 'middle', class: 'tick' }, formatLabel(label)));
  });
  return out;
}

function draw(kind, svgWidth, series, opts) {
  const height = opts.height || 220;
  const width = Math.max(240, svgWidth);
  const labels = series[0] ? series[0].points.map((p) => p.label) : [];
  const ticks = niceTicks(Math.max(0, ...series.flatMap((se) => se.points.map((p) => p.value))));
  const max = ticks[ticks.length - 1];
  const innerW = width - PAD.left - PAD.right;
  const innerH = height - PAD.top - PAD.bottom;
  const n = Math.max(1, labels.length);
  const fmtLabel = opts.formatLabel || String;
  const fmtValue = opts.formatValue || ((v) => formatNumber(v));
  const yAt = (v) => PAD.top + innerH - (v / max) * innerH;
  const slot = innerW / n;
  const xAt = kind === 'bar' ? (i) => PAD.left + slot * (i + 0.5) : (i) => PAD.left + (n === 1 ? innerW / 2 : (innerW * i) / (n - 1));
  const marks = [];
  series.forEach((se, si) => {
    if (kind === 'bar') {
      const bw = Math.max(2, (slot * 0.7) / series.length);
      se.points.forEach((p, i) => {
        const x = PAD.left + slot * i + slot * 0.15 + bw * si;
        marks.push(s('rect', { x, y: yAt(p.value), width: bw, height: Math.max(0, PAD.top + innerH - yAt(p.value)), class: `mark series-${si}` }, s('title', {}, `${fmtLabel(p.label)}: ${fmtValue(p.value)}`)));
      });
    } else {
      const pts = se.points.map((p, i) => `${xAt(i)},${yAt(p.value)}`);
      if (pts.length > 1) {
        marks.push(s('path', { d: `M${pts.join('L')}L${xAt(se.points.length - 1)},${yAt(0)}L${xAt(0)},${yAt(0)}Z`, class: `area series-${si}` }));
        marks.push(s('polyline', { points: pts.join(' '), class: `line series-${si}` }));
      }
      se.points.forEach((p, i) => {
        marks.push(s('circle', { cx: xAt(i), cy: yAt(p.value), r: 3, class: `dot series-${si}` }, s('title', {}, `${fmtLabel(p.label)}: ${fmtValue(p.value)}`)));
      });
    }
  });
  return s(
    'svg',
    { width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': opts.label || '', class: `chart-svg chart-${kind}` },
    s('title', {}, opts.label || ''),
    axes(width, height, labels, ticks, xAt, fmtLabel),
    marks,
  );
}

/**
 * chart('line'|'bar', [{name, points: [{label, value}]}], {label, height, formatLabel, formatValue})
 * → an element that draws itself at its own width.
 */
export function chart(kind, series, opts = {}) {
  const legend = series.length > 1 ? h('ul', { class: 'legend' }, series.map((se, i) => h('li', { class: `series-${i}` }, se.name))) : null;
  const box = h('div', { class: 'chart-box' });
  const el = h('figure', { class: 'chart' }, box, legend);
  let lastWidth = 0;
  const render = (width) => {
    if (Math.abs(width - lastWidth) < 4) return;
    lastWidth = width;
    mount(box, draw(kind, width, series, opts));
  };
  if ('ResizeObserver' in window) {
    new ResizeObserver((entries) => render(Math.floor(entries[0].contentRect.width))).observe(box);
  } else {
    requestAnimationFrame(() => render(box.clientWidth || 600));
  }
  return el;
}
