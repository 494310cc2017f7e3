import { describe, expect, it } from 'vitest'
import { asValue, changedKeys, pretty } from '@/utils/json'

describe('audit JSON helpers', () => {
  it('parses JSON strings and leaves other values', () => {
    expect(asValue('{"a":1}')).toEqual({ a: 1 })
    expect(asValue('[1]')).toEqual([1])
    expect(asValue('plain')).toBe('plain')
    expect(asValue('{broken')).toBe('{broken')
    expect(asValue(5)).toBe(5)
  })

  it('pretty-prints, with null for nothing', () => {
    expect(pretty({ a: 1 })).toBe('{\n  "a": 1\n}')
    expect(pretty('{"a":1}')).toBe('{\n  "a": 1\n}')
    expect(pretty(null)).toBeNull()
    expect(pretty(undefined)).toBeNull()
    expect(pretty('')).toBeNull()
    expect(pretty('text')).toBe('text')
  })

  it('lists changed top-level keys', () => {
    expect(changedKeys({ a: 1, b: [1], c: 3 }, { a: 1, b: [2], d: 4 })).toEqual(['b', 'c', 'd'])
    expect(changedKeys(null, { roles: ['admin'] })).toEqual(['roles'])
    expect(changedKeys('{"disabled":false}', '{"disabled":true}')).toEqual(['disabled'])
    expect(changedKeys(null, null)).toEqual([])
    expect(changedKeys('x', 'y')).toEqual([])
  })
})
