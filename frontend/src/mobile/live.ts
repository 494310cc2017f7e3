// Live updates on the phone: one WebSocket to /api/v1/ws subscribed to the
// user's own topic (new notifications) and, for outlet users, the outlet's
// board topic (offers made, taken or moved). While the socket is down the
// page polls the unread count every 10 s while it is visible, so a phone
// without Web Push still sees a new offer within seconds.
import { reactive } from 'vue'
import { api, type Me } from './api'

export const live = reactive({
  connected: false,
  unread: 0,
  /** bumped on every change that may concern the offers or the board */
  tick: 0,
})

let socket: WebSocket | null = null
let retry: ReturnType<typeof setTimeout> | null = null
let poll: ReturnType<typeof setInterval> | null = null
let user: Me | null = null

function wsUrl(): string {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/api/v1/ws`
}

function connect(): void {
  if (!user || socket) return
  let ws: WebSocket
  try {
    ws = new WebSocket(wsUrl())
  } catch {
    schedule()
    return
  }
  socket = ws
  ws.onopen = () => {
    live.connected = true
    const topics = [`user:${user!.id}`]
    if (user!.outlet_id) topics.push(`outlet:${user!.outlet_id}`)
    ws.send(JSON.stringify({ type: 'subscribe', topics }))
  }
  ws.onmessage = (ev) => {
    let msg: { type?: string; topic?: string; name?: string; data?: { unread?: number } }
    try {
      msg = JSON.parse(String(ev.data))
    } catch {
      return
    }
    if (msg.type === 'ping') ws.send(JSON.stringify({ type: 'pong' }))
    if (msg.type !== 'event') return
    if (typeof msg.data?.unread === 'number') live.unread = msg.data.unread
    live.tick++
  }
  ws.onclose = () => {
    if (socket === ws) socket = null
    live.connected = false
    schedule()
  }
}

function schedule(): void {
  if (retry || !user) return
  retry = setTimeout(() => {
    retry = null
    connect()
  }, 5000)
}

async function pollOnce(): Promise<void> {
  if (!user || live.connected || document.visibilityState !== 'visible') return
  try {
    const n = await api.unread()
    if (n !== live.unread) live.tick++
    live.unread = n
  } catch {
    // offline: the next round tries again
  }
}

/** startLive connects for me (again after a sign-in); stopLive on sign-out. */
export function startLive(me: Me): void {
  if (user?.id === me.id && (socket || retry)) return
  stopLive()
  user = me
  void api.unread().then((n) => (live.unread = n)).catch(() => {})
  connect()
  poll = setInterval(() => void pollOnce(), 10_000)
}

export function stopLive(): void {
  user = null
  if (retry) clearTimeout(retry)
  if (poll) clearInterval(poll)
  retry = poll = null
  const s = socket
  socket = null
  s?.close()
  live.connected = false
}
