// Reports the gzip size of the JavaScript (and CSS) a browser loads for the
// login page and for the agent console, from Vite's build manifest, and
// fails when the login + agent console JS exceeds the budget. It also
// reports the technician's phone app (/m, entry m/index.html): its initial
// JS is the entry with its static imports plus the first page's chunk
// (sign-in, the job list or the outlet manager's offers), and must stay within --mobile-budget-kb.
//   node scripts/bundle-size.mjs [--budget-kb 300] [--mobile-budget-kb 150] [--json]
import { readFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist')
const args = process.argv.slice(2)
const budgetKb = Number(args[args.indexOf('--budget-kb') + 1]) || 300
const mobileBudgetKb = Number(args[args.indexOf('--mobile-budget-kb') + 1]) || 150
const manifest = JSON.parse(readFileSync(join(dist, '.vite', 'manifest.json'), 'utf8'))

/** closure collects a chunk and everything it imports statically. */
function closure(key, seen = new Set()) {
  const chunk = manifest[key]
  if (!chunk) throw new Error(`not in manifest: ${key}`)
  if (seen.has(key)) return seen
  seen.add(key)
  for (const imp of chunk.imports ?? []) closure(imp, seen)
  return seen
}

function files(keys) {
  const js = new Set()
  const css = new Set()
  for (const k of keys) {
    js.add(manifest[k].file)
    for (const c of manifest[k].css ?? []) css.add(c)
  }
  return { js, css }
}

/** manifestNames are the source keys whose output is file f (to name a chunk's origin). */
function manifestNames(f) {
  return Object.keys(manifest).filter((k) => manifest[k].file === f)
}

const gz = (f) => gzipSync(readFileSync(join(dist, f)), { level: 9 }).length
const sum = (set) => [...set].reduce((n, f) => n + gz(f), 0)
const kb = (n) => Math.round((n / 1024) * 10) / 10

const entry = 'index.html'
const views = {
  login: ['src/views/LoginView.vue'],
  agent: ['src/layouts/AppLayout.vue', 'src/views/agent/AgentConsoleView.vue'],
}
const report = {}
const all = new Set()
for (const [name, roots] of Object.entries(views)) {
  const keys = closure(entry)
  for (const r of roots) closure(r, keys)
  for (const k of keys) all.add(k)
  const { js, css } = files(keys)
  report[name] = { jsGzipKb: kb(sum(js)), cssGzipKb: kb(sum(css)), jsFiles: js.size }
}
const both = files(all)
report['login+agent'] = { jsGzipKb: kb(sum(both.js)), cssGzipKb: kb(sum(both.css)), jsFiles: both.js.size }
report.budgetKb = budgetKb

// The phone app: entry closure + the first page (login or jobs), and the
// lazily loaded scanner reported on its own (it is not initial).
const mobileKeys = closure('m/index.html')
for (const r of ['src/mobile/views/LoginView.vue', 'src/mobile/views/JobsView.vue', 'src/mobile/views/OffersView.vue']) closure(r, mobileKeys)
const mobile = files(mobileKeys)
const forbidden = [...mobile.js].filter((f) => /element-plus|echarts|zxing/i.test(f) || manifestNames(f).some((n) => /element-plus|echarts|@zxing/.test(n)))
report.mobile = { jsGzipKb: kb(sum(mobile.js)), cssGzipKb: kb(sum(mobile.css)), jsFiles: mobile.js.size }
const scanner = files(closure('src/mobile/scanner.ts'))
const lazyJs = new Set([...scanner.js].filter((f) => !mobile.js.has(f)))
report.mobileScannerLazy = { jsGzipKb: kb(sum(lazyJs)), cssGzipKb: 0, jsFiles: lazyJs.size }
report.mobileBudgetKb = mobileBudgetKb

if (args.includes('--json')) console.log(JSON.stringify(report, null, 2))
else {
  for (const [name, r] of Object.entries(report)) {
    if (typeof r === 'object') console.log(`${name.padEnd(12)} JS ${r.jsGzipKb} KB gzip (${r.jsFiles} files), CSS ${r.cssGzipKb} KB gzip`)
  }
  console.log(`budget      JS ≤ ${budgetKb} KB gzip for login + agent console`)
  console.log(`budget      JS ≤ ${mobileBudgetKb} KB gzip for the /m initial load (scanner lazy: ${report.mobileScannerLazy.jsGzipKb} KB)`)
}
let failed = false
if (report['login+agent'].jsGzipKb > budgetKb) {
  console.error(`bundle budget exceeded: ${report['login+agent'].jsGzipKb} KB > ${budgetKb} KB`)
  failed = true
}
if (report.mobile.jsGzipKb > mobileBudgetKb) {
  console.error(`/m bundle budget exceeded: ${report.mobile.jsGzipKb} KB > ${mobileBudgetKb} KB`)
  failed = true
}
if (forbidden.length) {
  console.error(`/m initial load includes the console's libraries or the scanner: ${forbidden.join(', ')}`)
  failed = true
}
if (failed) process.exit(1)
