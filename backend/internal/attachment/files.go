package attachment

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/gabriel-vasile/mimetype"

	"github.com/aftersales/aftersales/backend/internal/apperr"
)

// Files keeps uploaded files under one directory (config storage.dir),
// each by its SHA-256 inside an area (evidence/, manuals/, attachments/), so
// identical files are kept once. It is the one upload-to-storage path of the
// application: the evidence library, the product manuals and attachments
// all receive files through it.
type Files struct {
	dir string
}

// NewFiles returns the file store rooted at dir (made absolute). The
// directory is created on first use, so a server that never stores a file
// leaves no trace on disk.
func NewFiles(dir string) (*Files, error) {
	if dir == "" {
		dir = "./data/files"
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("attachment: storage dir: %w", err)
	}
	return &Files{dir: abs}, nil
}

// Dir is the absolute storage directory.
func (f *Files) Dir() string { return f.dir }

// Policy says which files an area accepts.
type Policy struct {
	// MaxBytes bounds one file.
	MaxBytes int64
	// Types maps each accepted extension (".pdf") to the MIME types its
	// content may sniff as (a type's descendants count: a .zip accepts
	// an .xlsx's content). The first is the type the file is served as.
	Types map[string][]string
}

// Extensions lists the policy's accepted extensions, sorted.
func (p Policy) Extensions() []string {
	out := make([]string, 0, len(p.Types))
	for ext := range p.Types {
		out = append(out, ext)
	}
	slices.Sort(out)
	return out
}

// ooxmlPrefix is the folder an Office Open XML package of each extension
// holds, to recognise a document the sniffer saw only as a ZIP.
var ooxmlPrefix = map[string]string{".docx": "word/", ".xlsx": "xl/", ".pptx": "ppt/"}

// Received is an upload held in a temporary file after its checks: within
// the size limit, of an accepted extension, content sniffed as that type.
// Keep moves it into place; Discard removes it (safe after Keep).
type Received struct {
	// Name is the base name the client gave (at most 255 characters).
	Name string
	// Ext is the lower-case extension of Name.
	Ext string
	// MIME is the type the file is served as (the policy's first type
	// for its extension).
	MIME string
	// Detected is what the content sniffed as.
	Detected string
	// SHA256 is the hex digest of the content; Size its length.
	SHA256 string
	Size   int64
	// Path is the temporary file.
	Path string
}

// Discard removes the temporary file (nothing once kept).
func (r *Received) Discard() {
	if r != nil && r.Path != "" {
		_ = os.Remove(r.Path)
		r.Path = ""
	}
}

// Stored is a file kept in the store.
type Stored struct {
	// Key is the path inside the storage dir, with forward slashes.
	Key    string
	SHA256 string
	Size   int64
	MIME   string
	Name   string
}

// TooLarge is the 413 file_too_large of a file over limit bytes.
func TooLarge(limit int64) error {
	e := apperr.TooLarge(limit)
	e.Code = "file_too_large"
	e.Message = fmt.Sprintf("the file exceeds the %s limit", sizeText(limit))
	e.Fields = apperr.Fields{"file": apperr.Code("file_too_large", e.Message).With("limit_bytes", limit)}
	return e
}

// refusedType is the 415 of a file of a type the area does not accept,
// or whose content is not what its name says.
// The field's code is the error's code, its params the error's details.
func refusedType(fe apperr.FieldError) error {
	e := apperr.Unsupported(fe.Message)
	e.Code = fe.Code
	e.Details = fe.Params
	e.Fields = apperr.Fields{"file": fe}
	return e
}

func sizeText(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	if n >= 1<<10 && n%(1<<10) == 0 {
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// Receive streams an upload to a temporary file in the area while hashing
// it, and checks it against the policy. Errors: 413 file_too_large, 415
// file_type_not_accepted (extension) or content_mismatch (the content
// sniffs as another type, e.g. an executable named .jpg), 422 (no or an
// empty file, a name over 255 characters), 400 (the upload broke off).
func (f *Files) Receive(area, name string, r io.Reader, p Policy) (*Received, error) {
	if r == nil {
		return nil, apperr.FieldErr("file", apperr.Required())
	}
	name = filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	if utf8.RuneCountInString(name) > 255 {
		return nil, apperr.FieldErr("file", apperr.Code("file_name_too_long", "the file name is longer than 255 characters").With("max", 255))
	}
	ext := strings.ToLower(filepath.Ext(name))
	allowed, ok := p.Types[ext]
	if !ok {
		shown := ext
		if shown == "" {
			shown = "(no extension)"
		}
		return nil, refusedType(apperr.Code("file_type_not_accepted", fmt.Sprintf("file type %s is not accepted; accepted types: %s", shown, strings.Join(p.Extensions(), ", "))).
			With("type", shown).With("accepted", p.Extensions()))
	}
	dir := filepath.Join(f.dir, area)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, apperr.Internal(fmt.Errorf("attachment: storage dir: %w", err))
	}
	tmp, err := os.CreateTemp(dir, "upload-*")
	if err != nil {
		return nil, apperr.Internal(fmt.Errorf("attachment: temp file: %w", err))
	}
	out := &Received{Name: name, Ext: ext, MIME: allowed[0], Path: tmp.Name()}
	ok = false
	defer func() {
		_ = tmp.Close()
		if !ok {
			out.Discard()
		}
	}()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(r, p.MaxBytes+1))
	if err != nil {
		// The HTTP layer caps the request body a little above the limit.
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) || strings.Contains(err.Error(), "too large") {
			return nil, TooLarge(p.MaxBytes)
		}
		return nil, apperr.Invalid("the upload was interrupted: " + err.Error())
	}
	if n > p.MaxBytes {
		return nil, TooLarge(p.MaxBytes)
	}
	if n == 0 {
		return nil, apperr.FieldErr("file", apperr.Code("file_empty", "the file is empty"))
	}
	if err := tmp.Sync(); err != nil {
		return nil, apperr.Internal(fmt.Errorf("attachment: sync upload: %w", err))
	}
	detected, err := mimetype.DetectFile(out.Path)
	if err != nil {
		return nil, apperr.Internal(fmt.Errorf("attachment: sniff upload: %w", err))
	}
	out.Detected = baseMime(detected.String())
	if !sniffMatches(detected, allowed) {
		// A Word/Excel/PowerPoint file is a ZIP; a short sniff may see only
		// that. Accept it when the package really holds the part its
		// extension names.
		if prefix, isOOXML := ooxmlPrefix[ext]; !(isOOXML && detected.Is("application/zip") && zipHolds(out.Path, prefix)) {
			return nil, refusedType(apperr.Code("content_mismatch", fmt.Sprintf("the content is %s, which does not match a %s file", out.Detected, ext)).
				With("detected", out.Detected).With("type", ext))
		}
	}
	out.SHA256, out.Size = hex.EncodeToString(h.Sum(nil)), n
	ok = true
	return out, nil
}

// Keep moves a received file to <area>/<sha[:2]>/<sha> (an identical file
// already kept is reused) and returns where it is.
func (f *Files) Keep(area string, r *Received) (Stored, error) {
	key := area + "/" + r.SHA256[:2] + "/" + r.SHA256
	out := Stored{Key: key, SHA256: r.SHA256, Size: r.Size, MIME: r.MIME, Name: r.Name}
	dst := filepath.Join(f.dir, filepath.FromSlash(key))
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		return Stored{}, apperr.Internal(fmt.Errorf("attachment: store upload: %w", err))
	}
	if _, err := os.Stat(dst); err == nil {
		r.Discard()
		return out, nil // identical file already kept
	}
	if err := os.Rename(r.Path, dst); err != nil {
		return Stored{}, apperr.Internal(fmt.Errorf("attachment: store upload: %w", err))
	}
	r.Path = ""
	return out, nil
}

// KeepBytes stores content made by the application (a re-encoded photo, a
// thumbnail) under <area>/<sha[:2]>/<sha><suffix>.
func (f *Files) KeepBytes(area, suffix string, content []byte) (key, sum string, err error) {
	h := sha256.Sum256(content)
	sum = hex.EncodeToString(h[:])
	key = area + "/" + sum[:2] + "/" + sum + suffix
	dst := filepath.Join(f.dir, filepath.FromSlash(key))
	if _, err := os.Stat(dst); err == nil {
		return key, sum, nil
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		return "", "", apperr.Internal(fmt.Errorf("attachment: store file: %w", err))
	}
	tmp, err := os.CreateTemp(filepath.Dir(dst), "write-*")
	if err != nil {
		return "", "", apperr.Internal(fmt.Errorf("attachment: store file: %w", err))
	}
	_, werr := tmp.Write(content)
	cerr := tmp.Close()
	if werr != nil || cerr != nil {
		_ = os.Remove(tmp.Name())
		return "", "", apperr.Internal(fmt.Errorf("attachment: store file: %w", errors.Join(werr, cerr)))
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		_ = os.Remove(tmp.Name())
		return "", "", apperr.Internal(fmt.Errorf("attachment: store file: %w", err))
	}
	return key, sum, nil
}

// Path resolves a storage key inside the storage dir, refusing any key
// that would leave it (404) and a file missing on disk (410 file_missing).
func (f *Files) Path(key string) (string, error) {
	if key == "" {
		return "", apperr.NotFound("file")
	}
	p := filepath.Join(f.dir, filepath.Clean("/"+filepath.FromSlash(key)))
	rel, err := filepath.Rel(f.dir, p)
	if err != nil || strings.HasPrefix(rel, "..") {
		return "", apperr.NotFound("file")
	}
	if _, err := os.Stat(p); err != nil {
		return "", apperr.Gone("file_missing", "the stored file is missing")
	}
	return p, nil
}

// Remove deletes a stored file; a failure only leaves an orphan behind, so
// it is not an error.
func (f *Files) Remove(key string) {
	if p, err := f.Path(key); err == nil {
		_ = os.Remove(p)
	}
}

func sniffMatches(m *mimetype.MIME, allowed []string) bool {
	for _, a := range allowed {
		if m.Is(a) {
			return true
		}
	}
	// A type's descendants count (an .xlsx is a ZIP), except for plain
	// text, the parent of csv, html, …: a .txt must sniff as text/plain.
	for p := m.Parent(); p != nil; p = p.Parent() {
		for _, a := range allowed {
			if a != "text/plain" && p.Is(a) {
				return true
			}
		}
	}
	return false
}

func baseMime(m string) string {
	base, _, _ := strings.Cut(m, ";")
	return base
}

// zipHolds reports whether a ZIP file has an entry under prefix and the
// Office content-types part.
func zipHolds(path, prefix string) bool {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return false
	}
	defer zr.Close()
	var types, part bool
	for _, f := range zr.File {
		if f.Name == "[Content_Types].xml" {
			types = true
		}
		if strings.HasPrefix(f.Name, prefix) {
			part = true
		}
	}
	return types && part
}
