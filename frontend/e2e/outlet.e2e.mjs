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
async function dispatchOffer(note, { withUnit = false } = {}) {
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
    // The customer's unit, bought a month ago (in warranty), when the test repairs it.
    let unit = null
    if (withUnit) {
      const model = expectStatus(await agent.call('GET', '/product-models?size=1'), 200, 'product models').items[0]
      const bought = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date(Date.now() - 30 * 86_400_000))
      unit = expectStatus(
        await agent.call('POST', '/units', { serial: `E2E${Date.now().toString(36).toUpperCase()}`, model_id: model.id, customer_id: customer.customer.id, purchase_date: bought }),
        201,
        'register unit',
      )
      unit.category_id = model.category_id
    }
    const ticket = expectStatus(
      await agent.call('POST', '/tickets', {
        channel: 'phone',
        type: 'repair',
        priority: 'normal',
        customer_id: customer.customer.id,
        unit_id: unit?.id,
        category_id: unit?.category_id,
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

/**
 * stockPart plays the central warehouse: a new part of the category goes
 * into the catalogue with `atOutlet` pieces at outlet 1 and 50 centrally.
 */
async function stockPart(categoryId, atOutlet) {
  const admin = await apiSession('admin')
  try {
    const code = `E2E-${Date.now().toString(36).toUpperCase()}`
    const part = expectStatus(
      await admin.call('POST', '/parts', { code, name: '端到端 启动电容', spec: '35μF', unit: '个', price_fen: 4500, category_ids: categoryId ? [categoryId] : [] }),
      201,
      'create part',
    )
    if (atOutlet > 0) expectStatus(await admin.call('POST', '/stock/receipts', { part_id: part.id, location_id: OUTLET_ID, qty: atOutlet, ref: 'e2e' }), 201, 'stock at outlet')
    expectStatus(await admin.call('POST', '/stock/receipts', { part_id: part.id, location_id: 0, qty: 50, ref: 'e2e' }), 201, 'central stock')
    return part
  } finally {
    await admin.close()
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
  const wo = await dispatchOffer('端到端 看板实时', { withUnit: true })
  assert.ok(wo.unit_id, 'the work order names the unit')
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
  // The customer's contact, on request, unmasked for the outlet's accepted job (the read is logged).
  await page.locator('[data-testid="wo-contact-show"]').click()
  const phone = page.locator('[data-testid="wo-contact-phone"]').first()
  await phone.waitFor()
  assert.doesNotMatch(await phone.innerText(), /\*/, 'the phone is shown unmasked')

  // Assign a technician of the outlet.
  await step(page, 'assign', 'assigned', async (form) => {
    await form.locator('[data-testid="wo-technician"]').click()
    await page.locator('.el-select-dropdown__item:visible').first().click()
  })
  // The technician arrives: check in.
  await step(page, 'check_in', 'on_site', (form) => form.locator('textarea[name="note"]').fill('端到端：技师到场'))
  await shot(page, 'outlet-work-order-on-site')

  // The repair record: diagnosis, work started, a part taken from stock with
  // the faulty and the replacement serial, the result.
  const part = await stockPart(wo.category_id, 2)
  const repair = page.locator('[data-testid="wo-repair"]')
  await repair.locator('[data-testid="repair-open"]').click()
  await repair.locator('[data-testid="repair-status"]', { hasText: '已接修' }).waitFor()
  await repair.getByRole('button', { name: '诊断' }).click()
  await repair.locator('textarea').fill('压缩机启动电容失效')
  await repair.locator('input[name="fault_code"]').fill('E1')
  await repair.locator('input[name="cause"]').fill('电容老化')
  await repair.locator('[data-testid="repair-diagnose-submit"]').click()
  await repair.locator('[data-testid="repair-status"]', { hasText: '已诊断' }).waitFor()
  await repair.locator('[data-testid="repair-start"]').click()
  await repair.locator('[data-testid="repair-status"]', { hasText: '维修中' }).waitFor()
  await repair.locator('[data-testid="repair-add-part"]').click()
  await repair.locator('[data-testid="repair-part-pick"]').click()
  await page.keyboard.type(part.code)
  await page.locator('.el-select-dropdown__item:visible', { hasText: part.code }).click()
  await repair.locator('input[name="faulty_serial"]').fill('CAP-OLD-0001')
  await repair.locator('input[name="replacement_serial"]').fill('CAP-NEW-0001')
  await repair.locator('[data-testid="repair-part-submit"]').click()
  const line = repair.locator('[data-testid="repair-parts"] tbody tr', { hasText: part.code })
  await line.waitFor()
  assert.match(await line.innerText(), /CAP-OLD-0001[\s\S]*CAP-NEW-0001/)
  await repair.locator('[data-testid="repair-complete"]').click()
  await repair.locator('[data-testid="repair-complete-submit"]').click()
  await repair.locator('[data-testid="repair-status"]', { hasText: '已完成' }).waitFor()
  await shot(page, 'outlet-repair-record')
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

scenario('outlet manager requests parts and books in the shipment', async ({ page }) => {
  const part = await stockPart(null, 1)
  await login(page, 'outlet_manager')
  await page.goto('/outlet?tab=parts')
  const stock = page.locator('[data-testid="stock-table"] tbody tr', { hasText: part.code })
  await stock.waitFor()
  await page.locator('[data-testid="requisition-create"]').click()
  const dialog = page.locator('[data-testid="requisition-dialog"]')
  await dialog.locator('.el-select').first().click()
  await page.keyboard.type(part.code)
  await page.locator('.el-select-dropdown__item:visible', { hasText: part.code }).click()
  await dialog.locator('.el-input-number input').fill('3')
  await dialog.getByRole('button', { name: '申领配件' }).click()
  await dialog.waitFor({ state: 'hidden' })
  const req = page.locator('[data-testid="requisitions-table"] tbody tr', { hasText: part.code })
  await req.locator('.el-tag', { hasText: '待发货' }).waitFor()

  // The central warehouse ships it.
  const admin = await apiSession('admin')
  try {
    const list = expectStatus(await admin.call('GET', `/requisitions?outlet_id=${OUTLET_ID}&status=requested&size=50`), 200, 'requisitions').items
    const mine = []
    for (const r of list) {
      const full = expectStatus(await admin.call('GET', `/requisitions/${r.id}`), 200, 'requisition')
      if ((full.lines ?? []).some((l) => l.part_id === part.id)) mine.push(full)
    }
    assert.equal(mine.length, 1, 'one requisition for the new part')
    expectStatus(await admin.call('POST', `/requisitions/${mine[0].id}/ship`, { version: mine[0].version }), 200, 'ship')
  } finally {
    await admin.close()
  }
  await page.reload()
  await req.getByRole('button', { name: '签收入库' }).click()
  await req.locator('.el-tag', { hasText: '已签收' }).waitFor()
  await page.locator('[data-testid="stock-table"] tbody tr', { hasText: part.code }).locator('td').nth(1).getByText('4', { exact: true }).waitFor()
  await shot(page, 'outlet-parts-requisition')
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
