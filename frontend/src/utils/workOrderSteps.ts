// Which work-order steps the outlet board offers a user: the steps the
// server says are allowed now (allowed_steps), that the board handles, and
// that the user's role may take (the service refuses accept, reject and
// assign to technicians; administrators may do everything).
import type { Role } from '@/api/types'
import type { WorkOrder, WorkOrderStep } from '@/api/workorders'

/** The steps the outlet board handles, in the order of a work order's life. */
export const BOARD_STEPS: readonly WorkOrderStep[] = ['accept', 'reject', 'assign', 'appointment', 'contact', 'on_the_way', 'check_in', 'complete', 'sign_off']

/** Roles allowed to take each step (besides admin), as in backend/internal/workorder/service.go. */
export const STEP_ROLES: Readonly<Record<string, readonly Role[]>> = {
  accept: ['outlet_manager'],
  reject: ['outlet_manager'],
  assign: ['outlet_manager'],
  appointment: ['outlet_manager', 'technician'],
  contact: ['outlet_manager', 'technician'],
  on_the_way: ['outlet_manager', 'technician'],
  check_in: ['outlet_manager', 'technician'],
  complete: ['outlet_manager', 'technician'],
  sign_off: ['outlet_manager', 'technician'],
}

/** mayTake reports whether a user with these roles may take a step. */
export function mayTake(step: WorkOrderStep, roles: readonly Role[]): boolean {
  if (roles.includes('admin')) return true
  const allowed = STEP_ROLES[step]
  return !!allowed && allowed.some((r) => roles.includes(r))
}

/** offeredSteps lists the steps to offer on a work order, in life order. */
export function offeredSteps(wo: Pick<WorkOrder, 'allowed_steps'> | null | undefined, roles: readonly Role[]): WorkOrderStep[] {
  const allowed = new Set(wo?.allowed_steps ?? [])
  return BOARD_STEPS.filter((s) => allowed.has(s) && mayTake(s, roles))
}

/**
 * primaryStep is the step that moves the work on (the one to highlight):
 * the first offered step other than reject, contact and on_the_way, else
 * the first. contact and on_the_way are side steps: they may happen any
 * time before arrival.
 */
export function primaryStep(steps: readonly WorkOrderStep[]): WorkOrderStep | null {
  return steps.find((s) => s !== 'reject' && s !== 'contact' && s !== 'on_the_way') ?? steps[0] ?? null
}

/** The milestones of a work order, with the field holding each one's time. */
export const MILESTONES = [
  ['offered', 'offered_at'],
  ['accepted', 'accepted_at'],
  ['assigned', 'technician_assigned_at'],
  ['scheduled', 'appointment_at'],
  ['contacted', 'contacted_at'],
  ['arrived', 'arrived_at'],
  ['completed', 'completed_at'],
  ['signed_off', 'signed_off_at'],
] as const satisfies readonly (readonly [string, keyof WorkOrder])[]
