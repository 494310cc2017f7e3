package workorder

import (
	"context"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/auth"
	"github.com/aftersales/aftersales/backend/internal/event"
	"github.com/aftersales/aftersales/backend/internal/sla"
	"github.com/aftersales/aftersales/backend/internal/ticket"
)

// AssignTechnician assigns (or replaces) the technician of accepted work.
// The technician must be active staff of the work order's outlet. Errors:
// not_found, forbidden, validation, conflict.
func (s *Service) AssignTechnician(ctx context.Context, id, staffID uint64, version int64) (WorkOrder, error) {
	if staffID == 0 {
		return WorkOrder{}, apperr.FieldErr("technician_staff_id", apperr.Required())
	}
	return s.run(ctx, id, stepper{step: StepAssign, roles: []string{auth.RoleOutletManager}, version: version,
		prepare: func(w WorkOrder) (any, error) {
			if s.o.Staff == nil {
				return "", nil
			}
			m, err := s.o.Staff.StaffMember(ctx, staffID)
			if apperr.IsKind(err, apperr.KindNotFound) {
				return nil, apperr.FieldErr("technician_staff_id", apperr.NoSuch("staff_member"))
			}
			if err != nil {
				return nil, err
			}
			if w.OutletID == nil || m.OutletID != *w.OutletID {
				return nil, apperr.FieldErr("technician_staff_id", apperr.Code("not_outlet_staff", "not staff of this outlet"))
			}
			if !m.Active {
				return nil, apperr.FieldErr("technician_staff_id", apperr.Code("staff_inactive", "the staff member is inactive"))
			}
			return m.Name, nil
		},
		apply: func(tx *gorm.DB, w *WorkOrder, prep any, now time.Time, st *ticket.WorkOrderStep) ([]event.Event, error) {
			sid := staffID
			w.TechnicianStaffID, w.TechnicianAssignedAt = &sid, &now
			if w.Status == StatusAccepted {
				w.Status = StatusAssigned
			}
			name, _ := prep.(string)
			st.Line = ticket.Line{Code: "technician_assigned", Params: map[string]any{"number": w.Number, "staff_id": staffID, "name": name}}
			st.Data["technician_staff_id"] = staffID
			return s.events(event.WorkOrderTechnicianAssigned, *w, event.WorkOrder{TechnicianStaffID: &staffID}), nil
		}})
}

// SetAppointment records the visit agreed with the customer: from at until
// until (default two hours later). Arrival counts as on time up to until.
// Errors: not_found, forbidden, validation, conflict.
func (s *Service) SetAppointment(ctx context.Context, id uint64, at time.Time, until *time.Time, version int64) (WorkOrder, error) {
	now := s.now()
	at = at.UTC().Truncate(time.Millisecond)
	end := at.Add(2 * time.Hour)
	if until != nil {
		end = until.UTC().Truncate(time.Millisecond)
	}
	fields := apperr.Fields{}
	switch {
	case at.IsZero():
		fields["at"] = apperr.Required()
	case at.Before(now.Add(-24 * time.Hour)):
		fields["at"] = apperr.Code("too_far_past", "cannot be more than a day in the past").With("days", 1)
	case at.After(now.AddDate(0, 0, 90)):
		fields["at"] = apperr.Code("too_far_ahead", "at most 90 days ahead").With("days", 90)
	}
	if !end.After(at) || end.Sub(at) > 12*time.Hour {
		fields["until"] = apperr.Code("window_after_at", "after at, within 12 hours").With("hours", 12)
	}
	if len(fields) > 0 {
		return WorkOrder{}, apperr.FieldsErr(fields)
	}
	return s.run(ctx, id, stepper{step: StepAppointment, roles: []string{auth.RoleOutletManager, auth.RoleTechnician}, version: version,
		apply: func(tx *gorm.DB, w *WorkOrder, _ any, now time.Time, st *ticket.WorkOrderStep) ([]event.Event, error) {
			w.AppointmentAt, w.AppointmentUntil, w.AppointmentSetAt = &at, &end, &now
			w.ArrivalDueAt = &end
			w.Status = StatusScheduled
			st.Line = ticket.Line{Code: "visit_scheduled", Params: map[string]any{"number": w.Number, "from": at.In(s.loc).Format("01-02 15:04"),
				"until": end.In(s.loc).Format("15:04")}}
			st.Data["appointment_at"], st.Data["appointment_until"] = at, end
			return s.events(event.WorkOrderAppointmentSet, *w, event.WorkOrder{AppointmentAt: &at, AppointmentUntil: &end}), nil
		}})
}

// Contact records the outlet's first contact with the customer (the
// ticket's customer_contact clock is met). Errors: not_found, conflict
// (already contacted).
func (s *Service) Contact(ctx context.Context, id uint64, note string, version int64) (WorkOrder, error) {
	note = strings.TrimSpace(note)
	if utf8.RuneCountInString(note) > 1000 {
		return WorkOrder{}, apperr.FieldErr("note", apperr.TooLong(1000))
	}
	return s.run(ctx, id, stepper{step: StepContact, roles: []string{auth.RoleOutletManager, auth.RoleTechnician}, version: version,
		apply: func(tx *gorm.DB, w *WorkOrder, _ any, now time.Time, st *ticket.WorkOrderStep) ([]event.Event, error) {
			w.ContactedAt = &now
			st.Met = []sla.Target{sla.TargetCustomerContact}
			st.Line = ticket.Line{Code: "customer_contacted", Params: map[string]any{"number": w.Number}}
			if note != "" {
				st.Line.Params["note"] = note
			}
			return s.events(event.WorkOrderContacted, *w, event.WorkOrder{}), nil
		}})
}

// CheckIn records the technician's arrival at the customer's: the ticket's
// on-site arrival clock is met (and customer_contact, if nobody logged the
// contact). Arrival is on time when it is not after the appointment window
// or, without one, the kind's promised arrival. Errors: not_found,
// conflict (no technician yet).
func (s *Service) CheckIn(ctx context.Context, id uint64, note string, version int64) (WorkOrder, error) {
	return s.CheckInAt(ctx, id, note, nil, version)
}

// Position is where a check-in happened, as the phone's browser reported it
// (WGS-84 degrees; accuracy in metres, optional).
type Position struct {
	Lat, Lng  float64
	AccuracyM *float64
}

// CheckInAt is CheckIn with the technician's position (nil: the browser
// gave none). Errors: as CheckIn; validation when the position is not on
// the globe.
func (s *Service) CheckInAt(ctx context.Context, id uint64, note string, pos *Position, version int64) (WorkOrder, error) {
	note = strings.TrimSpace(note)
	fields := apperr.Fields{}
	if utf8.RuneCountInString(note) > 1000 {
		fields["note"] = apperr.TooLong(1000)
	}
	if pos != nil {
		if math.IsNaN(pos.Lat) || pos.Lat < -90 || pos.Lat > 90 {
			fields["lat"] = apperr.OutOfRange(-90, 90)
		}
		if math.IsNaN(pos.Lng) || pos.Lng < -180 || pos.Lng > 180 {
			fields["lng"] = apperr.OutOfRange(-180, 180)
		}
		if pos.AccuracyM != nil && (math.IsNaN(*pos.AccuracyM) || *pos.AccuracyM < 0) {
			fields["accuracy_m"] = apperr.Code("non_negative", "a non-negative number of metres")
		}
	}
	if len(fields) > 0 {
		return WorkOrder{}, apperr.FieldsErr(fields)
	}
	return s.run(ctx, id, stepper{step: StepCheckIn, roles: []string{auth.RoleOutletManager, auth.RoleTechnician}, version: version,
		apply: func(tx *gorm.DB, w *WorkOrder, _ any, now time.Time, st *ticket.WorkOrderStep) ([]event.Event, error) {
			onTime := w.ArrivalDueAt == nil || !now.After(*w.ArrivalDueAt)
			w.ArrivedAt, w.ArrivalOnTime, w.Status = &now, &onTime, StatusOnSite
			if pos != nil {
				lat, lng := pos.Lat, pos.Lng
				w.ArrivedLat, w.ArrivedLng, w.ArrivedAccuracyM = &lat, &lng, pos.AccuracyM
				st.Data["located"] = true
			}
			st.Met = []sla.Target{sla.TargetOnsiteArrival}
			if w.ContactedAt == nil {
				w.ContactedAt = &now
				st.Met = append(st.Met, sla.TargetCustomerContact)
			}
			st.Line = ticket.Line{Code: map[bool]string{true: "arrived_on_time", false: "arrived_late"}[onTime], Params: map[string]any{"number": w.Number}}
			if note != "" {
				st.Line.Params["note"] = note
			}
			st.Data["on_time"] = onTime
			return s.events(event.WorkOrderCheckedIn, *w, event.WorkOrder{OnTime: &onTime}), nil
		}})
}

// OnTheWay records that the technician set off to the customer (the
// customer is told by SMS, see package messaging). It changes no status
// and may be repeated (a second departure after a detour tells the
// customer again). Errors: not_found, conflict (no technician yet).
func (s *Service) OnTheWay(ctx context.Context, id uint64, note string, version int64) (WorkOrder, error) {
	note = strings.TrimSpace(note)
	if utf8.RuneCountInString(note) > 1000 {
		return WorkOrder{}, apperr.FieldErr("note", apperr.TooLong(1000))
	}
	return s.run(ctx, id, stepper{step: StepOnTheWay, roles: []string{auth.RoleOutletManager, auth.RoleTechnician}, version: version,
		apply: func(tx *gorm.DB, w *WorkOrder, _ any, now time.Time, st *ticket.WorkOrderStep) ([]event.Event, error) {
			st.Line = ticket.Line{Code: "on_the_way", Params: map[string]any{"number": w.Number}}
			if note != "" {
				st.Line.Params["note"] = note
			}
			return s.events(event.WorkOrderOnTheWay, *w, event.WorkOrder{TechnicianStaffID: w.TechnicianStaffID,
				AppointmentAt: w.AppointmentAt, AppointmentUntil: w.AppointmentUntil}), nil
		}})
}
