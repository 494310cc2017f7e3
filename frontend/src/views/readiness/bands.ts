// Display of a readiness score: the band, the margin to the next band, the
// range while data is unknown, and the gauge's coloured band segments. The
// server decides the band (it applies the deduction gate and the waiting
// rule); this module only turns its numbers into what the dashboard shows.
import type { Band, Text } from '@/api/readiness'

/**
 * DEFAULT_BANDS are GB/T 27922's result bands, used for the first paint
 * before the standard's own bands have loaded (they are then replaced by
 * the standard's scoring.bands).
 */
export const DEFAULT_BANDS: readonly Band[] = [
  { code: 'pass', min: 70, name: { zh: '达标', en: 'Compliant' } },
  { code: 'three_star', min: 80, name: { zh: '三星', en: 'Three stars' } },
  { code: 'four_star', min: 90, name: { zh: '四星', en: 'Four stars' } },
  { code: 'five_star', min: 95, name: { zh: '五星', en: 'Five stars' } },
]

/** The failing outcome's code and name in GB/T 27922. */
export const DEFAULT_FAIL: { code: string; name: Text } = { code: 'fail', name: { zh: '不达标', en: 'Fail' } }

/** MARGIN_LOW mirrors readiness.MarginLow: under this margin the band is at risk. */
export const MARGIN_LOW = 1

/** The score head the dashboard shows (from a run or a readiness.score event). */
export interface ScoreHead {
  run_id: number
  standard: string
  standard_version: number
  total: number
  low: number
  high: number
  band: string
  low_band: string
  high_band: string
  next_band: string
  to_next_band: number
  above_band: number
  complete: boolean
  failed: boolean
  as_of: string
}

/** tx picks the text of a locale ("zh-CN" → zh, anything else → en, falling back to the other). */
export function tx(text: Text | null | undefined, locale: string): string {
  if (!text) return ''
  const zh = locale.toLowerCase().startsWith('zh')
  return (zh ? text.zh || text.en : text.en || text.zh) ?? ''
}

/** round2 rounds for display only (never compare a rounded score with a threshold). */
export function round2(v: number): number {
  return Number.isFinite(v) ? Math.round(v * 100) / 100 : 0
}

/** formatScore shows a score with two decimals, "—" when it is not a number. */
export function formatScore(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—'
  return round2(v).toFixed(2)
}

/** formatPoints shows points without trailing zeros (3, 2.5, 1.33). */
export function formatPoints(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—'
  return String(round2(v))
}

/** formatPercent shows a rate 0–1 as "97.5%", "—" when null. */
export function formatPercent(v: number | null | undefined, digits = 1): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—'
  return `${(v * 100).toFixed(digits)}%`
}

/** sortedBands returns the bands ascending by minimum, ignoring malformed ones. */
export function sortedBands(bands: readonly Band[] | null | undefined): Band[] {
  const list = (bands ?? []).filter((b) => b && typeof b.min === 'number' && Number.isFinite(b.min))
  return (list.length ? list : [...DEFAULT_BANDS]).slice().sort((a, b) => a.min - b.min)
}

/** bandName names a band code: from the standard, else the fail outcome, else the code. */
export function bandName(code: string, bands: readonly Band[], locale: string, fail = DEFAULT_FAIL): string {
  if (!code) return ''
  const b = bands.find((x) => x.code === code) ?? DEFAULT_BANDS.find((x) => x.code === code)
  if (b) return tx(b.name, locale)
  if (code === fail.code) return tx(fail.name, locale)
  return code
}

/** Visual tone of a band: fail red, first band orange, stars green shades. */
export type BandTone = 'danger' | 'warning' | 'success' | 'primary' | 'info'

export function bandTone(code: string, bands: readonly Band[]): BandTone {
  const sorted = sortedBands(bands)
  const i = sorted.findIndex((b) => b.code === code)
  if (i < 0) return 'danger'
  if (i === 0) return 'warning'
  return i === sorted.length - 1 ? 'primary' : 'success'
}

/** Colours of the gauge: below the first band, then one per band. */
export const SEGMENT_COLOURS = ['#f56c6c', '#e6a23c', '#95d475', '#67c23a', '#409eff'] as const

/**
 * gaugeSegments makes ECharts' axisLine colour stops for a 0–100 gauge:
 * [[0.7, fail], [0.8, 达标], [0.9, 三星], [0.95, 四星], [1, 五星]].
 */
export function gaugeSegments(bands: readonly Band[], colours: readonly string[] = SEGMENT_COLOURS): [number, string][] {
  const sorted = sortedBands(bands).filter((b) => b.min > 0 && b.min <= 100)
  const stops: [number, string][] = []
  const colour = (i: number) => colours[Math.min(i, colours.length - 1)] ?? '#909399'
  sorted.forEach((b, i) => stops.push([b.min / 100, colour(i)]))
  stops.push([1, colour(sorted.length)])
  // Drop a stop at 1 duplicated by a band starting at 100.
  return stops.filter((s, i) => i === 0 || s[0] > stops[i - 1]![0])
}

/** What the gauge card shows for a score head. */
export interface ScoreDisplay {
  score: string
  scoreValue: number
  band: string
  bandCode: string
  tone: BandTone
  failed: boolean
  /** False while unknown indicators leave the band a range. */
  certain: boolean
  /** The next band's name and the points still missing, empty at the top. */
  nextBand: string
  toNext: string
  /** Margin above the current band's threshold (negative below the first band). */
  above: string
  /** True when the band is held by less than MARGIN_LOW points. */
  marginLow: boolean
  /** The range low…high while data is unknown; null when complete. */
  range: { low: string; high: string; lowBand: string; highBand: string } | null
}

/** scoreDisplay turns a score head into the strings the gauge card shows. */
export function scoreDisplay(head: ScoreHead, bands: readonly Band[], locale: string): ScoreDisplay {
  const sorted = sortedBands(bands)
  const range =
    !head.complete && Number.isFinite(head.high) && head.high - head.low > 1e-9
      ? {
          low: formatScore(head.low),
          high: formatScore(head.high),
          lowBand: bandName(head.low_band || head.band, sorted, locale),
          highBand: bandName(head.high_band, sorted, locale),
        }
      : null
  // While indicators are unknown the result is a range: the band is shown
  // as "low … high", never as the low end alone.
  const certain = head.complete
  const lowBand = head.low_band || head.band
  const highBand = head.high_band || head.band
  return {
    score: formatScore(head.total),
    scoreValue: round2(head.total),
    band: certain
      ? bandName(head.band, sorted, locale)
      : lowBand === highBand
        ? bandName(lowBand, sorted, locale)
        : `${bandName(lowBand, sorted, locale)} … ${bandName(highBand, sorted, locale)}`,
    bandCode: certain ? head.band : '',
    tone: !certain ? 'info' : head.failed ? 'danger' : bandTone(head.band, sorted),
    failed: certain && head.failed,
    certain,
    nextBand: head.next_band ? bandName(head.next_band, sorted, locale) : '',
    toNext: head.next_band ? formatScore(head.to_next_band) : '',
    above: formatScore(head.above_band),
    marginLow: !head.failed && Number.isFinite(head.above_band) && head.above_band < MARGIN_LOW,
    range,
  }
}
