/**
 * A {@link ChartSpec} as an Apache ECharts option: plain data (no functions), so it can be posted to the
 * renderer's thread as it is. One look for every chart of the reports: white ground, the title centred,
 * the legend under the plot when there is more than one series, values written on single bars, no
 * animation (a server-side chart is drawn once).
 */
import type { ChartSpec } from '../../core/ports/charts.js';

/** The family name of the font the renderer ships (see font.ts); every text of a chart asks for it. */
export const FONT_FAMILY = 'Noto Sans SC';

/** A palette that stays readable in print and for the colour-blind (Okabe–Ito, then greys). */
const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#56B4E9', '#CC79A7', '#F0E442', '#999999', '#555555'];

type Option = Record<string, unknown>;

/** The ECharts option that draws `spec`. */
export function chartOption(spec: ChartSpec): Option {
  const base: Option = {
    animation: false,
    backgroundColor: '#ffffff',
    color: PALETTE,
    textStyle: { fontFamily: FONT_FAMILY },
    title: {
      text: spec.title,
      ...(spec.subtitle ? { subtext: spec.subtitle } : {}),
      left: 'center',
      top: 12,
      textStyle: { fontFamily: FONT_FAMILY, fontSize: 22, fontWeight: 'normal', color: '#222' },
      subtextStyle: { fontFamily: FONT_FAMILY, fontSize: 14, color: '#555' },
    },
  };
  if (spec.kind === 'pie') return { ...base, ...pieOf(spec) };
  const many = spec.series.length > 1;
  const categoryAxis = {
    type: 'category',
    data: spec.categories,
    axisLabel: { fontFamily: FONT_FAMILY, fontSize: 13, color: '#333', interval: 0, hideOverlap: !spec.horizontal },
    axisTick: { alignWithLabel: true },
    ...(spec.horizontal ? { inverse: true } : {}),
  };
  const valueAxis = {
    type: 'value',
    minInterval: 1,
    ...(spec.max !== undefined ? { max: spec.max } : {}),
    ...(spec.unit ? { name: spec.unit, nameTextStyle: { fontFamily: FONT_FAMILY, fontSize: 13, color: '#555' } } : {}),
    axisLabel: { fontFamily: FONT_FAMILY, fontSize: 12, color: '#555' },
    splitLine: { lineStyle: { color: '#e6e6e6' } },
  };
  const series = spec.series.map((s, i) => ({
    type: spec.kind === 'line' ? 'line' : 'bar',
    name: s.name,
    // A stack's empty parts carry no label (a 0 written over the next part).
    data:
      spec.kind === 'stacked' ? s.values.map((v) => (v === 0 ? { value: 0, label: { show: false } } : v)) : s.values,
    ...(spec.kind === 'stacked' ? { stack: 'total' } : {}),
    ...(spec.kind === 'line' ? { symbolSize: 7, lineStyle: { width: 3 } } : { barMaxWidth: 48 }),
    // Values on the bars when each bar is one figure; a stack writes its parts only where they are large enough.
    label: {
      show: spec.kind !== 'line',
      position: spec.kind === 'stacked' ? 'inside' : spec.horizontal ? 'right' : 'top',
      fontFamily: FONT_FAMILY,
      fontSize: 12,
      color: spec.kind === 'stacked' ? '#fff' : '#333',
      ...(spec.kind === 'stacked' ? { minMargin: 2 } : {}),
    },
    ...(spec.kind === 'stacked' ? { labelLayout: { hideOverlap: true } } : {}),
    ...(i === 0 && spec.target ? { markLine: targetLine(spec) } : {}),
  }));
  return {
    ...base,
    ...(many
      ? { legend: { bottom: 10, textStyle: { fontFamily: FONT_FAMILY, fontSize: 13, color: '#333' }, itemGap: 16 } }
      : {}),
    grid: {
      left: 24,
      right: spec.target ? 84 : 40,
      top: spec.subtitle ? 92 : 72,
      bottom: many ? 56 : 24,
      containLabel: true,
    },
    xAxis: spec.horizontal ? valueAxis : categoryAxis,
    yAxis: spec.horizontal ? categoryAxis : valueAxis,
    series,
  };
}

function targetLine(spec: ChartSpec): Option {
  const target = spec.target;
  if (!target) return {};
  return {
    silent: true,
    symbol: 'none',
    lineStyle: { color: '#D55E00', type: 'dashed', width: 2 },
    label: { formatter: target.label, fontFamily: FONT_FAMILY, fontSize: 12, color: '#D55E00', position: 'end' },
    data: [spec.horizontal ? { xAxis: target.value } : { yAxis: target.value }],
  };
}

function pieOf(spec: ChartSpec): Option {
  const values = spec.series[0]?.values ?? [];
  return {
    legend: { bottom: 10, textStyle: { fontFamily: FONT_FAMILY, fontSize: 13, color: '#333' } },
    series: [
      {
        type: 'pie',
        radius: ['30%', '62%'],
        center: ['50%', '54%'],
        data: spec.categories.map((name, i) => ({ name, value: values[i] ?? 0 })),
        label: { formatter: '{b} {c} ({d}%)', fontFamily: FONT_FAMILY, fontSize: 13, color: '#333' },
      },
    ],
  };
}
