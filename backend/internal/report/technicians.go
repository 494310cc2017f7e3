package report

import (
	"context"
	"sort"
)

// TechnicianRow is one technician's productivity in the period.
type TechnicianRow struct {
	StaffID uint64 `json:"staff_id"`
	Name    string `json:"name"`
	Outlet  string `json:"outlet"`
	// Completed counts the work orders the technician completed in the
	// period (completed_at in it).
	Completed int64 `json:"completed"`
	// FirstTimeFixEligible are those with a unit; FirstTimeFixed those of
	// them done (or no fault found) with no other work order on the same
	// unit opened within 30 days after completion (workorder's
	// FirstTimeFixWindow, the outlet scorecard's definition).
	FirstTimeFixEligible int64    `json:"first_time_fix_eligible"`
	FirstTimeFixed       int64    `json:"first_time_fixed"`
	FirstTimeFixRate     *float64 `json:"first_time_fix_rate"`
	// AvgOnSiteMinutes is the mean of completed_at − arrived_at over the
	// completed jobs with a recorded arrival (nil without any).
	AvgOnSiteMinutes *float64 `json:"avg_on_site_minutes"`
}

// Technicians is the technician-productivity report.
type Technicians struct {
	Rows []TechnicianRow `json:"rows"`
}

// Technicians reports, per technician, the jobs completed in the period,
// the first-time-fix rate and the average time on site; for an outlet, the
// jobs of that outlet. Most jobs first. Errors: validation (period).
func (r *Reads) Technicians(ctx context.Context, f Filter) (Technicians, error) {
	f, err := Scope(ctx, f)
	if err != nil {
		return Technicians{}, err
	}
	onSite := r.secondsBetween("w.arrived_at", "w.completed_at")
	q := `SELECT w.technician_staff_id AS staff_id, s.name AS name, COALESCE(o.name, '') AS outlet, COUNT(*) AS completed,
  SUM(CASE WHEN w.unit_id IS NOT NULL THEN 1 ELSE 0 END) AS eligible,
  SUM(CASE WHEN w.unit_id IS NOT NULL AND w.result IN ('done', 'no_fault_found') AND NOT EXISTS (
      SELECT 1 FROM work_orders x WHERE x.unit_id = w.unit_id AND x.id <> w.id AND x.status <> 'cancelled'
        AND x.created_at > w.completed_at AND x.created_at <= w.repeat_until) THEN 1 ELSE 0 END) AS fixed,
  SUM(CASE WHEN w.arrived_at IS NOT NULL THEN ` + onSite + ` ELSE 0 END) AS on_site_seconds,
  SUM(CASE WHEN w.arrived_at IS NOT NULL THEN 1 ELSE 0 END) AS on_site_jobs
FROM work_orders w JOIN staff_members s ON s.id = w.technician_staff_id LEFT JOIN outlets o ON o.id = s.outlet_id
WHERE w.completed_at >= ? AND w.completed_at < ? AND w.technician_staff_id IS NOT NULL`
	args := []any{f.From, f.To}
	if id, ok := f.outlet(); ok {
		q += ` AND w.outlet_id = ?`
		args = append(args, id)
	}
	q += ` GROUP BY w.technician_staff_id, s.name, o.name`
	var rows []struct {
		StaffID       uint64
		Name          string
		Outlet        string
		Completed     int64
		Eligible      int64
		Fixed         int64
		OnSiteSeconds float64
		OnSiteJobs    int64
	}
	if err := r.o.DB.WithContext(ctx).Raw(q, args...).Scan(&rows).Error; err != nil {
		return Technicians{}, wrap(err, "technicians")
	}
	out := Technicians{Rows: make([]TechnicianRow, 0, len(rows))}
	for _, x := range rows {
		row := TechnicianRow{StaffID: x.StaffID, Name: x.Name, Outlet: x.Outlet, Completed: x.Completed,
			FirstTimeFixEligible: x.Eligible, FirstTimeFixed: x.Fixed, FirstTimeFixRate: rate(x.Fixed, x.Eligible)}
		if x.OnSiteJobs > 0 {
			m := float64(int64(x.OnSiteSeconds/float64(x.OnSiteJobs)/60*10+0.5)) / 10
			row.AvgOnSiteMinutes = &m
		}
		out.Rows = append(out.Rows, row)
	}
	sort.Slice(out.Rows, func(i, j int) bool {
		if out.Rows[i].Completed != out.Rows[j].Completed {
			return out.Rows[i].Completed > out.Rows[j].Completed
		}
		return out.Rows[i].StaffID < out.Rows[j].StaffID
	})
	return out, nil
}
