// ECharts options of the reports, as pure functions of the server's rows
// (nothing here computes a figure). Labels come from the caller's i18n.
import type { FailureRow, TechnicianRow, VolumeRow } from '@/api/reports'

/** The groups a chart shows at most (the table lists all). */
export const CHART_ROWS = 20

type T = (key: string, named?: Record<string, unknown>) => string

const pct = (v: number | null | undefined) => (typeof v === 'number' ? Math.round(v * 10000) / 100 : null)

/** volumeOption: volume and backlog per group, largest first. */
export function volumeOption(rows: VolumeRow[], t: T) {
  const top = rows.slice(0, CHART_ROWS)
  return {
    grid: { left: 48, right: 16, top: 36, bottom: 64 },
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    xAxis: { type: 'category', data: top.map((r) => r.label || t('reports.none')), axisLabel: { rotate: 30, interval: 0 } },
    yAxis: { type: 'value', minInterval: 1 },
    series: [
      { name: t('reports.volume.volume'), type: 'bar', data: top.map((r) => r.volume) },
      { name: t('reports.volume.backlog'), type: 'bar', data: top.map((r) => r.backlog) },
    ],
  }
}

/**
 * failureOption: the failure rate per lot (percent), lots at or above the
 * threshold in red, and the threshold as a dashed line.
 */
export function failureOption(rows: FailureRow[], threshold: number, t: T) {
  const top = rows.slice(0, CHART_ROWS)
  return {
    grid: { left: 56, right: 16, top: 36, bottom: 64 },
    tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => (typeof v === 'number' ? `${v.toFixed(2)}%` : '—') },
    xAxis: { type: 'category', data: top.map((r) => r.lot), axisLabel: { rotate: 30, interval: 0 } },
    yAxis: { type: 'value', min: 0, axisLabel: { formatter: '{value}%' } },
    series: [
      {
        name: t('reports.failure.rate'),
        type: 'bar',
        data: top.map((r) => ({ value: pct(r.rate), itemStyle: { color: r.warning ? '#d03050' : '#2080f0' } })),
        markLine: {
          symbol: 'none',
          lineStyle: { type: 'dashed', color: '#d03050' },
          label: { formatter: t('reports.failure.thresholdLine', { p: pct(threshold) }) },
          data: [{ yAxis: pct(threshold) }],
        },
      },
    ],
  }
}

/** technicianOption: jobs completed (bars) and first-time-fix rate (line, right axis). */
export function technicianOption(rows: TechnicianRow[], t: T) {
  const top = rows.slice(0, CHART_ROWS)
  return {
    grid: { left: 48, right: 56, top: 36, bottom: 64 },
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    xAxis: { type: 'category', data: top.map((r) => r.name), axisLabel: { rotate: 30, interval: 0 } },
    yAxis: [
      { type: 'value', minInterval: 1 },
      { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
    ],
    series: [
      { name: t('reports.tech.completed'), type: 'bar', data: top.map((r) => r.completed) },
      { name: t('reports.tech.ftf'), type: 'line', yAxisIndex: 1, data: top.map((r) => pct(r.first_time_fix_rate)) },
    ],
  }
}

/** percent formats a 0–1 rate as "12.34%", or "—". */
export function percent(v: number | null | undefined): string {
  return typeof v === 'number' ? `${(v * 100).toFixed(2)}%` : '—'
}
