// A minimal PNG encoder (8-bit RGB, no interlace) for the e2e suite's
// generated images: the barcode labels the phone scans, the camera photo.
import { deflateSync } from 'node:zlib'

const CRC = new Int32Array(256).map((_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c
})
function crc32(buf) {
  let c = -1
  for (const b of buf) c = CRC[(c ^ b) & 0xff] ^ (c >>> 8)
  return (c ^ -1) >>> 0
}
function chunk(type, data) {
  const len = Buffer.alloc(4)
  len.writeUInt32BE(data.length)
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(td))
  return Buffer.concat([len, td, crc])
}

/** encodePNG makes a PNG of width×height; pixel(x, y) returns [r, g, b]. */
export function encodePNG(width, height, pixel) {
  const raw = Buffer.alloc((width * 3 + 1) * height)
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1)
    raw[row] = 0
    for (let x = 0; x < width; x++) {
      const [r, g, b] = pixel(x, y)
      raw[row + 1 + x * 3] = r
      raw[row + 2 + x * 3] = g
      raw[row + 3 + x * 3] = b
    }
  }
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(width, 0)
  ihdr.writeUInt32BE(height, 4)
  ihdr[8] = 8
  ihdr[9] = 2
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

/** bitMatrixPNG renders a ZXing BitMatrix (black modules) with a quiet zone, scale px per module. */
export function bitMatrixPNG(matrix, scale = 4, quiet = 10) {
  const w = (matrix.getWidth() + quiet * 2) * scale
  const h = (matrix.getHeight() + quiet * 2) * scale
  return encodePNG(w, h, (x, y) => {
    const mx = Math.floor(x / scale) - quiet
    const my = Math.floor(y / scale) - quiet
    const on = mx >= 0 && my >= 0 && mx < matrix.getWidth() && my < matrix.getHeight() && matrix.get(mx, my)
    return on ? [0, 0, 0] : [255, 255, 255]
  })
}
