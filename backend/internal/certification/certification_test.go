package certification_test

import (
	"archive/zip"
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/certification"
	"github.com/aftersales/aftersales/backend/internal/event"
	"github.com/aftersales/aftersales/backend/internal/i18n"
	"github.com/aftersales/aftersales/backend/internal/readiness"
	"github.com/aftersales/aftersales/backend/internal/testutil"
)

var cst = time.FixedZone("CST", 8*3600)

// stubReadiness answers for the readiness engine.
type stubReadiness struct {
	std  *readiness.Standard
	proj *readiness.ProjectedScore
}

func (s stubReadiness) CurrentStandard(context.Context) (*readiness.Standard, error) {
	return s.std, nil
}
func (s stubReadiness) ProjectAt(context.Context, time.Time) (*readiness.ProjectedScore, error) {
	return s.proj, nil
}
func (s stubReadiness) Latest(context.Context, string) (*readiness.RunDetail, error) {
	return nil, apperr.NotFound("readiness run")
}

type fixture struct {
	svc    *certification.Service
	db     *gorm.DB
	now    *time.Time
	ctx    context.Context
	events *[]event.Event
	mu     *sync.Mutex
}

func newFixture(t *testing.T, db *gorm.DB, maxUpload int64) fixture {
	t.Helper()
	data, err := os.ReadFile("../../../configs/standards/gbt27922-2011.yaml")
	if err != nil {
		t.Fatal(err)
	}
	std, err := readiness.LoadStandard(data)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 6, 30, 2, 0, 0, 0, time.UTC)
	bus := event.NewMemoryBus()
	var got []event.Event
	var mu sync.Mutex
	bus.Subscribe(func(e event.Event) { mu.Lock(); got = append(got, e); mu.Unlock() })
	svc, err := certification.New(certification.Options{DB: db, Bus: bus, Readiness: stubReadiness{std: std, proj: &readiness.ProjectedScore{Total: 86.5, Low: 84, High: 88, Band: "three_star"}},
		StorageDir: t.TempDir(), MaxUploadBytes: maxUpload, Location: cst, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	ctx := actor.With(context.Background(), actor.Actor{UserID: 5, Username: "quality", Roles: []string{"quality_manager"}})
	return fixture{svc: svc, db: db, now: &now, ctx: ctx, events: &got, mu: &mu}
}

func pngBytes(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	img.Set(1, 1, color.RGBA{R: 200, A: 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

var pdf = []byte("%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// TestEvidenceUploadRejections: too big (413), a type not accepted and
// content that does not match its name (415), an empty file and an unknown
// document type (422) are refused saying why; nothing is stored.
func TestEvidenceUploadRejections(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db, 1024)
		base := certification.UploadInput{DocType: "crisis_plan", Title: "重大投诉及危机处理预案", EffectiveOn: day(2026, 1, 1), Approver: "总经理 赵敏"}
		cases := []struct {
			name, file string
			content    []byte
			docType    string
			want       string
			kind       apperr.Kind
		}{
			{"too big", "plan.pdf", append(append([]byte{}, pdf...), bytes.Repeat([]byte("x"), 2048)...), "", "exceeds", apperr.KindTooLarge},
			{"executable", "plan.exe", []byte("MZ\x90\x00"), "", "not accepted", apperr.KindUnsupported},
			{"png named pdf", "plan.pdf", pngBytes(t), "", "image/png", apperr.KindUnsupported},
			{"empty", "plan.pdf", nil, "", "empty", apperr.KindValidation},
			{"unknown type", "plan.pdf", pdf, "tax_return", "one of org_chart", apperr.KindValidation},
		}
		for _, c := range cases {
			in := base
			in.FileName, in.Content = c.file, bytes.NewReader(c.content)
			if c.docType != "" {
				in.DocType = c.docType
			}
			_, err := f.svc.Upload(f.ctx, in)
			ae, ok := err.(*apperr.Error)
			if !ok || ae.Kind != c.kind {
				t.Fatalf("%s: want %s, got %v", c.name, c.kind, err)
			}
			msg := strings.Join(mapValues(ae.Fields), " ")
			if !strings.Contains(msg, c.want) {
				t.Fatalf("%s: message %q does not say %q", c.name, msg, c.want)
			}
		}
		var n int64
		db.Model(&certification.Document{}).Count(&n)
		if n != 0 {
			t.Fatalf("%d documents stored by refused uploads", n)
		}
	})
}

func mapValues(m apperr.Fields) []string {
	var out []string
	for _, v := range m {
		out = append(out, v.Message)
	}
	return out
}

// TestEvidenceVersionsApprovalAndScoring: a new version keeps the old one;
// the old one counts until the new one is approved; freshness follows the
// dates.
func TestEvidenceVersionsApprovalAndScoring(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db, 1<<20)
		exp := day(2026, 7, 15)
		v1, err := f.svc.Upload(f.ctx, certification.UploadInput{DocType: "crisis_plan", Title: "危机处理预案", EffectiveOn: day(2025, 7, 1),
			ExpiresOn: &exp, Approver: "总经理", FileName: "预案.pdf", Content: bytes.NewReader(pdf)})
		if err != nil {
			t.Fatal(err)
		}
		if v1.Revision != 1 || v1.ChainID != v1.ID || len(v1.SHA256) != 64 || v1.ContentType != "application/pdf" {
			t.Fatalf("v1 %+v", v1)
		}
		docs, _ := f.svc.DocumentsForScoring(context.Background())
		if d := docs["crisis_plan"]; len(d) != 1 || d[0].Approved {
			t.Fatalf("unapproved draft: %+v", d)
		}
		if _, err := f.svc.Approve(f.ctx, v1.ID, 1); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Approve(f.ctx, v1.ID, 0); !apperr.IsKind(err, apperr.KindConflict) {
			t.Fatalf("approving twice: %v", err)
		}
		list, _ := f.svc.Documents(context.Background(), "crisis_plan", false)
		if len(list) != 1 || list[0].Freshness != certification.FreshExpiring || !slices.Equal(list[0].Clauses, []string{"5.3.2.4"}) {
			t.Fatalf("freshness %+v", list)
		}
		v2, err := f.svc.Upload(f.ctx, certification.UploadInput{SupersedesID: &v1.ID, EffectiveOn: day(2026, 7, 1), Approver: "总经理",
			FileName: "预案v2.pdf", Content: bytes.NewReader(append([]byte{}, append(pdf, '\n')...))})
		if err != nil {
			t.Fatal(err)
		}
		if v2.Revision != 2 || v2.ChainID != v1.ID || v2.DocType != "crisis_plan" || v2.Title != "危机处理预案" {
			t.Fatalf("v2 %+v", v2)
		}
		if _, err := f.svc.Upload(f.ctx, certification.UploadInput{SupersedesID: &v1.ID, EffectiveOn: day(2026, 7, 1), FileName: "x.pdf",
			Content: bytes.NewReader(pdf)}); !apperr.IsKind(err, apperr.KindConflict) {
			t.Fatalf("superseding an old version: %v", err)
		}
		// Before v2 is approved, v1 still counts, open until its expiry.
		docs, _ = f.svc.DocumentsForScoring(context.Background())
		end := time.Date(2026, 7, 16, 0, 0, 0, 0, cst)
		if d := docs["crisis_plan"]; len(d) != 2 || !d[0].ExpiresAt.Equal(end) || !d[0].EffectiveAt.Equal(time.Date(2025, 7, 1, 0, 0, 0, 0, cst)) {
			t.Fatalf("scoring view %+v", d)
		}
		*f.now = f.now.Add(time.Hour)
		if _, err := f.svc.Approve(f.ctx, v2.ID, 0); err != nil {
			t.Fatal(err)
		}
		docs, _ = f.svc.DocumentsForScoring(context.Background())
		if d := docs["crisis_plan"]; !d[0].ExpiresAt.Equal(*f.now) {
			t.Fatalf("v1 should stop counting at v2's approval: %+v", d[0])
		}
		detail, err := f.svc.DocumentByID(context.Background(), v2.ID)
		if err != nil || len(detail.Versions) != 2 || detail.Versions[1].Freshness != certification.FreshSuperseded ||
			detail.Freshness != certification.FreshNotYet {
			t.Fatalf("detail %+v %v", detail, err)
		}
		_, path, err := f.svc.File(context.Background(), v1.ID)
		if err != nil {
			t.Fatal(err)
		}
		if b, _ := os.ReadFile(path); !bytes.Equal(b, pdf) {
			t.Fatal("stored file differs")
		}
	})
}

// TestCycleLifecycleAndReminders: the steps in order (an illegal one is a
// 409 naming the allowed ones), the certificate plans the surveillance
// audits, the auditor's result is kept beside our projection, reminders go
// out once.
func TestCycleLifecycleAndReminders(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db, 1<<20)
		c, err := f.svc.CreateCycle(f.ctx, certification.CycleInput{Body: "中质协质量保证中心", Responsible: "陈静", AppliedOn: day(2025, 3, 1)})
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.Advance(f.ctx, c.ID, certification.AdvanceInput{To: certification.StatusStage2, On: day(2025, 3, 20)})
		ae, ok := err.(*apperr.Error)
		if !ok || ae.Code != "invalid_transition" || !slices.Equal(ae.Details["allowed"].([]string), []string{"contract", "withdrawn"}) {
			t.Fatalf("skipping a step: %v", err)
		}
		for _, st := range []struct {
			to string
			on time.Time
		}{{"contract", day(2025, 3, 10)}, {"stage1", day(2025, 3, 25)}, {"stage2", day(2025, 4, 15)}, {"committee", day(2025, 4, 28)}} {
			if _, err := f.svc.Advance(f.ctx, c.ID, certification.AdvanceInput{To: st.to, On: st.on}); err != nil {
				t.Fatalf("%s: %v", st.to, err)
			}
		}
		if _, err := f.svc.Advance(f.ctx, c.ID, certification.AdvanceInput{To: "certified", On: day(2025, 5, 6)}); !apperr.IsKind(err, apperr.KindValidation) {
			t.Fatalf("certificate without a number: %v", err)
		}
		if _, err := f.svc.Advance(f.ctx, c.ID, certification.AdvanceInput{To: "certified", On: day(2025, 5, 6), CertificateNo: "ASC-2025-0417"}); err != nil {
			t.Fatal(err)
		}
		d, err := f.svc.CycleByID(context.Background(), c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if d.ExpiresOn == nil || !d.ExpiresOn.Equal(day(2028, 5, 5)) {
			t.Fatalf("expiry %v", d.ExpiresOn)
		}
		var kinds []string
		for _, a := range d.Audits {
			kinds = append(kinds, a.Kind+":"+a.DueOn.Format("2006-01-02"))
		}
		want := []string{"stage1:2025-03-25", "stage2:2025-04-15", "surveillance:2026-05-06", "surveillance:2027-05-06", "recertification:2028-02-05"}
		if !slices.Equal(kinds, want) {
			t.Fatalf("audits %v, want %v", kinds, want)
		}
		first := d.Audits[2]
		got, err := f.svc.RecordResult(f.ctx, first.ID, certification.ResultInput{HeldOn: day(2026, 5, 12), Score: 84.5, Band: "three_star", Findings: "回访记录不全"})
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != certification.AuditDone || got.ProjectedScore == nil || *got.ProjectedScore != 86.5 || got.ProjectedBand != "three_star" {
			t.Fatalf("result %+v", got)
		}
		if _, err := f.svc.RecordResult(f.ctx, d.Audits[3].ID, certification.ResultInput{HeldOn: day(2026, 5, 12), Score: 84.5, Band: "gold"}); !apperr.IsKind(err, apperr.KindValidation) {
			t.Fatalf("unknown band: %v", err)
		}
		next, err := f.svc.NextAuditDate(context.Background(), day(2026, 6, 30))
		if err != nil || next == nil || !next.Equal(time.Date(2027, 5, 6, 0, 0, 0, 0, cst)) {
			t.Fatalf("next audit %v %v", next, err)
		}
		// Schedule it 80 days ahead: the 90-day reminder is due, once.
		when := day(2026, 9, 18)
		scheduled, err := f.svc.ScheduleAudit(f.ctx, d.Audits[3].ID, certification.ScheduleInput{ScheduledOn: &when})
		if err != nil {
			t.Fatal(err)
		}
		// The same date again changes nothing: no version bump, no audit record.
		var audits int64
		db.Model(&audit.Record{}).Count(&audits)
		same, err := f.svc.ScheduleAudit(f.ctx, d.Audits[3].ID, certification.ScheduleInput{ScheduledOn: &when, Version: scheduled.Version})
		var audits2 int64
		db.Model(&audit.Record{}).Count(&audits2)
		if err != nil || same.Version != scheduled.Version || audits2 != audits {
			t.Fatalf("no-op schedule: %+v %v, %d audit records written", same, err, audits2-audits)
		}
		for i := 0; i < 2; i++ {
			if err := f.svc.ReminderJob(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		reminders := func() []event.Event {
			f.mu.Lock()
			defer f.mu.Unlock()
			var out []event.Event
			for _, e := range *f.events {
				if e.Name == certification.EventReminder {
					out = append(out, e)
				}
			}
			return out
		}
		if r := reminders(); len(r) != 1 || r[0].Data["days_before"] != 90 || r[0].Data["days_left"] != 80 {
			t.Fatalf("reminders %+v", r)
		}
		// Jump to 5 days before: only the 7-day reminder is published (the
		// 30-day one, missed, is recorded silently).
		*f.now = time.Date(2026, 9, 13, 2, 0, 0, 0, time.UTC)
		if err := f.svc.ReminderJob(context.Background()); err != nil {
			t.Fatal(err)
		}
		if r := reminders(); len(r) != 2 || r[1].Data["days_before"] != 7 {
			t.Fatalf("reminders %+v", r)
		}
	})
}

// TestAuditPack builds a pack in the background and checks its layout.
func TestAuditPack(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db, 1<<20)
		doc, err := f.svc.Upload(f.ctx, certification.UploadInput{DocType: "service_manual", Title: "售后服务手册", EffectiveOn: day(2025, 1, 1),
			FileName: "manual.pdf", Content: bytes.NewReader(pdf)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Approve(f.ctx, doc.ID, 0); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.CreatePack(f.ctx, day(2026, 7, 1), day(2025, 7, 1), i18n.Translator{}); !apperr.IsKind(err, apperr.KindValidation) {
			t.Fatalf("reversed window: %v", err)
		}
		p, err := f.svc.CreatePack(f.ctx, day(2025, 7, 1), day(2026, 6, 30), i18n.Translator{})
		if err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(20 * time.Second)
		for {
			got, err := f.svc.Pack(context.Background(), p.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Status == certification.PackDone {
				if got.Progress != 100 || got.Size == 0 || len(got.SHA256) != 64 {
					t.Fatalf("done pack %+v", got)
				}
				break
			}
			if got.Status == certification.PackFailed || time.Now().After(deadline) {
				t.Fatalf("pack %+v", got)
			}
			time.Sleep(20 * time.Millisecond)
		}
		_, path, err := f.svc.PackFile(context.Background(), p.ID)
		if err != nil {
			t.Fatal(err)
		}
		zr, err := zip.OpenReader(path)
		if err != nil {
			t.Fatal(err)
		}
		defer zr.Close()
		names := map[string]bool{}
		for _, zf := range zr.File {
			names[zf.Name] = true
		}
		for _, n := range []string{"说明.txt", "00_评分报告.xlsx", "01_证据/证据清单.xlsx", "01_证据/5.1.4.1_售后服务手册/v1_manual.pdf",
			"02_网点清单.xlsx", "02_人员名册.xlsx", "03_记录抽样/维修记录.xlsx", "03_记录抽样/投诉记录.xlsx", "03_记录抽样/满意度调查.xlsx", "03_记录抽样/回访记录.xlsx"} {
			if !names[n] {
				t.Errorf("pack lacks %s (has %v)", n, names)
			}
		}
	})
}

// TestRecordedAuditsPoints: each held audit comes back with its own
// per-indicator points, and one recorded with a total only with none.
func TestRecordedAuditsPoints(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		f := newFixture(t, db, 1<<20)
		data, err := os.ReadFile("../../../configs/standards/gbt27922-2011.yaml")
		if err != nil {
			t.Fatal(err)
		}
		std, err := readiness.LoadStandard(data)
		if err != nil {
			t.Fatal(err)
		}
		leaves := std.Leaves()
		c, err := f.svc.CreateCycle(f.ctx, certification.CycleInput{Body: "中质协质量保证中心", Responsible: "陈静", AppliedOn: day(2025, 3, 1)})
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range []struct {
			to string
			on time.Time
		}{{"contract", day(2025, 3, 10)}, {"stage1", day(2025, 3, 25)}, {"stage2", day(2025, 4, 15)}, {"committee", day(2025, 4, 28)}} {
			if _, err := f.svc.Advance(f.ctx, c.ID, certification.AdvanceInput{To: st.to, On: st.on}); err != nil {
				t.Fatalf("%s: %v", st.to, err)
			}
		}
		if _, err := f.svc.Advance(f.ctx, c.ID, certification.AdvanceInput{To: "certified", On: day(2025, 5, 6), CertificateNo: "ASC-2025-0417"}); err != nil {
			t.Fatal(err)
		}
		d, err := f.svc.CycleByID(context.Background(), c.ID)
		if err != nil {
			t.Fatal(err)
		}
		a0, a1, a2 := d.Audits[0], d.Audits[1], d.Audits[2]
		if _, err := f.svc.RecordResult(f.ctx, a0.ID, certification.ResultInput{HeldOn: day(2025, 3, 25), Score: 80, Band: "three_star",
			Indicators: map[string]float64{leaves[0].Clause: 0}}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.RecordResult(f.ctx, a1.ID, certification.ResultInput{HeldOn: day(2025, 4, 15), Score: 82, Band: "three_star"}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.RecordResult(f.ctx, a2.ID, certification.ResultInput{HeldOn: day(2026, 5, 12), Score: 84.5, Band: "three_star",
			Indicators: map[string]float64{leaves[0].Clause: leaves[0].Points, leaves[1].Clause: 0}}); err != nil {
			t.Fatal(err)
		}
		got, err := f.svc.RecordedAudits(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 3 || got[0].ID != a0.ID || got[1].ID != a1.ID || got[2].ID != a2.ID {
			t.Fatalf("recorded audits %+v", got)
		}
		if len(got[0].Points) != 1 || got[0].Points[leaves[0].Clause] != 0 || len(got[1].Points) != 0 ||
			len(got[2].Points) != 2 || got[2].Points[leaves[0].Clause] != leaves[0].Points || got[2].Points[leaves[1].Clause] != 0 {
			t.Fatalf("points %v %v %v", got[0].Points, got[1].Points, got[2].Points)
		}
	})
}
