// Browser tests of the outlet board: the outlet manager sees a new offer
// arrive without a reload (the hotline agent dispatches it through the
// API), accepts it, assigns a technician, checks in and completes it;
// rejecting needs a reason; the scorecard draws its charts; a technician
// sees the board without the manager's accept / reject. Imported by
// run.mjs; runnable alone with `BASE_URL=… node e2e/outlet.e2e.mjs`.
import assert from 'node:assert/strict'
import { apiSession, expectStatus, login, scenario, shot } from './lib.mjs'

/** The demo outlet of the outlet_manager and technician users. */
const OUTLET_ID = 1
/** A district of 深圳 (南山区) that demo outlet 1 covers. */
const SHENZHEN_DISTRICT = '440305'

/**
 * dispatchOffer plays the hotline agent: a new 深圳 customer calls, a repair
 * ticket is opened and dispatched to outlet 1. Returns the work order.
 */
async function dispatchOffer(note) {
  const agent = await apiSession('agent')
  try {
    const phone = `139${String(Date.now()).slice(-8)}`
    const customer = expectStatus(
      await agent.call('POST', '/customers', {
        name: '端到端 深圳客户',
        phones: [{ number: phone }],
        addresses: [{ region_code: SHENZHEN_DISTRICT, detail: '科技园南区 8 栋', default: true }],
      }),
      201,
      'create customer',
    )
    const ticket = expectStatus(
      await agent.call('POST', '/tickets', {
        channel: 'phone',
        type: 'repair',
        priority: 'normal',
        customer_id: customer.customer.id,
        region_code: SHENZHEN_DISTRICT,
        description: `空调不制冷（${note}）`,
      }),
      201,
      'create ticket',
    )
    const wo = expectStatus(
      await agent.call('POST', `/tickets/${ticket.id}/dispatch`, { kind: 'repair', outlet_id: OUTLET_ID, note }),
      201,
      'dispatch to outlet 1',
    )
    assert.equal(wo.status, 'offered')
    assert.equal(wo.outlet_id, OUTLET_ID)
    return wo
  } finally {
    await agent.close()
  }
}

async function openBoard(page) {
  await page.goto('/outlet')
  await page.locator('[data-testid="outlet-board"]').waitFor()
  await page.locator('[data-testid="outlet-live"][data-subscription="granted"]').waitFor()
}

/** panelStatus waits until the work order drawer shows a status. */
async function panelStatus(page, status) {
  await page.locator(`[data-testid="wo-panel"][data-status="${status}"]`).waitFor()
}

/** step opens a step's form in the drawer and submits it, then waits for the new status. */
async function step(page, name, next, fill) {
  await page.locator(`[data-testid="wo-step-${name}"]`).click()
  if (fill) await fill(page.locator(`[data-testid="wo-form-${name}"]`))
  await page.locator(`[data-testid="wo-submit-${name}"]`).click()
  await panelStatus(page, next)
}

scenario('outlet manager sees a new offer live, accepts it, checks in and completes', async ({ page }) => {
  await login(page, 'outlet_manager')
  await openBoard(page)
  const rows = page.locator('[data-testid="offers-table"] tbody tr')
  const before = await rows.count()

  // The agent dispatches while the board is open: it must appear without a reload.
  const wo = await dispatchOffer('端到端 看板实时')
  const row = page.locator('[data-testid="offers-table"] tbody tr', { hasText: wo.number })
  await row.waitFor({ timeout: 20_000 })
  assert.ok((await rows.count()) >= Math.min(before + 1, 200))
  const countdown = row.locator('[data-testid="offer-countdown"]')
  assert.match((await countdown.innerText()).trim(), /^(\d+d )?\d+:\d{2}(:\d{2})?$/, 'a time-left countdown')
  // It counts down live.
  const first = (await countdown.innerText()).trim()
  const deadline = Date.now() + 5000
  while ((await countdown.innerText()).trim() === first) {
    assert.ok(Date.now() < deadline, `the countdown stays at ${first}`)
    await page.waitForTimeout(250)
  }
  await shot(page, 'outlet-board-offer-arrived')

  // Accept from the board: the offer leaves the waiting list.
  await page.locator(`[data-testid="offer-accept-${wo.number}"]`).click()
  await row.waitFor({ state: 'detached' })

  // Work order detail in the drawer: only the allowed next steps are offered.
  await page.goto(`/outlet?wo=${wo.id}`)
  await panelStatus(page, 'accepted')
  assert.equal(await page.locator('[data-testid="wo-step-accept"]').count(), 0, 'accept is no longer offered')
  assert.equal(await page.locator('[data-testid="wo-step-complete"]').count(), 0, 'complete needs a check-in first')

  // Assign a technician of the outlet.
  await step(page, 'assign', 'assigned', async (form) => {
    await form.locator('[data-testid="wo-technician"]').click()
    await page.locator('.el-select-dropdown__item:visible').first().click()
  })
  // The technician arrives: check in.
  await step(page, 'check_in', 'on_site', (form) => form.locator('textarea[name="note"]').fill('端到端：技师到场'))
  await shot(page, 'outlet-work-order-on-site')
  // Complete with a result.
  await step(page, 'complete', 'completed', async (form) => {
    await form.locator('[data-testid="wo-result"] label', { hasText: '已修复' }).click()
    await form.locator('textarea[name="notes"]').fill('端到端：更换电容后制冷正常')
  })
  // The customer signs off.
  await step(page, 'sign_off', 'signed_off', (form) => form.locator('input[name="signed_by"]').fill('端到端 深圳客户'))
  await page.locator('[data-testid="wo-milestones"]', { hasText: '技师到场' }).waitFor()
  await shot(page, 'outlet-work-order-signed-off')

  const agent = await apiSession('agent')
  try {
    const done = expectStatus(await agent.call('GET', `/work-orders/${wo.id}`), 200, 'work order')
    assert.equal(done.status, 'signed_off')
    assert.ok(done.accepted_at && done.arrived_at && done.completed_at && done.signed_off_at, 'every step is timestamped')
    assert.equal(done.result, 'done')
    assert.ok(done.technician_staff_id, 'a technician is assigned')
  } finally {
    await agent.close()
  }
})

scenario('outlet manager rejecting an offer must give a reason', async ({ page }) => {
  await login(page, 'outlet_manager')
  const wo = await dispatchOffer('端到端 拒单')
  await openBoard(page)
  await page.locator(`[data-testid="offer-reject-${wo.number}"]`).click()
  const dialog = page.locator('[data-testid="reject-dialog"]')
  await dialog.locator('[data-testid="reject-submit"]').click()
  await dialog.locator('.el-form-item__error', { hasText: '请填写拒单原因' }).waitFor()
  await dialog.locator('textarea[name="reason"]').fill('端到端：今日技师已满负荷')
  await shot(page, 'outlet-reject-reason')
  await dialog.locator('[data-testid="reject-submit"]').click()
  await dialog.waitFor({ state: 'hidden' })
  await page.locator('[data-testid="offers-table"] tbody tr', { hasText: wo.number }).waitFor({ state: 'detached' })

  const agent = await apiSession('agent')
  try {
    const after = expectStatus(await agent.call('GET', `/work-orders/${wo.id}`), 200, 'work order')
    const mine = after.offers.find((o) => o.outlet_id === OUTLET_ID)
    assert.equal(mine.response, 'rejected')
    assert.equal(mine.reason, '端到端：今日技师已满负荷')
    assert.ok(after.outlet_id !== OUTLET_ID || after.status !== 'offered', 're-dispatched or left unassigned')
  } finally {
    await agent.close()
  }
})

scenario('outlet scorecard shows accept time, on-time arrival and first-time fix with charts', async ({ page }) => {
  await login(page, 'outlet_manager')
  await page.goto('/outlet?tab=scorecard')
  const card = page.locator('[data-testid="scorecard"]')
  await card.locator('[data-testid="kpi-ontime"]').waitFor()
  assert.match(await card.locator('[data-testid="kpi-ontime"]').innerText(), /准时上门率/)
  await card.locator('[data-testid="scorecard-trend"] canvas').waitFor()
  await shot(page, 'outlet-scorecard')
})

scenario('technician sees the board and parts without the manager’s accept and reject', async ({ page }) => {
  await login(page, 'technician')
  await openBoard(page)
  assert.equal(await page.locator('[data-testid^="offer-accept-"]').count(), 0, 'no accept for technicians')
  assert.equal(await page.locator('.el-tabs__item', { hasText: '网点评分' }).count(), 0, 'no scorecard without kpi:read')
  await page.locator('.el-tabs__item', { hasText: '配件库存' }).click()
  await page.locator('[data-testid="stock-table"]').waitFor()
  await shot(page, 'outlet-technician-parts')
})
