// The phone's state: who is signed in, the jobs, the offline queue and the
// connection. One module-level instance per page load (the phone app is its
// own entry; the desktop console's Pinia stores are not loaded).
import { reactive } from 'vue'
import type { IDBPDatabase } from 'idb'
import { api, ApiError, type Job, type Me } from './api'
import { cacheGet, cachePut, idbStorage, openMobileDB } from './idbStorage'
import { OfflineQueue, type QueuedAction } from './queue'

export const state = reactive({
  me: null as Me | null,
  loaded: false,
  online: typeof navigator === 'undefined' ? true : navigator.onLine,
  jobs: [] as Job[],
  /** jobsCached: the list comes from the phone's store (offline). */
  jobsCached: false,
  actions: [] as QueuedAction[],
  syncing: false,
})

let db: IDBPDatabase | null = null
let queue: OfflineQueue | null = null

/** mobileQueue opens the store and the queue once. */
export async function mobileQueue(): Promise<OfflineQueue> {
  if (queue) return queue
  db = await openMobileDB()
  queue = new OfflineQueue(idbStorage(db), undefined, () => {})
  queue.subscribe(() => void refreshActions())
  await refreshActions()
  return queue
}

async function refreshActions(): Promise<void> {
  if (queue) state.actions = await queue.list()
}

/**
 * act queues a write and sends what can be sent; once everything went
 * through, the job list is read again (statuses moved on).
 */
export async function act(a: Parameters<OfflineQueue['enqueue']>[0]): Promise<void> {
  const q = await mobileQueue()
  const outcome = await q.enqueue(a)
  if (outcome === 'done' && state.me) await loadJobs().catch(() => {})
}

/** sync replays the queue (on start, when the connection returns, on demand). */
export async function sync(): Promise<void> {
  const q = await mobileQueue()
  state.syncing = true
  try {
    const outcome = await q.flush()
    if (outcome === 'done' && state.me) await loadJobs()
  } finally {
    state.syncing = false
  }
}

/** loadMe asks who is signed in (null: nobody). Offline, the last known user stays. */
export async function loadMe(force = false): Promise<Me | null> {
  if (state.loaded && !force) return state.me
  try {
    state.me = await api.me()
    if (db) await cachePut(db, 'me', state.me)
  } catch (e) {
    if (e instanceof ApiError && e.offline) {
      await mobileQueue()
      state.me = (await cacheGet<Me>(db!, 'me')) ?? null
    } else {
      state.me = null
    }
  }
  state.loaded = true
  return state.me
}

/** loadJobs reads the jobs, or the last list kept on the phone when offline. */
export async function loadJobs(): Promise<void> {
  await mobileQueue()
  try {
    state.jobs = await api.jobs()
    state.jobsCached = false
    await cachePut(db!, 'jobs', JSON.parse(JSON.stringify(state.jobs)))
  } catch (e) {
    if (!(e instanceof ApiError && e.offline)) throw e
    state.jobs = (await cacheGet<Job[]>(db!, 'jobs')) ?? []
    state.jobsCached = true
  }
}

/** pendingFor lists the queued actions of a job. */
export function pendingFor(jobId: number): QueuedAction[] {
  return state.actions.filter((a) => a.jobId === jobId)
}

/** watchConnection keeps state.online and replays the queue when it returns. */
export function watchConnection(): void {
  window.addEventListener('online', () => {
    state.online = true
    void sync()
  })
  window.addEventListener('offline', () => {
    state.online = false
  })
  // A lost answer (server briefly down) is retried every 10 s while actions wait.
  setInterval(() => {
    if (state.online && state.actions.some((a) => a.state === 'pending') && !state.syncing) void sync()
  }, 10_000)
}
