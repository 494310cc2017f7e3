// Browser test of the technician's phone (/m) on a 390×844 viewport: the
// technician signs in, opens today's job, checks in with the phone's
// position, scans a part's QR code from a picture (the real ZXing decoder
// reads a PNG generated here), takes a photo from a file, the customer
// signs on the canvas, the phone goes offline, the job is completed, the
// connection returns — the first answer is lost on the way back, so the
// queue replays with the same Idempotency-Key — and the server has the
// completion, the signature and the sign-off exactly once.
// Imported by run.mjs; runnable alone with `BASE_URL=… node e2e/mobile.e2e.mjs`.
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { apiSession, artifact, BASE_URL, expectStatus, PASSWORD, scenario, shot } from './lib.mjs'
import { bitMatrixPNG, encodePNG } from './png.mjs'

const require = createRequire(import.meta.url)
const OUTLET_ID = 1
const SHENZHEN_DISTRICT = '440305'
const PHONE = { width: 390, height: 844 }
const POSITION = { latitude: 22.5431, longitude: 113.9345, accuracy: 15 }

/** qrPNG draws text as a QR code (ZXing's encoder), as printed on a part's label. */
function qrPNG(text) {
  const z = require('@zxing/library')
  return bitMatrixPNG(new z.QRCodeWriter().encode(text, z.BarcodeFormat.QR_CODE, 0, 0, new Map()), 8, 6)
}

/**
 * jobForTechnician sets up what the hotline and the outlet did before the
 * visit: a customer with an in-warranty unit calls, a repair ticket is
 * dispatched to outlet 1, its manager accepts it, assigns the demo
 * technician and agrees a visit later today; the outlet has the part in
 * stock. Returns the work order, the part and the unit.
 */
async function jobForTechnician() {
  const admin = await apiSession('admin')
  const agent = await apiSession('agent')
  const om = await apiSession('outlet_manager')
  const tech = await apiSession('technician')
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
    expectStatus(await admin.call('POST', '/stock/receipts', { part_id: part.id, location_id: OUTLET_ID, qty: 3, ref: 'e2e-mobile' }), 201, 'stock at outlet 1')

    const phone = `137${String(Date.now()).slice(-8)}`
    const customer = expectStatus(
      await agent.call('POST', '/customers', {
        name: '手机端 测试客户',
        phones: [{ number: phone }],
        addresses: [{ region_code: SHENZHEN_DISTRICT, detail: '科技园南区 9 栋 901', default: true }],
      }),
      201,
      'create customer',
    )
    const bought = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date(Date.now() - 20 * 86_400_000))
    const unit = expectStatus(
      await agent.call('POST', '/units', { serial: `M${Date.now().toString(36).toUpperCase()}`, model_id: model.id, customer_id: customer.customer.id, purchase_date: bought }),
      201,
      'register unit',
    )
    const ticket = expectStatus(
      await agent.call('POST', '/tickets', {
        channel: 'phone', type: 'repair', priority: 'normal', customer_id: customer.customer.id, unit_id: unit.id,
        category_id: model.category_id, region_code: SHENZHEN_DISTRICT, fault_code: 'E1', description: '室外机不转，不制冷（手机端 e2e）',
      }),
      201,
      'create ticket',
    )
    const wo = expectStatus(await agent.call('POST', `/tickets/${ticket.id}/dispatch`, { kind: 'repair', outlet_id: OUTLET_ID }), 201, 'dispatch')
    expectStatus(await om.call('POST', `/work-orders/${wo.id}/accept`, {}), 200, 'accept')
    const me = expectStatus(await tech.call('GET', '/me'), 200, 'technician /me')
    const staff = expectStatus(await om.call('GET', `/staff?outlet_id=${OUTLET_ID}&size=200`), 200, 'staff').items
    const mine = staff.find((s) => s.user_id === me.id)
    assert.ok(mine, 'the demo technician is a staff member of outlet 1')
    expectStatus(await om.call('POST', `/work-orders/${wo.id}/assign`, { technician_staff_id: mine.id }), 200, 'assign')
    // A visit later today (Shanghai), or now when the day is nearly over.
    const at = new Date(Math.min(Date.now() + 60 * 60_000, endOfShanghaiDay() - 5 * 60_000))
    expectStatus(await om.call('POST', `/work-orders/${wo.id}/appointment`, { at: at.toISOString() }), 200, 'appointment')
    return { wo, part, unit, ticket }
  } finally {
    await Promise.all([admin.close(), agent.close(), om.close(), tech.close()])
  }
}

function endOfShanghaiDay() {
  const d = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date())
  return new Date(`${d}T23:59:59+08:00`).getTime()
}

scenario('a technician completes a job on the phone, offline at the end, and the server has it once', async ({ browser }) => {
  const { wo, part, ticket } = await jobForTechnician()
  const labelPNG = artifact('mobile-part-label.png')
  writeFileSync(labelPNG, qrPNG(part.code))
  // A "camera photo": 2400×1800, to be made smaller on the phone.
  const photoPNG = artifact('mobile-camera-photo.png')
  writeFileSync(photoPNG, encodePNG(2400, 1800, (x, y) => [(x * 7) & 255, (y * 5) & 255, ((x + y) * 3) & 255]))

  const context = await browser.newContext({
    baseURL: BASE_URL, viewport: PHONE, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai', geolocation: POSITION, permissions: ['geolocation'], reducedMotion: 'reduce',
    // The lost-answer step routes the API; requests a service worker handles are not routable (the
    // service worker has its own test below).
    serviceWorkers: 'block',
  })
  const page = await context.newPage()
  page.setDefaultTimeout(20_000)
  const pageErrors = []
  page.on('pageerror', (err) => pageErrors.push(err.message))
  try {
    // Sign in on the phone page; the jobs of today are listed.
    await page.goto('/m/')
    await page.locator('#m-user').fill('technician')
    await page.locator('#m-pass').fill(PASSWORD)
    await page.locator('button[type="submit"]').click()
    const card = page.locator('[data-testid="job-card"]', { hasText: wo.number })
    await card.waitFor()
    assert.ok(await page.locator('[data-testid="jobs-today"]', { hasText: wo.number }).count(), "the job is among today's")
    const manifest = await page.evaluate(async () => (await fetch('/m/manifest.webmanifest')).json())
    assert.equal(manifest.start_url, '/m/')
    await shot(page, 'mobile-jobs')

    // The job: customer with tel: and map links, product and fault.
    await card.click()
    await page.locator('[data-testid="tel"]').waitFor()
    assert.match(await page.locator('[data-testid="tel"]').getAttribute('href'), /^tel:1\d{10}$/)
    assert.match(await page.locator('[data-testid="map"]').getAttribute('href'), /^https:\/\/uri\.amap\.com\/search\?keyword=.*%E7%A7%91%E6%8A%80%E5%9B%AD/)
    assert.match(await page.locator('[data-testid="fault"]').innerText(), /室外机不转/)

    // Check in: the browser gives the position.
    await page.locator('[data-testid="check-in"]').click()
    await page.locator('[data-testid="repair"]').waitFor()
    await waitQueueEmpty(page)
    const admin = await apiSession('admin')
    try {
      const checked = expectStatus(await admin.call('GET', `/work-orders/${wo.id}`), 200, 'work order after check-in')
      assert.equal(checked.status, 'on_site')
      assert.ok(Math.abs(checked.arrived_lat - POSITION.latitude) < 1e-6 && Math.abs(checked.arrived_lng - POSITION.longitude) < 1e-6, `position ${checked.arrived_lat},${checked.arrived_lng}`)

      // Repair entry: the part is chosen by scanning its QR code from a picture.
      await page.locator('[data-testid="diagnosis"]').fill('压缩机启动电容失效')
      await page.locator('[data-testid="scan-photo"]').setInputFiles(labelPNG)
      const line = page.locator('[data-testid="part-line"]', { hasText: part.code })
      await line.waitFor()
      await line.locator('[data-testid="faulty-serial"]').fill('CAP-OLD-0001')
      await line.locator('[data-testid="replacement-serial"]').fill('CAP-NEW-0002')
      await page.locator('[data-testid="save-repair"]').click()
      await waitQueueEmpty(page)

      // A photo from a file, made smaller on the phone before upload.
      await page.locator('[data-testid="photo-before"]').setInputFiles(photoPNG)
      await page.locator('[data-testid="photo-thumb"]').waitFor()
      await waitQueueEmpty(page)

      // The customer signs on the screen.
      const pad = page.locator('[data-testid="signature-pad"]')
      await pad.scrollIntoViewIfNeeded()
      const box = await pad.boundingBox()
      await page.mouse.move(box.x + 20, box.y + box.height * 0.6)
      await page.mouse.down()
      for (let i = 1; i <= 24; i++) await page.mouse.move(box.x + 20 + i * 12, box.y + box.height * (0.6 - 0.3 * Math.sin(i / 3)))
      await page.mouse.up()
      await page.locator('[data-testid="signed-by"]').fill('王先生')
      await shot(page, 'mobile-job-signed')

      // Offline: the completion waits in the queue.
      await context.setOffline(true)
      await page.locator('[data-testid="connection"]', { hasText: '离线' }).waitFor()
      await page.locator('[data-testid="complete-job"]').click()
      await page.locator('[data-testid="job-done"]').waitFor()
      // The repair's result, the completion, the signature and the sign-off wait.
      await page.waitForFunction(() => Number(document.querySelector('[data-testid="queue-count"]')?.textContent?.replace(/\D/g, '')) === 4)
      const still = expectStatus(await admin.call('GET', `/work-orders/${wo.id}`), 200, 'work order while offline')
      assert.equal(still.status, 'on_site', 'nothing reached the server while offline')
      await shot(page, 'mobile-offline-queued')

      // Back online; the answer to the first completion is lost on the way
      // back (the server did it), so the phone replays it with its key.
      let lost = 0
      await page.route('**/api/v1/work-orders/*/complete', async (route) => {
        if (lost++ === 0) {
          await route.fetch()
          await route.abort('connectionreset')
        } else await route.continue()
      })
      await context.setOffline(false)
      await page.locator('[data-testid="connection"]', { hasText: '在线' }).waitFor()
      await waitQueueEmpty(page, 60_000)
      assert.ok(lost >= 2, `the completion was replayed (${lost} tries)`)
      await shot(page, 'mobile-synced')

      // The server has it once.
      const done = expectStatus(await admin.call('GET', `/work-orders/${wo.id}`), 200, 'work order after sync')
      assert.equal(done.status, 'signed_off')
      assert.equal(done.result, 'done')
      assert.equal(done.signed_by, '王先生')
      const att = expectStatus(await admin.call('GET', `/work-orders/${wo.id}/attachments`), 200, 'attachments').items
      assert.equal(att.filter((a) => a.kind === 'signature').length, 1, 'one signature')
      assert.equal(att.filter((a) => a.kind === 'before_photo').length, 1, 'one photo')
      const photo = att.find((a) => a.kind === 'before_photo')
      assert.ok(photo.content_type === 'image/jpeg' && Math.max(photo.width, photo.height) <= 1600, `photo compressed: ${JSON.stringify(photo)}`)
      const events = expectStatus(await admin.call('GET', `/tickets/${ticket.id}/events?size=200`), 200, 'timeline')
      const list = events.items ?? events
      assert.equal(list.filter((e) => e.body_code === 'work_order_completed').length, 1, 'completed once on the timeline')
      const repair = await repairOf(admin, wo.id)
      assert.equal(repair.status, 'completed')
      assert.equal(repair.parts.length, 1)
      assert.equal(repair.parts[0].faulty_serial, 'CAP-OLD-0001')
      assert.equal(repair.parts[0].replacement_serial, 'CAP-NEW-0002')
    } finally {
      await admin.close()
    }
    assert.deepEqual(pageErrors, [], 'uncaught errors in the page')
  } finally {
    await page.screenshot({ path: artifact('mobile-technician-final.png'), fullPage: true }).catch(() => {})
    await context.close()
  }
}, { timeout: 240_000 })

/** repairOf finds the repair opened from a work order. */
async function repairOf(session, workOrderID) {
  const list = expectStatus(await session.call('GET', `/repairs?size=200`), 200, 'repairs').items
  const r = list.find((x) => x.work_order_id === workOrderID)
  assert.ok(r, 'a repair of the work order')
  return expectStatus(await session.call('GET', `/repairs/${r.id}`), 200, 'repair')
}

/** waitQueueEmpty waits until the phone has nothing left to sync (and no conflict). */
async function waitQueueEmpty(page, timeout = 30_000) {
  const deadline = Date.now() + timeout
  for (;;) {
    if (await page.locator('[data-testid="queue-conflicts"]').count()) {
      assert.fail(`sync conflict: ${await page.locator('[data-testid="queue-conflicts"]').innerText()}`)
    }
    if (!(await page.locator('[data-testid="queue-count"]').count())) return
    if (Date.now() > deadline) assert.fail(`the queue did not empty: ${await page.locator('[data-testid="queue-count"]').innerText()}`)
    await page.waitForTimeout(250)
  }
}

scenario('the phone app is installable: its service worker caches the shell and /m opens offline', async ({ browser }) => {
  const context = await browser.newContext({ baseURL: BASE_URL, viewport: PHONE, isMobile: true, hasTouch: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
  const page = await context.newPage()
  page.setDefaultTimeout(20_000)
  try {
    await page.goto('/m/')
    await page.locator('#m-user').waitFor()
    const manifestHref = await page.locator('link[rel="manifest"]').getAttribute('href')
    assert.equal(manifestHref, '/m/manifest.webmanifest')
    const manifest = await page.evaluate(async (href) => {
      const r = await fetch(href)
      return { type: r.headers.get('content-type'), body: await r.json() }
    }, manifestHref)
    assert.equal(manifest.type, 'application/manifest+json')
    assert.equal(manifest.body.display, 'standalone')
    assert.ok(manifest.body.icons.some((i) => i.sizes === '512x512'), 'a 512 px icon')
    const scope = await page.evaluate(async () => (await navigator.serviceWorker.ready).scope)
    assert.equal(new URL(scope).pathname, '/m/')
    // The shell is precached: wait until the worker controls the page, then go offline and reload.
    await page.reload()
    await page.waitForFunction(() => !!navigator.serviceWorker.controller, null, { timeout: 30_000 })
    const cached = await page.evaluate(async () => {
      const names = await caches.keys()
      const urls = []
      for (const n of names) for (const r of await (await caches.open(n)).keys()) urls.push(new URL(r.url).pathname)
      return urls
    })
    assert.ok(cached.includes('/m/index.html'), 'the /m page is precached')
    assert.ok(!cached.some((u) => /element-plus|echarts|AgentConsole|ReadinessView/i.test(u)), `no console chunks precached: ${cached.join(' ')}`)
    await context.setOffline(true)
    await page.goto('/m/login')
    await page.locator('#m-user').waitFor()
    await shot(page, 'mobile-offline-shell')
  } finally {
    await context.close()
  }
})
