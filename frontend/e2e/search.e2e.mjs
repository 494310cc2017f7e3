// Browser test of the header's one search box: the agent presses "/",
// types a demo ticket's last digits and opens the ticket; then a fragment of
// a demo customer's name with their phone's last 4 digits, and opens the
// customer in the agent console.
// Imported by run.mjs; runnable alone with `BASE_URL=… node e2e/search.e2e.mjs`.
import assert from 'node:assert/strict'
import { apiSession, expectStatus, login, scenario, shot } from './lib.mjs'

scenario('agent finds a ticket by its last digits and a customer by a name fragment with the "/" search box', async ({ page }) => {
  const agent = await apiSession('agent')
  let ticket, customer
  try {
    const list = expectStatus(await agent.call('GET', '/tickets?size=1'), 200, 'tickets')
    ticket = list.items[0]
    customer = expectStatus(await agent.call('GET', `/customers/${ticket.customer_id}`), 200, 'customer')
  } finally {
    await agent.close()
  }
  const tail = ticket.number.slice(-6)
  // A two-character fragment from inside the name (or the whole short name).
  const chars = [...customer.customer.name]
  const fragment = chars.length > 2 ? chars.slice(1, 3).join('') : chars.join('')

  await login(page, 'agent')
  await page.goto('/agent')
  await page.locator('input[name="global-search"]').waitFor()
  await page.locator('body').click({ position: { x: 5, y: 5 } })
  await page.keyboard.press('/')
  await page.waitForFunction(() => document.activeElement?.getAttribute('name') === 'global-search')
  await page.keyboard.type(tail)
  const hit = page.locator('[data-testid="search-hit-ticket"]', { hasText: ticket.number })
  await hit.waitFor()
  await shot(page, 'search-ticket-tail')
  await hit.click()
  await page.waitForURL(`**/tickets/${ticket.id}`)

  // The name fragment with the phone's last 4 digits (张 1234): one customer.
  const phone = customer.phones.find((p) => !p.masked).number
  const box = page.locator('input[name="global-search"]')
  await box.fill(`${fragment} ${phone.slice(-4)}`)
  const who = page.locator('[data-testid="search-hit-customer"]', { hasText: customer.customer.name }).first()
  await who.waitFor()
  await who.click()
  await page.waitForURL('**/agent?phone=*')
  await page.locator('[data-testid="caller-name"]', { hasText: customer.customer.name }).waitFor()
  assert.ok(page.url().includes('/agent'))
})
