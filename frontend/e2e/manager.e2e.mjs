// Browser test of the outlet manager's phone (/m, issue 16) on a 390×844
// viewport: the manager signs in on the phone, a new offer arrives live
// (no reload) with its countdown, area and fault; it is accepted within its
// time; a second offer is rejected with a reason from the list plus free
// text, and the re-dispatch then shows on the phone of the next outlet's
// manager. Today's page assigns a technician to the accepted work; the
// parts page finds a part's stock by its barcode and confirms a requisition
// received; the inbox lists the offers. Screenshots of each /m page the
// manager has go to frontend/test-artifacts/m-manager-*.png.
// Imported by run.mjs; runnable alone with `BASE_URL=… node e2e/manager.e2e.mjs`.
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { apiSession, artifact, BASE_URL, expectStatus, PASSWORD, scenario, shot } from './lib.mjs'
import { bitMatrixPNG } from './png.mjs'

const require = createRequire(import.meta.url)
const OUTLET_ID = 1
const SHENZHEN_DISTRICT = '440305'
const PHONE = { width: 390, height: 844 }

/**
 * dataMatrixPNG draws text as a Data Matrix barcode, as printed on a small
 * part's label (ZXing's JS port has no 1-D writer; the phone's decoder reads
 * both).
 */
function dataMatrixPNG(text) {
  const z = require('@zxing/library')
  return bitMatrixPNG(new z.DataMatrixWriter().encode(text, z.BarcodeFormat.DATA_MATRIX, 0, 0, new Map()), 10, 4)
}

/** ticketToDispatch registers a customer, a unit and a repair ticket in Shenzhen Nanshan. */
async function ticketToDispatch(agent, model, fault, text) {
  const phone = `139${String(Date.now()).slice(-8)}`
  const customer = expectStatus(
    await agent.call('POST', '/customers', {
      name: '网点手机 测试客户', phones: [{ number: phone }],
      addresses: [{ region_code: SHENZHEN_DISTRICT, detail: '科技园北区 3 栋 301', default: true }],
    }),
    201,
    'create customer',
  )
  const bought = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date(Date.now() - 30 * 86_400_000))
  const unit = expectStatus(
    await agent.call('POST', '/units', { serial: `OM${Date.now().toString(36).toUpperCase()}${fault}`, model_id: model.id, customer_id: customer.customer.id, purchase_date: bought }),
    201,
    'register unit',
  )
  return expectStatus(
    await agent.call('POST', '/tickets', {
      channel: 'phone', type: 'repair', priority: 'normal', customer_id: customer.customer.id, unit_id: unit.id,
      category_id: model.category_id, region_code: SHENZHEN_DISTRICT, fault_code: fault, description: text,
    }),
    201,
    'create ticket',
  )
}

async function phonePage(browser, username, password = PASSWORD) {
  const context = await browser.newContext({
    baseURL: BASE_URL, viewport: PHONE, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai', reducedMotion: 'reduce', serviceWorkers: 'block',
  })
  const page = await context.newPage()
  page.setDefaultTimeout(20_000)
  const errors = []
  page.on('pageerror', (err) => errors.push(err.message))
  await page.goto('/m/')
  await page.locator('#m-user').fill(username)
  await page.locator('#m-pass').fill(password)
  await page.locator('button[type="submit"]').click()
  await page.waitForURL((u) => u.pathname !== '/m/login')
  return { context, page, errors }
}

scenario('an outlet manager answers offers on the phone: live offer, accept in time, reject with a reason, re-dispatch at the next outlet', async ({ browser }) => {
  const admin = await apiSession('admin')
  const agent = await apiSession('agent')
  const om = await apiSession('outlet_manager')
  let next = null
  const phones = []
  try {
    const parts = expectStatus(await admin.call('GET', '/parts?size=200&active=true'), 200, 'parts').items
    const models = expectStatus(await admin.call('GET', '/product-models?size=200'), 200, 'models').items
    let model, part
    for (const p of parts) {
      model = models.find((m) => (p.category_ids ?? []).includes(m.category_id))
      if (model) {
        part = p
        break
      }
    }
    assert.ok(part && model, 'a catalogue part that fits a product model')

    // The outlet manager's phone: the menu follows the role's permissions.
    const mgr = await phonePage(browser, 'outlet_manager')
    phones.push(mgr)
    const { page } = mgr
    await page.waitForURL('**/m/offers')
    const menu = await page.locator('[data-testid="m-menu"] a').evaluateAll((as) => as.map((a) => a.dataset.testid.replace('m-menu-', '')))
    assert.deepEqual(menu, ['offers', 'today', 'jobs', 'parts', 'inbox'], 'the outlet manager menu')
    await page.locator('[data-testid="push-off"], [data-testid="push-ask"]').first().waitFor()

    // A new offer arrives live: dispatched by the hotline while the page is open.
    const t1 = await ticketToDispatch(agent, model, 'E4', '洗衣机不排水，显示 E4（网点手机 e2e）')
    const wo1 = expectStatus(await agent.call('POST', `/tickets/${t1.id}/dispatch`, { kind: 'repair', outlet_id: OUTLET_ID }), 201, 'dispatch 1')
    const card1 = page.locator(`[data-testid="offer-card"][data-number="${wo1.number}"]`)
    await card1.waitFor({ timeout: 20_000 })
    assert.match(await card1.locator('[data-testid="offer-area"]').innerText(), /南山/)
    assert.match(await card1.locator('[data-testid="offer-fault"]').innerText(), /E4.*不排水/s)
    const c0 = await card1.locator('[data-testid="countdown"]').innerText()
    await page.waitForTimeout(2200)
    const c1 = await card1.locator('[data-testid="countdown"]').innerText()
    assert.notEqual(c0, c1, `the countdown moves (${c0} → ${c1})`)
    await shot(page, 'm-manager-offers')

    // Accept in one tap, within its time.
    await card1.locator('[data-testid="offer-accept"]').click()
    await card1.waitFor({ state: 'detached' })
    const accepted = expectStatus(await agent.call('GET', `/work-orders/${wo1.id}`), 200, 'work order 1')
    assert.equal(accepted.status, 'accepted')
    assert.ok(new Date(accepted.accepted_at) < new Date(wo1.offer_expires_at), 'accepted before the offer lapsed')

    // A second offer: rejected with a reason from the list plus free text.
    const t2 = await ticketToDispatch(agent, model, 'E5', '冰箱不制冷（网点手机 e2e 拒单）')
    const wo2 = expectStatus(await agent.call('POST', `/tickets/${t2.id}/dispatch`, { kind: 'repair', outlet_id: OUTLET_ID }), 201, 'dispatch 2')
    const card2 = page.locator(`[data-testid="offer-card"][data-number="${wo2.number}"]`)
    await card2.waitFor({ timeout: 20_000 })
    await card2.locator('[data-testid="offer-reject"]').click()
    await card2.locator('[data-testid="reject-text"]').fill('两名技师均在外地培训')
    await shot(page, 'm-manager-offers-reject')
    await card2.locator('[data-testid="reason-no_technician"]').click()
    await card2.waitFor({ state: 'detached' })
    const moved = expectStatus(await agent.call('GET', `/work-orders/${wo2.id}`), 200, 'work order 2')
    const first = moved.offers.find((o) => o.outlet_id === OUTLET_ID)
    assert.equal(first.response, 'rejected')
    assert.equal(first.reason, 'no_technician: 两名技师均在外地培训', 'the reason is stored as its code and the free text (the UI says the code)')
    assert.equal(moved.status, 'offered', 're-dispatched automatically')
    assert.notEqual(moved.outlet_id, OUTLET_ID, 'offered to another outlet')

    // The next outlet's manager sees it on their phone.
    const username = `om_next_${Date.now().toString(36)}`
    const password = 'Phone-Offer-2026!x'
    expectStatus(await admin.call('POST', '/users', { username, display_name: '下一网点经理', password, roles: ['outlet_manager'], outlet_id: moved.outlet_id }), 201, 'next outlet manager')
    next = await phonePage(browser, username, password)
    phones.push(next)
    await next.page.waitForURL('**/m/offers')
    await next.page.locator(`[data-testid="offer-card"][data-number="${wo2.number}"]`).waitFor()
    await shot(next.page, 'm-manager-next-outlet-offer')

    // Today: assign a technician to the accepted work.
    await page.locator('[data-testid="m-menu-today"]').click()
    const row = page.locator('[data-testid="today-toAssign"] [data-testid="today-order"]', { hasText: wo1.number })
    await row.waitFor()
    await row.locator('[data-testid="assign-open"]').click()
    const staffButton = row.locator('[data-testid="assign-to"]').first()
    const staffName = (await staffButton.innerText()).split('·')[0].trim()
    await staffButton.click()
    await page.locator('[data-testid="today-notice"]', { hasText: staffName }).waitFor()
    const assigned = expectStatus(await agent.call('GET', `/work-orders/${wo1.id}`), 200, 'assigned')
    assert.equal(assigned.status, 'assigned')
    assert.ok(assigned.technician_staff_id, 'a technician is assigned')
    await shot(page, 'm-manager-today')

    // Parts: a shipped requisition to confirm, and a part's stock by its barcode.
    expectStatus(await admin.call('POST', '/stock/receipts', { part_id: part.id, location_id: 0, qty: 5, ref: 'e2e-manager-central' }), 201, 'central stock')
    expectStatus(await admin.call('POST', '/stock/receipts', { part_id: part.id, location_id: OUTLET_ID, qty: 2, ref: 'e2e-manager-outlet' }), 201, 'outlet stock')
    const req = expectStatus(await om.call('POST', '/requisitions', { outlet_id: OUTLET_ID, lines: [{ part_id: part.id, qty: 1 }], note: 'e2e 手机收货' }), 201, 'requisition')
    expectStatus(await admin.call('POST', `/requisitions/${req.id}/ship`, {}), 200, 'ship')
    const before = expectStatus(await om.call('GET', `/stock?part_id=${part.id}`), 200, 'stock before').items.find((b) => b.location_id === OUTLET_ID)
    await page.locator('[data-testid="m-menu-parts"]').click()
    const reqCard = page.locator(`[data-testid="requisition"][data-number="${req.number}"]`)
    await reqCard.waitFor()
    const label = artifact('m-manager-part-barcode.png')
    writeFileSync(label, dataMatrixPNG(part.code))
    await page.locator('[data-testid="scan-photo"]').setInputFiles(label)
    await page.locator('[data-testid="part-stock"]', { hasText: part.code }).waitFor()
    assert.equal(Number(await page.locator('[data-testid="stock-qty"]').first().innerText()), before.on_hand)
    await shot(page, 'm-manager-parts')
    await reqCard.locator('[data-testid="requisition-receive"]').click()
    await reqCard.waitFor({ state: 'detached' })
    const got = expectStatus(await om.call('GET', `/requisitions/${req.id}`), 200, 'requisition after')
    assert.equal(got.status, 'received')
    await page.locator('[data-testid="stock-qty"]', { hasText: String(before.on_hand + 1) }).waitFor()

    // The jobs list and the inbox.
    await page.locator('[data-testid="m-menu-jobs"]').click()
    await page.locator('[data-testid="job-card"]', { hasText: wo1.number }).waitFor()
    await shot(page, 'm-manager-jobs')
    await page.locator('[data-testid="m-menu-inbox"]').click()
    await page.locator('[data-testid="inbox-item"][data-kind="offer_waiting"]').first().waitFor()
    assert.ok(await page.locator('[data-testid="inbox-item"]', { hasText: wo1.number }).count(), 'the offer is in the inbox')
    await shot(page, 'm-manager-inbox')

    // Nothing wraps one character per line on the phone.
    const narrow = await page.evaluate(() => [...document.querySelectorAll('main *, nav *')].filter((el) => {
      const r = el.getBoundingClientRect()
      return el.childElementCount === 0 && (el.textContent ?? '').trim().length > 3 && r.width > 0 && r.width < 20 && r.height > 60
    }).map((el) => el.textContent))
    assert.deepEqual(narrow, [], 'text squeezed to one character per line')
    for (const p of phones) assert.deepEqual(p.errors, [], 'uncaught errors in the page')
  } finally {
    for (const p of phones) await p.context.close().catch(() => {})
    await Promise.all([admin.close(), agent.close(), om.close()])
  }
}, { timeout: 240_000 })
