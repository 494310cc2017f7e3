// Generates src/api/schema.d.ts, the API's TypeScript types, from the OpenAPI
// document that the Go route table produces (`aftersales openapi`), with
// openapi-typescript. `--check` writes nothing and exits 1 when the committed
// file differs from what would be generated (scripts/test.sh checks runs it).
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const frontend = join(dirname(fileURLToPath(import.meta.url)), '..')
const root = join(frontend, '..')
const target = join(frontend, 'src', 'api', 'schema.d.ts')
const check = process.argv.includes('--check')

const dir = mkdtempSync(join(tmpdir(), 'api-types-'))
try {
  const doc = join(dir, 'openapi.json')
  const out = join(dir, 'schema.d.ts')
  writeFileSync(doc, execFileSync('go', ['run', './backend/cmd/aftersales', 'openapi'], { cwd: root, maxBuffer: 64 << 20 }))
  execFileSync(join(frontend, 'node_modules', '.bin', 'openapi-typescript'), [doc, '-o', out], { cwd: frontend, stdio: ['ignore', 'ignore', 'inherit'] })
  const generated = readFileSync(out, 'utf8')
  if (check) {
    const committed = existsSync(target) ? readFileSync(target, 'utf8') : ''
    if (committed !== generated) {
      console.error('frontend/src/api/schema.d.ts differs from the types the route table generates;')
      console.error('regenerate it: cd frontend && npm run api:types (and commit the file)')
      process.exit(1)
    }
    console.log('frontend/src/api/schema.d.ts matches the route table')
  } else {
    writeFileSync(target, generated)
    console.log('wrote src/api/schema.d.ts')
  }
} finally {
  rmSync(dir, { recursive: true, force: true })
}
