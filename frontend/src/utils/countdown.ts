// Time left on an offer, counted on the server's clock: the board says what
// time the server had when it answered (`at`), so a client clock that is a
// few minutes off does not make an offer look expired (or alive) wrongly.

/** Urgency of an offer: plenty of time, getting short, nearly gone, or expired. */
export type Urgency = 'ok' | 'warn' | 'danger' | 'expired'

/**
 * clockOffset is how far the server's clock is ahead of the client's, in
 * ms: the server said `serverAt` when the client's clock read
 * `clientReceivedAt`. Unparsable input gives 0 (trust the client).
 */
export function clockOffset(serverAt: string | null | undefined, clientReceivedAt: number): number {
  if (!serverAt) return 0
  const s = Date.parse(serverAt)
  return Number.isNaN(s) ? 0 : s - clientReceivedAt
}

/**
 * secondsLeft is the whole seconds from now (client clock plus offset)
 * until `expiresAt`: positive while time remains, zero or negative after.
 * Null when `expiresAt` is missing or unparsable.
 */
export function secondsLeft(expiresAt: string | null | undefined, nowMs: number, offsetMs = 0): number | null {
  if (!expiresAt) return null
  const e = Date.parse(expiresAt)
  if (Number.isNaN(e)) return null
  const ms = e - (nowMs + offsetMs)
  // Round towards the deadline so that 0 shows only once the time is up.
  const left = ms > 0 ? Math.ceil(ms / 1000) : -Math.floor(-ms / 1000)
  return left === 0 ? 0 : left
}

/**
 * formatClock shows a number of seconds as "m:ss", "h:mm:ss" or, from a day
 * on, "Nd h:mm:ss"; negative values get a leading "-".
 */
export function formatClock(seconds: number): string {
  const neg = seconds < 0
  let s = Math.abs(Math.trunc(seconds))
  const d = Math.floor(s / 86_400)
  s -= d * 86_400
  const h = Math.floor(s / 3600)
  s -= h * 3600
  const m = Math.floor(s / 60)
  s -= m * 60
  const pad = (n: number) => String(n).padStart(2, '0')
  let out: string
  if (d > 0) out = `${d}d ${h}:${pad(m)}:${pad(s)}`
  else if (h > 0) out = `${h}:${pad(m)}:${pad(s)}`
  else out = `${m}:${pad(s)}`
  return neg ? `-${out}` : out
}

/**
 * urgency grades the time left against the whole window (offered →
 * expires): expired at 0 or less; danger in the last 20 % or the last 5
 * minutes; warn in the last half or the last 15 minutes; else ok. Without a
 * known window only the absolute thresholds apply.
 */
export function urgency(left: number | null, windowSeconds?: number | null): Urgency {
  if (left === null) return 'ok'
  if (left <= 0) return 'expired'
  const w = windowSeconds && windowSeconds > 0 ? windowSeconds : null
  if (left <= 300 || (w !== null && left <= w * 0.2)) return 'danger'
  if (left <= 900 || (w !== null && left <= w * 0.5)) return 'warn'
  return 'ok'
}

/** windowSeconds is the length of an offer window in seconds, or null. */
export function windowSeconds(offeredAt: string | null | undefined, expiresAt: string | null | undefined): number | null {
  if (!offeredAt || !expiresAt) return null
  const a = Date.parse(offeredAt)
  const b = Date.parse(expiresAt)
  if (Number.isNaN(a) || Number.isNaN(b) || b <= a) return null
  return Math.round((b - a) / 1000)
}
