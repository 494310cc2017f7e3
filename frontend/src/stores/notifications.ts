// The bell: the user's unread count and latest notifications, kept live by
// the user's own topic "user:<id>" on the live channel (notification.created
// adds one; notification.read carries the count after a read in another tab).
import { defineStore } from 'pinia'
import { ref } from 'vue'
import * as api from '@/api/notifications'
import type { AppNotification } from '@/api/notifications'
import { useLiveStore, type LiveEvent } from '@/stores/live'

/** How many notifications the drawer shows. */
export const DRAWER_SIZE = 30

export const useNotificationStore = defineStore('notifications', () => {
  const unread = ref(0)
  const items = ref<AppNotification[]>([])
  const total = ref(0)
  const loading = ref(false)
  let stop: (() => void) | null = null
  let userId = 0

  /** load fetches the latest page and the unread count. */
  async function load(): Promise<void> {
    loading.value = true
    try {
      const page = await api.listNotifications({ size: DRAWER_SIZE })
      items.value = page.items
      total.value = page.total
      unread.value = page.unread
    } finally {
      loading.value = false
    }
  }

  /** handle applies one live event of the user's topic. */
  function handle(ev: LiveEvent): void {
    const d = (ev.data ?? {}) as Record<string, unknown>
    if (ev.name === 'notification.created') {
      const n: AppNotification = {
        id: Number(d.id),
        kind: String(d.kind ?? ''),
        title: String(d.title ?? ''),
        body: String(d.body ?? ''),
        link: String(d.link ?? ''),
        params: (d.params as Record<string, unknown>) ?? {},
        read: false,
        read_at: null,
        created_at: String(d.created_at ?? ev.at),
      }
      if (!items.value.some((x) => x.id === n.id)) {
        items.value = [n, ...items.value].slice(0, DRAWER_SIZE)
        total.value += 1
      }
      unread.value = typeof d.unread === 'number' ? d.unread : unread.value + 1
    } else if (ev.name === 'notification.read') {
      if (typeof d.unread === 'number') unread.value = d.unread
      if (unread.value === 0) items.value = items.value.map((x) => (x.read ? x : { ...x, read: true }))
    }
  }

  /** start loads the inbox and listens on the user's topic (once per user). */
  async function start(id: number): Promise<void> {
    if (stop && userId === id) return
    stopListening()
    userId = id
    const live = useLiveStore()
    const topic = `user:${id}`
    live.subscribe([topic])
    stop = live.on(topic, handle)
    await load().catch(() => undefined)
  }

  function stopListening(): void {
    if (stop) stop()
    stop = null
    userId = 0
  }

  async function read(n: AppNotification): Promise<void> {
    if (n.read) return
    const updated = await api.markRead(n.id)
    items.value = items.value.map((x) => (x.id === n.id ? updated : x))
    unread.value = Math.max(0, unread.value - 1)
  }

  async function readAll(): Promise<void> {
    await api.markAllRead()
    items.value = items.value.map((x) => ({ ...x, read: true }))
    unread.value = 0
  }

  return { unread, items, total, loading, load, handle, start, stop: stopListening, read, readAll }
})
