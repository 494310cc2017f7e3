package recall_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/event"
	"github.com/aftersales/aftersales/backend/internal/i18n"
	"github.com/aftersales/aftersales/backend/internal/recall"
	"github.com/aftersales/aftersales/backend/internal/testutil"
)

func TestParseRange(t *testing.T) {
	for _, c := range []struct {
		from, to, prefix string
		bad              string
	}{
		{"KX24A000010", "kx24a000019", "KX24A00001", ""},
		{"KX24A000010", "KX24A000010", "KX24A000010", ""},
		{"KX24A0000100", "KX24A000019", "", "serial_to"}, // lengths differ
		{"KX24A000019", "KX24A000010", "", "serial_to"},  // reversed
		{"AB", "CD", "", "serial_from"},                  // too short to be a serial
		{"KX24A000010", "LX24A000019", "", ""},           // no common prefix: still a range
	} {
		r, fields := recall.ParseRange(c.from, c.to)
		if c.bad != "" {
			if fields[c.bad].Code == "" {
				t.Errorf("%s–%s: want an error on %s, got %+v", c.from, c.to, c.bad, fields)
			}
			continue
		}
		if len(fields) > 0 || (c.prefix != "" && r.Prefix != c.prefix) {
			t.Errorf("%s–%s: %+v %v", c.from, c.to, r, fields)
		}
	}
	r, _ := recall.ParseRange("KX24A000010", "KX24A000019")
	for serial, want := range map[string]bool{"KX24A000010": true, "KX24A000015": true, "KX24A000019": true, "KX24A000020": false,
		"KX24A00001": false, "KX24A0000150": false, "KX24A000009": false, "KY24A000015": false} {
		if r.Contains(serial) != want {
			t.Errorf("contains %s: %v", serial, !want)
		}
	}
}

// unitRow is a row of the product domain's units table, written directly
// so the resolution SQL reads real rows.
type unitRow struct {
	serial   string
	model    uint64
	customer uint64 // 0: no owner
	lot      string
}

func insertUnits(t testing.TB, db *gorm.DB, rows []unitRow) {
	t.Helper()
	now := time.Now().UTC()
	for i := 0; i < len(rows); i += 2000 {
		batch := rows[i:min(i+2000, len(rows))]
		var sb strings.Builder
		args := make([]any, 0, len(batch)*6)
		sb.WriteString("INSERT INTO units (serial, model_id, customer_id, production_lot, created_at, updated_at) VALUES ")
		for j, r := range batch {
			if j > 0 {
				sb.WriteString(",")
			}
			sb.WriteString("(?,?,?,?,?,?)")
			var cust any
			if r.customer != 0 {
				cust = r.customer
			}
			args = append(args, r.serial, r.model, cust, r.lot, now, now)
		}
		if err := db.Exec(sb.String(), args...).Error; err != nil {
			t.Fatal(err)
		}
	}
}

func newService(db *gorm.DB, clk *testutil.Clock, bus event.Bus) *recall.Service {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	return recall.New(recall.Options{DB: db, Audit: audit.New(nil), Bus: bus, Location: loc, Now: clk.Now})
}

var admin = actor.With(context.Background(), actor.Actor{UserID: 1, Username: "quality", Roles: []string{"quality_manager"}})

// TestRecallResolvesSerialRange: the affected set comes from a serial range
// (same length, same prefix), a model + lot and an imported list; owners
// are resolved with the units; progress runs through notifications,
// appointments and remedies to the weekly completion and the report.
func TestRecallResolvesSerialRange(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		var rows []unitRow
		for i := 1; i <= 40; i++ {
			rows = append(rows, unitRow{serial: fmt.Sprintf("KX24A%06d", i), model: 7, customer: uint64(1000 + (i+1)/2), lot: "L2401"})
		}
		rows = append(rows,
			unitRow{serial: "KX24A0000150", model: 7, customer: 2001, lot: "L2401"}, // longer: sorts inside but is not in the range
			unitRow{serial: "KX24A00001", model: 7, customer: 2002, lot: "L2401"},   // shorter
			unitRow{serial: "KY24A000015", model: 7, customer: 2003, lot: "L2401"},  // another prefix
			unitRow{serial: "KX24B000001", model: 8, lot: "L2402"},                  // no owner
		)
		insertUnits(t, db, rows)
		clk := testutil.NewClock(time.Date(2026, 5, 4, 1, 0, 0, 0, time.UTC)) // Monday 09:00 in Shanghai
		bus := event.NewMemoryBus()
		var remedied []event.Event
		bus.Subscribe(func(e event.Event) {
			if e.Name == "recall.unit_remedied" {
				remedied = append(remedied, e)
			}
		})
		s := newService(db, clk, bus)

		if _, err := s.Create(admin, recall.CampaignInput{}); !apperr.IsKind(err, apperr.KindValidation) || len(apperr.As(err).Fields) != 5 {
			t.Fatalf("validation: %v", err)
		}
		c, err := s.Create(admin, recall.CampaignInput{Title: "KX 系列电源板过热召回", Reason: "电源板电容过热，存在起火隐患", HazardLevel: "high",
			Remedy: "repair", RemedyDescription: "免费更换电源板", StartDate: time.Date(2026, 5, 4, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			t.Fatal(err)
		}
		if c.Number != fmt.Sprintf("RC2026-%04d", c.ID) || c.Status != recall.StatusDraft {
			t.Fatalf("created: %+v", c)
		}
		res, err := s.AddSelector(admin, c.ID, recall.SelectorInput{SerialFrom: "kx24a000010", SerialTo: "KX24A000019"})
		if err != nil {
			t.Fatal(err)
		}
		if res.Selector.Matched != 10 || res.Selector.Added != 10 {
			t.Fatalf("range resolution: %+v", res.Selector)
		}
		units, total, err := s.Units(admin, c.ID, recall.UnitFilter{Size: 100})
		if err != nil || total != 10 {
			t.Fatalf("units: %d %v", total, err)
		}
		for _, u := range units {
			if u.Serial < "KX24A000010" || u.Serial > "KX24A000019" || len(u.Serial) != 11 || u.CustomerID == nil || u.Status != recall.UnitPending {
				t.Fatalf("resolved unit: %+v", u)
			}
		}
		// The same range again adds nothing; an overlapping model + lot adds the rest of the lot.
		if res, _ := s.AddSelector(admin, c.ID, recall.SelectorInput{SerialFrom: "KX24A000015", SerialTo: "KX24A000019"}); res.Selector.Matched != 5 || res.Selector.Added != 0 {
			t.Fatalf("overlap: %+v", res.Selector)
		}
		model := uint64(7)
		if res, _ := s.AddSelector(admin, c.ID, recall.SelectorInput{ModelID: &model, ProductionLot: "L2401"}); res.Selector.Matched != 43 || res.Selector.Added != 33 {
			t.Fatalf("model + lot: %+v", res.Selector)
		}
		lst, err := s.AddSelector(admin, c.ID, recall.SelectorInput{Serials: []string{"kx24b000001", "NOSUCH0001", "KX24B000001", "KX24A000001"}})
		if err != nil || lst.Selector.ListSize != 3 || lst.Selector.Matched != 2 || lst.Selector.Added != 1 || lst.UnmatchedCount != 1 || lst.Unmatched[0] != "NOSUCH0001" {
			t.Fatalf("list: %+v %v", lst, err)
		}
		if res, _ := s.AddSelector(admin, c.ID, recall.SelectorInput{ProductionLot: "L24*"}); res.Selector.Matched != 44 || res.Selector.Added != 0 {
			t.Fatalf("lot family: %+v", res.Selector)
		}
		if _, err := s.AddSelector(admin, c.ID, recall.SelectorInput{ProductionLot: "*"}); apperr.As(err).Fields["production_lot"].Code == "" {
			t.Fatalf("bare wildcard: %v", err)
		}
		if _, err := s.AddSelector(admin, c.ID, recall.SelectorInput{Serials: []string{"ok-0001", "?"}}); apperr.As(err).Fields["serials"].Code == "" {
			t.Fatalf("bad list: %v", err)
		}
		if _, err := s.AddSelector(admin, c.ID, recall.SelectorInput{}); !apperr.IsKind(err, apperr.KindValidation) {
			t.Fatalf("empty selector: %v", err)
		}
		view, _ := s.Get(admin, c.ID)
		// 44 units: 43 of the lot (40 + 3 odd serials) + the ownerless KX24B000001.
		if view.Counts.Affected != 44 || view.Counts.NoOwner != 1 || view.Counts.Owners != 23 {
			t.Fatalf("counts: %+v", view.Counts)
		}

		// Notifying needs an active campaign.
		if _, _, err := s.RecordNotification(admin, c.ID, 1001, recall.NotificationInput{Channel: "phone", Outcome: "reached"}); testutil.Code(err) != "campaign_not_active" {
			t.Fatalf("notify a draft: %v", err)
		}
		c, err = s.Activate(admin, c.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		flags, err := s.UnitFlags(admin, []uint64{units[0].UnitID, 999})
		if err != nil || len(flags[units[0].UnitID]) != 1 || flags[units[0].UnitID][0].Kind != "recall_open" {
			t.Fatalf("flag: %v %v", flags, err)
		}
		if _, _, err := s.RecordNotification(admin, c.ID, 1001, recall.NotificationInput{Channel: "phone", Outcome: "delivered"}); apperr.As(err).Fields["outcome"].Code == "" {
			t.Fatalf("phone outcome: %v", err)
		}
		if _, _, err := s.RecordNotification(admin, c.ID, 9999, recall.NotificationInput{Channel: "sms", Outcome: "delivered"}); testutil.Code(err) != "not_found" {
			t.Fatalf("unknown owner: %v", err)
		}
		// Owner 1005 has units 9 and 10: no answer, then reached.
		_, marked, _ := s.RecordNotification(admin, c.ID, 1005, recall.NotificationInput{Channel: "phone", Outcome: "no_answer"})
		if marked != 0 {
			t.Fatalf("no answer marked %d", marked)
		}
		_, marked, _ = s.RecordNotification(admin, c.ID, 1005, recall.NotificationInput{Channel: "phone", Outcome: "reached", Note: "约周六上门"})
		if marked != 2 {
			t.Fatalf("reached marked %d", marked)
		}
		owners, total, err := s.Owners(admin, c.ID, true, 1, 50)
		if err != nil || total != 22 {
			t.Fatalf("owners still to call: %d %v", total, err)
		}
		all, _, _ := s.Owners(admin, c.ID, false, 1, 50)
		for _, o := range all {
			if o.CustomerID == 1005 && (o.Attempts != 2 || o.LastOutcome != "reached" || o.Pending != 0) {
				t.Fatalf("owner 1005: %+v", o)
			}
		}
		_ = owners
		u9, _, _ := s.Units(admin, c.ID, recall.UnitFilter{Serial: "KX24A000009"})
		booked, err := s.Book(admin, u9[0].ID, 0, clk.Now().Add(72*time.Hour), 3)
		if err != nil || booked.Status != recall.UnitScheduled {
			t.Fatalf("book: %+v %v", booked, err)
		}
		// The outlet's technician sees the booked unit, not the others.
		o3 := uint64(3)
		tech := actor.With(context.Background(), actor.Actor{UserID: 4, Username: "technician", Roles: []string{"technician"}, OutletID: &o3})
		mine, total, _ := s.Units(tech, c.ID, recall.UnitFilter{})
		if total != 1 || mine[0].ID != booked.ID {
			t.Fatalf("outlet scope: %d", total)
		}
		// Week 2: two remedies (one booked, one walk-in found by serial).
		clk.Add(8 * 24 * time.Hour)
		if _, _, err := s.Remedy(tech, booked.ID, recall.RemedyInput{Version: booked.Version, Note: "已更换电源板"}); err != nil {
			t.Fatal(err)
		}
		walk, _, _ := s.Units(tech, c.ID, recall.UnitFilter{Serial: "kx24a000020"})
		if len(walk) != 1 {
			t.Fatalf("walk-in search: %+v", walk)
		}
		// Ids are sequential: an outlet user reaches an unbooked unit by id
		// only with its serial (the unit in hand), and only that serial.
		if _, err := s.AffectedUnit(tech, walk[0].ID); testutil.Code(err) != "not_found" {
			t.Fatalf("unbooked unit by id: %v", err)
		}
		if _, _, err := s.Remedy(tech, walk[0].ID, recall.RemedyInput{Version: walk[0].Version}); testutil.Code(err) != "not_found" {
			t.Fatalf("walk-in remedy without the serial: %v", err)
		}
		if _, _, err := s.Remedy(tech, walk[0].ID, recall.RemedyInput{Version: walk[0].Version, Serial: "KX24A000009"}); testutil.Code(err) != "not_found" {
			t.Fatalf("walk-in remedy with another unit's serial: %v", err)
		}
		if _, _, err := s.Remedy(tech, walk[0].ID, recall.RemedyInput{Serial: "kx24a000020"}); apperr.As(err).Fields["version"].Code == "" {
			t.Fatalf("remedy without a version: %v", err)
		}
		if _, _, err := s.Remedy(tech, walk[0].ID, recall.RemedyInput{Version: walk[0].Version + 1, Serial: "kx24a000020"}); testutil.Code(err) != "version_conflict" {
			t.Fatalf("stale version: %v", err)
		}
		// Another outlet's user reaches neither the booked unit nor, by id, this one.
		o4 := uint64(4)
		other := actor.With(context.Background(), actor.Actor{UserID: 9, Username: "other", Roles: []string{"outlet_manager"}, OutletID: &o4})
		if _, err := s.AffectedUnit(other, booked.ID); testutil.Code(err) != "not_found" {
			t.Fatalf("another outlet's booked unit: %v", err)
		}
		_, counts, err := s.Remedy(tech, walk[0].ID, recall.RemedyInput{Version: walk[0].Version, Serial: "kx24a000020", Note: "到店处理"})
		if err != nil || counts.Remedied != 2 {
			t.Fatalf("walk-in remedy: %+v %v", counts, err)
		}
		if _, _, err := s.Remedy(admin, booked.ID, recall.RemedyInput{Version: booked.Version + 1, OutletID: 3}); testutil.Code(err) != "invalid_transition" {
			t.Fatalf("remedied twice: %v", err)
		}
		u0, _ := s.AffectedUnit(admin, units[0].ID)
		if _, _, err := s.Remedy(admin, units[0].ID, recall.RemedyInput{Version: u0.Version}); apperr.As(err).Fields["outlet_id"].Code == "" {
			t.Fatalf("remedy without outlet: %v", err)
		}
		// Week 4: one more.
		clk.Add(14 * 24 * time.Hour)
		if _, _, err := s.Remedy(admin, units[0].ID, recall.RemedyInput{Version: u0.Version, OutletID: 5}); err != nil {
			t.Fatal(err)
		}
		if len(remedied) != 3 || remedied[2].Data["remedied"] != int64(3) || remedied[2].Data["affected"] != int64(44) {
			t.Fatalf("events: %+v", remedied)
		}
		counts, weeks, err := s.Progress(admin, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(weeks) != 4 || weeks[1].Remedied != 2 || weeks[2].Remedied != 0 || weeks[2].CumRemedied != 2 || weeks[3].CumRemedied != 3 {
			t.Fatalf("weeks: %+v", weeks)
		}
		if weeks[0].Notified != 2 || weeks[3].CumNotified != 3 || *weeks[3].CompletionRate != 3.0/44 || counts.Remedied != 3 {
			t.Fatalf("notified by week / rate: %+v %+v", weeks, counts)
		}
		if f, _ := s.UnitFlags(admin, []uint64{booked.UnitID}); len(f[booked.UnitID]) != 0 {
			t.Fatalf("remedied unit still flagged: %v", f)
		}
		entries, err := s.PassportEntries(admin, booked.UnitID)
		if err != nil || len(entries) != 1 || entries[0].TitleCode != "recall_campaign" ||
			entries[0].TitleParams["recall_unit_status"] != recall.UnitRemedied || entries[0].TitleParams["campaign_status"] != recall.StatusActive {
			t.Fatalf("passport: %+v %v", entries, err)
		}

		var buf bytes.Buffer
		if err := s.Report(admin, c.ID, &buf, i18n.Translator{}); err != nil {
			t.Fatal(err)
		}
		f, err := excelize.OpenReader(&buf)
		if err != nil {
			t.Fatal(err)
		}
		detail, _ := f.GetRows("召回明细")
		weekly, _ := f.GetRows("周进度")
		notes, _ := f.GetRows("通知记录")
		if len(detail) != 45 || len(weekly) != 5 || len(notes) != 3 {
			t.Fatalf("report rows: detail %d weekly %d notes %d", len(detail), len(weekly), len(notes))
		}
		if v, _ := f.GetCellValue("概况", "B18"); v != "6.8%" {
			t.Fatalf("completion rate cell: %q", v)
		}

		c, err = s.Close(admin, c.ID, c.Version, "整改完成")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddSelector(admin, c.ID, recall.SelectorInput{ModelID: &model}); testutil.Code(err) != "invalid_transition" {
			t.Fatalf("selector on a closed campaign: %v", err)
		}
		if f, _ := s.UnitFlags(admin, []uint64{units[1].UnitID}); len(f[units[1].UnitID]) != 0 {
			t.Fatalf("closed campaign still flags: %v", f)
		}
		var n int64
		db.Table("audit_records").Where("entity = ?", "recall_campaign").Count(&n)
		if n < 8 {
			t.Fatalf("audit records: %d", n)
		}
	})
}

func TestParseSerialsXLSX(t *testing.T) {
	f := excelize.NewFile()
	_ = f.SetSheetRow("Sheet1", "A1", &[]any{"序列号", "备注"})
	_ = f.SetSheetRow("Sheet1", "A2", &[]any{"KX24A000001"})
	_ = f.SetSheetRow("Sheet1", "A4", &[]any{" kx24a000002 "})
	var buf bytes.Buffer
	_ = f.Write(&buf)
	got, err := recall.ParseSerialsXLSX(bytes.NewReader(buf.Bytes()), 10)
	if err != nil || len(got) != 2 || got[0] != "KX24A000001" {
		t.Fatalf("%v %v", got, err)
	}
	if _, err := recall.ParseSerialsXLSX(bytes.NewReader(buf.Bytes()), 1); !apperr.IsKind(err, apperr.KindInvalid) {
		t.Fatalf("over the limit: %v", err)
	}
	if _, err := recall.ParseSerialsXLSX(strings.NewReader("not a workbook"), 10); !apperr.IsKind(err, apperr.KindValidation) {
		t.Fatalf("not xlsx: %v", err)
	}
}

// TestRecallResolution100k measures resolving 100,000 affected units (by
// model + lot, by serial range and by an imported list) on each database.
// It needs AFTERSALES_BENCH=1 (it inserts 300,000 units); the target is
// ≤ 10 s per resolution.
func TestRecallResolution100k(t *testing.T) {
	if os.Getenv("AFTERSALES_BENCH") != "1" {
		t.Skip("set AFTERSALES_BENCH=1 to run the 100,000-unit recall benchmark")
	}
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		const n = 100_000
		start := time.Now()
		rows := make([]unitRow, 0, 3*n)
		for i := range 3 * n {
			lot := fmt.Sprintf("B%02d", i/n)
			rows = append(rows, unitRow{serial: fmt.Sprintf("BM%d%08d", i/n, i), model: uint64(40 + i/n), customer: uint64(1 + i/2), lot: lot})
		}
		insertUnits(t, db, rows)
		t.Logf("%s: inserted %d units in %s", db.Dialector.Name(), len(rows), time.Since(start).Round(time.Millisecond))
		clk := testutil.NewClock(time.Now().UTC())
		s := newService(db, clk, nil)
		model := uint64(40)
		for _, tc := range []struct {
			name string
			in   recall.SelectorInput
		}{
			{"model + lot", recall.SelectorInput{ModelID: &model, ProductionLot: "B00"}},
			{"serial range", recall.SelectorInput{SerialFrom: fmt.Sprintf("BM1%08d", n), SerialTo: fmt.Sprintf("BM1%08d", 2*n-1)}},
			{"imported list", recall.SelectorInput{Serials: func() []string {
				out := make([]string, n)
				for i := range out {
					out[i] = fmt.Sprintf("BM2%08d", 2*n+i)
				}
				return out
			}()}},
		} {
			c, err := s.Create(admin, recall.CampaignInput{Title: tc.name, Reason: "benchmark", HazardLevel: "low", Remedy: "inspect", StartDate: clk.Now()})
			if err != nil {
				t.Fatal(err)
			}
			t0 := time.Now()
			res, err := s.AddSelector(admin, c.ID, tc.in)
			took := time.Since(t0)
			if err != nil {
				t.Fatal(err)
			}
			if res.Selector.Added != n {
				t.Fatalf("%s: added %d", tc.name, res.Selector.Added)
			}
			t1 := time.Now()
			view, err := s.Get(admin, c.ID)
			if err != nil || view.Counts.Affected != n {
				t.Fatalf("counts: %+v %v", view.Counts, err)
			}
			t.Logf("%s: %s resolved %d units in %s (campaign totals in %s)", db.Dialector.Name(), tc.name, res.Selector.Added,
				took.Round(time.Millisecond), time.Since(t1).Round(time.Millisecond))
			if took > 10*time.Second {
				t.Errorf("%s took %s (target 10 s)", tc.name, took)
			}
		}
	})
}
