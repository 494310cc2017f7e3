import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import { reactive } from 'vue'
import { i18n } from '@/i18n'
import TextFilterBar from '@/components/TextFilterBar.vue'

describe('TextFilterBar', () => {
  it('edits the view filters in place, one named input per field, and emits search and reset', async () => {
    const filters = reactive({ entity: '', action: '' })
    const wrapper = mount(TextFilterBar, {
      props: {
        modelValue: filters,
        testid: 'audit',
        fields: [
          { key: 'entity', label: 'Entity', width: '150px' },
          { key: 'action', label: 'Action', width: '170px' },
        ],
      },
      global: { plugins: [i18n] },
    })
    expect(wrapper.find('[data-testid="audit-filters"]').exists()).toBe(true)
    const action = wrapper.find('input[name="action"]')
    expect(action.exists()).toBe(true)
    await action.setValue('user.create')
    expect(filters.action).toBe('user.create')
    await wrapper.find('[data-testid="audit-filters"]').trigger('submit')
    expect(wrapper.emitted('search')).toHaveLength(1)
    const buttons = wrapper.findAll('button')
    await buttons[buttons.length - 1].trigger('click')
    expect(wrapper.emitted('reset')).toHaveLength(1)
  })
})
