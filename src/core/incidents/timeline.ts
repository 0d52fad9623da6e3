/**
 * Failures per minute as a gap-free series, and as a small self-contained SVG bar chart (no
 * external assets, every text escaped) or a one-line text sparkline.
 */
import { escapeXml } from '../escape.js';
import type { MinuteBucket } from './model.js';

const MINUTE = 60_000;

export interface Series {
  /** Epoch ms of the first bucket. */
  start: number;
  /** Minutes per bucket (1, or more when the span is long). */
  step: number;
  counts: number[];
}

/** Buckets -> a series with empty minutes filled, coarsened so it never exceeds `maxBars` bars. */
export function toSeries(buckets: MinuteBucket[], maxBars = 240): Series | undefined {
  if (buckets.length === 0) return undefined;
  const times = buckets.map((b) => Date.parse(b.minute));
  const start = Math.min(...times);
  const end = Math.max(...times);
  const minutes = Math.round((end - start) / MINUTE) + 1;
  const step = Math.max(1, Math.ceil(minutes / maxBars));
  const counts = new Array<number>(Math.ceil(minutes / step)).fill(0);
  buckets.forEach((b, i) => {
    const idx = Math.floor(Math.round(((times[i] as number) - start) / MINUTE) / step);
    counts[idx] = (counts[idx] ?? 0) + b.count;
  });
  return { start, step, counts };
}

/** Sums several incidents' buckets minute by minute. */
export function mergeBuckets(lists: MinuteBucket[][]): MinuteBucket[] {
  const m = new Map<string, number>();
  for (const list of lists) for (const b of list) m.set(b.minute, (m.get(b.minute) ?? 0) + b.count);
  return [...m.entries()]
    .sort((a, b) => a[0].localeCompare(b[0]))
    .map(([minute, count]) => ({ minute, count }));
}

function hhmm(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}

/** An inline SVG bar chart of a series, with its own title and axis labels. */
export function timelineSvg(series: Series, title: string): string {
  const width = 720;
  const height = 180;
  const left = 40;
  const bottom = 28;
  const top = 24;
  const plotW = width - left - 10;
  const plotH = height - top - bottom;
  const max = Math.max(1, ...series.counts);
  const barW = plotW / series.counts.length;
  const bars = series.counts
    .map((c, i) => {
      if (c === 0) return '';
      const h = Math.max(1, (c / max) * plotH);
      const x = left + i * barW;
      const label = `${hhmm(series.start + i * series.step * MINUTE)} UTC: ${c} failure${c === 1 ? '' : 's'}`;
      return `<rect x="${x.toFixed(2)}" y="${(top + plotH - h).toFixed(2)}" width="${Math.max(1, barW - 1).toFixed(2)}" height="${h.toFixed(2)}" fill="#c0392b"><title>${escapeXml(label)}</title></rect>`;
    })
    .join('');
  const end = series.start + (series.counts.length - 1) * series.step * MINUTE;
  const unit = series.step === 1 ? 'per minute' : `per ${series.step} minutes`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeXml(`${title} (${unit})`)}">`,
    `<text x="${left}" y="16" font-size="13" font-family="sans-serif">${escapeXml(`${title} (${unit})`)}</text>`,
    `<line x1="${left}" y1="${top + plotH}" x2="${width - 10}" y2="${top + plotH}" stroke="#555"/>`,
    `<line x1="${left}" y1="${top}" x2="${left}" y2="${top + plotH}" stroke="#555"/>`,
    `<text x="${left - 4}" y="${top + 10}" font-size="11" text-anchor="end" font-family="sans-serif">${max}</text>`,
    `<text x="${left - 4}" y="${top + plotH}" font-size="11" text-anchor="end" font-family="sans-serif">0</text>`,
    bars,
    `<text x="${left}" y="${height - 8}" font-size="11" font-family="sans-serif">${escapeXml(hhmm(series.start))}</text>`,
    `<text x="${width - 10}" y="${height - 8}" font-size="11" text-anchor="end" font-family="sans-serif">${escapeXml(hhmm(end))} UTC</text>`,
    '</svg>',
  ].join('');
}

const SPARK = '▁▂▃▄▅▆▇█';

/** The same series as one line of block characters (for Markdown and terminals). */
export function sparkline(series: Series, width = 80): string {
  const chunk = Math.max(1, Math.ceil(series.counts.length / width));
  const values: number[] = [];
  for (let i = 0; i < series.counts.length; i += chunk) {
    values.push(series.counts.slice(i, i + chunk).reduce((a, b) => a + b, 0));
  }
  const max = Math.max(1, ...values);
  return values.map((v) => (v === 0 ? ' ' : SPARK[Math.min(7, Math.floor((v / max) * 7.999))])).join('');
}
