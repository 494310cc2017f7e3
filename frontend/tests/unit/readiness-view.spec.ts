import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory, createRouter } from 'vue-router'
import { defineComponent } from 'vue'
import { i18n } from '@/i18n'
import { loadReadinessMessages } from '@/views/readiness/loader'
import type { RunResponse } from '@/api/readiness'

vi.mock('@/api/readiness', async (importOriginal) => ({
  // isDone is the real one: it reads the status the mocks return.
  isDone: (await importOriginal<typeof import('@/api/readiness')>()).isDone,
  getScore: vi.fn(),
  getStandard: vi.fn(),
  startRun: vi.fn(),
  getRunState: vi.fn(),
  getRun: vi.fn(),
  listRuns: vi.fn(),
  diffRuns: vi.fn(),
  getGaps: vi.fn(),
  getCheapestPath: vi.fn(),
  getPlausibility: vi.fn(),
  getProjection: vi.fn(),
  whatIf: vi.fn(),
}))

import * as api from '@/api/readiness'
import ReadinessView from '@/views/readiness/ReadinessView.vue'
import { useReadinessLiveStore } from '@/stores/readinessLive'
import { useSessionStore } from '@/stores/session'
import type { Permission } from '@/api/types'

const Stub = defineComponent({ render: () => null })
// ECharts needs a canvas: the chart stub reports it has drawn, as ECharts' "finished" does.
const ChartStub = defineComponent({ emits: ['rendered'], mounted() { this.$emit('rendered') }, render: () => null })

function run(id: number, total: number, band = 'pass'): RunResponse {
  return {
    run: {
      id, standard: 'gbt27922-2011', standard_version: 1, as_of: '2026-11-26T09:00:00Z', audit_seq: 1, trigger: 'manual', created_by: 'quality',
      total, low: total, high: total, band, band_low: band, band_high: band, next_band: 'three_star', to_next_band: 80 - total, above_band: total - 70, failed: false,
      complete: true, ledger_run_id: id, duration_ms: 12, created_at: '2026-11-26T09:00:00Z',
      status: 'done', progress: { done: 44, total: 44, clause: '' },
    },
    score: {
      total, normalised: total, actual: total, applicable: 100, low: total, high: total, low_band: band, high_band: band, band_low: band, band_high: band, band,
      band_name: { zh: '达标', en: 'Compliant' }, next_band: 'three_star', next_band_name: { zh: '三星', en: 'Three stars' },
      to_next_band: 80 - total, above_band: total - 70, failed: false, fail_reasons: [], complete: true,
      counts: { leaves: 2, computed: 2, unknown: 0, not_applicable: 0, overridden: 0, losing: 1, inferred: 2 },
      deduction_points: 0, bonus_points: 0, deductions: [], suggested_deductions: [], stars_withheld: false, notices: null,
    },
    ledger: [
      {
        clause: '5.1', name: { zh: '售后服务体系', en: 'System' }, level: 1, leaf: false, points: total * 0.4, max: 40, applicable: 40, state: 'computed',
        inputs: { numerator: 0, denominator: 0, value: 0, target: 0, floor: 0, required: 0 }, recoverable: 1, reason: { zh: '', en: '' }, action: { zh: '', en: '' },
      },
    ],
  }
}

const settle = async () => {
  for (let i = 0; i < 4; i++) {
    await flushPromises()
    await new Promise((r) => setTimeout(r, 0))
  }
}

/** until polls a condition while the async chunks of the page load. */
async function until(ok: () => boolean, ms = 15_000) {
  const end = Date.now() + ms
  while (!ok()) {
    if (Date.now() > end) throw new Error('condition not met in time')
    await settle()
    await new Promise((r) => setTimeout(r, 20))
  }
}

async function mountView(permissions: Permission[]) {
  const session = useSessionStore()
  session.me = { id: 5, username: 'quality', display_name: '质量经理', roles: ['quality_manager'], permissions, outlet_id: null, timezone: 'Asia/Shanghai' }
  session.loaded = true
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [{ path: '/readiness', name: 'readiness', component: ReadinessView }, { path: '/:p(.*)*', name: 'not-found', component: Stub }],
  })
  await router.push('/readiness')
  const wrapper = mount(ReadinessView, {
    global: { plugins: [router, i18n], stubs: { EChart: ChartStub, transition: false, 'transition-group': false } },
    attachTo: document.body,
  })
  await settle()
  return wrapper
}

describe('ReadinessView', { timeout: 30_000 }, () => {
  beforeAll(async () => {
    await loadReadinessMessages()
  })
  beforeEach(() => {
    setActivePinia(createPinia())
    i18n.global.locale.value = 'zh-CN'
    vi.mocked(api.getScore).mockReset().mockResolvedValue(run(1, 72.5))
    vi.mocked(api.getStandard).mockReset().mockRejectedValue(new Error('not needed'))
    vi.mocked(api.listRuns).mockReset().mockResolvedValue({ items: [run(1, 72.5).run], total: 1, page: 1, size: 200 })
    vi.mocked(api.getPlausibility).mockReset().mockResolvedValue({ as_of: '2026-11-26T09:00:00Z', checks: [], warnings: 0 })
    vi.mocked(api.startRun).mockReset()
    vi.mocked(api.getRunState).mockReset()
    vi.mocked(api.getRun).mockReset()
  })
  afterEach(() => {
    document.body.innerHTML = ''
  })

  it('shows the score, then follows a live readiness.score without a reload and reloads the ledger in place', async () => {
    const w = await mountView(['readiness:read', 'readiness:run', 'readiness:manage'])
    expect(w.get('[data-testid="gauge-score"]').text()).toBe('72.50')
    expect(w.get('[data-testid="gauge-margin"]').text()).toContain('三星')
    await until(() => w.find('[data-testid="inferred-notice"]').exists())
    expect(api.getScore).toHaveBeenCalledTimes(1)

    vi.mocked(api.getScore).mockResolvedValue(run(2, 80.25, 'three_star'))
    useReadinessLiveStore().handle({
      type: 'event', topic: 'readiness', name: 'readiness.score', at: '2026-11-26T10:00:00Z',
      data: { run_id: 2, standard: 'gbt27922-2011', total: 80.25, low: 80.25, high: 80.25, band: 'three_star', next_band: 'four_star', to_next_band: 9.75, above_band: 0.25, complete: true, failed: false },
    })
    await settle()
    // The head shows at once, before the ledger has reloaded.
    expect(w.get('[data-testid="gauge-score"]').text()).toBe('80.25')
    expect(w.get('[data-testid="gauge-band"]').text()).toBe('三星')
    await new Promise((r) => setTimeout(r, 200))
    await settle()
    expect(api.getScore).toHaveBeenCalledTimes(2)
    expect(w.get('[data-testid="score-gauge"]').attributes('data-run-id')).toBe('2')
  })

  it('runs now: the answer comes at once, a progress bar follows the live progress, and the finished run replaces the score', async () => {
    const started = { ...run(3, 0).run, status: 'running' as const, progress: { done: 0, total: 44, clause: '' }, complete: false }
    vi.mocked(api.startRun).mockResolvedValue({ run: started, joined: false })
    vi.mocked(api.getRunState).mockResolvedValue({ run: started })
    vi.mocked(api.getRun).mockResolvedValue(run(3, 75))
    const w = await mountView(['readiness:read', 'readiness:run', 'readiness:manage'])
    await w.get('[data-testid="run-now"]').trigger('click')
    await settle()
    expect(api.startRun).toHaveBeenCalledTimes(1)
    const bar = () => w.get('[data-testid="run-progress"]')
    expect(bar().attributes('data-run-id')).toBe('3')
    expect(bar().attributes('data-status')).toBe('running')
    expect(w.get('[data-testid="gauge-score"]').text()).toBe('72.50')

    const store = useReadinessLiveStore()
    const progress = (data: Record<string, unknown>) =>
      store.handle({ type: 'event', topic: 'readiness', name: 'readiness.progress', at: '2026-11-26T10:00:00Z', data: { run_id: 3, standard: 'gbt27922-2011', total: 44, ...data } })
    progress({ status: 'running', done: 20, clause: '5.2.2.1' })
    await settle()
    expect(bar().attributes('data-done')).toBe('20')
    expect(bar().text()).toContain('20 / 44')
    expect(bar().text()).toContain('5.2.2.1')
    // An older event arriving late never moves the bar back.
    progress({ status: 'running', done: 10, clause: '5.1.1' })
    await settle()
    expect(bar().attributes('data-done')).toBe('20')
    // The live feed is for what moved the score, not for progress.
    expect(store.feed).toHaveLength(0)

    progress({ status: 'done', done: 44, clause: '' })
    await until(() => w.get('[data-testid="gauge-score"]').text() === '75.00')
    expect(api.getRun).toHaveBeenCalledWith(3)
    expect(bar().attributes('data-status')).toBe('done')
    expect(w.get('[data-testid="score-gauge"]').attributes('data-run-id')).toBe('3')
  })

  it('polls the run when no live event comes, and says so when the run ends in error', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true })
    try {
      const started = { ...run(4, 0).run, status: 'running' as const, progress: { done: 0, total: 44, clause: '' } }
      vi.mocked(api.startRun).mockResolvedValue({ run: started, joined: true })
      vi.mocked(api.getRunState).mockResolvedValue({ run: { ...started, status: 'error', error: 'database gone' } })
      const w = await mountView(['readiness:read', 'readiness:run', 'readiness:manage'])
      await w.get('[data-testid="run-now"]').trigger('click')
      await settle()
      await vi.advanceTimersByTimeAsync(1600)
      await settle()
      expect(api.getRunState).toHaveBeenCalledWith(4)
      expect(w.get('[data-testid="run-progress"]').attributes('data-status')).toBe('error')
      expect(w.get('[data-testid="run-progress"]').text()).toContain('database gone')
      expect(w.get('[data-testid="run-now"]').attributes('disabled')).toBeUndefined()
    } finally {
      vi.useRealTimers()
    }
  })

  it('is read-only for an auditor: no run, no what-if', async () => {
    const w = await mountView(['readiness:read'])
    expect(w.find('[data-testid="run-now"]').exists()).toBe(false)
    await until(() => w.text().includes('指标明细'))
    expect(w.text()).not.toContain('假设分析')
  })
})
