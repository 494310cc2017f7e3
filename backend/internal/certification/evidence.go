package certification

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/attachment"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/db"
	"github.com/aftersales/aftersales/backend/internal/event"
	"github.com/aftersales/aftersales/backend/internal/readiness"
)

// evidencePolicy maps each accepted file extension to the MIME types its
// content may sniff as. Anything else is refused: evidence is documents and
// scans, never executables, archives or web pages.
var evidenceTypes = map[string][]string{
	".pdf":  {"application/pdf"},
	".png":  {"image/png"},
	".jpg":  {"image/jpeg"},
	".jpeg": {"image/jpeg"},
	".docx": {"application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
	".xlsx": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
	".pptx": {"application/vnd.openxmlformats-officedocument.presentationml.presentation"},
	".doc":  {"application/msword", "application/x-ole-storage"},
	".xls":  {"application/vnd.ms-excel", "application/x-ole-storage"},
	".txt":  {"text/plain"},
}

// AllowedExtensions lists the accepted file extensions, sorted.
func AllowedExtensions() []string { return attachment.Policy{Types: evidenceTypes}.Extensions() }

// UploadInput is a new evidence document (or a new version of one).
type UploadInput struct {
	DocType     string
	Title       string
	Description string
	// EffectiveOn is the calendar date the document took effect.
	EffectiveOn time.Time
	// ExpiresOn is the last calendar date it is valid; nil: open-ended.
	ExpiresOn *time.Time
	// Approver is who signed the document.
	Approver string
	// SupersedesID makes this a new version of that document.
	SupersedesID *uint64
	FileName     string
	Content      io.Reader
}

// Upload validates and stores an evidence document: the type must be one
// the active standard declares, the file must be within the size limit, of
// an accepted type, and its content must sniff as what its name says. A
// refused upload is a 422 saying why. The file is kept under storage.dir by
// its SHA-256; a new version keeps the versions before it.
func (s *Service) Upload(ctx context.Context, in UploadInput) (*Document, error) {
	fields := apperr.Fields{}
	std, err := s.standard(ctx)
	if err != nil {
		return nil, err
	}
	var prev *Document
	if in.SupersedesID != nil {
		var p Document
		if err := s.db.WithContext(ctx).Where("id = ?", *in.SupersedesID).Take(&p).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return nil, apperr.FieldErr("supersedes_id", apperr.NoSuch("document"))
			}
			return nil, apperr.Internal(fmt.Errorf("certification: superseded document: %w", err))
		}
		prev = &p
		if in.DocType == "" {
			in.DocType = p.DocType
		}
		if in.Title == "" {
			in.Title = p.Title
		}
	}
	if !documentTypeKnown(std, in.DocType) {
		fields["doc_type"] = apperr.OneOf(documentTypeNames(std)...)
	}
	if prev != nil && prev.DocType != in.DocType {
		fields["doc_type"] = apperr.Code("doc_type_fixed", fmt.Sprintf("a new version keeps the type %s", prev.DocType)).With("type", prev.DocType)
	}
	in.Title = strings.TrimSpace(in.Title)
	if in.Title == "" {
		fields["title"] = apperr.Required()
	} else if len([]rune(in.Title)) > 255 {
		fields["title"] = apperr.TooLong(255)
	}
	if in.EffectiveOn.IsZero() {
		fields["effective_on"] = apperr.Required()
	}
	if in.ExpiresOn != nil && !in.EffectiveOn.IsZero() && in.ExpiresOn.Before(in.EffectiveOn) {
		fields["expires_on"] = apperr.Code("before_field", "must not be before effective_on").With("field", "effective_on")
	}
	if len([]rune(in.Approver)) > 64 {
		fields["approver"] = apperr.TooLong(64)
	}
	if in.Content == nil {
		fields["file"] = apperr.Required()
	}
	if len(fields) > 0 {
		return nil, apperr.FieldsErr(fields)
	}
	stored, err := s.storeFile(in.FileName, in.Content)
	if err != nil {
		return nil, err
	}
	a := actor.From(ctx)
	now := s.now().UTC()
	d := Document{
		DocType: in.DocType, Title: in.Title, Description: in.Description, EffectiveAt: dateOnly(in.EffectiveOn),
		ExpiresAt: datePtr(in.ExpiresOn), Approver: strings.TrimSpace(in.Approver), SHA256: stored.SHA256, Size: stored.Size,
		ContentType: stored.MIME, FileName: truncateRunes(filepath.Base(in.FileName), 255), StorageKey: stored.Key,
		UploadedByID: a.UserID, UploadedBy: truncateRunes(a.Username, 64), Version: 1, Revision: 1, CreatedAt: now, UpdatedAt: now,
	}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if prev != nil {
			// Only the newest version of a chain can be superseded, so two
			// people uploading a new version at once do not fork it.
			var newer int64
			if err := tx.Model(&Document{}).Where("chain_id = ? AND revision > ?", prev.ChainID, prev.Revision).Count(&newer).Error; err != nil {
				return err
			}
			if newer > 0 {
				return apperr.Conflict("superseded", "a newer version of this document exists; supersede the newest version")
			}
			d.ChainID, d.Revision, d.SupersedesID = prev.ChainID, prev.Revision+1, &prev.ID
		}
		if err := tx.Create(&d).Error; err != nil {
			return err
		}
		if prev == nil {
			d.ChainID = d.ID
			if err := tx.Model(&d).Update("chain_id", d.ID).Error; err != nil {
				return err
			}
		}
		if err := s.trail.Record(ctx, tx, audit.Entry{Action: "upload", Entity: "evidence_document", EntityID: fmt.Sprint(d.ID), After: d.Snapshot()}); err != nil {
			return err
		}
		return s.enqueue(tx, event.EvidenceUploaded.New(Topic, event.Evidence{ID: d.ID, DocType: d.DocType, Title: d.Title, Revision: d.Revision}))
	})
	if err != nil {
		var ae *apperr.Error
		if errors.As(err, &ae) {
			return nil, ae
		}
		return nil, apperr.Internal(fmt.Errorf("certification: store document: %w", err))
	}
	return &d, nil
}

// storeFile receives the upload through the shared file store (size limit,
// accepted types, content sniffed against the name's extension) and keeps
// it under evidence/<sha[:2]>/<sha> (identical files are kept once).
// Errors: 413 file_too_large, 415 file_type_not_accepted or
// content_mismatch, 422 for an empty file.
func (s *Service) storeFile(name string, r io.Reader) (attachment.Stored, error) {
	rec, err := s.files.Receive("evidence", name, r, attachment.Policy{MaxBytes: s.o.MaxUploadBytes, Types: evidenceTypes})
	if err != nil {
		return attachment.Stored{}, err
	}
	defer rec.Discard()
	return s.files.Keep("evidence", rec)
}

// Approve marks a document approved in the system (it then counts for the
// score from its effective date). version is the optimistic-concurrency
// version the caller saw (0: skip the check).
func (s *Service) Approve(ctx context.Context, id uint64, version int64) (*Document, error) {
	a := actor.From(ctx)
	now := s.now().UTC()
	var d Document
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("id = ?", id).Take(&d).Error; err != nil {
			return err
		}
		before := d.Snapshot()
		if version != 0 && version != d.Version {
			return apperr.ErrVersionConflict("document")
		}
		if d.ApprovedAt != nil {
			return apperr.Conflict("invalid_transition", "the document is already approved").WithDetail("allowed", []string{})
		}
		var newer int64
		if err := tx.Model(&Document{}).Where("chain_id = ? AND revision > ? AND approved_at IS NOT NULL", d.ChainID, d.Revision).
			Count(&newer).Error; err != nil {
			return err
		}
		if newer > 0 {
			return apperr.Conflict("superseded", "a newer approved version of this document exists")
		}
		if err := db.UpdateVersionedAndRead(tx, &d, id, d.Version, "document", map[string]any{"approved_at": now, "approved_by": truncateRunes(orDefault(a.Username, "system"), 64), "version": d.Version + 1, "updated_at": now}); err != nil {
			return err
		}
		if err := s.trail.Record(ctx, tx, audit.Entry{Action: "approve", Entity: "evidence_document", EntityID: fmt.Sprint(id), Before: before, After: d.Snapshot()}); err != nil {
			return err
		}
		return s.enqueue(tx, event.EvidenceApproved.New(Topic, event.Evidence{ID: d.ID, DocType: d.DocType, Title: d.Title}))
	})
	if err != nil {
		return nil, mapErr(err, "document")
	}
	return &d, nil
}

// UpdateDates corrects a document's effective and expiry dates (e.g. the
// renewal date moved), audited; freshness follows at the next read.
func (s *Service) UpdateDates(ctx context.Context, id uint64, version int64, effective time.Time, expires *time.Time) (*Document, error) {
	if effective.IsZero() {
		return nil, apperr.FieldErr("effective_on", apperr.Required())
	}
	if expires != nil && expires.Before(effective) {
		return nil, apperr.FieldErr("expires_on", apperr.Code("before_field", "must not be before effective_on").With("field", "effective_on"))
	}
	now := s.now().UTC()
	var d Document
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("id = ?", id).Take(&d).Error; err != nil {
			return err
		}
		before := d.Snapshot()
		if version != 0 && version != d.Version {
			return apperr.ErrVersionConflict("document")
		}
		next := d
		next.EffectiveAt, next.ExpiresAt = dateOnly(effective), datePtr(expires)
		if audit.Unchanged(before, next.Snapshot()) {
			return nil // nothing to write: no version bump, no audit record, no event
		}
		if err := db.UpdateVersionedAndRead(tx, &d, id, d.Version, "document", map[string]any{"effective_at": dateOnly(effective), "expires_at": datePtr(expires), "version": d.Version + 1, "updated_at": now}); err != nil {
			return err
		}
		if err := s.trail.Record(ctx, tx, audit.Entry{Action: "update", Entity: "evidence_document", EntityID: fmt.Sprint(id), Before: before, After: d.Snapshot()}); err != nil {
			return err
		}
		return s.enqueue(tx, event.EvidenceUpdated.New(Topic, event.Evidence{ID: d.ID, DocType: d.DocType}))
	})
	if err != nil {
		return nil, mapErr(err, "document")
	}
	return &d, nil
}

// Freshness of a document, derived from its dates when read.
const (
	FreshDraft        = "draft"             // not approved
	FreshNotYet       = "not_yet_effective" // approved, takes effect later
	FreshInForce      = "in_force"
	FreshExpiring     = "expiring" // in force, expires within ExpiringDays
	FreshExpired      = "expired"
	FreshSuperseded   = "superseded" // a newer version is approved
	ExpiringDays      = 30
	maxDocumentsShown = 500
)

// DocumentView is a document with its freshness at the read time.
type DocumentView struct {
	Document
	Freshness string
	// Superseded is set when a newer approved version exists.
	Superseded bool
	// Clauses are the indicators the document type proves.
	Clauses []string
}

// Documents lists evidence documents, newest first. docType filters by
// type; with history false only the newest version of each chain is shown.
func (s *Service) Documents(ctx context.Context, docType string, history bool) ([]DocumentView, error) {
	q := s.db.WithContext(ctx).Order("id DESC").Limit(maxDocumentsShown)
	if docType != "" {
		q = q.Where("doc_type = ?", docType)
	}
	var docs []Document
	if err := q.Find(&docs).Error; err != nil {
		return nil, apperr.Internal(fmt.Errorf("certification: list documents: %w", err))
	}
	supersededAt, err := s.supersession(ctx)
	if err != nil {
		return nil, err
	}
	clauses := s.clausesByType(ctx)
	seen := map[uint64]bool{}
	var out []DocumentView
	for _, d := range docs {
		if !history {
			if seen[d.ChainID] {
				continue
			}
			seen[d.ChainID] = true
		}
		out = append(out, s.view(d, supersededAt, clauses))
	}
	return out, nil
}

// DocumentDetail is a document with every version of its chain.
type DocumentDetail struct {
	DocumentView
	Versions []DocumentView
}

// DocumentByID returns a document and its chain's versions.
func (s *Service) DocumentByID(ctx context.Context, id uint64) (*DocumentDetail, error) {
	var d Document
	if err := s.db.WithContext(ctx).Where("id = ?", id).Take(&d).Error; err != nil {
		return nil, mapErr(err, "document")
	}
	var chain []Document
	if err := s.db.WithContext(ctx).Where("chain_id = ?", d.ChainID).Order("revision DESC").Find(&chain).Error; err != nil {
		return nil, apperr.Internal(fmt.Errorf("certification: document versions: %w", err))
	}
	supersededAt, err := s.supersession(ctx)
	if err != nil {
		return nil, err
	}
	clauses := s.clausesByType(ctx)
	out := &DocumentDetail{DocumentView: s.view(d, supersededAt, clauses)}
	for _, v := range chain {
		out.Versions = append(out.Versions, s.view(v, supersededAt, clauses))
	}
	return out, nil
}

// File returns a document and the path of its stored file for download.
func (s *Service) File(ctx context.Context, id uint64) (*Document, string, error) {
	var d Document
	if err := s.db.WithContext(ctx).Where("id = ?", id).Take(&d).Error; err != nil {
		return nil, "", mapErr(err, "document")
	}
	path, err := s.storagePath(d.StorageKey)
	if err != nil {
		return nil, "", err
	}
	return &d, path, nil
}

// storagePath resolves a storage key inside storage.dir: 404 for a key
// that would escape it, 410 file_missing for a file gone from disk.
func (s *Service) storagePath(key string) (string, error) { return s.files.Path(key) }

// supersession maps a document id to the instant a newer approved version
// of its chain was approved.
func (s *Service) supersession(ctx context.Context) (map[uint64]time.Time, error) {
	var docs []Document
	if err := s.db.WithContext(ctx).Select("id", "chain_id", "revision", "approved_at").Order("chain_id, revision").Find(&docs).Error; err != nil {
		return nil, apperr.Internal(fmt.Errorf("certification: document chains: %w", err))
	}
	out := map[uint64]time.Time{}
	for i, d := range docs {
		for j := i + 1; j < len(docs) && docs[j].ChainID == d.ChainID; j++ {
			if docs[j].ApprovedAt != nil {
				out[d.ID] = *docs[j].ApprovedAt
				break
			}
		}
	}
	return out, nil
}

func (s *Service) view(d Document, supersededAt map[uint64]time.Time, clauses map[string][]string) DocumentView {
	v := DocumentView{Document: d, Clauses: clauses[d.DocType]}
	now := s.now()
	_, v.Superseded = supersededAt[d.ID]
	today := localDay(now, s.loc)
	switch {
	case v.Superseded:
		v.Freshness = FreshSuperseded
	case d.ApprovedAt == nil:
		v.Freshness = FreshDraft
	case d.EffectiveAt.After(today):
		v.Freshness = FreshNotYet
	case d.ExpiresAt != nil && d.ExpiresAt.Before(today):
		v.Freshness = FreshExpired
	case d.ExpiresAt != nil && d.ExpiresAt.Before(today.AddDate(0, 0, ExpiringDays)):
		v.Freshness = FreshExpiring
	default:
		v.Freshness = FreshInForce
	}
	return v
}

// clausesByType maps each document type to the leaves it proves in the
// active standard.
func (s *Service) clausesByType(ctx context.Context) map[string][]string {
	out := map[string][]string{}
	std, err := s.standard(ctx)
	if err != nil || std == nil {
		return out
	}
	for _, leaf := range std.Leaves() {
		if leaf.Rule != nil && leaf.Rule.DocumentType != "" {
			out[leaf.Rule.DocumentType] = append(out[leaf.Rule.DocumentType], leaf.Clause)
		}
	}
	return out
}

// DocumentsForScoring implements readiness.EvidenceSource: every version
// of every document by type, with calendar dates turned into instants in
// the enterprise zone (effective from the start of its date, counting
// through its last valid day) and a version's expiry cut at the approval
// of a newer version. The register is small (documents, not operational
// records), so it is read whole.
func (s *Service) DocumentsForScoring(ctx context.Context) (map[string][]readiness.Document, error) {
	var docs []Document
	if err := s.db.WithContext(ctx).Order("id").Find(&docs).Error; err != nil {
		return nil, fmt.Errorf("certification: documents for scoring: %w", err)
	}
	supersededAt, err := s.supersession(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string][]readiness.Document{}
	for _, d := range docs {
		rd := readiness.Document{ID: fmt.Sprint(d.ID), Type: d.DocType, Title: d.Title, EffectiveAt: s.startOf(d.EffectiveAt),
			Approved: d.ApprovedAt != nil}
		if d.ExpiresAt != nil {
			end := s.endOf(*d.ExpiresAt)
			rd.ExpiresAt = &end
		}
		if at, ok := supersededAt[d.ID]; ok && (rd.ExpiresAt == nil || at.Before(*rd.ExpiresAt)) {
			cut := at
			rd.ExpiresAt = &cut
		}
		out[d.DocType] = append(out[d.DocType], rd)
	}
	return out, nil
}

// DocumentTypeStatus is how one document type of the standard stands.
type DocumentTypeStatus struct {
	Type    string
	Label   readiness.Text
	Clauses []string
	// Current is the version that counts now (in force or expiring), nil
	// when none does.
	Current *DocumentView
	// Latest is the newest version of any state, nil when none exists.
	Latest *DocumentView
	Status string // the freshness of Current, else of Latest, else "missing"
}

// TypeStatus lists every document type of the active standard with what
// counts for it today.
func (s *Service) TypeStatus(ctx context.Context) ([]DocumentTypeStatus, error) {
	std, err := s.standard(ctx)
	if err != nil {
		return nil, err
	}
	views, err := s.Documents(ctx, "", true)
	if err != nil {
		return nil, err
	}
	clauses := s.clausesByType(ctx)
	var out []DocumentTypeStatus
	for _, dt := range std.DocumentTypes {
		st := DocumentTypeStatus{Type: dt.Type, Label: dt.Label, Clauses: clauses[dt.Type], Status: "missing"}
		for i := range views {
			v := views[i]
			if v.DocType != dt.Type {
				continue
			}
			if st.Latest == nil {
				st.Latest = &v
			}
			if st.Current == nil && (v.Freshness == FreshInForce || v.Freshness == FreshExpiring) {
				st.Current = &v
			}
		}
		switch {
		case st.Current != nil:
			st.Status = st.Current.Freshness
		case st.Latest != nil:
			st.Status = st.Latest.Freshness
		}
		out = append(out, st)
	}
	return out, nil
}

func (s *Service) standard(ctx context.Context) (*readiness.Standard, error) {
	if s.o.Readiness == nil {
		return nil, apperr.Internal(errors.New("certification: readiness engine not wired"))
	}
	return s.o.Readiness.CurrentStandard(ctx)
}

func documentTypeKnown(std *readiness.Standard, t string) bool {
	for _, d := range std.DocumentTypes {
		if d.Type == t {
			return true
		}
	}
	return false
}

func documentTypeNames(std *readiness.Standard) []string {
	out := make([]string, 0, len(std.DocumentTypes))
	for _, d := range std.DocumentTypes {
		out = append(out, d.Type)
	}
	return out
}

// mapErr turns a not-found into a 404 and keeps application errors.
func mapErr(err error, entity string) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return apperr.NotFound(entity)
	}
	var ae *apperr.Error
	if errors.As(err, &ae) {
		return ae
	}
	return apperr.Internal(fmt.Errorf("certification: %s: %w", entity, err))
}

func dateOnly(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

func datePtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	d := dateOnly(*t)
	return &d
}

func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}

func orDefault(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}
