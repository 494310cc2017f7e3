package workorder

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/sla"
)

// EnsureDefaults creates the default kind policies when there are none.
// Seeded configuration is not audited (it is the starting point).
func (s *Service) EnsureDefaults(ctx context.Context) error {
	var n int64
	if err := s.o.DB.WithContext(ctx).Model(&KindPolicy{}).Count(&n).Error; err != nil {
		return fmt.Errorf("work order kinds: %w", err)
	}
	if n > 0 {
		return nil
	}
	now := s.now()
	for _, k := range DefaultKindPolicies() {
		k.Version, k.UpdatedAt = 1, now
		if err := s.o.DB.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&k).Error; err != nil {
			return fmt.Errorf("work order kind %s: %w", k.Kind, err)
		}
	}
	return nil
}

// KindPolicies lists the kinds' promised times.
func (s *Service) KindPolicies(ctx context.Context) ([]KindPolicy, error) {
	var out []KindPolicy
	if err := s.o.DB.WithContext(ctx).Find(&out).Error; err != nil {
		return nil, apperr.Internal(err)
	}
	slices.SortFunc(out, func(a, b KindPolicy) int { return slices.Index(Kinds(), a.Kind) - slices.Index(Kinds(), b.Kind) })
	return out, nil
}

// kindPolicy returns the promised times of kind (zero promises when the
// kind has no row: the ticket policy's targets then apply).
func (s *Service) kindPolicy(ctx context.Context, db *gorm.DB, kind string) (KindPolicy, error) {
	var k KindPolicy
	err := db.WithContext(ctx).Where("kind = ?", kind).Take(&k).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return KindPolicy{Kind: kind, Name: kind}, nil
	}
	return k, err
}

// UpdateKindPolicy replaces a kind's promised times (minutes, 0 = no
// promise). Work orders already dispatched keep the times frozen in their
// ticket's SLA log. Errors: not_found, validation, version_conflict.
func (s *Service) UpdateKindPolicy(ctx context.Context, kind string, version int64, in KindPolicy) (KindPolicy, error) {
	if !slices.Contains(Kinds(), kind) {
		return KindPolicy{}, apperr.NotFound("work order kind")
	}
	fields := apperr.Fields{}
	for name, v := range map[string]int{"accept_minutes": in.AcceptMinutes, "contact_minutes": in.ContactMinutes,
		"arrival_city_minutes": in.ArrivalCityMinutes, "arrival_200km_minutes": in.Arrival200kmMinutes,
		"arrival_500km_minutes": in.Arrival500kmMinutes, "arrival_remote_minutes": in.ArrivalRemoteMinutes, "complete_minutes": in.CompleteMinutes} {
		if v < 0 || v > 366*24*60 {
			fields[name] = apperr.OutOfRange(0, 527040)
		}
	}
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" || utf8.RuneCountInString(in.Name) > 64 {
		fields["name"] = apperr.RequiredMax(64)
	}
	if version == 0 {
		fields["version"] = apperr.VersionRequired()
	}
	if len(fields) > 0 {
		return KindPolicy{}, apperr.FieldsErr(fields)
	}
	var out KindPolicy
	err := s.o.Tickets.WriteGate().Transaction(ctx, s.o.DB, func(tx *gorm.DB) error {
		cur, err := s.kindPolicy(ctx, tx, kind)
		if err != nil {
			return err
		}
		if cur.Version == 0 {
			return apperr.NotFound("work order kind")
		}
		in.Kind, in.Version, in.UpdatedAt = kind, version+1, s.now()
		res := tx.Model(&KindPolicy{}).Where("kind = ? AND version = ?", kind, version).Select("*").Updates(&in)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return apperr.ErrVersionConflict("work order kind")
		}
		out = in
		return s.o.Audit.Record(ctx, tx, audit.Entry{Action: "update", Entity: "work_order_kind", EntityID: kind, Before: cur, After: in})
	})
	if err != nil {
		return KindPolicy{}, wrap(err, "update work order kind")
	}
	return out, nil
}

func minutes(m int) time.Duration { return time.Duration(m) * time.Minute }

// arrival returns the promised arrival for band (zero: no promise).
func (k KindPolicy) arrival(band sla.DistanceBand) time.Duration {
	switch band {
	case sla.BandCity:
		return minutes(k.ArrivalCityMinutes)
	case sla.BandWithin200km:
		return minutes(k.Arrival200kmMinutes)
	case sla.BandWithin500km:
		return minutes(k.Arrival500kmMinutes)
	case sla.BandRemote:
		return minutes(k.ArrivalRemoteMinutes)
	}
	return 0
}

// bandOf maps how specifically an outlet's coverage matched the customer's
// region to a distance band: the district or the city itself is the city
// band, only the province is within 200 km; an outlet picked by the agent
// outside its coverage is assumed within 500 km unless the agent says.
func bandOf(coverageLevel int) sla.DistanceBand {
	switch {
	case coverageLevel >= 2:
		return sla.BandCity
	case coverageLevel == 1:
		return sla.BandWithin200km
	}
	return sla.BandWithin500km
}
