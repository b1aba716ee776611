/**
 * The chart renderer (ECharts server-side SVG, resvg to PNG, on a worker): Chinese labels are drawn with
 * the shipped font (glyphs, not empty space nor the missing-glyph box), the pictures have the promised
 * size, and an idle renderer keeps no process alive (every chart disposed, the worker unref'd).
 */
import { spawnSync } from 'node:child_process';
import { Resvg } from '@resvg/resvg-js';
import { afterAll, describe, expect, it } from 'vitest';
import { createChartRenderer } from '../../src/adapters/charts/renderer.js';
import type { ChartSpec } from '../../src/core/ports/charts.js';

const renderer = createChartRenderer({ width: 400, height: 200 });
afterAll(() => renderer.close());

/** A chart with a title only (a pie with no slices): what is drawn is the title. */
const titled = (title: string): ChartSpec => ({ kind: 'pie', name: 'title', title, categories: [], series: [] });

/** The dark pixels of a PNG's top 60 rows (the title's band), decoded by resvg from an embedded image. */
function titleInk(png: Uint8Array): { count: number; mask: string } {
  const data = Buffer.from(png).toString('base64');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="400" height="200"><image width="400" height="200" href="data:image/png;base64,${data}"/></svg>`;
  const pixels = new Resvg(svg).render().pixels;
  let count = 0;
  const mask: string[] = [];
  for (let y = 0; y < 60; y++) {
    for (let x = 0; x < 400; x++) {
      const i = (y * 400 + x) * 4;
      const dark = (pixels[i] ?? 255) < 128 && (pixels[i + 3] ?? 0) > 0;
      if (dark) count += 1;
      mask.push(dark ? '1' : '0');
    }
  }
  return { count, mask: mask.join('') };
}

describe('the chart renderer', () => {
  it('draws Chinese labels with the shipped font: glyphs, each its own, not the missing-glyph box', async () => {
    // U+10FFFD is in no font: the font's missing-glyph box is what a label without its glyphs looks like.
    const [gong, dan, none, missing] = await renderer.render([
      titled('工'),
      titled('单'),
      titled(''),
      titled('\u{10FFFD}'),
    ]);
    if (!gong || !dan || !none || !missing) throw new Error('a chart is missing');
    const [g, d, n, m] = [gong, dan, none, missing].map((c) => titleInk(c.png));
    expect(n?.count).toBe(0);
    // 工 has three strokes, 单 eight: both drawn, and differently.
    expect(g?.count).toBeGreaterThan(20);
    expect(d?.count).toBeGreaterThan(g?.count ?? 0);
    expect(g?.mask).not.toBe(d?.mask);
    expect(g?.mask).not.toBe(m?.mask);
    expect(d?.mask).not.toBe(m?.mask);
  }, 60_000);

  it('draws PNGs of the asked size, named after the spec', async () => {
    const [chart] = await renderer.render([
      {
        kind: 'bar',
        name: 'review 2026/11 weeks',
        title: '每周工单量',
        categories: ['11月2日起', '11月9日起'],
        series: [{ name: '报修', values: [3, 5] }],
        target: { value: 4, label: '目标 4' },
      },
    ]);
    const png = Buffer.from(chart?.png ?? []);
    expect(chart?.fileName).toBe('review-2026-11-weeks.png');
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([400, 200]);
  }, 60_000);

  it('keeps no process alive once it has drawn (charts disposed, the worker idle)', () => {
    // A process that draws one chart and never closes the renderer: it must end by itself.
    const script = `
      import { createChartRenderer } from './src/adapters/charts/renderer.ts';
      const charts = await createChartRenderer({ width: 200, height: 100 }).render([
        { kind: 'line', name: 'x', title: '回访', categories: ['一', '二'], series: [{ name: '分', values: [1, 2] }] },
      ]);
      console.log('drawn', charts[0].png.length > 0);
    `;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: process.cwd(),
      encoding: 'utf8',
      timeout: 45_000,
    });
    expect(run.error).toBeUndefined();
    expect(run.stdout.trim()).toBe('drawn true');
    expect(run.status).toBe(0);
  }, 60_000);
});
