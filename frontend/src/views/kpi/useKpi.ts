// Loads one KPI endpoint for the selected period and, for the trend chart,
// for each bucket (week or month) of it. Every figure comes from the server.
import { ref, watch, type Ref } from 'vue'
import { useI18n } from 'vue-i18n'
import { describeError } from '@/api/errors'
import type { Period } from '@/api/kpi'
import { useTime } from '@/composables/useTime'
import { apiPeriod, buckets } from './periods'

export interface TrendPoint<T> {
  label: string
  value: T | null
}

export function useKpi<T>(fetcher: Ref<((p: Period) => Promise<T>) | null>, range: Ref<[string, string]>) {
  const i18n = useI18n()
  const { toApi } = useTime()
  const main = ref<T | null>(null) as Ref<T | null>
  const trend = ref<TrendPoint<T>[]>([]) as Ref<TrendPoint<T>[]>
  const loading = ref(false)
  const error = ref('')
  let seq = 0

  async function load() {
    const fetch = fetcher.value
    const [from, to] = range.value
    if (!fetch || !from || !to) return
    const mine = ++seq
    loading.value = true
    error.value = ''
    const parts = buckets(from, to)
    const [m, ...rest] = await Promise.allSettled([
      fetch(apiPeriod(from, to, toApi)),
      ...parts.map((b) => fetch(apiPeriod(b.from, b.to, toApi))),
    ])
    if (mine !== seq) return
    if (m!.status === 'fulfilled') main.value = m!.value
    else {
      main.value = null
      error.value = describeError(m!.reason, i18n)
    }
    trend.value = parts.map((b, i) => ({ label: b.label, value: rest[i]?.status === 'fulfilled' ? (rest[i] as PromiseFulfilledResult<T>).value : null }))
    loading.value = false
  }

  watch([fetcher, range], () => void load(), { immediate: true, deep: true })
  return { main, trend, loading, error, load }
}

/** rateTrendOption draws rates (0–1) per bucket as percentage lines. */
export function rateTrendOption(labels: string[], series: { name: string; data: (number | null | undefined)[] }[]) {
  return {
    grid: { left: 48, right: 16, top: 36, bottom: 28 },
    tooltip: {
      trigger: 'axis',
      valueFormatter: (v: unknown) => (typeof v === 'number' ? `${v.toFixed(1)}%` : '—'),
    },
    legend: { top: 0 },
    xAxis: { type: 'category', data: labels },
    yAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
    series: series.map((s) => ({
      name: s.name,
      type: 'line',
      connectNulls: false,
      data: s.data.map((v) => (typeof v === 'number' && Number.isFinite(v) ? Math.round(v * 1000) / 10 : null)),
    })),
  }
}

/** valueTrendOption draws plain values per bucket (scores, counts). */
export function valueTrendOption(labels: string[], series: { name: string; data: (number | null | undefined)[]; type?: 'line' | 'bar'; yAxisIndex?: number }[], axes = 1) {
  return {
    grid: { left: 48, right: axes > 1 ? 48 : 16, top: 36, bottom: 28 },
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    xAxis: { type: 'category', data: labels },
    yAxis: Array.from({ length: axes }, () => ({ type: 'value' })),
    series: series.map((s) => ({
      name: s.name,
      type: s.type ?? 'line',
      yAxisIndex: s.yAxisIndex ?? 0,
      data: s.data.map((v) => (typeof v === 'number' && Number.isFinite(v) ? Math.round(v * 100) / 100 : null)),
    })),
  }
}

/** barOption draws a map of counts as bars, largest first. */
export function barOption(counts: Record<string, number>, label: (k: string) => string) {
  const entries = Object.entries(counts).sort((a, b) => b[1] - a[1])
  return {
    grid: { left: 100, right: 24, top: 8, bottom: 24 },
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: { type: 'category', data: entries.map(([k]) => label(k)).reverse() },
    series: [{ type: 'bar', data: entries.map(([, v]) => v).reverse(), itemStyle: { color: '#409eff' } }],
  }
}
