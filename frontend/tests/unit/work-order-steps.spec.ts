import { describe, expect, it } from 'vitest'
import { mayTake, offeredSteps, primaryStep } from '@/utils/workOrderSteps'

describe('work order steps', () => {
  it('offers only what the server allows, in life order', () => {
    const wo = { allowed_steps: ['cancel', 'reject', 'accept', 'redispatch'] as never }
    expect(offeredSteps(wo, ['outlet_manager'])).toEqual(['accept', 'reject'])
  })
  it('hides manager-only steps from technicians', () => {
    const wo = { allowed_steps: ['assign', 'appointment', 'contact', 'cancel'] as never }
    expect(offeredSteps(wo, ['technician'])).toEqual(['appointment', 'contact'])
    expect(offeredSteps(wo, ['outlet_manager'])).toEqual(['assign', 'appointment', 'contact'])
    expect(offeredSteps(wo, ['admin'])).toEqual(['assign', 'appointment', 'contact'])
  })
  it('offers nothing to other roles or without allowed steps', () => {
    expect(offeredSteps({ allowed_steps: ['accept'] as never }, ['hotline_agent'])).toEqual([])
    expect(offeredSteps({ allowed_steps: null }, ['admin'])).toEqual([])
    expect(offeredSteps(null, ['admin'])).toEqual([])
    expect(mayTake('redispatch', ['outlet_manager'])).toBe(false)
  })
  it('highlights the step that moves the work on', () => {
    expect(primaryStep(['accept', 'reject'])).toBe('accept')
    expect(primaryStep(['contact', 'check_in'])).toBe('check_in')
    expect(primaryStep(['contact'])).toBe('contact')
    expect(primaryStep([])).toBeNull()
  })
})
