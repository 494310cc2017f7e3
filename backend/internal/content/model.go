// Package content holds what the customer's public pages publish besides
// tickets and surveys: FAQ articles (常见问题) and product manuals (产品说明书),
// each with a published flag. Manuals are either an uploaded file (kept
// under storage.dir/manuals by its SHA-256) or a link to a URL elsewhere.
//
// Admins (permission product:manage) write them through Service; the
// public pages read only published ones (PublishedOnly in the filters).
package content

import "time"

// Article is one FAQ entry.
type Article struct {
	ID    uint64 `gorm:"primaryKey"`
	Title string
	// Body is plain text; paragraphs are separated by blank lines.
	Body string
	// Topic groups articles on the page (保修政策, 安装, 使用与保养 …).
	Topic string
	// ProductCategoryID narrows the article to one product category; nil
	// applies to every product.
	ProductCategoryID *uint64
	// SortOrder orders articles within a topic, lowest first.
	SortOrder   int
	Published   bool
	PublishedAt *time.Time
	Version     int64
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// TableName pins the table of migration 0008.
func (Article) TableName() string { return "faq_articles" }

// Snapshot is the audit image of an article.
func (a Article) Snapshot() map[string]any {
	return map[string]any{"id": a.ID, "title": a.Title, "topic": a.Topic, "product_category_id": a.ProductCategoryID,
		"sort_order": a.SortOrder, "published": a.Published, "body_chars": len([]rune(a.Body)), "version": a.Version}
}

// Sources of a manual.
const (
	// SourceFile: the manual is a file uploaded to the server.
	SourceFile = "file"
	// SourceURL: the manual lives elsewhere (the manufacturer's site, a CDN).
	SourceURL = "url"
)

// Manual is one product manual.
type Manual struct {
	ID          uint64 `gorm:"primaryKey"`
	Title       string
	Description string
	// ProductCategoryID and ModelCode say which products the manual is
	// for; both optional (a general manual applies to everything).
	ProductCategoryID *uint64
	ModelCode         string
	// Language is a BCP 47 tag (zh-CN default).
	Language string
	// Source is SourceFile or SourceURL.
	Source string
	URL    string
	// File fields are set for SourceFile.
	FileName    string
	ContentType string
	Size        int64
	SHA256      string `gorm:"column:sha256"`
	StorageKey  string
	Published   bool
	PublishedAt *time.Time
	Version     int64
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// TableName pins the table of migration 0008.
func (Manual) TableName() string { return "product_manuals" }

// Snapshot is the audit image of a manual.
func (m Manual) Snapshot() map[string]any {
	return map[string]any{"id": m.ID, "title": m.Title, "product_category_id": m.ProductCategoryID, "model_code": m.ModelCode,
		"language": m.Language, "source": m.Source, "url": m.URL, "file_name": m.FileName, "size": m.Size, "sha256": m.SHA256,
		"published": m.Published, "version": m.Version}
}
