// The auditor's points per indicator as typed or pasted from the body's
// report: one "clause points" pair per line (tab, space, comma, colon or
// = between them), e.g. "5.1.1.1 3". Returns the map and the lines that
// could not be read.
export function parseIndicatorPoints(text: string): { points: Record<string, number>; bad: string[] } {
  const points: Record<string, number> = {}
  const bad: string[] = []
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim()
    if (!line) continue
    const m = /^(\d+(?:\.\d+)*)\s*[\s,:=，：\t]\s*(-?\d+(?:\.\d+)?)$/.exec(line)
    if (!m) {
      bad.push(line)
      continue
    }
    points[m[1]!] = Number(m[2])
  }
  return { points, bad }
}
