import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { useLiveStore, type SocketLike } from '@/stores/live'
import { FEED_SIZE, feedItem, headFromEvent, headFromRun, progressFromEvent, useReadinessLiveStore } from '@/stores/readinessLive'
import type { RunResponse } from '@/api/readiness'

class FakeSocket implements SocketLike {
  readyState = 0
  sent: unknown[] = []
  onopen: ((ev: unknown) => void) | null = null
  onclose: ((ev: unknown) => void) | null = null
  onerror: ((ev: unknown) => void) | null = null
  onmessage: ((ev: { data: unknown }) => void) | null = null
  send(data: string) {
    this.sent.push(JSON.parse(data))
  }
  close() {
    this.readyState = 3
  }
  serverOpen() {
    this.readyState = 1
    this.onopen?.({})
  }
  serverSend(msg: unknown) {
    this.onmessage?.({ data: JSON.stringify(msg) })
  }
}

const scoreEvent = (runId: number, total: number, extra: Record<string, unknown> = {}) => ({
  type: 'event',
  topic: 'readiness',
  name: 'readiness.score',
  at: '2026-11-26T10:00:00Z',
  data: {
    run_id: runId, standard: 'gbt27922-2011', standard_version: 1, total, low: total, high: total + 10,
    band: 'three_star', low_band: 'three_star', high_band: 'four_star', band_low: 'three_star', band_high: 'four_star', next_band: 'four_star',
    to_next_band: 90 - total, above_band: total - 80, complete: false, failed: false, as_of: '2026-11-26T10:00:00Z',
    ...extra,
  },
})

function runResponse(id: number, total: number): RunResponse {
  return {
    run: {
      id, standard: 'gbt27922-2011', standard_version: 1, as_of: '2026-11-26T09:00:00Z', audit_seq: 1, trigger: 'manual',
      created_by: 'quality', total, low: total, high: total, band: 'pass', band_low: 'pass', band_high: 'pass', next_band: 'three_star', to_next_band: 80 - total,
      above_band: total - 70, failed: false, complete: true, ledger_run_id: id, duration_ms: 5, created_at: '2026-11-26T09:00:00Z',
      status: 'done', progress: { done: 1, total: 1, clause: '' },
    },
    score: {
      total, normalised: total, actual: total, applicable: 100, low: total, high: total, low_band: 'pass', high_band: 'pass', band_low: 'pass', band_high: 'pass',
      band: 'pass', band_name: { zh: '达标', en: 'Compliant' }, next_band: 'three_star', next_band_name: { zh: '三星', en: 'Three stars' },
      to_next_band: 80 - total, above_band: total - 70, failed: false, fail_reasons: [], complete: true,
      counts: { leaves: 1, computed: 1, unknown: 0, not_applicable: 0, overridden: 0, losing: 0, inferred: 0 },
      deduction_points: 0, bonus_points: 0, deductions: [], suggested_deductions: [], stars_withheld: false, notices: null,
    },
    ledger: [],
  }
}

describe('readiness live store', () => {
  let sockets: FakeSocket[]
  const last = () => sockets[sockets.length - 1]!

  beforeEach(() => {
    setActivePinia(createPinia())
    sockets = []
    useLiveStore().configure({
      url: 'ws://test/api/v1/ws',
      createSocket: () => {
        const s = new FakeSocket()
        sockets.push(s)
        return s
      },
      baseDelay: 1000,
      maxDelay: 8000,
      random: () => 1,
    })
  })
  afterEach(() => {
    useReadinessLiveStore().reset()
    useLiveStore().disconnect()
  })

  it('subscribes once to the readiness topic and takes the retained score replayed on subscribe', () => {
    const live = useLiveStore()
    const store = useReadinessLiveStore()
    store.start()
    store.start()
    live.connect()
    last().serverOpen()
    expect(last().sent).toEqual([{ type: 'subscribe', topics: ['readiness'] }])
    last().serverSend({ type: 'subscribed', topics: ['readiness'], denied: [] })
    expect(store.subscription).toBe('granted')
    last().serverSend(scoreEvent(7, 84.567))
    expect(store.head?.run_id).toBe(7)
    expect(store.head?.total).toBe(84.567)
    expect(store.head?.next_band).toBe('four_star')
    expect(store.source).toBe('live')
    expect(store.standard).toBe('gbt27922-2011')
  })

  it('reports a denied subscription', () => {
    const live = useLiveStore()
    const store = useReadinessLiveStore()
    store.start()
    live.connect()
    last().serverOpen()
    last().serverSend({ type: 'subscribed', topics: [], denied: ['readiness'] })
    expect(store.subscription).toBe('denied')
  })

  it('a newer run replaces the head; an older or malformed event never does', () => {
    const store = useReadinessLiveStore()
    store.handle(scoreEvent(5, 81) as never)
    store.handle(scoreEvent(6, 79.5, { band: 'pass' }) as never)
    expect(store.head?.run_id).toBe(6)
    expect(store.head?.band).toBe('pass')
    store.handle(scoreEvent(4, 99) as never)
    expect(store.head?.run_id).toBe(6)
    store.handle({ type: 'event', topic: 'readiness', name: 'readiness.score', at: '', data: { run_id: 9 } })
    store.handle({ type: 'event', topic: 'readiness', name: 'readiness.score', at: '', data: 'nonsense' })
    expect(store.head?.run_id).toBe(6)
  })

  it('a fetched run and live events agree on the newest run, whichever arrives first', () => {
    const store = useReadinessLiveStore()
    store.handle(scoreEvent(10, 82) as never)
    expect(store.applyRun(runResponse(9, 75))).toBe(false)
    expect(store.head?.run_id).toBe(10)
    expect(store.applyRun(runResponse(11, 76))).toBe(true)
    expect(store.head).toMatchObject({ run_id: 11, total: 76, band: 'pass' })
    expect(store.source).toBe('api')
  })

  it('explaining events go to the feed, newest first and bounded', () => {
    const store = useReadinessLiveStore()
    store.handle({
      type: 'event', topic: 'readiness', name: 'readiness.score_changed', at: '2026-11-26T10:00:00Z',
      data: { run_id: 2, previous_run_id: 1, total: 72.5, previous_total: 70.25, delta: 2.25, band: 'pass' },
    })
    store.handle({
      type: 'event', topic: 'readiness', name: 'readiness.band_changed', at: '2026-11-26T10:00:01Z',
      data: { run_id: 2, previous_run_id: 1, from: 'fail', to: 'pass', total: 72.5, up: true },
    })
    store.handle({ type: 'event', topic: 'readiness', name: 'readiness.margin_low', at: '', data: { run_id: 2, band: 'pass', total: 70.5, margin: 0.5 } })
    store.handle({
      type: 'event', topic: 'readiness', name: 'readiness.indicator_dropped', at: '',
      data: { run_id: 2, clause: '5.3.2.1', name: '投诉受理', before: 3, after: 1.5, delta: -1.5, reason: '14 起超时', record_ids: ['complaint:1', 2] },
    })
    expect(store.feed.map((f) => f.kind)).toEqual(['indicator_dropped', 'margin_low', 'band_changed', 'score_changed'])
    expect(store.feed[3]).toMatchObject({ kind: 'score_changed', total: 72.5, previous: 70.25, delta: 2.25 })
    expect(store.feed[2]).toMatchObject({ kind: 'band_changed', from: 'fail', to: 'pass', up: true })
    expect(store.feed[1]).toMatchObject({ kind: 'margin_low', margin: 0.5 })
    expect(store.feed[0]).toMatchObject({ kind: 'indicator_dropped', clause: '5.3.2.1', recordIds: ['complaint:1'] })
    for (let i = 0; i < FEED_SIZE + 5; i++) {
      store.handle({ type: 'event', topic: 'readiness', name: 'evidence.uploaded', at: '', data: { id: i } })
    }
    expect(store.feed).toHaveLength(FEED_SIZE)
    expect(store.feed[0]).toMatchObject({ kind: 'other', name: 'evidence.uploaded', data: { id: FEED_SIZE + 4 } })
  })

  it('parses payloads defensively', () => {
    expect(headFromEvent(null)).toBeNull()
    expect(headFromEvent({ run_id: 'x', total: 1 })).toBeNull()
    expect(headFromEvent({ run_id: 1, total: 71 })).toMatchObject({ low: 71, high: 71, complete: false, failed: false, band: '' })
    expect(feedItem({ type: 'event', topic: 'readiness', name: 'readiness.score', at: '', data: {} })).toBeNull()
    expect(feedItem({ type: 'event', topic: 'readiness', name: 'readiness.score_changed', at: '', data: {} })).toBeNull()
    expect(headFromRun(runResponse(3, 71.5))).toMatchObject({ run_id: 3, total: 71.5, band: 'pass', next_band: 'three_star', complete: true })
  })

  it('follows the progress of a run: newer runs and further counts only, never into the feed', () => {
    const store = useReadinessLiveStore()
    const ev = (data: Record<string, unknown>) => ({ type: 'event' as const, topic: 'readiness', name: 'readiness.progress', at: '', data })
    store.handle(ev({ run_id: 7, status: 'running', done: 10, total: 44, clause: '5.1.2' }))
    expect(store.progress).toMatchObject({ runId: 7, status: 'running', done: 10, total: 44, clause: '5.1.2' })
    store.handle(ev({ run_id: 7, status: 'running', done: 4, total: 44, clause: '5.1.1' }))
    expect(store.progress?.done).toBe(10)
    store.handle(ev({ run_id: 6, status: 'done', done: 44, total: 44 }))
    expect(store.progress?.runId).toBe(7)
    store.handle(ev({ run_id: 7, status: 'done', done: 44, total: 44 }))
    expect(store.progress?.status).toBe('done')
    store.handle(ev({ run_id: 7, status: 'running', done: 30, total: 44 }))
    expect(store.progress?.status).toBe('done')
    expect(store.feed).toHaveLength(0)
    expect(progressFromEvent({ run_id: 1, status: 'sleeping' })).toBeNull()
    expect(progressFromEvent({ run_id: 2, status: 'error', error: 'boom' })).toMatchObject({ status: 'error', error: 'boom', done: 0 })
    // The rollups' background build reports days built of total (run 0).
    expect(progressFromEvent({ run_id: 0, status: 'building', done: 120, total: 365 })).toMatchObject({ runId: 0, status: 'building', done: 120, total: 365 })
    expect(progressFromEvent({ run_id: 0, status: 'built', done: 365, total: 365 })).toMatchObject({ status: 'built' })
  })
})
