// Browser test of the header bell: the outlet manager is on the outlet board
// when the hotline dispatches a work order to outlet 1; the bell's unread
// count rises live (no reload), the drawer lists the offer, and "mark all
// read" clears the badge. Imported by run.mjs; runnable alone with
// `BASE_URL=… node e2e/notifications.e2e.mjs`.
import assert from 'node:assert/strict'
import { apiSession, expectStatus, login, scenario, shot } from './lib.mjs'

const OUTLET_ID = 1

scenario('a work order offered to outlet 1 rings the outlet manager’s bell live', async ({ page }) => {
  await login(page, 'outlet_manager')
  await page.goto('/outlet')
  const bell = page.locator('[data-testid="notification-bell"]')
  await bell.waitFor()
  // The live channel must be open (and the user topic granted) before the offer.
  await page.locator('[data-testid="live-status"][data-live-status="open"]').waitFor()
  await page.waitForTimeout(500)
  const before = Number(await bell.getAttribute('data-unread'))

  const agent = await apiSession('agent')
  let number
  try {
    const some = expectStatus(await agent.call('GET', `/tickets?outlet_id=${OUTLET_ID}&size=1`), 200, 'a ticket of outlet 1')
    const customerId = some.items[0].customer_id
    const t = expectStatus(
      await agent.call('POST', '/tickets', { channel: 'phone', type: 'repair', priority: 'normal', customer_id: customerId, description: `e2e bell ${Date.now().toString(36)}` }),
      201,
      'create ticket',
    )
    const wo = expectStatus(await agent.call('POST', `/tickets/${t.id}/dispatch`, { kind: 'repair', outlet_id: OUTLET_ID }), 201, 'dispatch to outlet 1')
    number = wo.number ?? wo.work_order?.number
  } finally {
    await agent.close()
  }

  await page.waitForFunction(
    (n) => Number(document.querySelector('[data-testid="notification-bell"]')?.getAttribute('data-unread')) > n,
    before,
    { timeout: 10_000 },
  )
  await bell.click()
  const item = page.locator('[data-testid="notification-item"][data-kind="offer_waiting"]').first()
  await item.waitFor()
  if (number) assert.match(await item.innerText(), new RegExp(number))
  await shot(page, 'notification-drawer')
  await page.locator('[data-testid="notification-read-all"]').click()
  await page.waitForFunction(() => document.querySelector('[data-testid="notification-bell"]')?.getAttribute('data-unread') === '0', null, { timeout: 10_000 })
})
