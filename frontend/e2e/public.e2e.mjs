// Browser tests of the customer's public pages (no login, phone-sized
// screen): a survey link is answered once (opening it records nothing);
// a service request opens a web ticket whose status the customer then
// looks up with the number and phone (a wrong phone finds nothing); the
// warranty check by serial, the FAQ and the manuals. Imported by run.mjs;
// runnable alone with `BASE_URL=… node e2e/public.e2e.mjs`.
import assert from 'node:assert/strict'
import { apiSession, expectStatus, scenario, shot } from './lib.mjs'

const PHONE_VIEWPORT = { width: 390, height: 844 }

/**
 * surveyLink invites a demo customer by link through the survey service's
 * API (as the quality manager: survey:manage) and returns the link's path
 * and the invitation id. The token is returned once, in that answer.
 */
async function surveyLink() {
  const quality = await apiSession('quality')
  const agent = await apiSession('agent')
  try {
    // The first customer not yet invited to the annual survey by link.
    const customers = expectStatus(await agent.call('GET', '/customers?size=50'), 200, 'customers')
    for (const c of customers.items) {
      const customerId = c.customer.id
      const res = await quality.call('POST', '/survey-invitations', { kind: 'relationship', channel: 'link', customer_id: customerId })
      if (res.status === 409) continue
      const inv = expectStatus(res, 201, 'invite by link')
      assert.ok(inv.link, 'the invitation answer carries the link')
      return { path: new URL(inv.link).pathname, id: inv.id, customerId, quality }
    }
    throw new Error('every demo customer has a survey link already')
  } finally {
    await agent.close()
  }
}

scenario('a customer answers a survey link once on the public page', async ({ page }) => {
  await page.setViewportSize(PHONE_VIEWPORT)
  const { path, id, customerId, quality } = await surveyLink()
  try {
    // The service's link (/survey/<token>) lands on the public page.
    await page.goto(path)
    await page.waitForURL(/\/s\/survey\//)
    const survey = page.locator('[data-testid="survey-page"][data-survey-state="form"]')
    await survey.waitFor()
    // Opening the form recorded nothing.
    const status = async () =>
      expectStatus(await quality.call('GET', `/survey-invitations?customer_id=${customerId}&size=50`), 200, 'invitations').items.find((i) => i.id === id).status
    assert.equal(await status(), 'sent', 'opening the link records nothing')
    assert.equal(await page.locator('.score.on').count(), 0, 'no default rating')

    // Submitting with a required question unanswered names it.
    await page.locator('[data-testid="survey-submit"]').click()
    await page.locator('.el-form-item.is-error').first().waitFor()
    for (const item of await page.locator('[data-question]').all()) {
      const scores = item.locator('.score')
      if ((await scores.count()) > 0) await scores.last().click()
    }
    await page.locator('textarea[data-testid="survey-comment"]').fill('服务很及时，谢谢！')
    await shot(page, 'public-survey-filled')
    await page.locator('[data-testid="survey-submit"]').click()
    await page.locator('[data-testid="survey-page"][data-survey-state="thanks"]').waitFor()
    assert.equal(await status(), 'answered')

    // The link cannot be answered twice.
    await page.goto(path)
    await page.locator('[data-testid="survey-page"][data-survey-state="answered"]').waitFor()
  } finally {
    await quality.close()
  }
})

scenario('a customer requests service online, then looks up its status', async ({ page }) => {
  await page.setViewportSize(PHONE_VIEWPORT)
  const phone = `137${String(Date.now()).slice(-8)}`
  await page.goto('/s')
  await page.locator('[data-testid="public-home"]').waitFor()
  await page.locator('[data-testid="tile-request"]').click()
  await page.locator('[data-testid="request-page"]').waitFor()

  // Nothing filled in: the form says what is missing before asking the server.
  await page.locator('[data-testid="request-submit"]').click()
  await page.locator('.el-form-item.is-error').first().waitFor()

  await page.locator('input[name="name"]').fill('端到端 李女士')
  await page.locator('input[name="phone"]').fill(phone)
  await page.locator('[data-testid="request-page"] .el-cascader').click()
  // Province → city → district; each level loads from the public regions API.
  for (const [i, name] of ['广东省', '深圳市', '南山区'].entries()) {
    await page.locator(`.el-cascader-menu:visible >> nth=${i}`).locator('.el-cascader-node', { hasText: name }).first().click()
    if (i < 2) await page.locator(`.el-cascader-menu:visible >> nth=${i + 1}`).locator('.el-cascader-node').first().waitFor()
  }
  await page.waitForFunction(() => document.querySelector('[data-testid="request-page"] .el-cascader input')?.value?.includes('南山区'))
  await page.locator('input[name="address"]').fill('科技园南区 8 栋 1203')
  await page.locator('textarea[name="description"]').fill('洗衣机脱水时噪音很大，机身晃动')
  await page.locator('.el-check-tag', { hasText: '周末' }).click()
  await page.locator('[data-testid="request-submit"]').click()
  const numberEl = page.locator('[data-testid="request-number"]')
  await numberEl.waitFor()
  const number = (await numberEl.innerText()).trim()
  assert.match(number, /^T\d{8}-\d{6}$/)
  await shot(page, 'public-request-done')

  // The hotline sees a web ticket.
  const agent = await apiSession('agent')
  try {
    const pop = expectStatus(await agent.call('GET', `/customers?phone=${phone}`), 200, 'the new customer')
    assert.equal(pop.open_tickets[0].number, number)
    const tk = expectStatus(await agent.call('GET', `/tickets/${pop.open_tickets[0].id}`), 200, 'ticket')
    assert.equal(tk.channel, 'web')
    assert.equal(tk.region_code, '440305')
  } finally {
    await agent.close()
  }

  // Status lookup: a wrong phone finds nothing, the right one the steps.
  await page.getByRole('button', { name: '查询进度' }).click()
  await page.locator('[data-testid="status-page"]').waitFor()
  assert.equal(await page.locator('input[name="number"]').inputValue(), number)
  await page.locator('input[name="phone"]').fill('13700000000')
  await page.locator('[data-testid="status-submit"]').click()
  await page.locator('[data-testid="status-error"]').waitFor()
  await page.locator('input[name="phone"]').fill(phone)
  await page.locator('[data-testid="status-submit"]').click()
  await page.locator('[data-testid="status-result"]').waitFor()
  assert.equal((await page.locator('[data-testid="status-value"]').innerText()).trim(), '已受理')
  await page.getByText('工单已受理').waitFor()
  await shot(page, 'public-status')
})

scenario('warranty check by serial, FAQ and manuals on the public pages', async ({ page }) => {
  await page.setViewportSize(PHONE_VIEWPORT)
  const agent = await apiSession('agent')
  let serial
  try {
    const customers = expectStatus(await agent.call('GET', '/customers?size=20'), 200, 'customers')
    for (const c of customers.items) {
      const units = expectStatus(await agent.call('GET', `/units?customer_id=${c.customer.id}`), 200, 'units').items
      if (units.length) {
        serial = units[0].serial
        break
      }
    }
  } finally {
    await agent.close()
  }
  assert.ok(serial, 'a demo unit')

  await page.goto('/s/warranty')
  await page.locator('input[name="serial"]').fill('NO-SUCH-SERIAL-000')
  await page.locator('[data-testid="warranty-submit"]').click()
  await page.locator('[data-testid="warranty-error"]').waitFor()
  await page.locator('input[name="serial"]').fill(serial)
  await page.locator('[data-testid="warranty-submit"]').click()
  await page.locator('[data-testid="warranty-result"]').waitFor()
  const text = await page.locator('[data-testid="warranty-result"]').innerText()
  assert.ok(text.includes(serial))
  assert.ok((await page.locator('[data-testid="warranty-state"]').innerText()).trim().length > 0)
  await shot(page, 'public-warranty')

  await page.locator('[data-testid="public-nav"] a', { hasText: '常见问题' }).click()
  await page.locator('[data-testid="faq-item"]').first().waitFor()
  const all = await page.locator('[data-testid="faq-item"]').count()
  await page.locator('input[data-testid="faq-search"]').fill('不制冷')
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="faq-item"]').length < n, all)
  await page.locator('[data-testid="faq-item"]').first().click()
  await shot(page, 'public-faq')

  await page.locator('[data-testid="public-nav"] a', { hasText: '说明书' }).click()
  await page.locator('[data-testid="manual-item"]').first().waitFor()
  const href = await page.locator('[data-testid="manual-link"]').first().getAttribute('href')
  const res = await page.request.get(href)
  assert.equal(res.status(), 200)
  assert.ok((await res.body()).subarray(0, 5).toString() === '%PDF-' || !href.startsWith('/api/'), 'an uploaded manual downloads as a PDF')

  // An unknown public page is a 404-style page with the way back.
  await page.goto('/s/no-such-service')
  await page.locator('[data-testid="public-not-found"]').waitFor()
})
