// The signature pad: pointer strokes draw on the canvas, an untouched pad
// gives no image (completion asks for a signature), clear empties it again.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { mount } from '@vue/test-utils'
import SignaturePad from '@/mobile/components/SignaturePad.vue'

/** A 2D context that records what was drawn (happy-dom has no canvas rendering). */
function recordingContext() {
  const calls: string[] = []
  const ctx = new Proxy({} as Record<string, unknown>, {
    get(target, prop: string) {
      if (prop in target) return target[prop]
      return (...args: unknown[]) => calls.push(`${prop}(${args.map((a) => (typeof a === 'number' ? Math.round(a) : String(a))).join(',')})`)
    },
    set(target, prop: string, value) {
      target[prop] = value
      return true
    },
  })
  return { ctx, calls }
}

function pointer(type: string, x: number, y: number): PointerEvent {
  const E = (globalThis.PointerEvent ?? MouseEvent) as typeof MouseEvent
  return new E(type, { clientX: x, clientY: y, bubbles: true, cancelable: true }) as PointerEvent
}

afterEach(() => vi.restoreAllMocks())

describe('signature pad', () => {
  it('draws the strokes of the pointer and gives a PNG; an empty pad gives none; clear empties it', async () => {
    const { ctx, calls } = recordingContext()
    vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue(ctx as unknown as CanvasRenderingContext2D)
    const png = new Blob(['png'], { type: 'image/png' })
    const toBlob = vi.spyOn(HTMLCanvasElement.prototype, 'toBlob').mockImplementation(function (cb: BlobCallback, type?: string) {
      expect(type).toBe('image/png')
      cb(png)
    })
    vi.spyOn(HTMLCanvasElement.prototype, 'getBoundingClientRect').mockReturnValue({ left: 10, top: 100, width: 300, height: 180, right: 310, bottom: 280, x: 10, y: 100, toJSON: () => ({}) } as DOMRect)

    const w = mount(SignaturePad)
    const pad = w.vm as unknown as { toBlob(): Promise<Blob | null>; isEmpty(): boolean; clear(): void; segments(): number }
    expect(pad.isEmpty()).toBe(true)
    expect(await pad.toBlob()).toBeNull()
    expect(toBlob).not.toHaveBeenCalled()

    const canvas = w.find('canvas').element
    canvas.dispatchEvent(pointer('pointerdown', 30, 150))
    canvas.dispatchEvent(pointer('pointermove', 60, 160))
    canvas.dispatchEvent(pointer('pointermove', 90, 140))
    canvas.dispatchEvent(pointer('pointerup', 90, 140))
    // Moving without a pressed pointer draws nothing.
    canvas.dispatchEvent(pointer('pointermove', 200, 200))

    expect(pad.segments()).toBe(2)
    // Coordinates are relative to the canvas.
    expect(calls).toContain('moveTo(20,50)')
    expect(calls).toContain('lineTo(50,60)')
    expect(calls).toContain('lineTo(80,40)')
    expect(calls.filter((c) => c.startsWith('lineTo')).length).toBe(2)
    expect(pad.isEmpty()).toBe(false)
    expect(w.emitted('change')?.[0]).toEqual([false])
    expect(await pad.toBlob()).toBe(png)

    pad.clear()
    expect(pad.isEmpty()).toBe(true)
    expect(await pad.toBlob()).toBeNull()
    expect(w.emitted('change')?.at(-1)).toEqual([true])
  })

  it('a tap alone leaves a dot but does not count as a signature', async () => {
    const { ctx, calls } = recordingContext()
    vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue(ctx as unknown as CanvasRenderingContext2D)
    const w = mount(SignaturePad)
    const canvas = w.find('canvas').element
    canvas.dispatchEvent(pointer('pointerdown', 5, 5))
    canvas.dispatchEvent(pointer('pointerup', 5, 5))
    expect(calls.some((c) => c.startsWith('arc('))).toBe(true)
    expect((w.vm as unknown as { isEmpty(): boolean }).isEmpty()).toBe(true)
  })
})
