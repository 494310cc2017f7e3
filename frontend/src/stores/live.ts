// The live channel: one WebSocket to /api/v1/ws, authenticated by the
// session cookie. It reconnects with exponential backoff and jitter, sends
// the subscription list again after each reconnect, and hands events to
// listeners by topic.
import { defineStore } from 'pinia'
import { http } from '@/api/http'
import { ref } from 'vue'

/** idle: not wanted; connecting; open; closed: lost and waiting to retry. */
export type LiveStatus = 'idle' | 'connecting' | 'open' | 'closed'

/** LiveEvent is one server push, e.g. topic "readiness", name "readiness.score_changed". */
export interface LiveEvent {
  type: 'event'
  topic: string
  name: string
  data: unknown
  at: string
}

export type LiveListener = (event: LiveEvent) => void

/** The part of the browser WebSocket the client uses (tests pass a fake). */
export interface SocketLike {
  readonly readyState: number
  onopen: ((ev: unknown) => void) | null
  onclose: ((ev: unknown) => void) | null
  onerror: ((ev: unknown) => void) | null
  onmessage: ((ev: { data: unknown }) => void) | null
  send(data: string): void
  close(code?: number, reason?: string): void
}

export interface LiveOptions {
  /** Full ws:// or wss:// address; defaults to /api/v1/ws on this host. */
  url?: string
  createSocket: (url: string) => SocketLike
  /** First retry delay in ms; doubles per failed attempt up to maxDelay. */
  baseDelay: number
  maxDelay: number
  /** Source of jitter in [0, 1). */
  random: () => number
  /**
   * onSessionRevoked runs when the server closes the channel because the
   * session ended (close code 4401: logout elsewhere, password or role
   * change, account disabled). The channel does not reconnect.
   */
  onSessionRevoked?: () => void
}

/** SESSION_REVOKED is the close code the server sends when the session ended. */
export const SESSION_REVOKED = 4401

const OPEN = 1
const CONNECTING = 0

/** ANY_TOPIC listens to every event. */
export const ANY_TOPIC = '*'

function defaultUrl(): string {
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:'
  return `${proto}//${location.host}/api/v1/ws`
}

const defaults: LiveOptions = {
  createSocket: (url) => new WebSocket(url) as unknown as SocketLike,
  baseDelay: 1000,
  maxDelay: 30_000,
  random: Math.random,
  // Ask the server who we are: its 401 takes the usual way to the login page.
  onSessionRevoked: () => void http.get('/me').catch(() => {}),
}

/**
 * backoffDelay is the wait before retry number `attempt` (0-based): an
 * exponential ceiling min(max, base·2^attempt), of which the upper half is
 * random so that many clients do not reconnect in step.
 */
export function backoffDelay(attempt: number, base: number, max: number, random: () => number): number {
  const ceiling = Math.min(max, base * 2 ** Math.min(attempt, 30))
  return Math.round(ceiling / 2 + random() * (ceiling / 2))
}

export const useLiveStore = defineStore('live', () => {
  const status = ref<LiveStatus>('idle')
  /** Topics the client wants; sent again after every reconnect. */
  const topics = ref<string[]>([])
  /** Topics the server confirmed / refused (permissions). */
  const granted = ref<string[]>([])
  const denied = ref<string[]>([])
  /** Failed attempts since the last successful open. */
  const attempts = ref(0)
  const lastEventAt = ref<string | null>(null)

  let opts: LiveOptions = { ...defaults }
  let socket: SocketLike | null = null
  let retryTimer: ReturnType<typeof setTimeout> | null = null
  let wanted = false
  const listeners = new Map<string, Set<LiveListener>>()

  /** configure overrides options (tests, or another address). */
  function configure(o: Partial<LiveOptions>): void {
    opts = { ...opts, ...o }
  }

  /** connect opens the channel and keeps it open until disconnect. */
  function connect(): void {
    wanted = true
    if (socket && (socket.readyState === OPEN || socket.readyState === CONNECTING)) return
    if (retryTimer) return
    open()
  }

  function open(): void {
    status.value = 'connecting'
    let ws: SocketLike
    try {
      ws = opts.createSocket(opts.url ?? defaultUrl())
    } catch {
      status.value = 'closed'
      scheduleRetry()
      return
    }
    socket = ws
    ws.onopen = () => {
      if (socket !== ws) return
      status.value = 'open'
      attempts.value = 0
      granted.value = []
      denied.value = []
      if (topics.value.length > 0) send({ type: 'subscribe', topics: topics.value })
    }
    ws.onmessage = (ev) => {
      if (socket === ws) receive(ev.data)
    }
    ws.onerror = () => {
      // A close event always follows; retrying is handled there.
    }
    ws.onclose = (ev) => {
      if (socket !== ws) return
      socket = null
      if ((ev as { code?: number } | null)?.code === SESSION_REVOKED) {
        wanted = false
        status.value = 'idle'
        opts.onSessionRevoked?.()
        return
      }
      if (wanted) {
        status.value = 'closed'
        scheduleRetry()
      } else {
        status.value = 'idle'
      }
    }
  }

  function scheduleRetry(): void {
    if (retryTimer || !wanted) return
    const delay = backoffDelay(attempts.value, opts.baseDelay, opts.maxDelay, opts.random)
    attempts.value += 1
    retryTimer = setTimeout(() => {
      retryTimer = null
      if (wanted) open()
    }, delay)
  }

  /** disconnect closes the channel and stops reconnecting (logout). */
  function disconnect(): void {
    wanted = false
    if (retryTimer) {
      clearTimeout(retryTimer)
      retryTimer = null
    }
    const ws = socket
    socket = null
    if (ws) {
      try {
        ws.close(1000, 'bye')
      } catch {
        // Closing a socket that never opened may throw in some browsers.
      }
    }
    status.value = 'idle'
    attempts.value = 0
    granted.value = []
    denied.value = []
  }

  function send(msg: unknown): void {
    if (socket && socket.readyState === OPEN) socket.send(JSON.stringify(msg))
  }

  /** subscribe adds topics; they are sent now if open and after every reconnect. */
  function subscribe(list: string[]): void {
    const fresh = list.filter((t) => !topics.value.includes(t))
    if (fresh.length === 0) return
    topics.value = [...topics.value, ...fresh]
    send({ type: 'subscribe', topics: fresh })
  }

  /** on registers a listener for a topic (or ANY_TOPIC) and returns its remover. */
  function on(topic: string, fn: LiveListener): () => void {
    let set = listeners.get(topic)
    if (!set) {
      set = new Set()
      listeners.set(topic, set)
    }
    set.add(fn)
    return () => {
      listeners.get(topic)?.delete(fn)
    }
  }

  function receive(raw: unknown): void {
    if (typeof raw !== 'string') return
    let msg: Record<string, unknown>
    try {
      msg = JSON.parse(raw) as Record<string, unknown>
    } catch {
      return
    }
    switch (msg.type) {
      case 'subscribed': {
        const ok = Array.isArray(msg.topics) ? (msg.topics as string[]) : []
        const no = Array.isArray(msg.denied) ? (msg.denied as string[]) : []
        granted.value = [...new Set([...granted.value.filter((t) => !no.includes(t)), ...ok])]
        denied.value = [...new Set([...denied.value.filter((t) => !ok.includes(t)), ...no])]
        break
      }
      case 'event': {
        const ev = msg as unknown as LiveEvent
        if (typeof ev.topic !== 'string') return
        lastEventAt.value = typeof ev.at === 'string' ? ev.at : null
        for (const key of [ev.topic, ANY_TOPIC]) {
          for (const fn of listeners.get(key) ?? []) {
            try {
              fn(ev)
            } catch (err) {
              console.error('live listener failed', err)
            }
          }
        }
        break
      }
      case 'ping':
        send({ type: 'pong' })
        break
      default:
        break
    }
  }

  return {
    status,
    topics,
    granted,
    denied,
    attempts,
    lastEventAt,
    configure,
    connect,
    disconnect,
    subscribe,
    on,
  }
})
