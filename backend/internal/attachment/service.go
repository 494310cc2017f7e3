package attachment

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/db"
)

// ParentCheck returns nil when the caller in ctx may see the parent record
// with this id, and the parent service's not_found otherwise (a record of
// another outlet is not found, just like through the parent's own route).
type ParentCheck func(ctx context.Context, id uint64) error

// Options are the service's dependencies and limits.
type Options struct {
	DB    *gorm.DB
	Audit *audit.Trail
	Files *Files
	// Parents checks each parent type's visibility (wired in app with the
	// parent domains' services). A parent type without a check is refused.
	Parents map[string]ParentCheck
	// MaxBytes bounds one attachment (attachments.max_mib).
	MaxBytes int64
	// Types are the accepted extensions (attachments.types), each one of
	// KnownTypes.
	Types []string
	// MaxPixels refuses larger images before decoding them
	// (attachments.max_image_megapixels).
	MaxPixels int
	// ThumbPx is the thumbnail's longer side (attachments.thumbnail_px).
	ThumbPx int
	Now     func() time.Time
}

// KnownTypes maps every extension attachments.types may name to the MIME
// type its content must sniff as. Images are re-encoded (decoders for
// these formats come with the standard library).
var KnownTypes = map[string]string{".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".pdf": "application/pdf"}

// Service stores and serves attachments.
type Service struct {
	o      Options
	policy Policy
}

// Area is the folder of attachments under storage.dir.
const Area = "attachments"

// New returns the service. Errors: a type outside KnownTypes.
func New(o Options) (*Service, error) {
	if o.DB == nil || o.Files == nil {
		return nil, errors.New("attachment: database and files are required")
	}
	if o.Audit == nil {
		o.Audit = audit.New(nil)
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = 10 << 20
	}
	if o.MaxPixels <= 0 {
		o.MaxPixels = 50_000_000
	}
	if o.ThumbPx <= 0 {
		o.ThumbPx = 320
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if len(o.Types) == 0 {
		o.Types = []string{"jpg", "jpeg", "png", "pdf"}
	}
	p := Policy{MaxBytes: o.MaxBytes, Types: map[string][]string{}}
	for _, t := range o.Types {
		ext := "." + strings.TrimPrefix(strings.ToLower(strings.TrimSpace(t)), ".")
		mime, ok := KnownTypes[ext]
		if !ok {
			return nil, fmt.Errorf("attachment: type %s is not one of %v", t, Policy{Types: known()}.Extensions())
		}
		p.Types[ext] = []string{mime}
	}
	return &Service{o: o, policy: p}, nil
}

func known() map[string][]string {
	out := map[string][]string{}
	for k, v := range KnownTypes {
		out[k] = []string{v}
	}
	return out
}

// MaxBytes is the size limit of one attachment.
func (s *Service) MaxBytes() int64 { return s.o.MaxBytes }

// Extensions are the accepted file extensions, sorted.
func (s *Service) Extensions() []string { return s.policy.Extensions() }

// UploadInput is a new attachment.
type UploadInput struct {
	ParentType string
	ParentID   uint64
	Kind       string
	Note       string
	FileName   string
	Content    io.Reader
	// IdempotencyKey (optional, ≤64 characters): a repeat by the same
	// user returns the first upload instead of storing another.
	IdempotencyKey string
}

// Upload checks the parent is visible to the caller, receives the file
// (size, type and content sniffing by Files.Receive), re-encodes an image
// (stripping EXIF and GPS) and makes its thumbnail, stores the file by
// SHA-256 and records the attachment with an audit record in one
// transaction. A signature must be an image; its SHA-256 is in the audit
// record. With an idempotency key already used by the caller the first
// upload is returned with replayed true (nothing is stored). Errors:
// validation (parent_type, kind, note, file), not_found (parent), 413
// file_too_large, 415 file_type_not_accepted or content_mismatch, 409
// idempotency_key_reused (the key is another user's or another record's).
func (s *Service) Upload(ctx context.Context, in UploadInput) (att Attachment, replayed bool, err error) {
	in.IdempotencyKey = strings.TrimSpace(in.IdempotencyKey)
	if len(in.IdempotencyKey) > 64 {
		return Attachment{}, false, apperr.FieldErr("idempotency_key", apperr.TooLong(64))
	}
	if in.IdempotencyKey != "" {
		if prev, ok, err := s.byIdempotencyKey(ctx, in); err != nil || ok {
			return prev, ok, err
		}
	}
	att, err = s.upload(ctx, in)
	if in.IdempotencyKey != "" && apperr.IsKind(err, apperr.KindConflict) && apperr.As(err).Code == "duplicate" {
		// A concurrent replay won the insert: answer with it.
		if prev, ok, err := s.byIdempotencyKey(ctx, in); err != nil || ok {
			return prev, ok, err
		}
	}
	return att, false, err
}

// byIdempotencyKey returns the attachment an earlier upload with the key
// made, when it is the caller's for the same record.
func (s *Service) byIdempotencyKey(ctx context.Context, in UploadInput) (Attachment, bool, error) {
	var prev Attachment
	err := s.o.DB.WithContext(ctx).Where("idempotency_key = ?", in.IdempotencyKey).Take(&prev).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Attachment{}, false, nil
	}
	if err != nil {
		return Attachment{}, false, db.Classify(err, "attachment idempotency key")
	}
	if prev.UploadedByID != actor.From(ctx).UserID || prev.ParentType != in.ParentType || prev.ParentID != in.ParentID {
		return Attachment{}, false, apperr.Conflict("idempotency_key_reused", "this Idempotency-Key was used for another upload; send a new key")
	}
	if err := s.Visible(ctx, in.ParentType, in.ParentID); err != nil {
		return Attachment{}, false, err
	}
	return prev, true, nil
}

func (s *Service) upload(ctx context.Context, in UploadInput) (Attachment, error) {
	fields := apperr.Fields{}
	check, ok := s.o.Parents[in.ParentType]
	if !ok {
		fields["parent_type"] = apperr.OneOf(ParentTypes()...)
	}
	if !slices.Contains(Kinds(), in.Kind) {
		fields["kind"] = apperr.OneOf(Kinds()...)
	}
	in.Note = strings.TrimSpace(in.Note)
	if utf8.RuneCountInString(in.Note) > 255 {
		fields["note"] = apperr.TooLong(255)
	}
	if in.Content == nil {
		fields["file"] = apperr.Required()
	}
	if len(fields) > 0 {
		return Attachment{}, apperr.FieldsErr(fields)
	}
	if err := check(ctx, in.ParentID); err != nil {
		return Attachment{}, err
	}
	rec, err := s.o.Files.Receive(Area, in.FileName, in.Content, s.policy)
	if err != nil {
		return Attachment{}, err
	}
	defer rec.Discard()
	isImage := strings.HasPrefix(rec.MIME, "image/")
	if in.Kind == KindSignature && !isImage {
		return Attachment{}, apperr.FieldErr("kind", apperr.Code("signature_image", "a signature is an image (PNG or JPEG)"))
	}
	a := actor.From(ctx)
	att := Attachment{ParentType: in.ParentType, ParentID: in.ParentID, Kind: in.Kind, Note: in.Note, FileName: rec.Name,
		ContentType: rec.MIME, UploadedByID: a.UserID, UploadedBy: truncate(a.Username, 64), CreatedAt: s.o.Now().UTC(), Version: 1}
	if in.IdempotencyKey != "" {
		att.IdempotencyKey = &in.IdempotencyKey
	}
	if isImage {
		img, err := processImage(rec.Path, rec.MIME, s.o.MaxPixels, s.o.ThumbPx)
		if err != nil {
			return Attachment{}, err
		}
		key, sum, err := s.o.Files.KeepBytes(Area, rec.Ext, img.content)
		if err != nil {
			return Attachment{}, err
		}
		thumbKey, _, err := s.o.Files.KeepBytes(Area+"/thumbs", ".jpg", img.thumb)
		if err != nil {
			return Attachment{}, err
		}
		att.StorageKey, att.SHA256, att.Size, att.ThumbKey = key, sum, int64(len(img.content)), thumbKey
		att.Width, att.Height, att.MetadataStripped = img.width, img.height, img.hadMetadata
	} else {
		st, err := s.o.Files.Keep(Area, rec)
		if err != nil {
			return Attachment{}, err
		}
		att.StorageKey, att.SHA256, att.Size = st.Key, st.SHA256, st.Size
	}
	err = s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&att).Error; err != nil {
			return fmt.Errorf("insert attachment: %w", err)
		}
		after := att.Snapshot()
		action := "upload"
		if att.Kind == KindSignature {
			// The signature's hash, named as such: whoever reads the trail
			// can check the signature image kept is the one signed.
			action, after["signature_sha256"] = "sign", att.SHA256
		}
		return s.o.Audit.Record(ctx, tx, audit.Entry{Action: action, Entity: "attachment", EntityID: strconv.FormatUint(att.ID, 10), After: after})
	})
	if err != nil {
		return Attachment{}, db.Classify(err, "attachment")
	}
	return att, nil
}

// Visible returns nil when the caller may see the parent record (so an
// upload for a record out of scope is refused before its body is read).
// Errors: validation (parent_type), the parent's not_found.
func (s *Service) Visible(ctx context.Context, parentType string, parentID uint64) error {
	check, ok := s.o.Parents[parentType]
	if !ok {
		return apperr.FieldErr("parent_type", apperr.OneOf(ParentTypes()...))
	}
	return check(ctx, parentID)
}

// List returns the attachments of a parent record the caller may see,
// oldest first. Errors: validation (parent_type), not_found (parent).
func (s *Service) List(ctx context.Context, parentType string, parentID uint64) ([]Attachment, error) {
	check, ok := s.o.Parents[parentType]
	if !ok {
		return nil, apperr.FieldErr("parent_type", apperr.OneOf(ParentTypes()...))
	}
	if err := check(ctx, parentID); err != nil {
		return nil, err
	}
	out := []Attachment{}
	err := s.o.DB.WithContext(ctx).Where("parent_type = ? AND parent_id = ? AND deleted_at IS NULL", parentType, parentID).
		Order("id").Find(&out).Error
	if err != nil {
		return nil, db.Classify(err, "list attachments")
	}
	return out, nil
}

// Ref names an attachment of a parent record.
type Ref struct {
	ParentType string
	ParentID   uint64
	ID         uint64
}

// Get returns an attachment of the parent record named, when the caller
// may see that parent. Errors: not_found (also deleted, attached to
// another record, or the parent out of the caller's scope).
func (s *Service) Get(ctx context.Context, ref Ref) (Attachment, error) {
	check, ok := s.o.Parents[ref.ParentType]
	if !ok {
		return Attachment{}, apperr.NotFound("attachment")
	}
	if err := check(ctx, ref.ParentID); err != nil {
		return Attachment{}, err
	}
	var att Attachment
	err := s.o.DB.WithContext(ctx).Where("id = ? AND parent_type = ? AND parent_id = ? AND deleted_at IS NULL", ref.ID, ref.ParentType, ref.ParentID).
		Take(&att).Error
	if err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return Attachment{}, apperr.NotFound("attachment")
		}
		return Attachment{}, db.Classify(err, "get attachment")
	}
	return att, nil
}

// Open returns an attachment and the path of its file (thumb: of its
// thumbnail). Errors: those of Get; not_found for the thumbnail of a
// document; 410 file_missing when the file is gone from disk.
func (s *Service) Open(ctx context.Context, ref Ref, thumb bool) (Attachment, string, error) {
	att, err := s.Get(ctx, ref)
	if err != nil {
		return Attachment{}, "", err
	}
	key := att.StorageKey
	if thumb {
		if att.ThumbKey == "" {
			return Attachment{}, "", apperr.NotFound("thumbnail")
		}
		key = att.ThumbKey
	}
	p, err := s.o.Files.Path(key)
	if err != nil {
		return Attachment{}, "", err
	}
	return att, p, nil
}

// Delete marks an attachment deleted (soft: the row and the file stay for
// the audit trail), audited. version is the version the caller saw (0:
// skip the check). Errors: not_found, version_conflict.
func (s *Service) Delete(ctx context.Context, ref Ref, version int64) error {
	id := ref.ID
	att, err := s.Get(ctx, ref)
	if err != nil {
		return err
	}
	if version != 0 && version != att.Version {
		return apperr.ErrVersionConflict("attachment")
	}
	a := actor.From(ctx)
	now := s.o.Now().UTC()
	err = s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var by *uint64
		if a.UserID != 0 {
			by = &a.UserID
		}
		if err := db.UpdateVersioned(tx.Where("deleted_at IS NULL"), &Attachment{}, id, att.Version, "attachment",
			map[string]any{"deleted_at": now, "deleted_by_id": by, "version": att.Version + 1}); err != nil {
			return err
		}
		before := att.Snapshot()
		att.DeletedAt, att.DeletedByID, att.Version = &now, by, att.Version+1
		return s.o.Audit.Record(ctx, tx, audit.Entry{Action: "delete", Entity: "attachment", EntityID: strconv.FormatUint(id, 10),
			Before: before, After: att.Snapshot()})
	})
	return db.Classify(err, "attachment")
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n])
	}
	return s
}

// ByID returns an attachment by id alone, when the caller may see its
// parent record: how another record cites one as proof (a unit's purchase
// correction cites the invoice photo uploaded on a ticket). Errors:
// not_found (also deleted, or the parent out of the caller's scope).
func (s *Service) ByID(ctx context.Context, id uint64) (Attachment, error) {
	var att Attachment
	err := s.o.DB.WithContext(ctx).Where("id = ? AND deleted_at IS NULL", id).Take(&att).Error
	if err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return Attachment{}, apperr.NotFound("attachment")
		}
		return Attachment{}, db.Classify(err, "get attachment")
	}
	return s.Get(ctx, Ref{ParentType: att.ParentType, ParentID: att.ParentID, ID: id})
}
