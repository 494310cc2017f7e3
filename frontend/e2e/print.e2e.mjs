// The four printouts (派工单, 维修单/收费单, 三包 voucher, recall notice) as
// PDF: each is printed with Chromium's page.pdf() from its /print view, is
// exactly one A4 page, and shows its key fields (number, the customer's
// masked name, product/serial, charges …) in the PDF's text, read with the
// small reader in pdftext.mjs. One is opened from its button on the ticket
// page; the attachments panel shows the demo's photos and signature.
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ARTIFACTS, apiSession, expectStatus, login, scenario, shot } from './lib.mjs'
import { compact, readPdf } from './pdftext.mjs'

/** demoRecords finds one record of each printout in the demo enterprise. */
async function demoRecords() {
  const admin = await apiSession('admin')
  try {
    const wos = expectStatus(await admin.call('GET', '/work-orders?size=50'), 200, 'work orders').items
    const wo = wos.find((w) => w.outlet_id && w.unit_id) ?? wos[0]
    const repairs = expectStatus(await admin.call('GET', '/repairs?size=200'), 200, 'repairs').items
    const repair = repairs.find((r) => r.charge_fen > 0) ?? repairs[0]
    const ret = expectStatus(await admin.call('GET', '/returns?size=1'), 200, 'returns').items[0]
    const campaign = expectStatus(await admin.call('GET', '/recalls'), 200, 'recalls').items[0]
    const unit = expectStatus(await admin.call('GET', `/recalls/${campaign.id}/units?size=1`), 200, 'recall units').items[0]
    const docs = {
      'work-order': expectStatus(await admin.call('GET', `/work-orders/${wo.id}/print`), 200, 'work order print'),
      repair: expectStatus(await admin.call('GET', `/repairs/${repair.id}/print`), 200, 'repair print'),
      return: expectStatus(await admin.call('GET', `/returns/${ret.id}/print`), 200, 'return print'),
      'recall-notice': expectStatus(await admin.call('GET', `/recall-units/${unit.id}/print`), 200, 'recall print'),
    }
    return { ids: { 'work-order': wo.id, repair: repair.id, return: ret.id, 'recall-notice': unit.id }, docs, ticketId: wo.ticket_id }
  } finally {
    await admin.close()
  }
}

function yuan(fen) {
  return `¥${(fen / 100).toFixed(2)}`
}

/** expected lists the texts a printout's PDF must contain. */
function expected(kind, d) {
  const common = [d.number, d.customer_name, d.product.serial].filter(Boolean)
  switch (kind) {
    case 'work-order':
      return ['派工单', d.ticket_number, ...common]
    case 'repair':
      return ['维修单', '收费单', '应收合计', yuan(d.charge_fen), ...common]
    case 'return':
      return ['三包退换货凭证', d.return_kind === 'exchange' ? '换货' : '退货', ...common]
    default:
      return ['产品召回通知书', d.campaign_title, ...common]
  }
}

scenario('the four printouts print as one A4 page each with their key fields', async ({ page }) => {
  const { ids, docs } = await demoRecords()
  await login(page, 'admin')
  for (const kind of ['work-order', 'repair', 'return', 'recall-notice']) {
    const d = docs[kind]
    assert.ok(d.customer_name.includes('*'), `${kind}: the customer's name is masked (${d.customer_name})`)
    await page.goto(`/print/${kind}/${ids[kind]}`)
    await page.locator('[data-testid="print-ready"]').waitFor()
    await page.locator('[data-testid="print-qr"]').waitFor()
    assert.equal(await page.locator('[data-testid="print-number"]').innerText(), d.number)
    await shot(page, `print-${kind}`)
    const pdf = await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true })
    writeFileSync(join(ARTIFACTS, `print-${kind}.pdf`), pdf)
    const { pages, text } = readPdf(pdf)
    assert.equal(pages, 1, `${kind}: ${pages} pages`)
    const flat = compact(text)
    for (const want of expected(kind, d)) {
      assert.ok(flat.includes(compact(want)), `${kind}: the PDF shows "${want}"\n${text.slice(0, 800)}`)
    }
    assert.ok(flat.includes(compact(d.status_path)), `${kind}: the status page ${d.status_path} is printed under the QR code`)
  }
})

scenario('the ticket page opens the work order printout from its button and shows the attachments', async ({ page, context }) => {
  const admin = await apiSession('admin')
  let ticketId
  try {
    // A ticket whose work order carries the demo's photos and signature.
    const att = expectStatus(await admin.call('GET', '/work-orders?size=200&status=signed_off,completed'), 200, 'finished work orders').items
    for (const w of att) {
      const list = expectStatus(await admin.call('GET', `/tickets/${w.ticket_id}/attachments`), 200, 'ticket attachments')
      if (list.items.length) {
        ticketId = w.ticket_id
        break
      }
    }
  } finally {
    await admin.close()
  }
  assert.ok(ticketId, 'the demo has a ticket with attachments')
  await login(page, 'agent')
  await page.goto(`/tickets/${ticketId}`)
  const panel = page.locator('[data-testid="attachments-panel"]')
  await panel.locator('[data-testid="attachment-tile"]').first().waitFor()
  await panel.locator('[data-testid="attachment-thumb"] img').first().waitFor()
  const popup = context.waitForEvent('page')
  await page.locator('[data-testid="print-work-order"]').first().click()
  const print = await popup
  await print.waitForLoadState()
  assert.match(new URL(print.url()).pathname, /^\/print\/work-order\/\d+$/)
  await print.locator('[data-testid="print-ready"]').waitFor()
  assert.equal(await print.locator('[data-testid="print-title"]').innerText(), '派工单')
  await shot(page, 'ticket-attachments')
})
