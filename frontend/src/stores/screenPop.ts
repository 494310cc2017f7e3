// The agent's screen-pop: the caller's number goes in, the customer, their
// units (warranty, recall flags) and open tickets come out. Only the
// answer to the latest lookup is kept, so typing a second number while the
// first is loading cannot show the wrong customer.
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { screenPop, type ScreenPop, type UnitCard } from '@/api/customers'
import { ApiError, toApiError } from '@/api/errors'
import type { TicketChannel, TicketPriority, TicketType } from '@/api/tickets'

/** idle; loading; found; unknown (no customer has the number); invalid (not a phone number); error. */
export type PopStatus = 'idle' | 'loading' | 'found' | 'unknown' | 'invalid' | 'error'

/**
 * cleanPhone tidies what an agent typed or pasted: spaces, dashes, dots and
 * brackets between digits go, a leading +86 / 0086 country code goes,
 * full-width digits become ASCII. Extensions (转, ext) are kept for the
 * server to parse. The server normalises again; this only avoids sending
 * obvious noise.
 */
export function cleanPhone(raw: string): string {
  let s = (raw ?? '').replace(/[\uFF10-\uFF19]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xff10 + 48)).trim()
  s = s.replace(/^(\+|00)86[\s-]*/, '')
  let tail = ''
  const ext = /(转|ext\.?|x)\s*(\d+)$/i.exec(s)
  if (ext) {
    tail = `转${ext[2]}`
    s = s.slice(0, ext.index)
  }
  s = s.replace(/[\s.()（）]/g, '')
  // A landline keeps the dash after its area code (0755-86001234): without
  // it the server cannot tell 010 from 0105; other dashes are noise.
  const dash = s.startsWith('0') ? s.indexOf('-') : -1
  const out = dash > 0 ? s.slice(0, dash + 1) + s.slice(dash + 1).replace(/-/g, '') : s.replace(/-/g, '')
  return out.replace(/-$/, '') + tail
}

/** looksLikePhone is a quick client check before asking the server. */
export function looksLikePhone(s: string): boolean {
  const d = s.replace(/\D/g, '')
  return d.length >= 7 && d.length <= 20
}

/** hasOpenRecall reports whether a unit carries an open recall flag. */
export function hasOpenRecall(u: UnitCard): boolean {
  return u.flags.some((f) => f.kind === 'recall_open')
}

/** A new-ticket form's starting values. */
export interface TicketDraft {
  customer_id: number | null
  unit_id: number | null
  channel: TicketChannel
  type: TicketType
  priority: TicketPriority
  region_code: string
  fault_code: string
  description: string
}

/**
 * ticketDraft fills the new-ticket form from the popped customer and the
 * chosen unit: channel phone; type recall for a unit under an open recall,
 * repair for a unit in warranty or not, consultation without a unit; the
 * region of the default address.
 */
export function ticketDraft(pop: ScreenPop | null, unit: UnitCard | null): TicketDraft {
  const addr = pop ? (pop.addresses.find((a) => a.default) ?? pop.addresses[0]) : undefined
  let type: TicketType = 'consultation'
  if (unit) type = hasOpenRecall(unit) ? 'recall' : 'repair'
  return {
    customer_id: pop?.customer.id ?? null,
    unit_id: unit?.id ?? null,
    channel: 'phone',
    type,
    priority: 'normal',
    region_code: addr?.region_code ?? '',
    fault_code: '',
    description: '',
  }
}

export const useScreenPopStore = defineStore('screenPop', () => {
  const phone = ref('')
  const status = ref<PopStatus>('idle')
  const data = ref<ScreenPop | null>(null)
  const error = ref<ApiError | null>(null)
  const unitId = ref<number | null>(null)
  /** The numbers popped in this session, newest first (at most 10). */
  const recent = ref<string[]>([])
  let seq = 0

  const unit = computed<UnitCard | null>(() => data.value?.units.find((u) => u.id === unitId.value) ?? null)
  const recallUnits = computed(() => (data.value?.units ?? []).filter(hasOpenRecall))

  /** pop looks up a caller; an empty or implausible number does not call the server. */
  async function pop(raw: string): Promise<PopStatus> {
    const p = cleanPhone(raw)
    phone.value = p
    const mine = ++seq
    error.value = null
    if (!looksLikePhone(p)) {
      data.value = null
      unitId.value = null
      status.value = p ? 'invalid' : 'idle'
      return status.value
    }
    status.value = 'loading'
    try {
      const res = await screenPop(p)
      if (mine !== seq) return status.value
      data.value = res
      // One unit: it is the one the caller is about.
      unitId.value = res.units.length === 1 ? res.units[0]!.id : null
      status.value = 'found'
      recent.value = [p, ...recent.value.filter((x) => x !== p)].slice(0, 10)
    } catch (err) {
      if (mine !== seq) return status.value
      const e = toApiError(err)
      data.value = null
      unitId.value = null
      error.value = e
      status.value = e.status === 404 ? 'unknown' : e.status === 422 || e.status === 400 ? 'invalid' : 'error'
    }
    return status.value
  }

  /** refresh pops the current number again (after a ticket was opened). */
  function refresh(): Promise<PopStatus> {
    return pop(phone.value)
  }

  function selectUnit(id: number | null) {
    unitId.value = id
  }

  /** clear forgets the caller (the call ended). */
  function clear() {
    seq++
    phone.value = ''
    status.value = 'idle'
    data.value = null
    error.value = null
    unitId.value = null
  }

  return { phone, status, data, error, unitId, unit, recent, recallUnits, pop, refresh, selectUnit, clear }
})
