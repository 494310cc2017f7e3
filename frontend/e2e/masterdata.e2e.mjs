// Browser test of master-data corrections (issue 12 §2): the agent finds a
// duplicate customer by phone in the merge dialog and merges it into the
// survivor (the duplicate's unit moves and its page says where it went),
// then corrects the unit's purchase data with an invoice number and reason.
// Imported by run.mjs; runnable alone with `BASE_URL=… node e2e/masterdata.e2e.mjs`.
import assert from 'node:assert/strict'
import { apiSession, expectStatus, login, scenario, shot } from './lib.mjs'

scenario('agent merges a duplicate customer and corrects a unit’s purchase data', async ({ page }) => {
  const agent = await apiSession('agent')
  const stamp = String(Date.now()).slice(-8)
  const dupPhone = `137${stamp}`
  const serial = `E2EMD${stamp}`
  let survivor, duplicate
  try {
    survivor = expectStatus(
      await agent.call('POST', '/customers', {
        name: '周合并',
        phones: [{ number: `136${stamp}` }],
        addresses: [{ region_code: '440305', detail: '科技园 E2E 1 号' }],
      }),
      201,
      'survivor',
    )
    duplicate = expectStatus(
      await agent.call('POST', '/customers', { name: '周合并', phones: [{ number: dupPhone }], addresses: [{ region_code: '440305', detail: '科技园 E2E 2 号' }] }),
      201,
      'duplicate',
    )
    const models = expectStatus(await agent.call('GET', '/product-models?size=1'), 200, 'models')
    expectStatus(
      await agent.call('POST', '/units', { serial, model_id: models.items[0].id, customer_id: duplicate.customer.id, purchase_date: '2026-03-01' }),
      201,
      'unit',
    )
  } finally {
    await agent.close()
  }

  await login(page, 'agent')
  await page.goto(`/customers/${survivor.customer.id}`)
  await page.locator('[data-testid="customer-name"]', { hasText: '周合并' }).waitFor()
  await page.locator('[data-testid="merge-open"]').click()
  const dialog = page.locator('[data-testid="merge-dialog"]')
  await dialog.waitFor()
  await dialog.locator('[data-testid="merge-picker"] input').fill(dupPhone)
  const option = page.locator('[data-testid="merge-picker-option"]', { hasText: `#${duplicate.customer.id}` })
  await option.waitFor()
  await option.click()
  await dialog.locator('[data-testid="merge-duplicate"]').waitFor()
  await shot(page, 'masterdata-merge-dialog')
  const merged = page.waitForResponse((r) => r.url().endsWith(`/customers/${survivor.customer.id}/merge`))
  await dialog.locator('[data-testid="merge-confirm"]').click()
  const res = await merged
  assert.equal(res.status(), 200, `merge: HTTP ${res.status()}`)
  const body = await res.json()
  assert.equal(body.moved.units, 1, `moved: ${JSON.stringify(body.moved)}`)
  // The survivor now lists both phones and the duplicate's unit.
  await page.locator('[data-testid="customer-phones"] [data-testid="phone-number"]', { hasText: dupPhone }).waitFor()
  const unitLink = page.locator('[data-testid="customer-units"] [data-testid="unit-link"]', { hasText: serial })
  await unitLink.waitFor()

  // The duplicate's page says where it went.
  await page.goto(`/customers/${duplicate.customer.id}`)
  await page.locator('[data-testid="customer-merged"]').waitFor()
  await page.locator('[data-testid="open-survivor"]').click()
  await page.waitForURL(`**/customers/${survivor.customer.id}`)

  // Correct the unit's purchase data: invoice number, seller, reason.
  await page.locator('[data-testid="customer-units"] [data-testid="unit-link"]', { hasText: serial }).click()
  await page.waitForURL(`**/units/${serial}`)
  await page.locator('[data-testid="unit-owner"]', { hasText: '周合并' }).waitFor()
  await page.locator('[data-testid="purchase-open"]').click()
  const pd = page.locator('[data-testid="purchase-dialog"]')
  await pd.waitFor()
  await pd.locator('input[name="purchase-proof"]').fill(`INV-${stamp}`)
  await pd.locator('input[name="purchase-seller"]').fill('国美电器科技园店')
  await pd.locator('input[name="purchase-reason"]').fill('客户出示发票，补录销售商')
  const corrected = page.waitForResponse((r) => r.url().endsWith(`/units/${serial}/purchase`))
  await pd.locator('[data-testid="purchase-save"]').click()
  assert.equal((await corrected).status(), 200)
  await page.locator('[data-testid="unit-seller"]', { hasText: '国美电器科技园店' }).waitFor()
  await page.locator('[data-testid="unit-purchase-proof"]', { hasText: `INV-${stamp}` }).waitFor()
  await shot(page, 'masterdata-unit-corrected')
})
