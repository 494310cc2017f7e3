// A small PDF reader for the print tests: how many pages a PDF has and the
// text it shows, decoded through each font's ToUnicode map. Enough for the
// PDFs Chromium's page.pdf() writes (Flate streams, Type0/Identity-H fonts
// with ToUnicode CMaps, hex strings in Tj/TJ); no system package needed.
import { inflateSync } from 'node:zlib'

/** readPdf returns { pages, text } of a PDF buffer. */
export function readPdf(buf) {
  const s = buf.toString('latin1')
  const objs = new Map()
  const objRe = /(\d+)\s+0\s+obj\b/g
  let m
  while ((m = objRe.exec(s))) {
    const start = m.index + m[0].length
    const end = s.indexOf('endobj', start)
    if (end < 0) break
    const body = s.slice(start, end)
    const si = body.search(/\bstream\r?\n/)
    let dict = body
    let data = null
    if (si >= 0) {
      dict = body.slice(0, si)
      const from = start + si + body.slice(si).match(/^stream\r?\n/)[0].length
      let to = s.lastIndexOf('endstream', end)
      if (s[to - 1] === '\n') to--
      if (s[to - 1] === '\r') to--
      data = buf.subarray(from, to)
      if (/\/FlateDecode/.test(dict)) {
        try {
          data = inflateSync(data)
        } catch {
          data = null
        }
      }
    }
    objs.set(Number(m[1]), { dict, data })
    objRe.lastIndex = end
  }
  let pages = 0
  for (const o of objs.values()) if (/\/Type\s*\/Page(?![A-Za-z])/.test(o.dict)) pages++

  // Font resource name → ToUnicode map.
  const cmaps = new Map()
  const fonts = new Map()
  for (const o of objs.values()) {
    for (const fm of o.dict.matchAll(/\/Font\s*<<([\s\S]*?)>>/g)) {
      for (const e of fm[1].matchAll(/\/([^\s/<>]+)\s+(\d+)\s+0\s+R/g)) {
        const font = objs.get(Number(e[2]))
        const tu = font?.dict.match(/\/ToUnicode\s+(\d+)\s+0\s+R/)
        if (!tu) continue
        const id = Number(tu[1])
        if (!cmaps.has(id)) cmaps.set(id, parseCMap(objs.get(id)?.data?.toString('latin1') ?? ''))
        fonts.set(e[1], cmaps.get(id))
      }
    }
  }
  let text = ''
  for (const o of objs.values()) {
    if (!o.data || /\/ToUnicode|\/Subtype\s*\/(Image|Type1C|CIDFontType0C|OpenType)|\/Length1/.test(o.dict)) continue
    const c = o.data.toString('latin1')
    if (!/\bBT\b/.test(c)) continue
    let cmap = null
    const tok = /\/([^\s/<>[\]()]+)\s+[-\d.]+\s+Tf|<([0-9A-Fa-f\s]*)>|\bET\b/g
    let t
    while ((t = tok.exec(c))) {
      if (t[1] !== undefined) cmap = fonts.get(t[1]) ?? null
      else if (t[2] !== undefined) text += decodeHex(t[2], cmap)
      else text += '\n'
    }
  }
  return { pages, text }
}

function utf16(hex) {
  let out = ''
  for (let i = 0; i + 4 <= hex.length; i += 4) out += String.fromCharCode(parseInt(hex.slice(i, i + 4), 16))
  return out
}

/** parseCMap reads bfchar/bfrange entries: code (hex) → text. */
function parseCMap(src) {
  const map = new Map()
  let width = 4
  const cs = src.match(/begincodespacerange\s*<([0-9A-Fa-f]+)>/)
  if (cs) width = cs[1].length
  for (const block of src.matchAll(/beginbfchar([\s\S]*?)endbfchar/g)) {
    for (const e of block[1].matchAll(/<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>/g)) map.set(parseInt(e[1], 16), utf16(e[2]))
  }
  for (const block of src.matchAll(/beginbfrange([\s\S]*?)endbfrange/g)) {
    for (const e of block[1].matchAll(/<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(<[0-9A-Fa-f]+>|\[[^\]]*\])/g)) {
      const lo = parseInt(e[1], 16)
      const hi = parseInt(e[2], 16)
      if (e[3].startsWith('[')) {
        const list = [...e[3].matchAll(/<([0-9A-Fa-f]+)>/g)].map((x) => utf16(x[1]))
        for (let c = lo; c <= hi && c - lo < list.length; c++) map.set(c, list[c - lo])
      } else {
        const base = e[3].slice(1, -1)
        const last = parseInt(base.slice(-4), 16)
        for (let c = lo; c <= hi; c++) map.set(c, utf16(base.slice(0, -4)) + String.fromCharCode(last + (c - lo)))
      }
    }
  }
  return { map, width }
}

function decodeHex(hex, cmap) {
  hex = hex.replace(/\s+/g, '')
  if (!cmap) return ''
  let out = ''
  for (let i = 0; i + cmap.width <= hex.length; i += cmap.width) out += cmap.map.get(parseInt(hex.slice(i, i + cmap.width), 16)) ?? ''
  return out
}

/** compact removes whitespace so a check does not depend on line breaks. */
export function compact(s) {
  return s.replace(/\s+/g, '')
}
