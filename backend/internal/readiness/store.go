package readiness

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/db"
)

// store is the readiness tables' data access. Every method takes the
// *gorm.DB to use (the service's, or a transaction).
type store struct{}

// latestVersion returns the newest stored version of a standard code.
func (store) latestVersion(ctx context.Context, db *gorm.DB, code string) (*StandardVersion, error) {
	var v StandardVersion
	err := db.WithContext(ctx).Where("code = ?", code).Order("version DESC").Limit(1).Take(&v).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("readiness: latest version of %s: %w", code, err)
	}
	return &v, nil
}

func (store) version(ctx context.Context, db *gorm.DB, id uint64) (*StandardVersion, error) {
	var v StandardVersion
	err := db.WithContext(ctx).Where("id = ?", id).Take(&v).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, apperr.NotFound("standard version")
	}
	if err != nil {
		return nil, apperr.Internal(fmt.Errorf("readiness: standard version %d: %w", id, err))
	}
	return &v, nil
}

// versions lists stored versions without their content, newest first.
func (store) versions(ctx context.Context, db *gorm.DB, code string) ([]StandardVersion, error) {
	q := db.WithContext(ctx).Select("id", "code", "version", "title", "fingerprint", "source", "justification", "created_by", "created_at").
		Order("code, version DESC")
	if code != "" {
		q = q.Where("code = ?", code)
	}
	var out []StandardVersion
	if err := q.Find(&out).Error; err != nil {
		return nil, apperr.Internal(fmt.Errorf("readiness: list standard versions: %w", err))
	}
	return out, nil
}

// auditWatermark is the last committed audit-trail sequence number.
func (store) auditWatermark(ctx context.Context, db *gorm.DB) (uint64, error) {
	var seq *uint64
	if err := db.WithContext(ctx).Raw("SELECT MAX(seq) FROM audit_records").Scan(&seq).Error; err != nil {
		return 0, fmt.Errorf("readiness: audit watermark: %w", err)
	}
	if seq == nil {
		return 0, nil
	}
	return *seq, nil
}

// latestRun returns the newest finished run of a standard, nil when there
// is none.
func (store) latestRun(ctx context.Context, db *gorm.DB, code string) (*Run, error) {
	var r Run
	q := db.WithContext(ctx).Where("status = ?", RunDone).Order("id DESC").Limit(1)
	if code != "" {
		q = q.Where("standard_code = ?", code)
	}
	err := q.Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("readiness: latest run: %w", err)
	}
	return &r, nil
}

func (store) run(ctx context.Context, db *gorm.DB, id uint64) (*Run, error) {
	var r Run
	err := db.WithContext(ctx).Where("id = ?", id).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, apperr.NotFound("readiness run")
	}
	if err != nil {
		return nil, apperr.Internal(fmt.Errorf("readiness: run %d: %w", id, err))
	}
	return &r, nil
}

// ledger returns a run's ledger rows in document order.
func (store) ledger(ctx context.Context, db *gorm.DB, r *Run) ([]LedgerRow, error) {
	var rows []LedgerRow
	if err := db.WithContext(ctx).Where("run_id = ?", r.LedgerRunID).Order("seq").Find(&rows).Error; err != nil {
		return nil, apperr.Internal(fmt.Errorf("readiness: ledger of run %d: %w", r.ID, err))
	}
	return rows, nil
}

// listRuns pages through finished runs, newest first, without their
// inputs.
func (store) listRuns(ctx context.Context, db *gorm.DB, code string, page, size int) ([]Run, int64, error) {
	q := db.WithContext(ctx).Model(&Run{}).Where("status = ?", RunDone)
	if code != "" {
		q = q.Where("standard_code = ?", code)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, apperr.Internal(fmt.Errorf("readiness: count runs: %w", err))
	}
	var out []Run
	if err := q.Omit("inputs").Order("id DESC").Offset((page - 1) * size).Limit(size).Find(&out).Error; err != nil {
		return nil, 0, apperr.Internal(fmt.Errorf("readiness: list runs: %w", err))
	}
	return out, total, nil
}

// finishRun stores the result of a run in progress on its row and, unless
// it shares the previous run's ledger, its ledger rows, in one transaction.
// It fails with errLeaseLost when the row is no longer this owner's run in
// progress (its lease ran out and another request failed it).
func (store) finishRun(ctx context.Context, db *gorm.DB, r *Run, rows []LedgerRow, prev *Run) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		shared := prev != nil && prev.LedgerHash == r.LedgerHash && prev.LedgerRunID != 0
		if shared {
			r.LedgerRunID = prev.LedgerRunID
		} else {
			r.LedgerRunID = r.ID
		}
		owner := r.LeaseOwner
		r.Status, r.ActiveKey, r.LeaseUntil, r.LeaseOwner = RunDone, nil, nil, ""
		r.ProgressDone, r.ProgressClause = r.ProgressTotal, ""
		res := tx.Model(&Run{}).Where("id = ? AND status = ? AND lease_owner = ?", r.ID, RunRunning, owner).
			Select("*").Omit("id").Updates(r)
		if res.Error != nil {
			return fmt.Errorf("readiness: store run %d: %w", r.ID, res.Error)
		}
		if res.RowsAffected == 0 {
			return errLeaseLost
		}
		if shared {
			return nil
		}
		for i := range rows {
			rows[i].RunID = r.ID
		}
		if len(rows) > 0 {
			if err := tx.CreateInBatches(rows, 200).Error; err != nil {
				return fmt.Errorf("readiness: insert ledger: %w", err)
			}
		}
		return nil
	})
}

// errLeaseLost: the run's row was taken over after its lease ran out.
var errLeaseLost = errors.New("readiness: the run's lease ran out and it was taken over")

// ledgerRows turns a result's ledger into rows and hashes them together with
// the totals, so an unchanged run can share its predecessor's rows.
func ledgerRows(std *Standard, res Result) ([]LedgerRow, string) {
	rows := make([]LedgerRow, 0, len(res.Indicators))
	h := sha256.New()
	for i, ir := range res.Indicators {
		row := LedgerRow{
			Seq: i, Clause: ir.Clause, Level: ir.Level, Leaf: ir.Leaf, Kind: string(ir.Kind), Inferred: ir.Inferred,
			Points: ir.Points, Max: ir.Max, Applicable: ir.Applicable, Recoverable: ir.Recoverable, State: string(ir.State),
			Value: ir.Inputs.Value, Name: mustJSON(ir.Name), ReasonCodes: mustJSON(nonNil(ir.ReasonCodes)),
			Inputs: mustJSON(ir.Inputs), RecordIDs: mustJSON(nonNil(ir.RecordIDs)), Reason: mustJSON(ir.Reason),
			Action: mustJSON(ir.Action), Justification: ir.Justification, Author: truncate(ir.Author, 64),
			Scoring: string(ir.Scoring), DecidedAt: utcPtr(ir.DecidedAt),
		}
		if len(ir.Evidence) > 0 {
			row.Evidence = mustJSON(ir.Evidence)
		}
		if ind, ok := std.Indicator(ir.Clause); ok && ind.Rule != nil {
			row.Measure = ind.Rule.Measure
		}
		rows = append(rows, row)
		b, _ := json.Marshal(ir)
		h.Write(b)
	}
	fmt.Fprintf(h, "|%v|%v|%v|%s", res.Total, res.DeductionPoints, res.BonusPoints, res.Band)
	return rows, hex.EncodeToString(h.Sum(nil))
}

// resultOf rebuilds the scored result of a stored run from its row and
// ledger: what Diff, Gaps and the API need.
func resultOf(r *Run, rows []LedgerRow) Result {
	res := Result{
		StandardID: r.StandardCode, AsOf: r.AsOf, Actual: r.Actual, Applicable: r.Applicable, Normalised: r.Normalised,
		DeductionPoints: r.DeductionPoints, BonusPoints: r.BonusPoints, Total: r.Total, Band: r.Band, Failed: r.Failed,
		NextBand: r.NextBand, ToNextBand: r.ToNextBand, AboveBand: r.AboveBand, Complete: r.Complete,
		Range:   ScoreRange{Low: r.Low, High: r.High, LowBand: r.LowBand, HighBand: r.HighBand},
		BandLow: r.LowBand, BandHigh: r.HighBand,
	}
	_ = json.Unmarshal([]byte(r.FailReasons), &res.FailReasons)
	_ = json.Unmarshal([]byte(r.Counts), &res.Counts)
	_ = json.Unmarshal([]byte(r.Notices), &res.Notices)
	var deds []Deduction
	_ = json.Unmarshal([]byte(r.Deductions), &deds)
	for _, d := range deds {
		if d.Suggested {
			res.SuggestedDeductions = append(res.SuggestedDeductions, d)
		} else {
			res.Deductions = append(res.Deductions, d)
		}
	}
	for _, row := range rows {
		ir := IndicatorResult{
			Clause: row.Clause, Level: row.Level, Leaf: row.Leaf, Kind: RuleKind(row.Kind), Inferred: row.Inferred,
			Points: row.Points, Max: row.Max, Applicable: row.Applicable, Recoverable: row.Recoverable,
			State: State(row.State), Justification: row.Justification, Author: row.Author,
			Scoring: ScoringMode(row.Scoring), DecidedAt: row.DecidedAt,
		}
		if row.Evidence != "" {
			_ = json.Unmarshal([]byte(row.Evidence), &ir.Evidence)
		}
		_ = json.Unmarshal([]byte(row.Name), &ir.Name)
		_ = json.Unmarshal([]byte(row.ReasonCodes), &ir.ReasonCodes)
		_ = json.Unmarshal([]byte(row.Inputs), &ir.Inputs)
		_ = json.Unmarshal([]byte(row.RecordIDs), &ir.RecordIDs)
		_ = json.Unmarshal([]byte(row.Reason), &ir.Reason)
		_ = json.Unmarshal([]byte(row.Action), &ir.Action)
		res.Indicators = append(res.Indicators, ir)
	}
	return res
}

// latestPerClause keeps the last record of each clause from records in id
// order, at the position where that clause first appeared.
func latestPerClause[T any](all []T, clause func(T) string) []T {
	latest := map[string]int{}
	var out []T
	for _, r := range all {
		if i, ok := latest[clause(r)]; ok {
			out[i] = r
			continue
		}
		latest[clause(r)] = len(out)
		out = append(out, r)
	}
	return out
}

// activeAssessments returns the current assessment of each clause: the
// latest one not withdrawn.
func (store) activeAssessments(ctx context.Context, db *gorm.DB, code string) ([]AssessmentRecord, error) {
	var all []AssessmentRecord
	if err := db.WithContext(ctx).Where("standard_code = ? AND withdrawn_at IS NULL", code).Order("id").Find(&all).Error; err != nil {
		return nil, fmt.Errorf("readiness: assessments: %w", err)
	}
	return latestPerClause(all, func(a AssessmentRecord) string { return a.Clause }), nil
}

func (store) activeDeletions(ctx context.Context, db *gorm.DB, code string) ([]Deletion, error) {
	var all []Deletion
	if err := db.WithContext(ctx).Where("standard_code = ? AND withdrawn_at IS NULL", code).Order("id").Find(&all).Error; err != nil {
		return nil, fmt.Errorf("readiness: deletions: %w", err)
	}
	return latestPerClause(all, func(d Deletion) string { return d.Clause }), nil
}

// openDeductions returns the findings that may count at asOf: suggested
// ones (shown apart) and confirmed ones found by asOf and not corrected by
// then.
func (store) openDeductions(ctx context.Context, db *gorm.DB, asOf time.Time) ([]DeductionRecord, error) {
	var out []DeductionRecord
	err := db.WithContext(ctx).
		Where("(status = ?) OR (status = ? AND found_on <= ? AND (corrected_at IS NULL OR corrected_at > ?))",
			DeductionSuggested, DeductionConfirmed, asOf, asOf).
		Order("id").Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("readiness: deductions: %w", err)
	}
	return out, nil
}

// insertSuggestion stores an automatic suggestion unless its key exists.
// It reports whether a row was inserted.
func (store) insertSuggestion(ctx context.Context, tx *gorm.DB, d *DeductionRecord) (bool, error) {
	res := db.InsertIgnoringDuplicates(tx.WithContext(ctx)).Create(d)
	if res.Error != nil {
		return false, fmt.Errorf("readiness: insert suggestion: %w", res.Error)
	}
	return res.RowsAffected == 1, nil
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "null"
	}
	return string(b)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}
