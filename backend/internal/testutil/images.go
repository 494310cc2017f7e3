package testutil

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"
)

// GPSLatitude is the latitude JPEGWithGPS writes (degrees, minutes,
// seconds as EXIF rationals): 31°14'21.5"N, the Bund in Shanghai. Its
// bytes in the file are GPSLatitudeBytes.
var GPSLatitude = [3][2]uint32{{31, 1}, {14, 1}, {215, 10}}

// GPSLatitudeBytes is the latitude as it appears in the EXIF block
// (big-endian rationals), to check a re-encoded file no longer holds it.
func GPSLatitudeBytes() []byte {
	var b bytes.Buffer
	for _, r := range GPSLatitude {
		_ = binary.Write(&b, binary.BigEndian, r)
	}
	return b.Bytes()
}

// testPicture is a w×h gradient, so encoders have real content to work on.
func testPicture(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), 128, 255})
		}
	}
	return img
}

// JPEGWithGPS returns a w×h JPEG photo carrying an EXIF APP1 segment with a
// GPS position (latitude GPSLatitude, north; longitude 121°29'E) and a
// camera make, as a phone writes it.
func JPEGWithGPS(t testing.TB, w, h int) []byte {
	t.Helper()
	var plain bytes.Buffer
	if err := jpeg.Encode(&plain, testPicture(w, h), &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	exif := exifWithGPS()
	seg := make([]byte, 4)
	seg[0], seg[1] = 0xFF, 0xE1
	binary.BigEndian.PutUint16(seg[2:], uint16(len(exif)+2))
	raw := plain.Bytes()
	out := append([]byte{}, raw[:2]...) // SOI
	out = append(out, seg...)
	out = append(out, exif...)
	return append(out, raw[2:]...)
}

// exifWithGPS builds "Exif\0\0" + a big-endian TIFF structure: IFD0 with
// Make and a GPS IFD pointer; the GPS IFD with latitude and longitude.
func exifWithGPS() []byte {
	be := binary.BigEndian
	var b bytes.Buffer
	b.WriteString("Exif\x00\x00")
	tiff := new(bytes.Buffer)
	tiff.WriteString("MM\x00\x2a")
	_ = binary.Write(tiff, be, uint32(8)) // IFD0 at 8
	// IFD0: 2 entries (12 bytes each) + next-IFD offset.
	const ifd0Len = 2 + 2*12 + 4
	makeOff := uint32(8 + ifd0Len)
	makeVal := "AcmePhone\x00"
	gpsOff := makeOff + uint32(len(makeVal))
	entry := func(w *bytes.Buffer, tag, typ uint16, count, value uint32) {
		_ = binary.Write(w, be, tag)
		_ = binary.Write(w, be, typ)
		_ = binary.Write(w, be, count)
		_ = binary.Write(w, be, value)
	}
	_ = binary.Write(tiff, be, uint16(2))
	entry(tiff, 0x010F, 2, uint32(len(makeVal)), makeOff) // Make
	entry(tiff, 0x8825, 4, 1, gpsOff)                     // GPSInfo IFD pointer
	_ = binary.Write(tiff, be, uint32(0))
	tiff.WriteString(makeVal)
	// GPS IFD: 4 entries + next offset, then 2×3 rationals.
	const gpsLen = 2 + 4*12 + 4
	latOff := gpsOff + gpsLen
	lonOff := latOff + 24
	_ = binary.Write(tiff, be, uint16(4))
	entry(tiff, 0x0001, 2, 2, uint32('N')<<24) // GPSLatitudeRef "N\0" inline
	entry(tiff, 0x0002, 5, 3, latOff)          // GPSLatitude
	entry(tiff, 0x0003, 2, 2, uint32('E')<<24) // GPSLongitudeRef
	entry(tiff, 0x0004, 5, 3, lonOff)          // GPSLongitude
	_ = binary.Write(tiff, be, uint32(0))
	for _, r := range GPSLatitude {
		_ = binary.Write(tiff, be, r)
	}
	for _, r := range [3][2]uint32{{121, 1}, {29, 1}, {100, 10}} {
		_ = binary.Write(tiff, be, r)
	}
	b.Write(tiff.Bytes())
	return b.Bytes()
}

// PNG returns a w×h PNG (a signature pad's export is one).
func PNG(t testing.TB, w, h int) []byte {
	t.Helper()
	var out bytes.Buffer
	if err := png.Encode(&out, testPicture(w, h)); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// Executable is the start of a Windows PE file (an .exe).
func Executable() []byte {
	b := make([]byte, 512)
	copy(b, "MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff")
	binary.LittleEndian.PutUint32(b[0x3c:], 0x80)
	copy(b[0x80:], "PE\x00\x00")
	return b
}
