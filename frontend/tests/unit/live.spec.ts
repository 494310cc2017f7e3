import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { ANY_TOPIC, backoffDelay, useLiveStore, type LiveEvent, type SocketLike } from '@/stores/live'

class FakeSocket implements SocketLike {
  readyState = 0
  sent: unknown[] = []
  closedWith: number | undefined
  onopen: ((ev: unknown) => void) | null = null
  onclose: ((ev: unknown) => void) | null = null
  onerror: ((ev: unknown) => void) | null = null
  onmessage: ((ev: { data: unknown }) => void) | null = null
  constructor(readonly url: string) {}
  send(data: string) {
    this.sent.push(JSON.parse(data))
  }
  close(code?: number) {
    this.closedWith = code
    this.readyState = 3
  }
  // Test controls:
  serverOpen() {
    this.readyState = 1
    this.onopen?.({})
  }
  serverSend(msg: unknown) {
    this.onmessage?.({ data: typeof msg === 'string' ? msg : JSON.stringify(msg) })
  }
  drop() {
    this.readyState = 3
    this.onclose?.({ code: 1006 })
  }
}

describe('live store', () => {
  let sockets: FakeSocket[]
  const last = () => sockets[sockets.length - 1]!

  beforeEach(() => {
    vi.useFakeTimers()
    setActivePinia(createPinia())
    sockets = []
    useLiveStore().configure({
      url: 'ws://test/api/v1/ws',
      createSocket: (url) => {
        const s = new FakeSocket(url)
        sockets.push(s)
        return s
      },
      baseDelay: 1000,
      maxDelay: 8000,
      random: () => 1, // no jitter: full ceiling
    })
  })
  afterEach(() => {
    useLiveStore().disconnect()
    vi.useRealTimers()
  })

  it('connects once and reports status', () => {
    const live = useLiveStore()
    expect(live.status).toBe('idle')
    live.connect()
    live.connect()
    expect(sockets).toHaveLength(1)
    expect(last().url).toBe('ws://test/api/v1/ws')
    expect(live.status).toBe('connecting')
    last().serverOpen()
    expect(live.status).toBe('open')
  })

  it('sends subscriptions made before open on open, and new ones at once', () => {
    const live = useLiveStore()
    live.subscribe(['readiness', 'sla'])
    live.connect()
    last().serverOpen()
    expect(last().sent).toEqual([{ type: 'subscribe', topics: ['readiness', 'sla'] }])
    live.subscribe(['sla', 'tickets'])
    expect(last().sent[1]).toEqual({ type: 'subscribe', topics: ['tickets'] })
    expect(live.topics).toEqual(['readiness', 'sla', 'tickets'])
  })

  it('records granted and denied topics', () => {
    const live = useLiveStore()
    live.subscribe(['readiness', 'tickets'])
    live.connect()
    last().serverOpen()
    last().serverSend({ type: 'subscribed', topics: ['readiness'], denied: ['tickets'] })
    expect(live.granted).toEqual(['readiness'])
    expect(live.denied).toEqual(['tickets'])
  })

  it('delivers events to topic listeners and catch-all listeners; off removes', () => {
    const live = useLiveStore()
    const got: string[] = []
    const off = live.on('readiness', (e: LiveEvent) => got.push(`r:${e.name}`))
    live.on(ANY_TOPIC, (e: LiveEvent) => got.push(`*:${e.topic}`))
    live.on('sla', () => got.push('sla'))
    live.connect()
    last().serverOpen()
    const ev = { type: 'event', topic: 'readiness', name: 'readiness.score_changed', data: { score: 81.5 }, at: '2024-05-01T00:00:00Z' }
    last().serverSend(ev)
    expect(got).toEqual(['r:readiness.score_changed', '*:readiness'])
    expect(live.lastEventAt).toBe('2024-05-01T00:00:00Z')
    off()
    last().serverSend(ev)
    expect(got).toEqual(['r:readiness.score_changed', '*:readiness', '*:readiness'])
  })

  it('survives bad messages and throwing listeners', () => {
    const live = useLiveStore()
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {})
    const good = vi.fn()
    live.on('t', () => {
      throw new Error('boom')
    })
    live.on('t', good)
    live.connect()
    last().serverOpen()
    last().serverSend('not json')
    last().serverSend({ type: 'event', name: 'no topic' })
    last().serverSend({ type: 'event', topic: 't', name: 'x', data: null, at: '' })
    expect(good).toHaveBeenCalledTimes(1)
    spy.mockRestore()
  })

  it('stops reconnecting and reports when the server ends the session (4401)', () => {
    const live = useLiveStore()
    const revoked = vi.fn()
    live.configure({ onSessionRevoked: revoked })
    live.connect()
    last().serverOpen()
    last().readyState = 3
    last().onclose?.({ code: 4401 })
    expect(revoked).toHaveBeenCalledTimes(1)
    expect(live.status).toBe('idle')
    vi.advanceTimersByTime(60_000)
    expect(sockets).toHaveLength(1)
  })

  it('answers application pings', () => {
    const live = useLiveStore()
    live.connect()
    last().serverOpen()
    last().serverSend({ type: 'ping' })
    expect(last().sent).toEqual([{ type: 'pong' }])
  })

  it('reconnects with exponential backoff and re-sends the subscription list', () => {
    const live = useLiveStore()
    live.subscribe(['readiness', 'sla'])
    live.connect()
    last().serverOpen()
    last().drop()
    expect(live.status).toBe('closed')
    expect(sockets).toHaveLength(1)

    vi.advanceTimersByTime(999)
    expect(sockets).toHaveLength(1)
    vi.advanceTimersByTime(1)
    expect(sockets).toHaveLength(2) // retry 1 after 1 s
    last().drop() // fails before opening
    vi.advanceTimersByTime(1999)
    expect(sockets).toHaveLength(2)
    vi.advanceTimersByTime(1)
    expect(sockets).toHaveLength(3) // retry 2 after 2 s
    last().drop()
    vi.advanceTimersByTime(4000)
    expect(sockets).toHaveLength(4) // retry 3 after 4 s
    expect(live.attempts).toBe(3)

    live.subscribe(['tickets']) // while down: remembered, sent on open
    last().serverOpen()
    expect(live.status).toBe('open')
    expect(live.attempts).toBe(0)
    expect(last().sent).toEqual([{ type: 'subscribe', topics: ['readiness', 'sla', 'tickets'] }])

    last().drop()
    vi.advanceTimersByTime(1000) // backoff reset after a good connection
    expect(sockets).toHaveLength(5)
  })

  it('caps the backoff', () => {
    const live = useLiveStore()
    live.connect()
    for (let i = 0; i < 6; i++) {
      last().drop()
      vi.advanceTimersByTime(8000)
    }
    expect(sockets).toHaveLength(7)
  })

  it('disconnect closes and stops reconnecting', () => {
    const live = useLiveStore()
    live.connect()
    last().serverOpen()
    const s = last()
    live.disconnect()
    expect(s.closedWith).toBe(1000)
    expect(live.status).toBe('idle')
    s.drop() // late close event from the old socket
    vi.advanceTimersByTime(60_000)
    expect(sockets).toHaveLength(1)
  })

  it('disconnect cancels a pending retry', () => {
    const live = useLiveStore()
    live.connect()
    last().drop()
    live.disconnect()
    vi.advanceTimersByTime(60_000)
    expect(sockets).toHaveLength(1)
  })

  it('retries when the socket cannot even be created', () => {
    const live = useLiveStore()
    let fail = true
    live.configure({
      createSocket: (url) => {
        if (fail) throw new Error('blocked')
        const s = new FakeSocket(url)
        sockets.push(s)
        return s
      },
    })
    live.connect()
    expect(live.status).toBe('closed')
    fail = false
    vi.advanceTimersByTime(1000)
    expect(sockets).toHaveLength(1)
  })
})

describe('backoffDelay', () => {
  it('doubles up to the cap with jitter in the upper half', () => {
    expect(backoffDelay(0, 1000, 30_000, () => 0)).toBe(500)
    expect(backoffDelay(0, 1000, 30_000, () => 1)).toBe(1000)
    expect(backoffDelay(3, 1000, 30_000, () => 1)).toBe(8000)
    expect(backoffDelay(10, 1000, 30_000, () => 1)).toBe(30_000)
    expect(backoffDelay(10, 1000, 30_000, () => 0)).toBe(15_000)
    expect(backoffDelay(5000, 1000, 30_000, () => 0.5)).toBe(22_500)
  })
})
