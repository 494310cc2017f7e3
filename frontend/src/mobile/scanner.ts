// Reading a part's barcode or QR code. Loaded on demand (a separate chunk):
// the decoder is not part of the phone's first download. The browser's own
// BarcodeDetector is used where it exists (Android Chrome); elsewhere the
// ZXing decoder (@zxing/browser).
import { BrowserMultiFormatReader, type IScannerControls } from '@zxing/browser'

type Detector = { detect(src: ImageBitmapSource): Promise<{ rawValue: string }[]> }
type DetectorCtor = new (o?: { formats?: string[] }) => Detector

function nativeDetector(): Detector | null {
  const Ctor = (globalThis as unknown as { BarcodeDetector?: DetectorCtor }).BarcodeDetector
  if (!Ctor) return null
  try {
    return new Ctor({ formats: ['code_128', 'code_39', 'ean_13', 'qr_code', 'data_matrix'] })
  } catch {
    return null
  }
}

/** decodeImage reads the first code in a picture (a photo of the label). */
export async function decodeImage(file: Blob): Promise<string> {
  const native = nativeDetector()
  if (native) {
    const found = await native.detect(await createImageBitmap(file))
    if (found[0]) return found[0].rawValue
  }
  const url = URL.createObjectURL(file)
  try {
    const result = await new BrowserMultiFormatReader().decodeFromImageUrl(url)
    return result.getText()
  } finally {
    URL.revokeObjectURL(url)
  }
}

/** scanCamera reads codes from the back camera into the video element until stopped. */
export async function scanCamera(video: HTMLVideoElement, onCode: (text: string) => void): Promise<() => void> {
  const reader = new BrowserMultiFormatReader()
  const controls: IScannerControls = await reader.decodeFromConstraints(
    { video: { facingMode: 'environment' } },
    video,
    (result) => {
      if (result) onCode(result.getText())
    },
  )
  return () => controls.stop()
}
