package report

import (
	"context"

	"github.com/aftersales/aftersales/backend/internal/ticket"
)

// TicketNames resolves the readable names of a batch of tickets for the
// tickets export: the customer's name and primary phone (unmasked: the
// caller masks it or records the read), the unit's serial, model and
// category, the region, the current outlet, the technician of the latest
// work order that has one, and the agent. A handful of IN queries per
// batch, whatever its size.
func (r *Reads) TicketNames(ctx context.Context, batch []ticket.Ticket) (map[uint64]ticket.Names, error) {
	var customers, units, cats, outlets, users, ids []uint64
	for _, t := range batch {
		ids = append(ids, t.ID)
		customers = append(customers, t.CustomerID)
		if t.UnitID != nil {
			units = append(units, *t.UnitID)
		}
		if t.CategoryID != nil {
			cats = append(cats, *t.CategoryID)
		}
		if t.OutletID != nil {
			outlets = append(outlets, *t.OutletID)
		}
		if t.AssigneeID != nil {
			users = append(users, *t.AssigneeID)
		}
	}
	db := r.o.DB.WithContext(ctx)
	type named struct {
		ID    uint64
		Name  string
		Extra string
	}
	load := func(what, q string, in []uint64) (map[uint64]named, error) {
		out := map[uint64]named{}
		if len(in) == 0 {
			return out, nil
		}
		var rows []named
		if err := db.Raw(q, in).Scan(&rows).Error; err != nil {
			return nil, wrap(err, what)
		}
		for _, x := range rows {
			out[x.ID] = x
		}
		return out, nil
	}
	cu, err := load("customer names", `SELECT c.id, c.name, COALESCE((SELECT p.phone FROM customer_phones p WHERE p.customer_id = c.id
  ORDER BY p.is_primary DESC, p.id LIMIT 1), '') AS extra FROM customers c WHERE c.id IN ?`, customers)
	if err != nil {
		return nil, err
	}
	un, err := load("units", `SELECT u.id, m.name, u.serial AS extra FROM units u JOIN product_models m ON m.id = u.model_id WHERE u.id IN ?`, units)
	if err != nil {
		return nil, err
	}
	ca, err := load("categories", `SELECT id, name, '' AS extra FROM product_categories WHERE id IN ?`, cats)
	if err != nil {
		return nil, err
	}
	ou, err := load("outlets", `SELECT id, name, '' AS extra FROM outlets WHERE id IN ?`, outlets)
	if err != nil {
		return nil, err
	}
	us, err := load("agents", `SELECT id, CASE WHEN display_name <> '' THEN display_name ELSE username END AS name, '' AS extra FROM users WHERE id IN ?`, users)
	if err != nil {
		return nil, err
	}
	// The technician of each ticket's latest work order with one.
	techs := map[uint64]string{}
	if len(ids) > 0 {
		var rows []struct {
			TicketID uint64
			Name     string
		}
		if err := db.Raw(`SELECT w.ticket_id, s.name FROM work_orders w JOIN staff_members s ON s.id = w.technician_staff_id
WHERE w.ticket_id IN ? ORDER BY w.id`, ids).Scan(&rows).Error; err != nil {
			return nil, wrap(err, "technicians")
		}
		for _, x := range rows {
			techs[x.TicketID] = x.Name
		}
	}
	out := make(map[uint64]ticket.Names, len(batch))
	for _, t := range batch {
		n := ticket.Names{Customer: cu[t.CustomerID].Name, Phone: cu[t.CustomerID].Extra, Technician: techs[t.ID]}
		if t.UnitID != nil {
			n.Model, n.Serial = un[*t.UnitID].Name, un[*t.UnitID].Extra
		}
		if t.CategoryID != nil {
			n.Category = ca[*t.CategoryID].Name
		}
		if t.OutletID != nil {
			n.Outlet = ou[*t.OutletID].Name
		}
		if t.AssigneeID != nil {
			n.Assignee = us[*t.AssigneeID].Name
		}
		if r.o.Regions != nil && t.RegionCode != "" {
			n.Region = r.o.Regions.FullName(t.RegionCode)
		}
		out[t.ID] = n
	}
	return out, nil
}
