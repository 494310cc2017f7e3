// The live readiness score. It listens on the "readiness" topic of the live
// channel: readiness.score (retained by the server and replayed on
// subscribe) carries the latest run's head; score_changed, band_changed,
// margin_low and indicator_dropped explain what moved and go to a feed;
// readiness.progress tells how far the run in progress is (indicators done
// of total, the clause). The dashboard renders the head as soon as it
// arrives and reloads the ledger when the head's run changes, so the page
// never needs a reload.
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { RunResponse, RunStatus, RunSummary } from '@/api/readiness'
import type { ScoreHead } from '@/views/readiness/bands'
import { useLiveStore, type LiveEvent } from './live'

/** The topic readiness events are published on. */
export const READINESS_TOPIC = 'readiness'

/** One line of the live feed. */
export type FeedItem =
  | { kind: 'score_changed'; at: string; runId: number; total: number; previous: number; delta: number; band: string }
  | { kind: 'band_changed'; at: string; runId: number; from: string; to: string; total: number; up: boolean }
  | { kind: 'margin_low'; at: string; runId: number; band: string; total: number; margin: number }
  | { kind: 'indicator_dropped'; at: string; runId: number; clause: string; name: string; before: number; after: number; delta: number; reason: string; recordIds: string[] }
  | { kind: 'other'; at: string; name: string; data: Record<string, unknown> }

/** How far a run is: from readiness.progress or a run's summary. */
export interface RunProgressState {
  runId: number
  standard: string
  status: RunStatus
  done: number
  total: number
  clause: string
  error: string
}

/** FEED_SIZE bounds the feed. */
export const FEED_SIZE = 30

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null)
const str = (v: unknown): string => (typeof v === 'string' ? v : '')
const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {})

/**
 * headFromEvent reads a readiness.score payload; null when it lacks the
 * run id or the total (a malformed event never replaces a good head).
 */
export function headFromEvent(data: unknown): ScoreHead | null {
  const d = obj(data)
  const runId = num(d.run_id)
  const total = num(d.total)
  if (runId === null || total === null) return null
  const low = num(d.low) ?? total
  const high = num(d.high) ?? total
  return {
    run_id: runId,
    standard: str(d.standard),
    standard_version: num(d.standard_version) ?? 0,
    total,
    low,
    high,
    band: str(d.band),
    low_band: str(d.band_low) || str(d.low_band),
    high_band: str(d.band_high) || str(d.high_band),
    next_band: str(d.next_band),
    to_next_band: num(d.to_next_band) ?? 0,
    above_band: num(d.above_band) ?? 0,
    complete: d.complete === true,
    failed: d.failed === true,
    as_of: str(d.as_of),
  }
}

/** headFromRun reads the head of GET /readiness/score or POST /readiness/runs. */
export function headFromRun(r: RunResponse): ScoreHead {
  const s = r.score
  return {
    run_id: r.run.id,
    standard: r.run.standard,
    standard_version: r.run.standard_version,
    total: s.total,
    low: s.low,
    high: s.high,
    // band and failed come only when the range is certain.
    band: s.band ?? s.band_low,
    low_band: s.band_low || s.low_band,
    high_band: s.band_high || s.high_band,
    next_band: s.next_band,
    to_next_band: s.to_next_band,
    above_band: s.above_band,
    complete: s.complete,
    failed: s.failed ?? false,
    as_of: r.run.as_of,
  }
}

/** progressFromEvent reads a readiness.progress payload; null when malformed. */
export function progressFromEvent(data: unknown): RunProgressState | null {
  const d = obj(data)
  const runId = num(d.run_id)
  const status = str(d.status)
  if (runId === null || (status !== 'running' && status !== 'done' && status !== 'error' && status !== 'building' && status !== 'built')) return null
  return {
    runId,
    standard: str(d.standard),
    status,
    done: num(d.done) ?? 0,
    total: num(d.total) ?? 0,
    clause: str(d.clause),
    error: str(d.error),
  }
}

/** progressFromRun reads the progress of a run's summary (POST or GET /readiness/runs). */
export function progressFromRun(r: RunSummary): RunProgressState {
  return {
    runId: r.id,
    standard: r.standard,
    status: r.status,
    done: r.progress?.done ?? 0,
    total: r.progress?.total ?? 0,
    clause: r.progress?.clause ?? '',
    error: r.error ?? '',
  }
}

/** feedItem reads the explaining events; null for readiness.score, readiness.progress and malformed ones. */
export function feedItem(ev: LiveEvent): FeedItem | null {
  const d = obj(ev.data)
  const at = typeof ev.at === 'string' ? ev.at : ''
  const runId = num(d.run_id) ?? 0
  switch (ev.name) {
    case 'readiness.score':
    case 'readiness.progress':
      return null
    case 'readiness.score_changed': {
      const total = num(d.total)
      if (total === null) return null
      const previous = num(d.previous_total) ?? total
      return { kind: 'score_changed', at, runId, total, previous, delta: num(d.delta) ?? total - previous, band: str(d.band) }
    }
    case 'readiness.band_changed':
      return { kind: 'band_changed', at, runId, from: str(d.from), to: str(d.to), total: num(d.total) ?? 0, up: d.up === true }
    case 'readiness.margin_low':
      return { kind: 'margin_low', at, runId, band: str(d.band), total: num(d.total) ?? 0, margin: num(d.margin) ?? 0 }
    case 'readiness.indicator_dropped': {
      const before = num(d.before) ?? 0
      const after = num(d.after) ?? 0
      const ids = Array.isArray(d.record_ids) ? d.record_ids.filter((x): x is string => typeof x === 'string') : []
      return {
        kind: 'indicator_dropped', at, runId, clause: str(d.clause), name: str(d.name), before, after,
        delta: num(d.delta) ?? after - before, reason: str(d.reason), recordIds: ids,
      }
    }
    default:
      return { kind: 'other', at, name: ev.name, data: d }
  }
}

export const useReadinessLiveStore = defineStore('readinessLive', () => {
  /** The newest score head known (from an event or a fetched run). */
  const head = ref<ScoreHead | null>(null)
  /** Where the head came from: "live" (an event) or "api". */
  const source = ref<'live' | 'api' | null>(null)
  const feed = ref<FeedItem[]>([])
  /** The active standard whose runs drive the live score (from events). */
  const standard = ref('')
  /** The latest run's progress (in progress, or how the last one ended). */
  const progress = ref<RunProgressState | null>(null)
  let started = false
  let off: (() => void) | null = null

  const live = useLiveStore()
  const subscription = computed<'granted' | 'denied' | 'pending'>(() =>
    live.granted.includes(READINESS_TOPIC) ? 'granted' : live.denied.includes(READINESS_TOPIC) ? 'denied' : 'pending',
  )

  /**
   * setHead replaces the head when it belongs to a run at least as new as
   * the one shown; an older run (a late event, a slow fetch) is ignored.
   * Returns whether the head changed.
   */
  function setHead(next: ScoreHead, from: 'live' | 'api'): boolean {
    const cur = head.value
    if (cur && next.run_id < cur.run_id) return false
    if (cur && standard.value && next.standard && next.standard !== standard.value && from === 'api') return false
    head.value = next
    source.value = from
    return true
  }

  /** applyRun takes the head of a fetched or just-run run. */
  function applyRun(r: RunResponse): boolean {
    return setHead(headFromRun(r), 'api')
  }

  /**
   * setProgress takes a run's progress unless it is older news: a run
   * before the one shown, or fewer indicators of the same run.
   */
  function setProgress(next: RunProgressState): boolean {
    const cur = progress.value
    if (cur && next.runId < cur.runId) return false
    if (cur && next.runId === cur.runId && cur.status !== 'running' && next.status === 'running') return false
    if (cur && next.runId === cur.runId && next.status === 'running' && next.done < cur.done) return false
    progress.value = next
    return true
  }

  /** handle processes one event of the readiness topic. */
  function handle(ev: LiveEvent): void {
    if (ev.name === 'readiness.progress') {
      const p = progressFromEvent(ev.data)
      if (p) setProgress(p)
      return
    }
    if (ev.name === 'readiness.score') {
      const h = headFromEvent(ev.data)
      if (!h) return
      if (h.standard) standard.value = h.standard
      setHead(h, 'live')
      return
    }
    const item = feedItem(ev)
    if (!item) return
    feed.value = [item, ...feed.value].slice(0, FEED_SIZE)
  }

  /** start subscribes to the topic and listens, once per session. */
  function start(): void {
    if (started) return
    started = true
    off = live.on(READINESS_TOPIC, handle)
    live.subscribe([READINESS_TOPIC])
  }

  /** reset forgets everything (logout, tests). */
  function reset(): void {
    off?.()
    off = null
    started = false
    head.value = null
    source.value = null
    feed.value = []
    standard.value = ''
    progress.value = null
  }

  return { head, source, feed, standard, progress, subscription, setHead, applyRun, setProgress, handle, start, reset }
})
