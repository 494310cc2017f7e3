// Web Push in the phone app's service worker (imported by /m-sw.js, which
// vite-plugin-pwa generates): shows each pushed notification and opens the
// phone page it names when tapped. The payload is the JSON of push.Message
// (backend/internal/push): {id, kind, title, body, link, unread}.
self.addEventListener('push', (event) => {
  let msg = {}
  try {
    msg = event.data ? event.data.json() : {}
  } catch {
    msg = { title: event.data ? event.data.text() : '' }
  }
  const link = typeof msg.link === 'string' && msg.link.startsWith('/m/') ? msg.link : '/m/inbox'
  event.waitUntil(
    self.registration.showNotification(msg.title || '售后服务', {
      body: msg.body || '',
      tag: msg.kind && msg.id ? `${msg.kind}-${msg.id}` : undefined,
      icon: '/m/icon-192.png',
      badge: '/m/icon-192.png',
      data: { link },
      requireInteraction: msg.kind === 'offer_waiting' || msg.kind === 'offer_expiring',
    }),
  )
})

self.addEventListener('notificationclick', (event) => {
  event.notification.close()
  const link = (event.notification.data && event.notification.data.link) || '/m/'
  event.waitUntil(
    self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then((wins) => {
      for (const w of wins) {
        if (new URL(w.url).pathname.startsWith('/m') && 'focus' in w) {
          w.navigate(link)
          return w.focus()
        }
      }
      return self.clients.openWindow(link)
    }),
  )
})

// The browser renewed or dropped the subscription: the page re-subscribes
// on its next start (PushPrompt); nothing to do without the user's session.
self.addEventListener('pushsubscriptionchange', () => {})
