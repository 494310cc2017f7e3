import { describe, expect, it } from 'vitest'
import { parseIndicatorPoints } from '@/views/certification/indicatorPoints'

describe('auditor points per indicator', () => {
  it('reads one clause and its points per line, in the usual separators', () => {
    const r = parseIndicatorPoints('5.1.1.1 3\n5.1.2.2\t0\n5.3.1.5: 1.5\n5.2.4.3，1\n\nnonsense line')
    expect(r.points).toEqual({ '5.1.1.1': 3, '5.1.2.2': 0, '5.3.1.5': 1.5, '5.2.4.3': 1 })
    expect(r.bad).toEqual(['nonsense line'])
  })
})
