// The phone's offline queue over real IndexedDB code (fake-indexeddb gives
// the IndexedDB API in Node): order, Idempotency-Key reuse on replay, refs
// between actions, conflicts shown and kept, never dropped.
import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import { ApiError } from '@/mobile/api'
import { idbStorage, openMobileDB } from '@/mobile/idbStorage'
import { OfflineQueue, type Sender } from '@/mobile/queue'

/**
 * server answers like the backend does for writes with an Idempotency-Key:
 * the first request with a key runs, a repeat gets the same answer. While
 * `online` is false every request fails without an answer; `refuse` makes
 * a path answer 409 (its work order moved on in the meantime); `lose`
 * drops the answer of the next request after running it.
 */
function server() {
  const s = {
    online: true,
    lose: false,
    refuse: new Set<string>(),
    runs: [] as string[],
    kept: new Map<string, unknown>(),
    keys: [] as string[],
    nextId: 100,
    sender: (async (method, path, body, headers) => {
      const key = headers['Idempotency-Key']!
      s.keys.push(key)
      if (!s.online) throw new ApiError(0, 'offline', 'Failed to fetch')
      if (s.kept.has(key)) return s.kept.get(key)
      if (s.refuse.has(path)) throw new ApiError(409, 'invalid_transition', 'a completed work order cannot check-in')
      s.runs.push(`${method} ${path}`)
      const answer = { id: s.nextId++, body }
      s.kept.set(key, answer)
      if (s.lose) {
        s.lose = false
        throw new ApiError(0, 'offline', 'connection reset')
      }
      return answer
    }) as Sender,
  }
  return s
}

let dbn = 0
async function queue(srv: ReturnType<typeof server>) {
  const db = await openMobileDB(`q-${++dbn}`)
  return new OfflineQueue(idbStorage(db), srv.sender)
}

describe('offline queue', () => {
  it('sends at once while online and keeps nothing', async () => {
    const srv = server()
    const q = await queue(srv)
    expect(await q.enqueue({ method: 'POST', path: '/work-orders/1/check-in', body: { lat: 22.5 }, label: 'checkIn' })).toBe('done')
    expect(srv.runs).toEqual(['POST /work-orders/1/check-in'])
    expect(await q.list()).toEqual([])
  })

  it('keeps actions taken offline and replays them in order when the connection returns', async () => {
    const srv = server()
    const q = await queue(srv)
    srv.online = false
    expect(await q.enqueue({ method: 'POST', path: '/work-orders/1/check-in', label: 'checkIn' })).toBe('offline')
    expect(await q.enqueue({ method: 'POST', path: '/work-orders/1/complete', body: { result: 'done' }, label: 'complete' })).toBe('offline')
    expect(await q.enqueue({ method: 'POST', path: '/work-orders/1/sign-off', label: 'signOff' })).toBe('offline')
    const waiting = await q.list()
    expect(waiting.map((a) => a.label)).toEqual(['checkIn', 'complete', 'signOff'])
    expect(new Set(waiting.map((a) => a.key)).size).toBe(3)
    expect(srv.runs).toEqual([])

    srv.online = true
    expect(await q.flush()).toBe('done')
    expect(srv.runs).toEqual(['POST /work-orders/1/check-in', 'POST /work-orders/1/complete', 'POST /work-orders/1/sign-off'])
    expect(await q.list()).toEqual([])
  })

  it('replays with the same Idempotency-Key, so a lost answer does not do the work twice', async () => {
    const srv = server()
    const q = await queue(srv)
    srv.lose = true
    expect(await q.enqueue({ method: 'POST', path: '/work-orders/1/complete', label: 'complete' })).toBe('offline')
    expect((await q.list()).length).toBe(1)
    expect(await q.flush()).toBe('done')
    expect(srv.runs).toEqual(['POST /work-orders/1/complete'])
    expect(srv.keys[0]).toBe(srv.keys[1])
  })

  it('stops at a conflict, shows it, keeps it and what follows; retry uses the same key; discard is explicit', async () => {
    const srv = server()
    const q = await queue(srv)
    srv.online = false
    await q.enqueue({ method: 'POST', path: '/work-orders/1/check-in', label: 'checkIn' })
    await q.enqueue({ method: 'POST', path: '/work-orders/1/complete', label: 'complete' })
    srv.online = true
    srv.refuse.add('/work-orders/1/check-in')
    expect(await q.flush()).toBe('conflict')
    let waiting = await q.list()
    expect(waiting.map((a) => [a.label, a.state])).toEqual([
      ['checkIn', 'conflict'],
      ['complete', 'pending'],
    ])
    expect(waiting[0]!.error).toMatchObject({ status: 409, code: 'invalid_transition' })
    expect(srv.runs).toEqual([])
    // Flushing again does not skip the conflict.
    expect(await q.flush()).toBe('conflict')
    expect(srv.runs).toEqual([])

    const key = waiting[0]!.key
    srv.refuse.clear()
    expect(await q.retry(waiting[0]!.seq!)).toBe('done')
    expect(srv.runs).toEqual(['POST /work-orders/1/check-in', 'POST /work-orders/1/complete'])
    // Two offline tries, the refused one, the retry: one key for all four.
    expect(srv.keys.filter((k) => k === key).length).toBe(4)

    srv.refuse.add('/work-orders/2/check-in')
    await q.enqueue({ method: 'POST', path: '/work-orders/2/check-in', label: 'checkIn' })
    waiting = await q.list()
    await q.discard(waiting[0]!.seq!)
    expect(await q.list()).toEqual([])
  })

  it('fills a later path with the id of an earlier answer (a part of the repair created offline)', async () => {
    const srv = server()
    const q = await queue(srv)
    srv.online = false
    await q.enqueue({ method: 'POST', path: '/repairs', body: { work_order_id: 1 }, label: 'repair', saveRef: 'repair:1' })
    await q.enqueue({ method: 'POST', path: '/repairs/{ref:repair:1}/parts', body: { part_code: 'P-1' }, label: 'part' })
    srv.online = true
    expect(await q.flush()).toBe('done')
    expect(srv.runs).toEqual(['POST /repairs', 'POST /repairs/100/parts'])
    expect(await q.getRef('repair:1')).toBe('100')
  })

  it('blocks an action whose ref was never recorded instead of sending a broken path', async () => {
    const srv = server()
    const q = await queue(srv)
    expect(await q.enqueue({ method: 'POST', path: '/repairs/{ref:repair:9}/start', label: 'start' })).toBe('conflict')
    expect((await q.list())[0]!.error?.code).toBe('missing_ref')
    expect(srv.runs).toEqual([])
  })

  it('survives a reload: a new queue on the same database sees the waiting actions', async () => {
    const srv = server()
    const db = await openMobileDB('reload')
    srv.online = false
    await new OfflineQueue(idbStorage(db), srv.sender).enqueue({ method: 'POST', path: '/work-orders/3/complete', label: 'complete' })
    const again = new OfflineQueue(idbStorage(await openMobileDB('reload')), srv.sender)
    expect((await again.list()).map((a) => a.path)).toEqual(['/work-orders/3/complete'])
    srv.online = true
    expect(await again.flush()).toBe('done')
    expect(srv.runs).toEqual(['POST /work-orders/3/complete'])
  })
})
