// Reports the gzip size of the JavaScript (and CSS) a browser loads for the
// login page and for the agent console, from Vite's build manifest, and
// fails when the login + agent console JS exceeds the budget.
//   node scripts/bundle-size.mjs [--budget-kb 300] [--json]
import { readFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist')
const args = process.argv.slice(2)
const budgetKb = Number(args[args.indexOf('--budget-kb') + 1]) || 300
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

const gz = (f) => gzipSync(readFileSync(join(dist, f)), { level: 9 }).length
const sum = (set) => [...set].reduce((n, f) => n + gz(f), 0)
const kb = (n) => Math.round((n / 1024) * 10) / 10

const entry = Object.keys(manifest).find((k) => manifest[k].isEntry)
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

if (args.includes('--json')) console.log(JSON.stringify(report, null, 2))
else {
  for (const [name, r] of Object.entries(report)) {
    if (typeof r === 'object') console.log(`${name.padEnd(12)} JS ${r.jsGzipKb} KB gzip (${r.jsFiles} files), CSS ${r.cssGzipKb} KB gzip`)
  }
  console.log(`budget      JS ≤ ${budgetKb} KB gzip for login + agent console`)
}
if (report['login+agent'].jsGzipKb > budgetKb) {
  console.error(`bundle budget exceeded: ${report['login+agent'].jsGzipKb} KB > ${budgetKb} KB`)
  process.exit(1)
}
