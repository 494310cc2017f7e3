package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// m0085CustomerMessages creates the customer-message outbox. Why: customers
// heard nothing: survey links were counted as sent but went nowhere and
// recall SMS attempts were only recorded. Each message to a customer (SMS)
// is now a row that a delivery worker claims (claim_token, claim_until: a
// row lease, so several instances never send one message twice), with its
// status (queued, deferred, sent, delivered, failed, log_only, suppressed);
// templates per trigger are editable; each message is also posted to the
// enterprise's webhook when one is configured, retried with backoff and
// dead-lettered.
func m0085CustomerMessages() *gormigrate.Migration {
	type MessageTemplate struct {
		ID                 uint64    `gorm:"primaryKey"`
		Trigger            string    `gorm:"column:trigger_code;size:32;not null;uniqueIndex:ux_message_templates_trigger"`
		Name               string    `gorm:"size:64;not null"`
		Body               string    `gorm:"size:1000;not null"`
		ProviderTemplateID string    `gorm:"size:32;not null;default:''"`
		Params             string    `gorm:"size:255;not null;default:''"`
		Enabled            bool      `gorm:"not null;default:true"`
		Version            int64     `gorm:"not null;default:1"`
		CreatedAt          time.Time `gorm:"not null"`
		UpdatedAt          time.Time `gorm:"not null"`
	}
	type CustomerMessage struct {
		ID         uint64  `gorm:"primaryKey"`
		DedupeKey  *string `gorm:"size:96;uniqueIndex:ux_customer_messages_dedupe"`
		Trigger    string  `gorm:"column:trigger_code;size:32;not null;index:ix_customer_messages_trigger_created,priority:1"`
		CustomerID uint64  `gorm:"not null;index:ix_customer_messages_customer"`
		Phone      string  `gorm:"size:32;not null;default:'';index:ix_customer_messages_phone_sent,priority:1"`
		Channel    string  `gorm:"size:16;not null"`
		Body       string  `gorm:"size:1000;not null"`
		// Params is the JSON object of the template variables.
		Params      string     `gorm:"type:text;not null"`
		Urgent      bool       `gorm:"not null;default:false"`
		Status      string     `gorm:"size:16;not null;index:ix_customer_messages_due,priority:1"`
		NotBefore   time.Time  `gorm:"not null;index:ix_customer_messages_due,priority:2"`
		Attempts    int        `gorm:"not null;default:0"`
		ClaimToken  string     `gorm:"size:64;not null;default:''"`
		ClaimUntil  *time.Time `gorm:"index:ix_customer_messages_claim"`
		Provider    string     `gorm:"size:16;not null;default:''"`
		ProviderRef string     `gorm:"size:64;not null;default:''"`
		Error       string     `gorm:"size:500;not null;default:''"`
		RefType     string     `gorm:"size:32;not null;default:'';index:ix_customer_messages_ref,priority:1"`
		RefID       uint64     `gorm:"not null;default:0;index:ix_customer_messages_ref,priority:2"`
		ResendOf    *uint64
		SentAt      *time.Time `gorm:"index:ix_customer_messages_phone_sent,priority:2"`
		DeliveredAt *time.Time
		Version     int64     `gorm:"not null;default:1"`
		CreatedAt   time.Time `gorm:"not null;index:ix_customer_messages_trigger_created,priority:2"`
		UpdatedAt   time.Time `gorm:"not null"`
	}
	type MessageWebhookDelivery struct {
		ID            uint64    `gorm:"primaryKey"`
		MessageID     uint64    `gorm:"not null;index:ix_message_webhook_deliveries_message"`
		URL           string    `gorm:"size:500;not null"`
		Status        string    `gorm:"size:16;not null;index:ix_message_webhook_deliveries_due,priority:1"`
		NextAttemptAt time.Time `gorm:"not null;index:ix_message_webhook_deliveries_due,priority:2"`
		Attempts      int       `gorm:"not null;default:0"`
		ClaimToken    string    `gorm:"size:64;not null;default:''"`
		ClaimUntil    *time.Time
		LastStatus    int    `gorm:"not null;default:0"`
		LastError     string `gorm:"size:500;not null;default:''"`
		DeliveredAt   *time.Time
		DeadAt        *time.Time
		CreatedAt     time.Time `gorm:"not null"`
		UpdatedAt     time.Time `gorm:"not null"`
	}
	return &gormigrate.Migration{
		ID: "0085_customer_messages",
		Migrate: func(tx *gorm.DB) error {
			return tx.AutoMigrate(&MessageTemplate{}, &CustomerMessage{}, &MessageWebhookDelivery{})
		},
	}
}
