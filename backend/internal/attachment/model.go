// Package attachment keeps files attached to service records (tickets, work
// orders, repairs, complaints, returns): purchase invoices, fault photos,
// before/after photos, nameplates, the customer's signature. It also holds
// Files, the one upload-to-storage path of the application (the evidence
// library and the product manuals receive their files through it).
//
// Access follows the parent record: a caller sees an attachment exactly when
// the parent's service lets them see the parent (an outlet user only their
// outlet's records). Photos are re-encoded on upload, which strips EXIF
// (with any GPS position); images get a thumbnail. Deletion is soft and
// audited.
package attachment

import "time"

// Parent record types an attachment can belong to.
const (
	ParentTicket    = "ticket"
	ParentWorkOrder = "work_order"
	ParentRepair    = "repair"
	ParentComplaint = "complaint"
	ParentReturn    = "return"
)

// ParentTypes lists the parent types, in display order.
func ParentTypes() []string {
	return []string{ParentTicket, ParentWorkOrder, ParentRepair, ParentComplaint, ParentReturn}
}

// Kinds of attachment.
const (
	KindPurchaseInvoice = "purchase_invoice" // 购买发票
	KindFaultPhoto      = "fault_photo"      // 故障照片
	KindBeforePhoto     = "before_photo"     // 维修前照片
	KindAfterPhoto      = "after_photo"      // 维修后照片
	KindNameplate       = "nameplate"        // 铭牌/序列号照片
	KindSignature       = "signature"        // 客户签名 (an image; its hash goes into the audit record)
	KindOther           = "other"
)

// Kinds lists the attachment kinds, in display order.
func Kinds() []string {
	return []string{KindPurchaseInvoice, KindFaultPhoto, KindBeforePhoto, KindAfterPhoto, KindNameplate, KindSignature, KindOther}
}

// Attachment is one file attached to a service record.
type Attachment struct {
	ID         uint64 `gorm:"primaryKey"`
	ParentType string
	ParentID   uint64
	Kind       string
	// Note is an optional caption.
	Note string
	// FileName is the name the client gave; ContentType what the stored
	// file is served as.
	FileName    string
	ContentType string
	// Size and SHA256 are of the stored file (for a photo: after
	// re-encoding, which strips its metadata).
	Size   int64
	SHA256 string `gorm:"column:sha256"`
	// StorageKey is the file's path under storage.dir; ThumbKey its
	// thumbnail's ("" for a document).
	StorageKey string
	ThumbKey   string
	// Width and Height are set for images (pixels).
	Width  int
	Height int
	// MetadataStripped reports that the upload carried EXIF (or other
	// metadata) that re-encoding removed.
	MetadataStripped bool
	UploadedByID     uint64
	UploadedBy       string
	CreatedAt        time.Time
	// DeletedAt marks a soft-deleted attachment (kept for the audit trail;
	// never listed or served).
	DeletedAt   *time.Time
	DeletedByID *uint64
	Version     int64
	// IdempotencyKey is the client's key of the upload (nil: none).
	IdempotencyKey *string
}

// TableName pins the table of migration 0080.
func (Attachment) TableName() string { return "attachments" }

// IsImage reports whether the attachment is an image with a thumbnail.
func (a Attachment) IsImage() bool { return a.ThumbKey != "" }

// Snapshot is the audit image of an attachment; it carries the file's
// SHA-256, so a signature's hash is in the audit record.
func (a Attachment) Snapshot() map[string]any {
	return map[string]any{"id": a.ID, "parent_type": a.ParentType, "parent_id": a.ParentID, "kind": a.Kind, "note": a.Note,
		"file_name": a.FileName, "content_type": a.ContentType, "size": a.Size, "sha256": a.SHA256,
		"metadata_stripped": a.MetadataStripped, "deleted": a.DeletedAt != nil, "version": a.Version}
}
