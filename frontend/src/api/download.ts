// Downloads of the documents the server writes (exports, templates,
// reports) in the UI's language. An API call sends the user's choice as
// Accept-Language (http.ts); a plain link cannot, since the browser sends
// its own, so a download link carries the choice as ?lang=, which the
// server puts first (backend/internal/httpapi/language.go).

/** fileNameOf reads the (UTF-8) file name of a Content-Disposition header. */
export function fileNameOf(disposition: string, fallback: string): string {
  const star = /filename\*=UTF-8''([^;]+)/i.exec(disposition)
  if (star?.[1]) {
    try {
      return decodeURIComponent(star[1])
    } catch {
      /* fall through to the plain name */
    }
  }
  return /filename="([^"]+)"/.exec(disposition)?.[1] ?? fallback
}

/** uiLang is the language the UI speaks (the <html lang> the locale store sets). */
function uiLang(): string {
  return typeof document === 'undefined' ? '' : document.documentElement.lang
}

/** withLang adds the UI's language (or lang) to a download link. */
export function withLang(url: string, lang: string = uiLang()): string {
  if (!lang) return url
  return `${url}${url.includes('?') ? '&' : '?'}lang=${encodeURIComponent(lang)}`
}
