/**
 * The chart renderer: Apache ECharts draws each chart as SVG on the server (`ssr: true`, no browser, no
 * DOM), and resvg turns the SVG into a PNG. Both run on a worker thread of their own: a chart takes tens
 * to hundreds of milliseconds of CPU, which on the bot's thread would hold every owner's message behind
 * it. The bot's thread only builds the options (options.ts) and receives the PNG bytes.
 *
 * The Chinese labels are drawn with the font this package depends on (font.ts), given to resvg explicitly
 * with the system's fonts switched off: a fresh machine after `npm ci` draws the same picture as a
 * developer's, and no label comes out as empty boxes for want of a system font. resvg is given only the
 * glyphs a batch uses (subset once per batch with HarfBuzz's hb-subset, written to a temporary file): the
 * whole font is 10 MB, and loading it costs about half a second per picture, the subset milliseconds.
 *
 * Each chart instance is disposed as soon as its SVG is out (an undisposed server-side chart keeps its
 * timers, and the process, alive); the worker holds the process only while a batch is being drawn.
 *
 * The worker is evaluated source (CommonJS, like the store's report worker), so it runs the same from
 * src/ under tsx and vitest and from the bundle in dist/; its libraries are resolved here, from
 * node_modules, and passed to it.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { ChartRenderError, type ChartRenderer, type ChartSpec, type RenderedChart } from '../../core/ports/charts.js';
import { chartFontFile } from './font.js';
import { chartOption, FONT_FAMILY } from './options.js';

export interface ChartRendererOptions {
  /** Each picture's size in pixels (default 1000 × 600: readable on a phone, sharp in a printed report). */
  width?: number;
  height?: number;
  /** Start the worker (and load the libraries and the font) now rather than at the first batch. */
  warm?: boolean;
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { mkdtempSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const echarts = require(workerData.echarts);
const { Resvg } = require(workerData.resvg);
const subsetFont = require(workerData.subset);
const font = readFileSync(workerData.font);
// Printable ASCII always (digits, axis values, dates), and every other character the pictures use.
const ASCII = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join('');
function charactersOf(svgs) {
  const seen = new Set(ASCII);
  for (const svg of svgs) for (const ch of svg) if (ch.codePointAt(0) > 126) seen.add(ch);
  return [...seen].join('');
}
function svgOf(option, width, height) {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption(option);
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}
parentPort.on('message', async (message) => {
  if (message === 'stop') {
    parentPort.close();
    return;
  }
  const { id, options, width, height } = message;
  try {
    const svgs = options.map((option) => svgOf(option, width, height));
    const glyphs = await subsetFont(font, charactersOf(svgs), { targetFormat: 'truetype' });
    // Given as a file: resvg-js 2.6 draws every glyph of a font given in fontBuffers as the missing-glyph box.
    const dir = mkdtempSync(join(tmpdir(), 'residesk-charts-'));
    try {
      const file = join(dir, 'glyphs.ttf');
      writeFileSync(file, glyphs);
      const pngs = svgs.map((svg) => {
        const resvg = new Resvg(svg, {
          font: { fontFiles: [file], loadSystemFonts: false, defaultFontFamily: workerData.family },
          fitTo: { mode: 'width', value: width },
          background: '#ffffff',
        });
        return new Uint8Array(resvg.render().asPng());
      });
      parentPort.postMessage({ id, pngs }, pngs.map((png) => png.buffer));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  } catch (error) {
    parentPort.postMessage({ id, error: String((error && error.stack) || error) });
  }
});
`;

interface Reply {
  id?: number;
  pngs?: Uint8Array[];
  error?: string;
}

/** Where the worker finds its libraries and the font. */
function workerData(): Record<string, string> {
  const require = createRequire(import.meta.url);
  return {
    echarts: require.resolve('echarts'),
    resvg: require.resolve('@resvg/resvg-js'),
    subset: require.resolve('subset-font'),
    font: chartFontFile(),
    family: FONT_FAMILY,
  };
}

/** A file name's stem as the port promises it: letters, digits and dashes. */
function stem(name: string): string {
  return name.replace(/[^A-Za-z0-9-]+/g, '-').replace(/^-+|-+$/g, '') || 'chart';
}

/** The {@link ChartRenderer} over ECharts and resvg, drawing on a worker thread. */
export function createChartRenderer(options: ChartRendererOptions = {}): ChartRenderer {
  const width = options.width ?? 1000;
  const height = options.height ?? 600;
  let thread: Thread | undefined;
  const threadNow = () => {
    if (!thread?.alive) thread = new Thread();
    return thread;
  };
  if (options.warm) threadNow();
  return {
    async render(specs) {
      if (specs.length === 0) return [];
      const pngs = await threadNow().draw(specs.map(chartOption), width, height);
      return specs.map((spec: ChartSpec, i): RenderedChart => {
        const png = pngs[i];
        if (!png || png.length === 0) throw new ChartRenderError(`chart ${spec.name} came back empty`);
        return { title: spec.title, fileName: `${stem(spec.name)}.png`, png, width, height };
      });
    },
    async close() {
      const current = thread;
      thread = undefined;
      await current?.stop();
    },
  };
}

/** One worker and the batches it is drawing. */
class Thread {
  alive = true;
  private readonly worker: Worker;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (pngs: Uint8Array[]) => void; reject: (e: Error) => void }>();
  private readonly exited: Promise<void>;

  constructor() {
    try {
      // No flags of the parent's (a loader, --input-type=module): the source is plain CommonJS.
      this.worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [], workerData: workerData() });
    } catch (cause) {
      this.alive = false;
      throw new ChartRenderError('the chart renderer could not start', { cause });
    }
    this.worker.on('message', (reply: Reply) => this.receive(reply));
    this.worker.on('error', (cause) => this.fail(new ChartRenderError('the chart renderer failed', { cause })));
    this.exited = new Promise((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.once('exit', (code) => this.fail(new ChartRenderError(`the chart renderer exited (${code})`)));
    // Idle, it keeps nobody alive; while a batch is pending it does, so the pictures are not lost.
    this.worker.unref();
  }

  draw(options: Record<string, unknown>[], width: number, height: number): Promise<Uint8Array[]> {
    if (!this.alive) return Promise.reject(new ChartRenderError('the chart renderer stopped'));
    this.nextId += 1;
    const id = this.nextId;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.ref();
      this.worker.postMessage({ id, options, width, height });
    });
  }

  async stop(): Promise<void> {
    if (!this.alive) return;
    this.alive = false;
    // Held until it has exited: a caller awaiting close() must not find an empty event loop.
    this.worker.ref();
    this.worker.postMessage('stop');
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, 2000).unref());
    await Promise.race([this.exited, timeout]);
    await this.worker.terminate();
  }

  private receive(reply: Reply): void {
    if (reply.id === undefined) return;
    const call = this.pending.get(reply.id);
    if (!call) return;
    this.pending.delete(reply.id);
    if (this.pending.size === 0) this.worker.unref();
    if (reply.error !== undefined) call.reject(new ChartRenderError(`the charts could not be drawn: ${reply.error}`));
    else call.resolve(reply.pngs ?? []);
  }

  private fail(error: ChartRenderError): void {
    this.alive = false;
    for (const call of this.pending.values()) call.reject(error);
    this.pending.clear();
  }
}
