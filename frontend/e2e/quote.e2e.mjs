// Browser test of the customer's quote approval link (issue 12 §6): a
// technician quotes an out-of-warranty repair; the quote SMS (log only in
// the demo) carries a link; the customer opens it on a phone-sized screen,
// sees the lines and the total, and approves; the repair is approved
// online; the link then shows its answer, and a second answer is refused
// (409). Imported by run.mjs; runnable alone with
// `BASE_URL=… node --test e2e/quote.e2e.mjs`.
import assert from 'node:assert/strict'
import { apiSession, expectStatus, scenario, shot } from './lib.mjs'

const PHONE_VIEWPORT = { width: 390, height: 844 }

/** quotedRepair makes an out-of-warranty repair with a quote and returns the link's token. */
async function quotedRepair() {
  const agent = await apiSession('agent')
  const tech = await apiSession('technician')
  try {
    const models = expectStatus(await agent.call('GET', '/product-models?size=5'), 200, 'product models')
    const model = (models.items ?? models)[0]
    const rates = expectStatus(await tech.call('GET', '/labour-rates'), 200, 'labour rates')
    const rate = (rates.items ?? rates)[0]
    const stamp = String(Date.now()).slice(-7)
    const phone = `139${stamp.padStart(8, '0')}`
    const created = expectStatus(
      await agent.call('POST', '/customers', {
        name: '周报价',
        phones: [{ number: phone }],
        addresses: [{ region_code: '440305', detail: '科技园 2 栋' }],
        consent: { sms: true, survey: true },
      }),
      201,
      'customer',
    )
    const serial = `E2E-QUOTE-${stamp}`
    const threeYearsAgo = new Date(Date.now() - 3 * 365 * 86400_000).toISOString().slice(0, 10)
    expectStatus(
      await agent.call('POST', '/units', { serial, model_id: model.id, customer_id: created.customer.id, purchase_date: threeYearsAgo }),
      201,
      'unit',
    )
    const repair = expectStatus(await tech.call('POST', '/repairs', { serial, complaint: '不制冷' }), 201, 'repair')
    assert.equal(repair.in_warranty, false, 'a three-year-old unit is out of warranty')
    expectStatus(await tech.call('POST', `/repairs/${repair.id}/diagnose`, { diagnosis: '压缩机卡缸', fault_code: 'E1' }), 200, 'diagnose')
    expectStatus(await tech.call('POST', `/repairs/${repair.id}/quote`, { lines: [{ kind: 'labour', code: rate.code, qty: 1 }] }), 200, 'quote')
    // The quote message is queued by the outbox consumer shortly after.
    for (let i = 0; i < 50; i++) {
      const list = expectStatus(await agent.call('GET', `/messages?trigger=quote_waiting&ref_type=repair&ref_id=${repair.id}`), 200, 'messages')
      const m = list.items?.[0]
      if (m) {
        const match = /\/quote\/([A-Za-z0-9_-]{20,})/.exec(m.body)
        assert.ok(match, `the quote message carries the link: ${m.body}`)
        assert.ok(!m.body.includes(phone), 'the staff list shows the message, not the number')
        return { token: match[1], repairId: repair.id, rateFen: rate.price_fen, tech }
      }
      await new Promise((r) => setTimeout(r, 200))
    }
    throw new Error('no quote message was queued')
  } finally {
    await agent.close()
  }
}

scenario('a customer approves an out-of-warranty quote from the SMS link', async ({ page }) => {
  await page.setViewportSize(PHONE_VIEWPORT)
  const { token, repairId, rateFen, tech } = await quotedRepair()
  try {
    await page.goto(`/quote/${token}`)
    await page.waitForURL(/\/s\/quote\//)
    await page.locator('[data-testid="quote-page"][data-quote-state="form"]').waitFor()
    assert.equal(await page.locator('[data-testid="quote-lines"] tbody tr').count() >= 1, true, 'the quote lines are shown')
    const total = (await page.locator('[data-testid="quote-total"]').innerText()).replace(/[^\d.]/g, '')
    assert.equal(Number(total), rateFen / 100, 'the total is the labour rate')
    // Opening the link recorded nothing.
    assert.equal(expectStatus(await tech.call('GET', `/repairs/${repairId}`), 200, 'repair').status, 'quoted')
    await shot(page, 'public-quote-form')

    await page.locator('[data-testid="quote-approve"]').click()
    await page.locator('[data-testid="quote-page"][data-quote-state="answered"]').waitFor()
    await page.locator('[data-testid="quote-answered"]').waitFor()
    await shot(page, 'public-quote-approved')
    const after = expectStatus(await tech.call('GET', `/repairs/${repairId}`), 200, 'repair')
    assert.equal(after.status, 'approved')
    assert.equal(after.quote_channel, 'online')

    // Reopened, the link shows its answer; a second answer is refused.
    await page.reload()
    await page.locator('[data-testid="quote-page"][data-quote-state="answered"]').waitFor()
    const again = await page.request.post(`/api/v1/public/quotes/${token}`, { data: { decision: 'decline', reason: '太贵' } })
    assert.equal(again.status(), 409, 'a second answer is a conflict')
  } finally {
    await tech.close()
  }
})
