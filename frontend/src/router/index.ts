// Routes and the sign-in / permission guard. Each staff page takes its
// required permission from the menu model (menu/menu.json).
import {
  createRouter,
  createWebHistory,
  type RouteLocationRaw,
  type RouteRecordRaw,
  type Router,
} from 'vue-router'
import { homeRoute, menuItem } from '@/menu/menu'
import { loadReadinessDashboard, withReadinessMessages } from '@/views/readiness/loader'
import { useSessionStore } from '@/stores/session'

declare module 'vue-router' {
  interface RouteMeta {
    /** Reachable without signing in. */
    public?: boolean
    /** Permission needed to open the page. */
    permission?: string
    /** i18n key of the page title. */
    title?: string
    /** Menu entry to highlight. */
    menuKey?: string
    /** Which printout a /print route shows. */
    printKind?: string
  }
}

/** page makes the route of a menu entry; name and meta come from the menu model. */
function page(key: string, path: string, component: RouteRecordRaw['component']): RouteRecordRaw {
  const item = menuItem(key)
  return {
    path,
    name: key,
    component: component!,
    meta: { permission: item.permission, title: item.title, menuKey: key },
  }
}

export const routes: RouteRecordRaw[] = [
  {
    path: '/login',
    name: 'login',
    component: () => import('@/views/LoginView.vue'),
    meta: { public: true, title: 'login.submit' },
  },
  {
    // Reserved for the public, mobile-friendly customer pages (survey links,
    // appointment and progress pages) of later waves.
    path: '/s',
    component: () => import('@/layouts/PublicLayout.vue'),
    meta: { public: true },
    children: [
      // The customer's self-service pages (views/public).
      { path: '', name: 'public-home', component: () => import('@/views/public/PublicHomeView.vue'), meta: { public: true, title: 'public.title' } },
      { path: 'survey/:token', name: 'public-survey', component: () => import('@/views/public/SurveyView.vue'), meta: { public: true, title: 'customerPages.survey.title' } },
      { path: 'request', name: 'public-request', component: () => import('@/views/public/ServiceRequestView.vue'), meta: { public: true, title: 'customerPages.nav.request' } },
      { path: 'status', name: 'public-status', component: () => import('@/views/public/TicketStatusView.vue'), meta: { public: true, title: 'customerPages.nav.status' } },
      { path: 'warranty', name: 'public-warranty', component: () => import('@/views/public/WarrantyView.vue'), meta: { public: true, title: 'customerPages.nav.warranty' } },
      { path: 'faq', name: 'public-faq', component: () => import('@/views/public/FaqView.vue'), meta: { public: true, title: 'customerPages.nav.faq' } },
      { path: 'manuals', name: 'public-manuals', component: () => import('@/views/public/ManualsView.vue'), meta: { public: true, title: 'customerPages.nav.manuals' } },
      { path: 'quote/:token', name: 'public-quote', component: () => import('@/views/public/QuoteApprovalView.vue'), meta: { public: true, title: 'quotePage.title' } },
      { path: 'prices', name: 'public-prices', component: () => import('@/views/public/PriceListView.vue'), meta: { public: true, title: 'customerPages.nav.prices' } },
      {
        path: ':pathMatch(.*)*',
        name: 'public-unavailable',
        component: () => import('@/views/public/PublicUnavailableView.vue'),
        meta: { public: true, title: 'public.title' },
      },
    ],
  },
  // Printouts on one A4 page each (views/print); outside the app chrome,
  // with the permission of the record they print.
  ...(
    [
      ['work-order', 'workorder:read'],
      ['repair', 'workorder:read'],
      ['return', 'ticket:read'],
      ['recall-notice', 'workorder:read'],
    ] as const
  ).map(
    ([kind, permission]): RouteRecordRaw => ({
      path: `/print/${kind}/:id(\\d+)`,
      name: `print-${kind}`,
      component: () => import('@/views/print/PrintView.vue'),
      meta: { permission, printKind: kind, title: `printout.open.${kind}` },
    }),
  ),
  {
    // The quote SMS links say /quote/<token>; the page lives under /s.
    path: '/quote/:token',
    redirect: (to) => ({ name: 'public-quote', params: { token: String(to.params.token) } }),
    meta: { public: true },
  },
  {
    // The survey service's links say /survey/<token>; the page lives under /s.
    path: '/survey/:token',
    redirect: (to) => ({ name: 'public-survey', params: { token: String(to.params.token) } }),
    meta: { public: true },
  },
  {
    path: '/',
    component: () => import('@/layouts/AppLayout.vue'),
    children: [
      {
        // Never shown: the guard sends the user to their first menu entry.
        path: '',
        name: 'home',
        component: () => import('@/views/errors/ForbiddenView.vue'),
      },
      page('agent', 'agent', () => import('@/views/agent/AgentConsoleView.vue')),
      page('tickets', 'tickets', () => import('@/views/tickets/TicketsView.vue')),
      {
        // One ticket: fields, SLA clocks, timeline, transitions, dispatch.
        path: 'tickets/:id',
        name: 'ticket-detail',
        component: () => import('@/views/tickets/TicketDetailView.vue'),
        meta: { permission: 'ticket:read', title: 'ticketDesk.detail.subtitle', menuKey: 'tickets' },
      },
      {
        // A complaint and a 三包 return/exchange request, each with its attachments.
        path: 'complaints/:id(\\d+)',
        name: 'complaint-detail',
        component: () => import('@/views/records/ComplaintDetailView.vue'),
        meta: { permission: 'complaint:read', title: 'attachments.title', menuKey: 'tickets' },
      },
      {
        path: 'returns/:id(\\d+)',
        name: 'return-detail',
        component: () => import('@/views/records/ReturnDetailView.vue'),
        meta: { permission: 'ticket:read', title: 'printout.titles.return_voucher', menuKey: 'tickets' },
      },
      {
        // A customer: phones and addresses, units, merge, PIPL erasure (issue 12 §2).
        path: 'customers/:id(\\d+)',
        name: 'customer-detail',
        component: () => import('@/views/customers/CustomerDetailView.vue'),
        meta: { permission: 'customer:read', title: 'masterdata.customer.title', menuKey: 'agent' },
      },
      {
        // A unit's passport with its corrections (purchase data, transfer, scrapped/lost).
        path: 'units/:serial',
        name: 'unit-detail',
        component: () => import('@/views/units/UnitView.vue'),
        meta: { permission: 'product:read', title: 'masterdata.unit.title', menuKey: 'agent' },
      },
      page('followups', 'followups', () => import('@/views/agent/FollowupsView.vue')),
      page('messages', 'messages', () => import('@/views/messages/MessagesView.vue')),
      page('outlet', 'outlet', () => import('@/views/outlet/OutletBoardView.vue')),
      page('readiness', 'readiness', () => loadReadinessDashboard(() => import('@/views/readiness/ReadinessView.vue'))),
      page('evidence', 'evidence', () => withReadinessMessages(import('@/views/evidence/EvidenceView.vue'))),
      page('certification', 'certification', () => withReadinessMessages(import('@/views/certification/CertificationView.vue'))),
      page('calibration', 'readiness/calibration', () => withReadinessMessages(import('@/views/readiness/CalibrationView.vue'))),
      page('kpi', 'kpi', () => withReadinessMessages(import('@/views/kpi/KpiView.vue'))),
      page('reports', 'reports', () => withReadinessMessages(import('@/views/reports/ReportsView.vue'))),
      page('users', 'admin/users', () => import('@/views/admin/UsersView.vue')),
      page('audit', 'admin/audit', () => import('@/views/admin/AuditView.vue')),
      page('privacyLog', 'admin/privacy-log', () => import('@/views/admin/PrivacyLogView.vue')),
      page('adminOutlets', 'admin/outlets', () => import('@/views/admin/OutletsView.vue')),
      page('adminStaff', 'admin/staff', () => import('@/views/admin/StaffView.vue')),
      page('adminSla', 'admin/sla', () => import('@/views/admin/SlaView.vue')),
      page('adminSurveys', 'admin/surveys', () => import('@/views/admin/SurveyTemplatesView.vue')),
      page('adminProducts', 'admin/products', () => import('@/views/admin/ProductsView.vue')),
      page('adminStandards', 'admin/standards', () => withReadinessMessages(import('@/views/admin/StandardsView.vue'))),
      {
        // A work order on its own page; the board opens the same panel in a drawer.
        path: 'outlet/work-orders/:id',
        name: 'outlet-work-order',
        component: () => import('@/views/outlet/WorkOrderView.vue'),
        meta: { permission: 'workorder:read', title: 'workOrder.title', menuKey: 'outlet' },
      },
      {
        path: '403',
        name: 'forbidden',
        component: () => import('@/views/errors/ForbiddenView.vue'),
        meta: { title: 'forbidden.title' },
      },
    ],
  },
  {
    path: '/:pathMatch(.*)*',
    name: 'not-found',
    component: () => import('@/views/errors/NotFoundView.vue'),
    meta: { public: true, title: 'notFound.title' },
  },
]

/**
 * safeRedirect accepts a ?redirect= value only if it is a path on this site
 * (not another origin, not the login page itself).
 */
export function safeRedirect(value: unknown): string | null {
  const v = Array.isArray(value) ? value[0] : value
  if (typeof v !== 'string' || !v.startsWith('/') || v.startsWith('//') || v.startsWith('/\\')) return null
  if (v === '/login' || v.startsWith('/login?') || v.startsWith('/login/')) return null
  return v
}

/** installGuards adds the sign-in and permission checks to a router. */
export function installGuards(router: Router): void {
  router.beforeEach(async (to): Promise<true | RouteLocationRaw> => {
    const session = useSessionStore()

    if (to.name === 'login') {
      try {
        await session.load()
      } catch {
        return true
      }
      if (session.isAuthenticated) {
        return safeRedirect(to.query.redirect) ?? homeRoute(session.permissions) ?? { name: 'forbidden' }
      }
      return true
    }
    if (to.meta.public) return true

    try {
      await session.load()
    } catch {
      return { name: 'login', query: { redirect: to.fullPath } }
    }
    if (!session.isAuthenticated) {
      return { name: 'login', query: to.fullPath === '/' ? {} : { redirect: to.fullPath } }
    }
    if (to.name === 'home') {
      return homeRoute(session.permissions) ?? { name: 'forbidden', query: { reason: 'no-menu' } }
    }
    const needed = to.meta.permission
    if (needed && !session.hasPermission(needed)) {
      return { name: 'forbidden', query: { from: to.fullPath } }
    }
    return true
  })
}

/** createAppRouter builds the router with browser history and the guards. */
export function createAppRouter(): Router {
  const router = createRouter({
    history: createWebHistory(import.meta.env.BASE_URL),
    routes,
    scrollBehavior: () => ({ top: 0 }),
  })
  installGuards(router)
  return router
}
