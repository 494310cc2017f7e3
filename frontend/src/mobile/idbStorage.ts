// The queue's IndexedDB storage (the `idb` wrapper): actions in insertion
// order (auto-increment seq), refs by name, and the last job list so the
// phone shows its jobs without a connection. Customer contact details are
// not stored on the phone.
import { openDB, type IDBPDatabase } from 'idb'
import type { QueuedAction, QueueStorage } from './queue'

const DB_NAME = 'aftersales-m'

export async function openMobileDB(name = DB_NAME): Promise<IDBPDatabase> {
  return openDB(name, 1, {
    upgrade(db) {
      db.createObjectStore('actions', { keyPath: 'seq', autoIncrement: true })
      db.createObjectStore('refs')
      db.createObjectStore('cache')
    },
  })
}

/** idbStorage keeps the queue in an opened database. */
export function idbStorage(db: IDBPDatabase): QueueStorage {
  return {
    async add(a: QueuedAction): Promise<number> {
      const copy = { ...a }
      delete copy.seq
      return (await db.add('actions', copy)) as number
    },
    all: () => db.getAll('actions') as Promise<QueuedAction[]>,
    async put(a: QueuedAction): Promise<void> {
      await db.put('actions', a)
    },
    remove: (seq: number) => db.delete('actions', seq),
    getRef: (name: string) => db.get('refs', name) as Promise<string | undefined>,
    async setRef(name: string, value: string): Promise<void> {
      await db.put('refs', value, name)
    },
  }
}

/** cacheGet / cachePut keep non-personal data for offline use (the job list). */
export const cacheGet = <T>(db: IDBPDatabase, key: string) => db.get('cache', key) as Promise<T | undefined>
export const cachePut = (db: IDBPDatabase, key: string, value: unknown) => db.put('cache', value, key)
