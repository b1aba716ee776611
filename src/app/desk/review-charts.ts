/**
 * The review's charts (step 8 of domain.md) as neutral specs, built from the figures (review-figures.ts)
 * with every text in the reader's language: tickets per week by kind; by category and responsibility; by
 * building; deadlines kept and escalations; revisit scores with the reopen rate; and owners' enquiries and
 * praise when the period has any. A chart with nothing to show is left out. Drawing them is a renderer's
 * job (the ChartRenderer port); nothing here knows how.
 */
import { DateTime } from 'luxon';
import type { ChartSpec } from '../../core/ports/charts.js';
import { PRAISE_TEAMS } from '../../core/ports.js';
import { CATEGORIES, RESPONSIBILITIES, TICKET_KINDS, type Translate } from '../../core/types.js';
import type { PlaceKey, ReviewFigures } from './review-figures.js';

/** Buildings drawn one by one; the rest are summed as one bar. */
const MAX_PLACES = 12;

/** The period as a reader writes it: 2026年11月, 2026年第四季度 (from `2026-11`, `2026-Q4`). */
export function periodName(t: Translate, label: string): string {
  const quarter = label.match(/^(\d{4})-Q([1-4])$/);
  if (quarter) return t('review.period.quarter', { year: quarter[1] ?? '', quarter: quarter[2] ?? '' });
  const month = label.match(/^(\d{4})-(\d{2})$/);
  if (month) return t('review.period.month', { year: month[1] ?? '', month: Number(month[2]) });
  return label;
}

/** The charts of a review, in the order they are sent. */
export function reviewCharts(t: Translate, figures: ReviewFigures, zone: string): ChartSpec[] {
  const { counts, service } = figures;
  if (counts.total === 0) return voice(t, figures);
  const stem = `review-${figures.period.label}`;
  const subtitle = t('review.subtitle', { period: periodName(t, figures.period.label), count: counts.total });
  const unit = t('review.unit');
  const charts: ChartSpec[] = [];

  const kinds = TICKET_KINDS.filter((k) => (counts.kind[k] ?? 0) > 0);
  charts.push({
    kind: 'stacked',
    name: `${stem}-1-weeks`,
    title: t('review.volume.title'),
    subtitle,
    unit,
    categories: figures.weeks.map((w) => {
      const day = DateTime.fromJSDate(w.start, { zone });
      return t('review.volume.week', { month: day.month, day: day.day });
    }),
    series: kinds.map((k) => ({ name: t(`ticket.kind.${k}`), values: figures.weeks.map((w) => w.kind[k] ?? 0) })),
  });

  // By category, each bar split by who was responsible.
  const categories = CATEGORIES.filter((c) => (counts.category[c] ?? 0) > 0).sort(
    (a, b) => (counts.category[b] ?? 0) - (counts.category[a] ?? 0),
  );
  const split = figures.byCategory;
  const responsibilities = RESPONSIBILITIES.filter((r) => categories.some((c) => (split[c]?.[r] ?? 0) > 0));
  charts.push({
    kind: 'stacked',
    name: `${stem}-2-categories`,
    title: t('review.category.title'),
    subtitle,
    unit,
    horizontal: true,
    categories: categories.map((c) => t(`ticket.category.${c}`)),
    series: responsibilities.map((r) => ({
      name: t(`ticket.responsibility.${r}`),
      values: categories.map((c) => split[c]?.[r] ?? 0),
    })),
  });

  if (figures.places.some((p) => 'building' in p.key)) {
    const shown = figures.places.slice(0, MAX_PLACES);
    const rest = figures.places.slice(MAX_PLACES);
    charts.push({
      kind: 'bar',
      name: `${stem}-3-buildings`,
      title: t('review.place.title'),
      subtitle,
      unit,
      categories: [
        ...shown.map((p) => placeName(t, p.key)),
        ...(rest.length ? [t('review.place.others', { count: rest.length })] : []),
      ],
      series: [
        {
          name: t('review.place.series'),
          values: [...shown.map((p) => p.count), ...(rest.length ? [rest.reduce((n, p) => n + p.count, 0)] : [])],
        },
      ],
    });
  }

  const rate = (n: number, of: number) => (of ? `${Math.round((n / of) * 100)}%` : '—');
  const minutes = service.responded ? Math.round(service.responseMs / service.responded / 60_000) : 0;
  charts.push({
    kind: 'stacked',
    name: `${stem}-4-deadlines`,
    title: t('review.service.title'),
    subtitle: t('review.service.subtitle', {
      minutes,
      accepted: rate(service.acceptedInTime, service.accepted),
      resolved: rate(service.resolvedInTime, service.resolved),
    }),
    unit,
    categories: ['accepted', 'resolved', 'escalated', 'reopened'].map((k) => t(`review.service.${k}`)),
    series: [
      { name: t('review.service.in_time'), values: [service.acceptedInTime, service.resolvedInTime, 0, 0] },
      {
        name: t('review.service.late'),
        values: [service.accepted - service.acceptedInTime, service.resolved - service.resolvedInTime, 0, 0],
      },
      { name: t('review.service.count'), values: [0, 0, service.escalated, service.reopened] },
    ],
  });

  if (service.revisited > 0) {
    charts.push({
      kind: 'bar',
      name: `${stem}-5-revisits`,
      title: t('review.revisit.title'),
      subtitle: t('review.revisit.subtitle', {
        count: service.revisited,
        score: (service.scoreSum / service.revisited).toFixed(1),
        satisfied: service.satisfied,
        reopen: rate(service.reopened, counts.total),
      }),
      unit: t('review.revisit.series'),
      categories: figures.scores.map((_, i) => t('review.revisit.score', { score: i + 1 })),
      series: [{ name: t('review.revisit.series'), values: figures.scores }],
    });
  }
  return [...charts, ...voice(t, figures)];
}

/** Owners' enquiries (how they were answered) and praise (per team), when the period has any. */
function voice(t: Translate, figures: ReviewFigures): ChartSpec[] {
  const { enquiries, praise } = figures;
  if (enquiries.total === 0 && praise.total === 0) return [];
  const teams = PRAISE_TEAMS.filter((team) => (praise.byTeam[team] ?? 0) > 0);
  const answers = [
    ['answered', enquiries.answered],
    ['staff', enquiries.staff],
    ['unanswered', enquiries.unanswered],
  ] as const;
  return [
    {
      kind: 'stacked',
      name: `review-${figures.period.label}-6-enquiries-praise`,
      title: t('review.voice.title'),
      subtitle: periodName(t, figures.period.label),
      horizontal: true,
      categories: [t('review.voice.enquiries'), t('review.voice.praise')],
      series: [
        ...answers.filter(([, n]) => n > 0).map(([k, n]) => ({ name: t(`review.voice.${k}`), values: [n, 0] })),
        ...teams.map((team) => ({
          name: t(`desk.summary.praise_team.${team}`),
          values: [0, praise.byTeam[team] ?? 0],
        })),
      ],
    },
  ];
}

function placeName(t: Translate, key: PlaceKey): string {
  if ('building' in key) return t('review.place.building', { building: key.building });
  return t(`review.place.${key.place}`);
}
