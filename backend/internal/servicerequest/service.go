// Package servicerequest is the customer's own request for service from the
// public web form: it finds the customer by phone or registers them, links
// the unit when the serial is theirs, and opens a web ticket — all in one
// transaction, so a failure leaves no customer without the ticket they asked
// for.
package servicerequest

import (
	"context"
	"errors"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/customer"
	"github.com/aftersales/aftersales/backend/internal/db"
	"github.com/aftersales/aftersales/backend/internal/product"
	"github.com/aftersales/aftersales/backend/internal/region"
	"github.com/aftersales/aftersales/backend/internal/ticket"
)

// Request is what the customer filled in. Type is repair (default),
// installation, consultation or other; RegionCode is the district;
// PreferredTime is free text ("周六上午"). IdempotencyKey, when set, makes a
// repeated submission answer the ticket the first one opened.
type Request struct {
	Name           string
	Phone          string
	RegionCode     string
	Address        string
	Serial         string
	Type           string
	Description    string
	PreferredTime  string
	IdempotencyKey string
}

// Result is the ticket the request opened; Created is false when an
// earlier submission with the same idempotency key opened it.
type Result struct {
	Ticket  ticket.Detail
	Created bool
}

// Options are the service's dependencies.
type Options struct {
	DB        *gorm.DB
	Customers *customer.Service
	Products  *product.Service
	Tickets   *ticket.Service
	Regions   *region.Directory
}

// Service takes the public form's service requests.
type Service struct{ o Options }

// New returns the service.
func New(o Options) *Service { return &Service{o: o} }

// Types are the request types the form offers.
func Types() []string {
	return []string{ticket.TypeRepair, ticket.TypeInstallation, ticket.TypeConsultation, ticket.TypeOther}
}

// Check normalises r in place and returns the problems by form field
// (name, phone, region_code, address, serial, type, description,
// preferred_time), before anything is written.
func (s *Service) Check(r *Request) apperr.Fields {
	fields := apperr.Fields{}
	r.Name = strings.TrimSpace(r.Name)
	switch n := utf8.RuneCountInString(r.Name); {
	case n == 0:
		fields["name"] = apperr.Required()
	case n > 64:
		fields["name"] = apperr.TooLong(64)
	}
	if n, err := customer.NormalizePhone(r.Phone); err != nil {
		fields["phone"] = apperr.InvalidFormat(apperr.FormatPhone)
	} else {
		r.Phone = n
	}
	r.RegionCode = strings.TrimSpace(r.RegionCode)
	if fe := s.o.Customers.RegionProblem(r.RegionCode); fe != nil {
		fields["region_code"] = *fe
	}
	r.Address = strings.Join(strings.Fields(r.Address), " ")
	switch n := utf8.RuneCountInString(r.Address); {
	case n == 0:
		fields["address"] = apperr.Required()
	case n > 200:
		fields["address"] = apperr.TooLong(200)
	}
	r.Serial = strings.TrimSpace(r.Serial)
	if utf8.RuneCountInString(r.Serial) > 64 {
		fields["serial"] = apperr.TooLong(64)
	}
	if r.Type == "" {
		r.Type = ticket.TypeRepair
	}
	ok := false
	for _, t := range Types() {
		ok = ok || t == r.Type
	}
	if !ok {
		fields["type"] = apperr.OneOf(Types()...)
	}
	r.Description = strings.TrimSpace(r.Description)
	switch n := utf8.RuneCountInString(r.Description); {
	case n < 5:
		fields["description"] = apperr.Code("too_short", "describe the problem (at least 5 characters)").With("min", 5)
	case n > 2000:
		fields["description"] = apperr.TooLong(2000)
	}
	r.PreferredTime = strings.TrimSpace(r.PreferredTime)
	if utf8.RuneCountInString(r.PreferredTime) > 100 {
		fields["preferred_time"] = apperr.TooLong(100)
	}
	r.IdempotencyKey = strings.TrimSpace(r.IdempotencyKey)
	return fields
}

// customerFields maps the customer service's field names (the create body's
// lists) to the form's.
var customerFields = map[string]string{"name": "name", "phones[0].number": "phone", "phones": "phone",
	"addresses[0].region_code": "region_code", "addresses[0].detail": "address", "addresses": "address"}

// Submit checks r and, in one transaction, registers the customer when the
// phone is new and opens the web ticket for them (the unit linked when the
// serial is theirs or nobody's). The actor in ctx is the one recorded.
//
// Errors: validation by form field; invalid when the idempotency key is
// malformed; conflict idempotency_key_reused.
func (s *Service) Submit(ctx context.Context, r Request) (Result, error) {
	if fields := s.Check(&r); len(fields) > 0 {
		return Result{}, apperr.FieldsErr(fields)
	}
	if r.IdempotencyKey != "" {
		// The public form's keys all belong to user 0: scoped, they
		// cannot collide with another channel's keys.
		r.IdempotencyKey = "web:" + r.IdempotencyKey
		d, ok, err := s.o.Tickets.Replay(ctx, r.IdempotencyKey)
		if err != nil || ok {
			return Result{Ticket: d}, keyError(err)
		}
	}
	// A phone registered by someone else in between makes the transaction
	// refuse the new customer (duplicate_phone); the second attempt finds
	// that customer by the phone.
	res, err := s.submit(ctx, r)
	if apperr.IsKind(err, apperr.KindConflict) && apperr.As(err).Code == "duplicate_phone" {
		res, err = s.submit(ctx, r)
	}
	if err != nil && r.IdempotencyKey != "" {
		// A concurrent submission with the same key won the race.
		if d, ok, rerr := s.o.Tickets.Replay(ctx, r.IdempotencyKey); rerr == nil && ok {
			return Result{Ticket: d}, nil
		}
	}
	return res, keyError(db.Classify(err, "service request"))
}

func (s *Service) submit(ctx context.Context, r Request) (Result, error) {
	var customerID uint64
	cu, err := s.o.Customers.FindByPhone(ctx, r.Phone)
	switch {
	case err == nil:
		customerID = cu.ID
	case !apperr.IsKind(err, apperr.KindNotFound):
		return Result{}, err
	}
	unitID, serialNote, err := s.unit(ctx, r.Serial, customerID)
	if err != nil {
		return Result{}, err
	}
	// Numbering and the SLA policy are read before the transaction (they
	// must not run inside one); the customer and the ticket are written in it.
	draft, err := s.o.Tickets.Prepare(ctx, ticket.NewTicket{Channel: ticket.ChannelWeb, Type: r.Type, Priority: ticket.PriorityNormal,
		CustomerID: customerID, UnitID: unitID, RegionCode: r.RegionCode, Description: s.description(r, serialNote), IdempotencyKey: r.IdempotencyKey})
	if err != nil {
		return Result{}, err
	}
	var d ticket.Detail
	err = db.Retry(ctx, func() error {
		return s.o.Tickets.WriteGate().Transaction(ctx, s.o.DB, func(tx *gorm.DB) error {
			id := customerID
			if id == 0 {
				p, err := s.o.Customers.CreateTx(ctx, tx, customer.NewCustomer{Name: r.Name, Phones: []customer.NewPhone{{Number: r.Phone, Primary: true}},
					Addresses: []customer.NewAddress{{RegionCode: r.RegionCode, Detail: r.Address, Default: true}}})
				if err != nil {
					return formFields(err)
				}
				id = p.Customer.ID
			}
			var err error
			d, err = s.o.Tickets.InsertTx(ctx, tx, draft, id)
			return err
		})
	})
	if err != nil {
		return Result{}, err
	}
	return Result{Ticket: d, Created: true}, nil
}

// unit returns the unit to link for serial: the customer's own or an
// unowned one. An unknown serial, or one registered to someone else, is kept
// in the description for the agent to check, without linking another
// owner's unit.
func (s *Service) unit(ctx context.Context, serial string, customerID uint64) (*uint64, string, error) {
	if serial == "" {
		return nil, "", nil
	}
	u, err := s.o.Products.UnitBySerial(ctx, serial)
	switch {
	case err == nil && (u.CustomerID == nil || (customerID != 0 && *u.CustomerID == customerID)):
		id := u.ID
		return &id, "产品序列号：" + serial, nil
	case err == nil || apperr.IsKind(err, apperr.KindNotFound):
		return nil, "产品序列号：" + serial + "（待核实）", nil
	default:
		return nil, "", err
	}
}

// description is the ticket's text: what the customer wrote, then where it
// came from, the contact, the address, the serial and the preferred time.
func (s *Service) description(r Request, serialNote string) string {
	var b strings.Builder
	b.WriteString(r.Description)
	b.WriteString("\n——\n来源：网页自助报修\n联系人：")
	b.WriteString(r.Name)
	b.WriteString("\n地址：")
	b.WriteString(s.o.Regions.FullName(r.RegionCode))
	b.WriteString(" ")
	b.WriteString(r.Address)
	if serialNote != "" {
		b.WriteString("\n")
		b.WriteString(serialNote)
	}
	if r.PreferredTime != "" {
		b.WriteString("\n期望上门时间：")
		b.WriteString(r.PreferredTime)
	}
	return b.String()
}

// formFields renames a customer validation error's fields to the form's.
func formFields(err error) error {
	var ae *apperr.Error
	if !errors.As(err, &ae) || ae.Kind != apperr.KindValidation {
		return err
	}
	fields := apperr.Fields{}
	for k, v := range ae.Fields {
		if f, ok := customerFields[k]; ok {
			fields[f] = v
		} else {
			fields[k] = v
		}
	}
	return apperr.FieldsErr(fields)
}

// keyError turns the ticket's complaint about the idempotency key into the
// header's: the form has no such field.
func keyError(err error) error {
	var ae *apperr.Error
	if errors.As(err, &ae) && ae.Kind == apperr.KindValidation {
		if fe, ok := ae.Fields["idempotency_key"]; ok {
			return apperr.BadParam("Idempotency-Key", fe)
		}
	}
	return err
}
