// The offline queue: every write the technician makes is an action stored
// in IndexedDB with its own Idempotency-Key, and sent in the order it was
// made. Without a connection the actions wait; when it returns they are
// replayed in order. A replay of an action whose answer was lost is
// answered from the server's idempotency store, so it is done once.
//
// An answer the server refuses (409 conflict, 422, 403 …) stops the queue at
// that action and marks it: the technician sees it and decides (retry or
// discard). Nothing is dropped silently. Later actions wait behind it,
// because they usually depend on it (a part on the repair it belongs to).
import { ApiError, send as httpSend } from './api'

/** A file of an upload action (a compressed photo, the signature). */
export interface QueuedFile {
  field: string
  filename: string
  blob: Blob
}

/** QueuedAction is one write waiting to be sent. */
export interface QueuedAction {
  /** seq orders the queue (IndexedDB auto-increment). */
  seq?: number
  /** key is the Idempotency-Key sent with every try. */
  key: string
  method: string
  /** path under /api/v1; "{ref:NAME}" is replaced by a saved ref. */
  path: string
  body?: unknown
  /** form makes a multipart upload instead of a JSON body. */
  form?: { fields: Record<string, string>; files: QueuedFile[] }
  /** label names the action for the technician (an i18n key). */
  label: string
  jobId?: number
  /** saveRef keeps the answer's id under this name for later paths. */
  saveRef?: string
  state: 'pending' | 'conflict'
  error?: { status: number; code: string; message: string; fields?: Record<string, string> }
  createdAt: string
}

/** QueueStorage is where actions and refs live (IndexedDB; see idbStorage). */
export interface QueueStorage {
  add(a: QueuedAction): Promise<number>
  all(): Promise<QueuedAction[]>
  put(a: QueuedAction): Promise<void>
  remove(seq: number): Promise<void>
  getRef(name: string): Promise<string | undefined>
  setRef(name: string, value: string): Promise<void>
}

export type Sender = (method: string, path: string, body: unknown, headers: Record<string, string>) => Promise<unknown>

/** Why a flush stopped. */
export type FlushOutcome = 'done' | 'offline' | 'conflict' | 'unauthenticated' | 'busy'

const REF = /\{ref:([^}]+)\}/g

/** newKey returns a fresh Idempotency-Key. */
export function newKey(): string {
  const c = globalThis.crypto
  if (c && typeof c.randomUUID === 'function') return c.randomUUID()
  const b = new Uint8Array(16)
  c.getRandomValues(b)
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
}

/** OfflineQueue sends queued actions in order, once each. */
export class OfflineQueue {
  private running: Promise<FlushOutcome> | null = null
  private listeners = new Set<() => void>()

  constructor(
    private readonly storage: QueueStorage,
    private readonly sender: Sender = (m, p, b, h) => httpSend(m, p, b, h),
    /** onSent is told of each action the server accepted, with its answer. */
    private readonly onSent: (a: QueuedAction, answer: unknown) => void = () => {},
  ) {}

  /** subscribe calls fn after every change of the queue; it returns the unsubscribe. */
  subscribe(fn: () => void): () => void {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }

  private changed(): void {
    for (const fn of this.listeners) fn()
  }

  /** list returns the waiting actions in order. */
  list(): Promise<QueuedAction[]> {
    return this.storage.all()
  }

  /**
   * enqueue stores an action (with a new Idempotency-Key unless given) and
   * tries to send the queue; it resolves once the action is stored and the
   * attempt ended, with how the attempt ended.
   */
  async enqueue(a: Omit<QueuedAction, 'key' | 'state' | 'createdAt' | 'seq'> & { key?: string }): Promise<FlushOutcome> {
    const action: QueuedAction = { ...a, key: a.key ?? newKey(), state: 'pending', createdAt: new Date().toISOString() }
    await this.storage.add(action)
    this.changed()
    return this.flush()
  }

  /** flush sends the waiting actions in order until one cannot be sent. */
  flush(): Promise<FlushOutcome> {
    if (this.running) return this.running.then(() => this.flushOnce())
    return this.flushOnce()
  }

  private flushOnce(): Promise<FlushOutcome> {
    if (this.running) return this.running
    this.running = this.drain().finally(() => {
      this.running = null
      this.changed()
    })
    return this.running
  }

  private async drain(): Promise<FlushOutcome> {
    for (;;) {
      const [next] = await this.storage.all()
      if (!next) return 'done'
      if (next.state === 'conflict') return 'conflict'
      const path = await this.resolve(next.path)
      if (path === null) {
        await this.block(next, { status: 0, code: 'missing_ref', message: 'the action it depends on was not recorded' })
        return 'conflict'
      }
      let answer: unknown
      try {
        answer = await this.sender(next.method, path, next.form ? toForm(next.form) : next.body, { 'Idempotency-Key': next.key })
      } catch (e) {
        const err = e instanceof ApiError ? e : new ApiError(0, 'offline', String(e))
        if (err.status === 0 || err.status >= 500 || err.status === 429 || err.code === 'idempotency_in_progress') return 'offline'
        if (err.status === 401) return 'unauthenticated'
        await this.block(next, { status: err.status, code: err.code, message: err.message, fields: err.fields })
        return 'conflict'
      }
      if (next.saveRef) {
        const id = (answer as { id?: unknown } | null)?.id
        if (id !== undefined && id !== null) await this.storage.setRef(next.saveRef, String(id))
      }
      await this.storage.remove(next.seq!)
      this.onSent(next, answer)
      this.changed()
    }
  }

  private async block(a: QueuedAction, error: NonNullable<QueuedAction['error']>): Promise<void> {
    await this.storage.put({ ...a, state: 'conflict', error })
    this.changed()
  }

  private async resolve(path: string): Promise<string | null> {
    let missing = false
    const names = [...path.matchAll(REF)].map((m) => m[1]!)
    const values = new Map<string, string>()
    for (const n of names) {
      const v = await this.storage.getRef(n)
      if (v === undefined) missing = true
      else values.set(n, v)
    }
    if (missing) return null
    return path.replace(REF, (_, n: string) => encodeURIComponent(values.get(n)!))
  }

  /** retry sends a blocked action again (same key: never done twice). */
  async retry(seq: number): Promise<FlushOutcome> {
    const a = (await this.storage.all()).find((x) => x.seq === seq)
    if (a) await this.storage.put({ ...a, state: 'pending', error: undefined })
    this.changed()
    return this.flush()
  }

  /** discard removes a blocked action the technician gave up on. */
  async discard(seq: number): Promise<void> {
    await this.storage.remove(seq)
    this.changed()
  }

  /** setRef records an id known from an earlier answer (e.g. an existing repair). */
  setRef(name: string, value: string): Promise<void> {
    return this.storage.setRef(name, value)
  }

  getRef(name: string): Promise<string | undefined> {
    return this.storage.getRef(name)
  }
}

function toForm(f: NonNullable<QueuedAction['form']>): FormData {
  const fd = new FormData()
  for (const [k, v] of Object.entries(f.fields)) fd.append(k, v)
  for (const file of f.files) fd.append(file.field, file.blob, file.filename)
  return fd
}
