// Package customer owns the people and companies who own the products: their
// names, phones (normalised, each phone belongs to one customer), addresses
// with GB/T 2260 region codes, and consent to be contacted. Its hot path is
// the hotline's screen-pop: an incoming number is normalised and found with
// one unique-index probe.
//
// Other domains call the Service (Get, FindByPhone, PrimaryRegion,
// CustomerCount); they never read these tables.
package customer

import "time"

// Kind says whether a customer is a person or a company.
type Kind string

// The customer kinds.
const (
	KindPerson  Kind = "person"
	KindCompany Kind = "company"
)

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { return k == KindPerson || k == KindCompany }

// Customer is a person or company who owns units. Phones and addresses are
// separate rows (see Phone, Address). Version guards concurrent edits of the
// fields below (not of the phones and addresses, which are only added).
type Customer struct {
	ID   uint64 `gorm:"primaryKey"`
	Name string
	Kind Kind
	// Consent to be contacted: service SMS, satisfaction surveys, marketing.
	// Survey and follow-up domains must honour these.
	ConsentSMS       bool `gorm:"column:consent_sms"`
	ConsentSurvey    bool `gorm:"column:consent_survey"`
	ConsentMarketing bool `gorm:"column:consent_marketing"`
	// MergedIntoID is the survivor this customer was merged into (Merge):
	// the record is kept so that old references and audit records resolve,
	// but it has no phones, addresses or rows of other domains any more.
	MergedIntoID *uint64
	MergedAt     *time.Time
	// ErasedAt is when the customer's personal data was anonymised under a
	// PIPL deletion request (Erase); see ErasureRequest.
	ErasedAt  *time.Time
	Version   int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// TableName pins the table of migration 0002.
func (Customer) TableName() string { return "customers" }

// Phone is one phone number of a customer, stored in the canonical form of
// NormalizePhone. A number belongs to at most one customer (unique index).
type Phone struct {
	ID         uint64 `gorm:"primaryKey"`
	CustomerID uint64
	Number     string    `gorm:"column:phone"`
	Kind       PhoneType // mobile, landline or service
	Label      string    // free text such as 本人, 家人, 办公室
	IsPrimary  bool
	CreatedAt  time.Time
}

// TableName pins the table of migration 0002.
func (Phone) TableName() string { return "customer_phones" }

// Address is a postal address: a region code from the region directory (a
// district, or a city without districts) and the street detail.
type Address struct {
	ID         uint64 `gorm:"primaryKey"`
	CustomerID uint64
	RegionCode string
	Detail     string
	// IsDefault marks the address used for service visits and SLA region
	// policies (PrimaryRegion). Exactly one address of a customer with any
	// addresses is the default.
	IsDefault bool
	CreatedAt time.Time
}

// TableName pins the table of migration 0002.
func (Address) TableName() string { return "customer_addresses" }

// Profile is a customer with their phones (primary first) and addresses
// (default first).
type Profile struct {
	Customer  Customer
	Phones    []Phone
	Addresses []Address
}

// snapshot is the audited image of a customer.
func (c Customer) snapshot() map[string]any {
	return map[string]any{"id": c.ID, "name": c.Name, "kind": c.Kind, "consent_sms": c.ConsentSMS,
		"consent_survey": c.ConsentSurvey, "consent_marketing": c.ConsentMarketing, "merged_into_id": c.MergedIntoID,
		"erased_at": c.ErasedAt, "version": c.Version}
}

// snapshot is the audited image of a phone. The audit trail is readable by
// auditors, who may not see full numbers, so it records the masked form.
func (p Phone) snapshot() map[string]any {
	return map[string]any{"id": p.ID, "customer_id": p.CustomerID, "phone": MaskPhone(p.Number), "kind": p.Kind,
		"label": p.Label, "is_primary": p.IsPrimary}
}

func (a Address) snapshot() map[string]any {
	return map[string]any{"id": a.ID, "customer_id": a.CustomerID, "region_code": a.RegionCode, "detail": a.Detail, "is_default": a.IsDefault}
}

// ErasureRequest is the kept record of a PIPL deletion request: who asked,
// when and through which channel, who handled it and when the personal data
// was anonymised, with the number of rows changed per domain. It holds no
// personal data itself (Requester describes the requester's role, such as
// 本人 or 委托人, not their name).
type ErasureRequest struct {
	ID          uint64 `gorm:"primaryKey"`
	CustomerID  uint64
	Requester   string
	Channel     string
	RequestedAt time.Time
	Note        string
	HandledByID uint64
	HandledBy   string
	ErasedAt    time.Time
	// Counts is a JSON object: domain → rows anonymised.
	Counts string
}

// TableName pins the table of migration 0075.
func (ErasureRequest) TableName() string { return "customer_erasure_requests" }
