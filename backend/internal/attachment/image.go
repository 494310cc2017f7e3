package attachment

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"os"

	"github.com/disintegration/imaging"

	"github.com/aftersales/aftersales/backend/internal/apperr"
)

// processed is a re-encoded image and its thumbnail.
type processed struct {
	content []byte // the image to keep, re-encoded without metadata
	thumb   []byte // a JPEG at most thumbPx on its longer side
	width   int
	height  int
	// hadMetadata: the upload carried EXIF (JPEG APP1 or PNG eXIf) or
	// text chunks that the re-encoding dropped.
	hadMetadata bool
}

// jpegQuality keeps a phone photo's detail; thumbQuality is for the grid.
const (
	jpegQuality  = 88
	thumbQuality = 80
)

// processImage re-encodes the image at path in its own format (applying
// the EXIF orientation first, so a portrait photo stays upright) and makes
// its thumbnail. Re-encoding writes only pixels: EXIF, GPS position, camera
// serial and text chunks are gone. An image over maxPixels is refused
// before it is decoded (a decompression bomb stays a small file).
func processImage(path, mime string, maxPixels, thumbPx int) (*processed, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, apperr.Internal(fmt.Errorf("attachment: open upload: %w", err))
	}
	defer f.Close()
	cfg, _, err := image.DecodeConfig(f)
	if err != nil {
		return nil, apperr.FieldErr("file", apperr.Code("image_unreadable", "the image cannot be read: "+err.Error()))
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > int64(maxPixels) {
		return nil, apperr.FieldErr("file", apperr.Code("image_too_large", fmt.Sprintf("the image is %d×%d pixels; at most %d megapixels are accepted", cfg.Width, cfg.Height, maxPixels/1_000_000)).
			With("width", cfg.Width).With("height", cfg.Height).With("max_megapixels", maxPixels/1_000_000))
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, apperr.Internal(fmt.Errorf("attachment: rewind upload: %w", err))
	}
	head := make([]byte, 256<<10)
	n, _ := io.ReadFull(f, head)
	had := hasMetadata(head[:n], mime)
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, apperr.Internal(fmt.Errorf("attachment: rewind upload: %w", err))
	}
	img, err := imaging.Decode(f, imaging.AutoOrientation(true))
	if err != nil {
		return nil, apperr.FieldErr("file", apperr.Code("image_unreadable", "the image cannot be read: "+err.Error()))
	}
	var out bytes.Buffer
	switch mime {
	case "image/png":
		err = png.Encode(&out, img)
	default:
		err = jpeg.Encode(&out, img, &jpeg.Options{Quality: jpegQuality})
	}
	if err != nil {
		return nil, apperr.Internal(fmt.Errorf("attachment: re-encode image: %w", err))
	}
	thumb, err := thumbnail(img, thumbPx)
	if err != nil {
		return nil, err
	}
	b := img.Bounds()
	return &processed{content: out.Bytes(), thumb: thumb, width: b.Dx(), height: b.Dy(), hadMetadata: had}, nil
}

// thumbnail fits img into px×px and encodes it as JPEG on white (a
// signature is a transparent PNG; JPEG has no transparency).
func thumbnail(img image.Image, px int) ([]byte, error) {
	small := imaging.Fit(img, px, px, imaging.Lanczos)
	bg := imaging.New(small.Bounds().Dx(), small.Bounds().Dy(), color.White)
	flat := imaging.Overlay(bg, small, image.Pt(0, 0), 1)
	var out bytes.Buffer
	if err := jpeg.Encode(&out, flat, &jpeg.Options{Quality: thumbQuality}); err != nil {
		return nil, apperr.Internal(fmt.Errorf("attachment: thumbnail: %w", err))
	}
	return out.Bytes(), nil
}

// hasMetadata reports whether an encoded image carries EXIF (a JPEG APP1
// "Exif" segment, a PNG eXIf chunk) or PNG text chunks.
func hasMetadata(b []byte, mime string) bool {
	switch mime {
	case "image/jpeg":
		return len(jpegSegments(b, 0xE1, []byte("Exif\x00\x00"))) > 0
	case "image/png":
		for _, c := range pngChunks(b) {
			if c == "eXIf" || c == "tEXt" || c == "iTXt" || c == "zTXt" {
				return true
			}
		}
	}
	return false
}

// jpegSegments returns the payloads of the marker segments before the
// image data whose marker is marker and whose payload starts with prefix.
func jpegSegments(b []byte, marker byte, prefix []byte) [][]byte {
	var out [][]byte
	if len(b) < 4 || b[0] != 0xFF || b[1] != 0xD8 {
		return nil
	}
	for i := 2; i+4 <= len(b); {
		if b[i] != 0xFF {
			return out
		}
		m := b[i+1]
		if m == 0xDA || m == 0xD9 { // start of scan, end of image
			return out
		}
		l := int(binary.BigEndian.Uint16(b[i+2 : i+4]))
		if l < 2 || i+2+l > len(b) {
			return out
		}
		payload := b[i+4 : i+2+l]
		if m == marker && bytes.HasPrefix(payload, prefix) {
			out = append(out, payload)
		}
		i += 2 + l
	}
	return out
}

// pngChunks lists the chunk types of a PNG, in order.
func pngChunks(b []byte) []string {
	sig := []byte("\x89PNG\r\n\x1a\n")
	if !bytes.HasPrefix(b, sig) {
		return nil
	}
	var out []string
	for i := len(sig); i+8 <= len(b); {
		l := int(binary.BigEndian.Uint32(b[i : i+4]))
		out = append(out, string(b[i+4:i+8]))
		if l < 0 || i+12+l > len(b) {
			break
		}
		i += 12 + l
	}
	return out
}
