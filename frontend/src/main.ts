import { createApp } from 'vue'
import { createPinia } from 'pinia'
import App from './App.vue'
import { i18n, loadApiErrors } from './i18n'
import { createAppRouter } from './router'
import { setUnauthorizedHandler } from './api/http'
import { useSessionStore } from './stores/session'
import { useLiveStore } from './stores/live'
import './styles/base.css'

const app = createApp(App)
const pinia = createPinia()
const router = createAppRouter()
app.use(pinia).use(i18n).use(router)

// Any 401 in the middle of a session: forget the user, go to the login
// page, and come back to the same page after signing in again.
setUnauthorizedHandler(() => {
  const session = useSessionStore(pinia)
  const wasSignedIn = session.isAuthenticated
  session.clear()
  useLiveStore(pinia).disconnect()
  const current = router.currentRoute.value
  if (current.name === 'login') return
  const query: Record<string, string> = {}
  if (current.fullPath !== '/') query.redirect = current.fullPath
  if (wasSignedIn) query.expired = '1'
  void router.replace({ name: 'login', query })
})

app.mount('#app')
// The API error catalogues: a chunk of their own, fetched right after the
// first paint's code (see loadApiErrors), and again after a navigation if
// that fetch failed (a no-op once they are in). Meanwhile errors show the
// backend's English message.
const catalogues = () => void loadApiErrors().catch(() => {})
catalogues()
router.afterEach(catalogues)
