import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { mount } from '@vue/test-utils'
import { i18n } from '@/i18n'
import SlaCountdown from '@/components/SlaCountdown.vue'

describe('SlaCountdown', () => {
  beforeEach(() => {
    vi.useFakeTimers()
    vi.setSystemTime(new Date('2026-11-26T08:00:00Z'))
    i18n.global.locale.value = 'zh-CN'
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('ticks every second and turns amber then red as the deadline nears and passes', async () => {
    // Created now, due in 100 s: amber from 80 s, red at 100 s.
    const w = mount(SlaCountdown, {
      props: { startAt: '2026-11-26T08:00:00Z', dueAt: '2026-11-26T08:01:40Z' },
      global: { plugins: [i18n] },
    })
    const level = () => w.find('[data-testid="sla-countdown"]').attributes('data-sla-level')
    expect(level()).toBe('ok')
    expect(w.text()).toContain('1:40')
    await vi.advanceTimersByTimeAsync(1000)
    expect(w.text()).toContain('1:39')
    await vi.advanceTimersByTimeAsync(79_000)
    expect(level()).toBe('warn')
    expect(w.text()).toContain('0:20')
    await vi.advanceTimersByTimeAsync(25_000)
    expect(level()).toBe('breached')
    expect(w.text()).toContain('超时')
    expect(w.text()).toContain('+0:05')
    w.unmount()
  })

  it('shows a dash without a deadline and flags an earlier breach', () => {
    const w = mount(SlaCountdown, { props: { dueAt: null, breached: true }, global: { plugins: [i18n] } })
    expect(w.text()).toContain('—')
    expect(w.text()).toContain('曾超时')
    w.unmount()
  })
})
