package content

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/attachment"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/db"
	"github.com/aftersales/aftersales/backend/internal/event"
)

// Topic is the bus topic of content changes (events content.article_changed
// and content.manual_changed with Data id, action, published).
const Topic = "content"

// Page sizes of the lists.
const (
	DefaultPageSize = 50
	MaxPageSize     = 200
)

// CategoryCheck reports whether a product category exists; it returns a
// not-found *apperr.Error when it does not. app wires the product service.
type CategoryCheck func(ctx context.Context, id uint64) error

// Options are the service's dependencies.
type Options struct {
	DB    *gorm.DB
	Audit *audit.Trail
	Bus   event.Bus // may be nil
	// StorageDir is where uploaded manual files are kept (config
	// storage.dir; files go to <dir>/manuals/<sha[:2]>/<sha>).
	StorageDir string
	// MaxUploadBytes caps a manual file (default 20 MiB).
	MaxUploadBytes int64
	// Categories checks product_category_id; nil accepts any id.
	Categories CategoryCheck
	Now        func() time.Time
}

// Service manages FAQ articles and product manuals.
type Service struct {
	o Options
	// files is the shared upload store under StorageDir (manuals/); nil
	// without a storage dir.
	files *attachment.Files
}

// New returns a Service.
func New(o Options) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Bus == nil {
		o.Bus = event.Discard
	}
	if o.MaxUploadBytes <= 0 {
		o.MaxUploadBytes = 20 << 20
	}
	s := &Service{o: o}
	if o.StorageDir != "" {
		// NewFiles fails only when the working directory is gone; the
		// service then refuses uploads like without a storage dir.
		s.files, _ = attachment.NewFiles(o.StorageDir)
	}
	return s
}

// MaxUploadBytes is the largest manual file accepted.
func (s *Service) MaxUploadBytes() int64 { return s.o.MaxUploadBytes }

func (s *Service) now() time.Time { return s.o.Now().UTC().Truncate(time.Millisecond) }

func text(fields apperr.Fields, name, v string, required bool, max int) string {
	v = strings.TrimSpace(v)
	switch n := utf8.RuneCountInString(v); {
	case required && n == 0:
		fields[name] = apperr.Required()
	case n > max:
		fields[name] = apperr.TooLong(max)
	}
	return v
}

func (s *Service) checkCategory(ctx context.Context, fields apperr.Fields, id *uint64) error {
	if id == nil || *id == 0 || s.o.Categories == nil {
		return nil
	}
	if err := s.o.Categories(ctx, *id); err != nil {
		if apperr.IsKind(err, apperr.KindNotFound) {
			fields["product_category_id"] = apperr.NoSuch("product_category")
			return nil
		}
		return err
	}
	return nil
}

// zeroNil turns a 0 id (the way a patch clears the field) into nil.
func zeroNil(id *uint64) *uint64 {
	if id == nil || *id == 0 {
		return nil
	}
	v := *id
	return &v
}

// paging clamps a list's page and size to this package's bounds.
func paging(page, size int) (int, int) {
	return db.PageBounds(page, size, DefaultPageSize, MaxPageSize)
}

// record writes the change's audit entry and enqueues its event, both in
// tx: the event commits or rolls back with the change (see docs/events.md).
func (s *Service) record(ctx context.Context, tx *gorm.DB, entry audit.Entry, e event.Event) error {
	if err := s.o.Audit.Record(ctx, tx, entry); err != nil {
		return err
	}
	return s.o.Bus.Enqueue(tx, e)
}

// ---- FAQ articles ----

// ArticleInput is the input of CreateArticle.
type ArticleInput struct {
	Title             string
	Body              string
	Topic             string
	ProductCategoryID *uint64
	SortOrder         int
	Published         bool
}

// ArticlePatch changes an article; nil leaves a field as is, and a
// ProductCategoryID of 0 clears it.
type ArticlePatch struct {
	Title             *string
	Body              *string
	Topic             *string
	ProductCategoryID *uint64
	SortOrder         *int
	Published         *bool
}

// ArticleFilter selects articles. PublishedOnly is what the public page
// asks; the admin list sees drafts too.
type ArticleFilter struct {
	PublishedOnly     bool
	Topic             string
	ProductCategoryID uint64
	// Query matches part of the title. A scan, but the FAQ is a few
	// hundred rows at most.
	Query string
	Page  int
	Size  int
}

// ListArticles returns a page of articles ordered by topic, sort order and
// id, with the total count. Errors: internal only.
func (s *Service) ListArticles(ctx context.Context, f ArticleFilter) ([]Article, int64, error) {
	page, size := paging(f.Page, f.Size)
	q := s.o.DB.WithContext(ctx).Model(&Article{})
	if f.PublishedOnly {
		q = q.Where("published = ?", true)
	}
	if f.Topic != "" {
		q = q.Where("topic = ?", f.Topic)
	}
	if f.ProductCategoryID != 0 {
		// Articles of the category and the general ones.
		q = q.Where("(product_category_id = ? OR product_category_id IS NULL)", f.ProductCategoryID)
	}
	if p := strings.TrimSpace(f.Query); p != "" {
		q = q.Where("title LIKE ? ESCAPE '!'", "%"+escapeLike(p)+"%")
	}
	out, total, err := db.OffsetPage[Article](q, "topic, sort_order, id", page, size)
	if err != nil {
		return nil, 0, apperr.Internal(fmt.Errorf("list faq articles: %w", err))
	}
	return out, total, nil
}

// Article returns one article; with publishedOnly a draft is not found.
// Errors: not_found.
func (s *Service) Article(ctx context.Context, id uint64, publishedOnly bool) (Article, error) {
	var a Article
	q := s.o.DB.WithContext(ctx).Where("id = ?", id)
	if publishedOnly {
		q = q.Where("published = ?", true)
	}
	if err := q.Take(&a).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return Article{}, apperr.NotFound("faq_article")
		}
		return Article{}, apperr.Internal(fmt.Errorf("faq article: %w", err))
	}
	return a, nil
}

func (s *Service) validArticle(ctx context.Context, a *Article) error {
	fields := apperr.Fields{}
	a.Title = text(fields, "title", a.Title, true, 200)
	a.Body = text(fields, "body", a.Body, true, 20000)
	a.Topic = text(fields, "topic", a.Topic, false, 64)
	if a.SortOrder < -100000 || a.SortOrder > 100000 {
		fields["sort_order"] = apperr.OutOfRange(-100000, 100000)
	}
	if err := s.checkCategory(ctx, fields, a.ProductCategoryID); err != nil {
		return err
	}
	if len(fields) > 0 {
		return apperr.FieldsErr(fields)
	}
	return nil
}

// CreateArticle records a new article. Errors: validation.
func (s *Service) CreateArticle(ctx context.Context, in ArticleInput) (Article, error) {
	now := s.now()
	a := Article{Title: in.Title, Body: in.Body, Topic: in.Topic, ProductCategoryID: zeroNil(in.ProductCategoryID), SortOrder: in.SortOrder,
		Published: in.Published, Version: 1, CreatedAt: now, UpdatedAt: now}
	if err := s.validArticle(ctx, &a); err != nil {
		return Article{}, err
	}
	if a.Published {
		a.PublishedAt = &now
	}
	err := s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&a).Error; err != nil {
			return fmt.Errorf("insert faq article: %w", err)
		}
		return s.record(ctx, tx, audit.Entry{Action: "create", Entity: "faq_article", EntityID: strconv.FormatUint(a.ID, 10), After: a.Snapshot()},
			event.ContentArticleChanged.New(Topic, event.ContentChange{ID: a.ID, Action: "create", Published: a.Published}))
	})
	if err != nil {
		return Article{}, wrap(err)
	}
	return a, nil
}

// UpdateArticle changes an article under optimistic concurrency. Errors:
// validation (version required), not_found, version_conflict.
func (s *Service) UpdateArticle(ctx context.Context, id uint64, version int64, p ArticlePatch) (Article, error) {
	if version <= 0 {
		return Article{}, apperr.FieldErr("version", apperr.VersionRequired())
	}
	var out Article
	err := s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var a Article
		if err := db.Take(tx.Where("id = ?", id), &a, "faq_article"); err != nil {
			return err
		}
		before := a.Snapshot()
		if p.Title != nil {
			a.Title = *p.Title
		}
		if p.Body != nil {
			a.Body = *p.Body
		}
		if p.Topic != nil {
			a.Topic = *p.Topic
		}
		if p.ProductCategoryID != nil {
			a.ProductCategoryID = zeroNil(p.ProductCategoryID)
		}
		if p.SortOrder != nil {
			a.SortOrder = *p.SortOrder
		}
		now := s.now()
		if p.Published != nil && *p.Published != a.Published {
			a.Published = *p.Published
			if a.Published {
				a.PublishedAt = &now
			} else {
				a.PublishedAt = nil
			}
		}
		if err := s.validArticle(ctx, &a); err != nil {
			return err
		}
		if a.Version == version && audit.Unchanged(before, a.Snapshot()) {
			out = a // nothing to write: no version bump, no audit record
			return nil
		}
		a.Version, a.UpdatedAt = version+1, now
		if err := db.UpdateVersioned(tx.Select("*").Omit("id", "created_at"), &Article{}, id, version, "faq article", &a); err != nil {
			return err
		}
		out = a
		return s.record(ctx, tx, audit.Entry{Action: "update", Entity: "faq_article", EntityID: strconv.FormatUint(id, 10), Before: before, After: a.Snapshot()},
			event.ContentArticleChanged.New(Topic, event.ContentChange{ID: a.ID, Action: "update", Published: a.Published}))
	})
	if err != nil {
		return Article{}, wrap(err)
	}
	return out, nil
}

// DeleteArticle removes an article. Errors: validation (version required),
// not_found, version_conflict.
func (s *Service) DeleteArticle(ctx context.Context, id uint64, version int64) error {
	if version <= 0 {
		return apperr.FieldErr("version", apperr.VersionRequired())
	}
	err := s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var a Article
		if err := db.Take(tx.Where("id = ?", id), &a, "faq_article"); err != nil {
			return err
		}
		if err := db.DeleteVersioned(tx, &Article{}, id, version, "faq article"); err != nil {
			return err
		}
		return s.record(ctx, tx, audit.Entry{Action: "delete", Entity: "faq_article", EntityID: strconv.FormatUint(id, 10), Before: a.Snapshot()},
			event.ContentArticleChanged.New(Topic, event.ContentChange{ID: id, Action: "delete", Published: false}))
	})
	if err != nil {
		return wrap(err)
	}
	return nil
}

// ---- product manuals ----

// Upload is a manual file as received.
type Upload struct {
	FileName string
	Content  io.Reader
}

// ManualInput is the input of CreateManual: either URL or File.
type ManualInput struct {
	Title             string
	Description       string
	ProductCategoryID *uint64
	ModelCode         string
	Language          string
	Published         bool
	URL               string
	File              *Upload
}

// ManualPatch changes a manual; nil leaves a field as is, a
// ProductCategoryID of 0 clears it. A URL switches the manual to a link; a
// File replaces its file (and switches it to a file).
type ManualPatch struct {
	Title             *string
	Description       *string
	ProductCategoryID *uint64
	ModelCode         *string
	Language          *string
	Published         *bool
	URL               *string
	File              *Upload
}

// ManualFilter selects manuals.
type ManualFilter struct {
	PublishedOnly     bool
	ProductCategoryID uint64
	ModelCode         string
	Page              int
	Size              int
}

// AllowedExtensions are the manual file types accepted.
func AllowedExtensions() []string { return []string{".pdf", ".png", ".jpg", ".jpeg", ".zip"} }

// manualTypes: a .zip accepts any ZIP-based content (an Office document
// sniffs as a descendant of application/zip).
var manualTypes = map[string][]string{".pdf": {"application/pdf"}, ".png": {"image/png"}, ".jpg": {"image/jpeg"}, ".jpeg": {"image/jpeg"}, ".zip": {"application/zip"}}

// ListManuals returns a page of manuals, newest first, with the total.
func (s *Service) ListManuals(ctx context.Context, f ManualFilter) ([]Manual, int64, error) {
	page, size := paging(f.Page, f.Size)
	q := s.o.DB.WithContext(ctx).Model(&Manual{})
	if f.PublishedOnly {
		q = q.Where("published = ?", true)
	}
	if f.ProductCategoryID != 0 {
		q = q.Where("(product_category_id = ? OR product_category_id IS NULL)", f.ProductCategoryID)
	}
	if m := strings.TrimSpace(f.ModelCode); m != "" {
		q = q.Where("(model_code = ? OR model_code = '')", m)
	}
	out, total, err := db.OffsetPage[Manual](q, "id DESC", page, size)
	if err != nil {
		return nil, 0, apperr.Internal(fmt.Errorf("list manuals: %w", err))
	}
	return out, total, nil
}

// Manual returns one manual; with publishedOnly a draft is not found.
// Errors: not_found.
func (s *Service) Manual(ctx context.Context, id uint64, publishedOnly bool) (Manual, error) {
	var m Manual
	q := s.o.DB.WithContext(ctx).Where("id = ?", id)
	if publishedOnly {
		q = q.Where("published = ?", true)
	}
	if err := q.Take(&m).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return Manual{}, apperr.NotFound("manual")
		}
		return Manual{}, apperr.Internal(fmt.Errorf("manual: %w", err))
	}
	return m, nil
}

// ManualFile returns a file manual and the path of its file. Errors:
// not_found (also for a link manual, or a file missing on disk).
func (s *Service) ManualFile(ctx context.Context, id uint64, publishedOnly bool) (Manual, string, error) {
	m, err := s.Manual(ctx, id, publishedOnly)
	if err != nil {
		return Manual{}, "", err
	}
	if m.Source != SourceFile || m.StorageKey == "" {
		return Manual{}, "", apperr.NotFound("manual_file")
	}
	p, err := s.storagePath(m.StorageKey)
	if err != nil {
		return Manual{}, "", err
	}
	if _, err := os.Stat(p); err != nil {
		return Manual{}, "", apperr.NotFound("manual_file")
	}
	return m, p, nil
}

// validURL reports whether v is an absolute http:// or https:// address.
func validURL(v string) bool {
	u, err := url.Parse(v)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

func (s *Service) validManual(ctx context.Context, m *Manual, fields apperr.Fields) error {
	m.Title = text(fields, "title", m.Title, true, 200)
	m.Description = text(fields, "description", m.Description, false, 1000)
	m.ModelCode = text(fields, "model_code", m.ModelCode, false, 64)
	m.Language = strings.TrimSpace(m.Language)
	if m.Language == "" {
		m.Language = "zh-CN"
	}
	if len(m.Language) > 16 {
		fields["language"] = apperr.OneOf("zh-CN", "en")
	}
	if m.Source == SourceURL {
		m.URL = strings.TrimSpace(m.URL)
		if m.URL == "" {
			fields["url"] = apperr.Code("link_or_file", "required: a link or a file")
		} else if len(m.URL) > 1000 {
			fields["url"] = apperr.TooLong(1000)
		} else if !validURL(m.URL) {
			fields["url"] = apperr.InvalidFormat(apperr.FormatURL)
		}
	}
	return s.checkCategory(ctx, fields, m.ProductCategoryID)
}

// CreateManual records a manual with a URL or an uploaded file (not both).
// Errors: validation (fields title, url, file, product_category_id …).
func (s *Service) CreateManual(ctx context.Context, in ManualInput) (Manual, error) {
	now := s.now()
	m := Manual{Title: in.Title, Description: in.Description, ProductCategoryID: zeroNil(in.ProductCategoryID), ModelCode: in.ModelCode,
		Language: in.Language, Published: in.Published, URL: in.URL, Version: 1, CreatedAt: now, UpdatedAt: now}
	fields := apperr.Fields{}
	switch {
	case in.File != nil && strings.TrimSpace(in.URL) != "":
		fields["url"] = apperr.Code("link_or_file", "give a link or a file, not both")
	case in.File != nil:
		m.Source = SourceFile
	default:
		m.Source = SourceURL
	}
	if err := s.validManual(ctx, &m, fields); err != nil {
		return Manual{}, err
	}
	if len(fields) > 0 {
		return Manual{}, apperr.FieldsErr(fields)
	}
	if in.File != nil {
		f, err := s.storeFile(in.File)
		if err != nil {
			return Manual{}, err
		}
		apply(f, &m)
	}
	if m.Published {
		m.PublishedAt = &now
	}
	err := s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&m).Error; err != nil {
			return fmt.Errorf("insert manual: %w", err)
		}
		return s.record(ctx, tx, audit.Entry{Action: "create", Entity: "manual", EntityID: strconv.FormatUint(m.ID, 10), After: m.Snapshot()},
			event.ContentManualChanged.New(Topic, event.ContentChange{ID: m.ID, Action: "create", Published: m.Published}))
	})
	if err != nil {
		return Manual{}, wrap(err)
	}
	return m, nil
}

// UpdateManual changes a manual under optimistic concurrency. A file that
// no manual uses any more is removed after the change commits. Errors:
// validation, not_found, version_conflict.
func (s *Service) UpdateManual(ctx context.Context, id uint64, version int64, p ManualPatch) (Manual, error) {
	if version <= 0 {
		return Manual{}, apperr.FieldErr("version", apperr.VersionRequired())
	}
	if p.File != nil && p.URL != nil && strings.TrimSpace(*p.URL) != "" {
		return Manual{}, apperr.FieldErr("url", apperr.Code("link_or_file", "give a link or a file, not both"))
	}
	var stored *storedFile
	if p.File != nil {
		f, err := s.storeFile(p.File)
		if err != nil {
			return Manual{}, err
		}
		stored = f
	}
	var out Manual
	noop := false
	var oldKey string
	err := s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var m Manual
		if err := db.Take(tx.Where("id = ?", id), &m, "manual"); err != nil {
			return err
		}
		before := m.Snapshot()
		prevKey := m.StorageKey
		if p.Title != nil {
			m.Title = *p.Title
		}
		if p.Description != nil {
			m.Description = *p.Description
		}
		if p.ProductCategoryID != nil {
			m.ProductCategoryID = zeroNil(p.ProductCategoryID)
		}
		if p.ModelCode != nil {
			m.ModelCode = *p.ModelCode
		}
		if p.Language != nil {
			m.Language = *p.Language
		}
		if p.URL != nil && strings.TrimSpace(*p.URL) != "" {
			m.Source, m.URL = SourceURL, *p.URL
			m.FileName, m.ContentType, m.Size, m.SHA256, m.StorageKey = "", "", 0, "", ""
		}
		if stored != nil {
			m.Source, m.URL = SourceFile, ""
			apply(stored, &m)
		}
		now := s.now()
		if p.Published != nil && *p.Published != m.Published {
			m.Published = *p.Published
			if m.Published {
				m.PublishedAt = &now
			} else {
				m.PublishedAt = nil
			}
		}
		fields := apperr.Fields{}
		if err := s.validManual(ctx, &m, fields); err != nil {
			return err
		}
		if len(fields) > 0 {
			return apperr.FieldsErr(fields)
		}
		if m.Version == version && audit.Unchanged(before, m.Snapshot()) {
			out, noop = m, true // nothing to write: no version bump, no audit record
			return nil
		}
		m.Version, m.UpdatedAt = version+1, now
		if err := db.UpdateVersioned(tx.Select("*").Omit("id", "created_at"), &Manual{}, id, version, "manual", &m); err != nil {
			return err
		}
		if prevKey != "" && prevKey != m.StorageKey {
			oldKey = prevKey
		}
		out = m
		return s.record(ctx, tx, audit.Entry{Action: "update", Entity: "manual", EntityID: strconv.FormatUint(id, 10), Before: before, After: m.Snapshot()},
			event.ContentManualChanged.New(Topic, event.ContentChange{ID: m.ID, Action: "update", Published: m.Published}))
	})
	if err != nil {
		return Manual{}, wrap(err)
	}
	if noop {
		return out, nil
	}
	s.dropUnused(ctx, oldKey)
	return out, nil
}

// DeleteManual removes a manual (and its file when no other manual uses
// it). Errors: validation (version required), not_found, version_conflict.
func (s *Service) DeleteManual(ctx context.Context, id uint64, version int64) error {
	if version <= 0 {
		return apperr.FieldErr("version", apperr.VersionRequired())
	}
	var key string
	err := s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var m Manual
		if err := db.Take(tx.Where("id = ?", id), &m, "manual"); err != nil {
			return err
		}
		if err := db.DeleteVersioned(tx, &Manual{}, id, version, "manual"); err != nil {
			return err
		}
		key = m.StorageKey
		return s.record(ctx, tx, audit.Entry{Action: "delete", Entity: "manual", EntityID: strconv.FormatUint(id, 10), Before: m.Snapshot()},
			event.ContentManualChanged.New(Topic, event.ContentChange{ID: id, Action: "delete", Published: false}))
	})
	if err != nil {
		return wrap(err)
	}
	s.dropUnused(ctx, key)
	return nil
}

// dropUnused removes a stored file no manual refers to any more. Failing to
// remove only leaves an orphan file behind, so it is not an error.
func (s *Service) dropUnused(ctx context.Context, key string) {
	if key == "" {
		return
	}
	var n int64
	if err := s.o.DB.WithContext(ctx).Model(&Manual{}).Where("storage_key = ?", key).Count(&n).Error; err != nil || n > 0 {
		return
	}
	if s.files != nil {
		s.files.Remove(key)
	}
}

type storedFile = attachment.Stored

func apply(f *storedFile, m *Manual) {
	m.FileName, m.StorageKey, m.SHA256, m.ContentType, m.Size = f.Name, f.Key, f.SHA256, f.MIME, f.Size
}

// storeFile receives an upload through the shared file store (size limit,
// accepted types, content sniffed against the name) and keeps it under
// manuals/<sha[:2]>/<sha>. Errors: 413 file_too_large, 415
// file_type_not_accepted or content_mismatch, 422 (no or an empty file).
func (s *Service) storeFile(up *Upload) (*storedFile, error) {
	if up.Content == nil {
		return nil, apperr.FieldErr("file", apperr.Required())
	}
	if s.files == nil {
		return nil, apperr.Internal(errors.New("content: no storage dir configured"))
	}
	rec, err := s.files.Receive("manuals", up.FileName, up.Content, attachment.Policy{MaxBytes: s.o.MaxUploadBytes, Types: manualTypes})
	if err != nil {
		return nil, err
	}
	defer rec.Discard()
	st, err := s.files.Keep("manuals", rec)
	if err != nil {
		return nil, err
	}
	return &st, nil
}

// storagePath resolves a storage key inside the storage dir; a key that
// would leave it, or a file gone from disk, is not found.
func (s *Service) storagePath(key string) (string, error) {
	if s.files == nil {
		return "", apperr.NotFound("manual_file")
	}
	p, err := s.files.Path(key)
	if err != nil {
		return "", apperr.NotFound("manual_file")
	}
	return p, nil
}

// escapeLike escapes LIKE wildcards with '!' (the same on SQLite and
// MySQL, unlike the backslash) so user input matches literally.
func escapeLike(s string) string {
	return strings.NewReplacer(`!`, `!!`, `%`, `!%`, `_`, `!_`).Replace(s)
}

func wrap(err error) error { return db.Classify(err, "content") }
