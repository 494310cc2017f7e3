import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory, createRouter } from 'vue-router'
import { ApiError } from '@/api/errors'
import { i18n } from '@/i18n'

vi.mock('@/api/public', () => ({ getPublicSurvey: vi.fn(), submitPublicSurvey: vi.fn() }))

import * as pub from '@/api/public'
import SurveyView from '@/views/public/SurveyView.vue'

const settle = async () => {
  for (let i = 0; i < 3; i++) {
    await flushPromises()
    await new Promise((r) => setTimeout(r, 0))
  }
}
// Element Plus debounces a form item's error state.
const errorsShown = () => new Promise((r) => setTimeout(r, 200))
const mounted: { unmount: () => void }[] = []

async function mountSurvey() {
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/s/survey/:token', name: 'public-survey', component: SurveyView }] })
  await router.push('/s/survey/tok123')
  const w = mount(SurveyView, { global: { plugins: [router, i18n], stubs: { transition: false, 'transition-group': false } }, attachTo: document.body })
  mounted.push(w)
  await settle()
  return w
}

const form = {
  name: '服务满意度回访',
  intro: '感谢您选择我们的服务',
  ticket_number: 'T20261126-000001',
  expires_at: '2026-12-10T00:00:00Z',
  questions: [
    { code: 'overall', text: '您对本次服务满意吗？', type: 'csat' as const, target: 'overall', required: true, min: 1, max: 5 },
    { code: 'fixed', text: '问题解决了吗？', type: 'yes_no' as const, target: 'overall', required: false },
  ],
}

describe('SurveyView', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    i18n.global.locale.value = 'zh-CN'
    vi.mocked(pub.getPublicSurvey).mockReset()
    vi.mocked(pub.submitPublicSurvey).mockReset()
  })
  afterEach(() => {
    // Unmount even after a failure, so no window listener leaks into the next test.
    while (mounted.length) mounted.pop()!.unmount()
    document.body.innerHTML = ''
  })

  it.each([
    [404, 'not_found', 'not_found', '链接无效'],
    [409, 'already_answered', 'answered', '您已完成评价'],
    [410, 'survey_expired', 'expired', '已过期'],
  ])('a %s link shows its state', async (status, code, state, text) => {
    vi.mocked(pub.getPublicSurvey).mockRejectedValue(new ApiError({ status, code: status === 404 ? 'not_found' : 'conflict', rawCode: code }))
    const w = await mountSurvey()
    expect(w.find('[data-testid="survey-page"]').attributes('data-survey-state')).toBe(state)
    expect(w.text()).toContain(text)
  })

  it('has no default answer, asks for required ones, then submits once', async () => {
    vi.mocked(pub.getPublicSurvey).mockResolvedValue(form)
    vi.mocked(pub.submitPublicSurvey).mockResolvedValue()
    const w = await mountSurvey()
    expect(w.findAll('.score.on')).toHaveLength(0)
    await w.find('form').trigger('submit')
    await settle()
    await errorsShown()
    expect(pub.submitPublicSurvey).not.toHaveBeenCalled()
    expect(w.find('[data-question="overall"] .el-form-item__error').text()).toContain('请回答')
    await w.find('[data-question="overall"] [data-score="4"]').trigger('click')
    await w.find('form').trigger('submit')
    await settle()
    expect(pub.submitPublicSurvey).toHaveBeenCalledWith('tok123', { overall: 4 }, '')
    expect(w.find('[data-testid="survey-page"]').attributes('data-survey-state')).toBe('thanks')
  })

  it('shows the server answer error at its question', async () => {
    vi.mocked(pub.getPublicSurvey).mockResolvedValue(form)
    vi.mocked(pub.submitPublicSurvey).mockRejectedValue(
      new ApiError({ status: 422, code: 'validation_failed', fields: { 'answers.fixed': 'must be true or false' } }),
    )
    const w = await mountSurvey()
    await w.find('[data-question="overall"] [data-score="2"]').trigger('click')
    await w.find('form').trigger('submit')
    await settle()
    await errorsShown()
    expect(w.find('[data-question="fixed"] .el-form-item__error').text()).toContain('true or false')
    expect(w.find('[data-testid="survey-page"]').attributes('data-survey-state')).toBe('form')
  })

  it('an answer that arrives after the link was used elsewhere shows the answered state', async () => {
    vi.mocked(pub.getPublicSurvey).mockResolvedValue(form)
    vi.mocked(pub.submitPublicSurvey).mockRejectedValue(new ApiError({ status: 409, code: 'conflict', rawCode: 'already_answered' }))
    const w = await mountSurvey()
    await w.find('[data-question="overall"] [data-score="5"]').trigger('click')
    await w.find('form').trigger('submit')
    await settle()
    expect(w.find('[data-testid="survey-page"]').attributes('data-survey-state')).toBe('answered')
  })
})
