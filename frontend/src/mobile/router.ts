// The phone's routes under /m, and the sign-in guard.
import { createRouter, createWebHistory, type Router } from 'vue-router'
import { loadMe, state } from './state'

export function createMobileRouter(): Router {
  const router = createRouter({
    history: createWebHistory('/m/'),
    routes: [
      { path: '/login', name: 'm-login', component: () => import('./views/LoginView.vue'), meta: { public: true } },
      { path: '/', name: 'm-jobs', component: () => import('./views/JobsView.vue') },
      { path: '/jobs/:id', name: 'm-job', component: () => import('./views/JobView.vue'), props: (r) => ({ id: Number(r.params.id) }) },
      { path: '/:pathMatch(.*)*', redirect: '/' },
    ],
  })
  router.beforeEach(async (to) => {
    if (to.meta.public) return true
    await loadMe()
    if (!state.me) return { name: 'm-login', query: to.fullPath === '/' ? {} : { redirect: to.fullPath } }
    return true
  })
  return router
}
