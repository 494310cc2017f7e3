package repair

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/db"
)

// QuoteLinkSettings configures the public quote approval links.
type QuoteLinkSettings struct {
	// BaseURL is the public site (app.base_url); a link is
	// <BaseURL>/quote/<token>.
	BaseURL string
	// ValidFor is how long a link may be answered (default 72h).
	ValidFor time.Duration
}

// SetQuoteLinks configures the quote links (wired in app).
func (s *Service) SetQuoteLinks(q QuoteLinkSettings) { s.o.QuoteLinks = q }

// QuoteLink is one tokenised link to a repair's quote. Only the SHA-256
// of the token is stored; the token itself is in the customer's message.
// A new quote supersedes the links of the earlier one.
type QuoteLink struct {
	ID         uint64 `gorm:"primaryKey"`
	RepairID   uint64
	TokenHash  string
	QuoteFen   int64
	ExpiresAt  time.Time
	Superseded bool
	// Answer is approved or declined once the customer answered.
	Answer     string
	AnsweredAt *time.Time
	Reason     string
	CreatedAt  time.Time
}

// TableName pins the table of migration 0086.
func (QuoteLink) TableName() string { return "repair_quote_links" }

// Answers of a quote link.
const (
	AnswerApproved = "approved"
	AnswerDeclined = "declined"
)

// IssuedQuoteLink is a link just issued: the URL holds the token, shown
// this once.
type IssuedQuoteLink struct {
	URL        string
	ExpiresAt  time.Time
	Number     string
	QuoteFen   int64
	CustomerID uint64
}

// IssueQuoteLink issues a link to repair id's quote inside tx (the
// customer-message consumer's transaction, so link and message commit
// together); earlier links of the repair stop working. Errors: not_found,
// conflict (quote_not_waiting: the repair is not waiting for the
// customer's answer, or it has no customer).
func (s *Service) IssueQuoteLink(ctx context.Context, tx *gorm.DB, id uint64) (IssuedQuoteLink, error) {
	var o Order
	if err := db.Take(tx.WithContext(ctx).Where("id = ?", id), &o, "repair"); err != nil {
		return IssuedQuoteLink{}, err
	}
	if o.Status != StatusQuoted || o.InWarranty || o.CustomerID == nil {
		return IssuedQuoteLink{}, apperr.Conflict("quote_not_waiting", "the repair is not waiting for the customer's answer to a quote")
	}
	now := s.o.Now().UTC().Truncate(time.Millisecond)
	if err := tx.Model(&QuoteLink{}).Where("repair_id = ? AND superseded = ?", id, false).Update("superseded", true).Error; err != nil {
		return IssuedQuoteLink{}, err
	}
	valid := s.o.QuoteLinks.ValidFor
	if valid <= 0 {
		valid = 72 * time.Hour
	}
	token, hash := newQuoteToken()
	l := QuoteLink{RepairID: id, TokenHash: hash, QuoteFen: o.QuoteFen, ExpiresAt: now.Add(valid), CreatedAt: now}
	if err := tx.Create(&l).Error; err != nil {
		return IssuedQuoteLink{}, err
	}
	return IssuedQuoteLink{URL: strings.TrimRight(s.o.QuoteLinks.BaseURL, "/") + "/quote/" + token, ExpiresAt: l.ExpiresAt,
		Number: o.Number, QuoteFen: o.QuoteFen, CustomerID: *o.CustomerID}, nil
}

func newQuoteToken() (token, hash string) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, quoteTokenHash(token)
}

func quoteTokenHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// PublicQuote is what the customer sees behind a link (no personal data).
type PublicQuote struct {
	Number    string
	Serial    string
	Diagnosis string
	Lines     []QuoteLine
	QuoteFen  int64
	ExpiresAt time.Time
	// Answer is "" while the quote waits, else approved or declined.
	Answer     string
	AnsweredAt *time.Time
}

// linkByToken finds a link. Errors: not_found; gone (quote_link_expired)
// for an expired or superseded link.
func (s *Service) linkByToken(ctx context.Context, g *gorm.DB, token string) (QuoteLink, error) {
	token = strings.TrimSpace(token)
	if token == "" || len(token) > 128 {
		return QuoteLink{}, apperr.NotFound("quote")
	}
	var l QuoteLink
	if err := db.Take(g.WithContext(ctx).Where("token_hash = ?", quoteTokenHash(token)), &l, "quote"); err != nil {
		return QuoteLink{}, err
	}
	return l, nil
}

func (s *Service) lapsed(l QuoteLink) error {
	if l.Superseded {
		return apperr.Gone("quote_link_expired", "this quote was replaced by a newer one: use the link in the latest message")
	}
	if !s.o.Now().UTC().Before(l.ExpiresAt) {
		return apperr.Gone("quote_link_expired", "this quote link has expired; please call the service hotline")
	}
	return nil
}

// PublicQuoteByToken shows the quote behind a link. It records nothing
// (link previews and mail scanners open links). Errors: not_found, gone
// (quote_link_expired) for an unanswered link past its expiry or
// superseded by a newer quote.
func (s *Service) PublicQuoteByToken(ctx context.Context, token string) (PublicQuote, error) {
	l, err := s.linkByToken(ctx, s.o.DB, token)
	if err != nil {
		return PublicQuote{}, wrap(err, "public quote")
	}
	if l.Answer == "" {
		if err := s.lapsed(l); err != nil {
			return PublicQuote{}, err
		}
	}
	var o Order
	if err := s.o.DB.WithContext(ctx).Where("id = ?", l.RepairID).Take(&o).Error; err != nil {
		return PublicQuote{}, wrap(err, "public quote")
	}
	lines := []QuoteLine{}
	if err := s.o.DB.WithContext(ctx).Where("repair_id = ?", o.ID).Order("id").Find(&lines).Error; err != nil {
		return PublicQuote{}, wrap(err, "public quote lines")
	}
	return PublicQuote{Number: o.Number, Serial: o.Serial, Diagnosis: o.Diagnosis, Lines: lines, QuoteFen: l.QuoteFen,
		ExpiresAt: l.ExpiresAt, Answer: l.Answer, AnsweredAt: l.AnsweredAt}, nil
}

// AnswerQuoteByToken records the customer's answer through a link, once:
// approve moves the repair to approved (channel online), decline closes it
// as declined (reason required). The link and the repair change in one
// transaction (audited, repair.quote_approved / repair.quote_declined
// recorded). Errors: not_found, validation (reason), conflict
// (already_answered; invalid_transition when the repair moved on), gone
// (quote_link_expired).
func (s *Service) AnswerQuoteByToken(ctx context.Context, token string, approve bool, reason string) (PublicQuote, error) {
	reason = strings.TrimSpace(reason)
	if !approve && (reason == "" || utf8.RuneCountInString(reason) > 255) {
		return PublicQuote{}, apperr.FieldErr("reason", apperr.RequiredMax(255))
	}
	l, err := s.linkByToken(ctx, s.o.DB, token)
	if err != nil {
		return PublicQuote{}, wrap(err, "answer quote")
	}
	if l.Answer != "" {
		return PublicQuote{}, alreadyAnswered(l)
	}
	if err := s.lapsed(l); err != nil {
		return PublicQuote{}, err
	}
	ctx = actor.With(ctx, actor.System("quote_link"))
	to, action, answer := StatusApproved, "approve_quote", AnswerApproved
	if !approve {
		to, action, answer = StatusDeclined, "decline_quote", AnswerDeclined
	}
	_, _, err = s.mutate(ctx, l.RepairID, 0, to, action, func(tx *gorm.DB, o *Order, now time.Time) (*effects, error) {
		// The conditional update is the once-only guard: of two answers
		// racing, one matches the unanswered, current, unexpired row.
		res := tx.Model(&QuoteLink{}).Where("id = ? AND answer = '' AND superseded = ? AND expires_at > ?", l.ID, false, now).
			Updates(map[string]any{"answer": answer, "answered_at": now, "reason": reason})
		if res.Error != nil {
			return nil, res.Error
		}
		if res.RowsAffected != 1 {
			var cur QuoteLink
			if err := tx.Where("id = ?", l.ID).Take(&cur).Error; err != nil {
				return nil, err
			}
			if cur.Answer != "" {
				return nil, alreadyAnswered(cur)
			}
			return nil, apperr.Gone("quote_link_expired", "this quote link has expired; please call the service hotline")
		}
		if approve {
			o.QuoteApprovedBy, o.QuoteChannel, o.QuoteDecidedAt = "客户（在线确认）", "online", &now
			return nil, nil
		}
		if err := s.checkWorkOrderResult(ctx, tx, o, StatusDeclined, ""); err != nil {
			return nil, err
		}
		o.DeclineReason, o.QuoteDecidedAt, o.ClosedAt = reason, &now, &now
		return nil, nil
	})
	if err != nil {
		return PublicQuote{}, err
	}
	return s.PublicQuoteByToken(ctx, token)
}

func alreadyAnswered(l QuoteLink) error {
	return apperr.Conflict("already_answered", fmt.Sprintf("this quote was already %s", l.Answer)).WithDetail("answer", l.Answer)
}
