// The phone's routes under /m, the sign-in guard and the menu guard: a page
// of the menu (menu.ts) opens only for a user whose permissions show it; /
// opens the user's first page (offers for an outlet manager, jobs for a
// technician).
import { createRouter, createWebHistory, type Router } from 'vue-router'
import { canOpen, visibleMenu, type MobileMenuItem } from './menu'
import { loadMe, state } from './state'

export function createMobileRouter(): Router {
  const router = createRouter({
    history: createWebHistory('/m/'),
    routes: [
      { path: '/login', name: 'm-login', component: () => import('./views/LoginView.vue'), meta: { public: true } },
      { path: '/', name: 'm-home', component: { render: () => null } },
      { path: '/jobs', name: 'm-jobs', component: () => import('./views/JobsView.vue'), meta: { menu: 'jobs' } },
      { path: '/jobs/:id', name: 'm-job', component: () => import('./views/JobView.vue'), props: (r) => ({ id: Number(r.params.id) }), meta: { menu: 'jobs' } },
      { path: '/offers', name: 'm-offers', component: () => import('./views/OffersView.vue'), meta: { menu: 'offers' } },
      { path: '/today', name: 'm-today', component: () => import('./views/TodayView.vue'), meta: { menu: 'today' } },
      { path: '/parts', name: 'm-parts', component: () => import('./views/PartsView.vue'), meta: { menu: 'parts' } },
      { path: '/inbox', name: 'm-inbox', component: () => import('./views/InboxView.vue'), meta: { menu: 'inbox' } },
      { path: '/:pathMatch(.*)*', redirect: '/' },
    ],
  })
  router.beforeEach(async (to) => {
    if (to.meta.public) return true
    await loadMe()
    if (!state.me) return { name: 'm-login', query: to.fullPath === '/' ? {} : { redirect: to.fullPath } }
    const menu = to.meta.menu as MobileMenuItem['key'] | undefined
    if (to.name === 'm-home' || (menu && !canOpen(state.me, menu))) {
      const home = visibleMenu(state.me)[0]
      return home ? home.route : { name: 'm-inbox' }
    }
    return true
  })
  return router
}
