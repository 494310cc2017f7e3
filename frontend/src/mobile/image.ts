// Photos are made smaller on the phone before upload: the longest side at
// most 1600 px, JPEG quality 0.8. A 12-megapixel camera photo of 4–6 MB
// becomes a few hundred KB, which a phone on a weak connection can send.

/** MAX_SIDE and QUALITY are the compression settings. */
export const MAX_SIDE = 1600
export const QUALITY = 0.8

/** fitWithin returns the size of w×h scaled down to fit max (never up). */
export function fitWithin(w: number, h: number, max = MAX_SIDE): { width: number; height: number } {
  const scale = Math.min(1, max / Math.max(w, h))
  return { width: Math.max(1, Math.round(w * scale)), height: Math.max(1, Math.round(h * scale)) }
}

/** compressPhoto draws the photo on a canvas at most MAX_SIDE wide or high and encodes it as JPEG. */
export async function compressPhoto(file: Blob, max = MAX_SIDE, quality = QUALITY): Promise<Blob> {
  const bitmap = await createImageBitmap(file)
  const { width, height } = fitWithin(bitmap.width, bitmap.height, max)
  const canvas = document.createElement('canvas')
  canvas.width = width
  canvas.height = height
  const g = canvas.getContext('2d')
  if (!g) throw new Error('no 2d canvas')
  g.drawImage(bitmap, 0, 0, width, height)
  bitmap.close?.()
  return new Promise((resolve, reject) =>
    canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('encode failed'))), 'image/jpeg', quality),
  )
}

/** sha256Hex is the hex SHA-256 of a blob (the signature's hash). */
export async function sha256Hex(blob: Blob): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer())
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('')
}
