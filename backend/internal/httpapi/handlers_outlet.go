package httpapi

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/outlet"
)

// outletImportMaxBytes bounds an uploaded import workbook. The global body limit
// does not apply to multipart requests, so the import handlers set this one.
const outletImportMaxBytes = 5 << 20

const outletXLSXType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// staffCertificateExpiringDays flags certificates that end within three months,
// time enough to renew before a surveillance audit.
const staffCertificateExpiringDays = 90

// ---- request and response types

// CreateOutletRequest is the body of POST /outlets. Dates are "YYYY-MM-DD";
// the contract fields are required for entrusted outlets and dropped for
// own ones. category_ids are product category ids; an outlet with none is
// authorised for no category.
type CreateOutletRequest struct {
	Code              string   `json:"code"`
	Name              string   `json:"name"`
	Kind              string   `json:"kind"`
	ContractNo        string   `json:"contract_no"`
	ContractValidFrom string   `json:"contract_valid_from"`
	ContractValidTo   string   `json:"contract_valid_to"`
	RegionCode        string   `json:"region_code"`
	Address           string   `json:"address"`
	Latitude          *float64 `json:"latitude"`
	Longitude         *float64 `json:"longitude"`
	Phone             string   `json:"phone"`
	Coverage          []string `json:"coverage"`
	CategoryIDs       []uint64 `json:"category_ids"`
	DailyCapacity     int      `json:"daily_capacity"`
}

// PatchOutletRequest is the body of PATCH /outlets/{id}: absent fields stay;
// coverage and category_ids, when present, replace the whole set. The
// version read (or the If-Match header) is required. The code cannot change.
type PatchOutletRequest struct {
	Name              *string   `json:"name"`
	Kind              *string   `json:"kind"`
	ContractNo        *string   `json:"contract_no"`
	ContractValidFrom *string   `json:"contract_valid_from"`
	ContractValidTo   *string   `json:"contract_valid_to"`
	RegionCode        *string   `json:"region_code"`
	Address           *string   `json:"address"`
	Latitude          *float64  `json:"latitude"`
	Longitude         *float64  `json:"longitude"`
	Phone             *string   `json:"phone"`
	Coverage          *[]string `json:"coverage"`
	CategoryIDs       *[]uint64 `json:"category_ids"`
	DailyCapacity     *int      `json:"daily_capacity"`
	Version           int64     `json:"version"`
}

// SuspendOutletRequest is the optional body of POST /outlets/{id}/suspend.
type SuspendOutletRequest struct {
	Reason  string `json:"reason"`
	Version int64  `json:"version"`
}

// OutletVersionRequest is an optional body carrying only the version read.
type OutletVersionRequest struct {
	Version int64 `json:"version"`
}

// CoverageRegion names a region code.
type CoverageRegion struct {
	Code  string `json:"code"`
	Name  string `json:"name"`
	Level string `json:"level"`
}

// OutletResponse is the API image of an outlet. contract_state is derived
// on read: "", not_started, valid, expiring (ends within 60 days), expired.
type OutletResponse struct {
	ID                uint64           `json:"id"`
	Code              string           `json:"code"`
	Name              string           `json:"name"`
	Kind              string           `json:"kind"`
	ContractNo        string           `json:"contract_no"`
	ContractValidFrom *string          `json:"contract_valid_from"`
	ContractValidTo   *string          `json:"contract_valid_to"`
	ContractState     string           `json:"contract_state"`
	RegionCode        string           `json:"region_code"`
	RegionName        string           `json:"region_name"`
	Address           string           `json:"address"`
	Latitude          *float64         `json:"latitude"`
	Longitude         *float64         `json:"longitude"`
	Phone             string           `json:"phone"`
	Coverage          []string         `json:"coverage"`
	CoverageRegions   []CoverageRegion `json:"coverage_regions"`
	CategoryIDs       []uint64         `json:"category_ids"`
	DailyCapacity     int              `json:"daily_capacity"`
	Status            string           `json:"status"`
	StatusReason      string           `json:"status_reason"`
	Version           int64            `json:"version"`
	CreatedAt         time.Time        `json:"created_at"`
	UpdatedAt         time.Time        `json:"updated_at"`
}

func (s *Server) outletResponse(o outlet.Outlet) OutletResponse {
	regions := make([]CoverageRegion, 0, len(o.Coverage))
	for _, code := range o.Coverage {
		ref := CoverageRegion{Code: code}
		if r, ok := s.Regions.Lookup(code); ok {
			ref.Name, ref.Level = s.Regions.FullName(code), r.Level.String()
		}
		regions = append(regions, ref)
	}
	cov, cats := o.Coverage, o.CategoryIDs
	if cov == nil {
		cov = []string{}
	}
	if cats == nil {
		cats = []uint64{}
	}
	return OutletResponse{ID: o.ID, Code: o.Code, Name: o.Name, Kind: o.Kind, ContractNo: o.ContractNo,
		ContractValidFrom: calendarDateString(o.ContractValidFrom), ContractValidTo: calendarDateString(o.ContractValidTo),
		ContractState: o.ContractState(s.Outlets.Today()), RegionCode: o.RegionCode, RegionName: s.Regions.FullName(o.RegionCode),
		Address: o.Address, Latitude: o.Latitude, Longitude: o.Longitude, Phone: o.Phone, Coverage: cov, CoverageRegions: regions,
		CategoryIDs: cats, DailyCapacity: o.DailyCapacity, Status: o.Status, StatusReason: o.StatusReason, Version: o.Version,
		CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt}
}

// CreateStaffRequest is the body of POST /staff: outlet_id for outlet staff
// or hq_department for HQ staff, not both. active defaults to true;
// hired_at is "YYYY-MM-DD"; user_id links a login of the same outlet.
type CreateStaffRequest struct {
	Name                string  `json:"name"`
	OutletID            *uint64 `json:"outlet_id"`
	HQDepartment        string  `json:"hq_department"`
	Post                string  `json:"post"`
	IsServiceManagement bool    `json:"is_service_management"`
	Phone               string  `json:"phone"`
	UserID              *uint64 `json:"user_id"`
	Active              *bool   `json:"active"`
	HiredAt             string  `json:"hired_at"`
}

// PatchStaffRequest is the body of PATCH /staff/{id}: absent fields stay;
// outlet_id moves the person to an outlet, hq_department to HQ; user_id 0
// unlinks the login. The version (or If-Match) is required.
type PatchStaffRequest struct {
	Name                *string `json:"name"`
	OutletID            *uint64 `json:"outlet_id"`
	HQDepartment        *string `json:"hq_department"`
	Post                *string `json:"post"`
	IsServiceManagement *bool   `json:"is_service_management"`
	Phone               *string `json:"phone"`
	UserID              *uint64 `json:"user_id"`
	Active              *bool   `json:"active"`
	HiredAt             *string `json:"hired_at"`
	Version             int64   `json:"version"`
}

// AddCertificateRequest is the body of POST /staff/{id}/certificates. kind
// is service_manager (售后服务管理师), electrician, refrigeration,
// height_work, gas_appliance or other; expires_at (the last valid day) may
// be empty for a certificate without expiry.
type AddCertificateRequest struct {
	Kind      string `json:"kind"`
	Number    string `json:"number"`
	IssuedAt  string `json:"issued_at"`
	ExpiresAt string `json:"expires_at"`
}

// AddTrainingRequest is the body of POST /staff/{id}/trainings.
type AddTrainingRequest struct {
	Course      string  `json:"course"`
	Hours       float64 `json:"hours"`
	CompletedAt string  `json:"completed_at"`
	Passed      bool    `json:"passed"`
}

// CertificateResponse is a certificate; state is derived on read: valid,
// expiring (within 90 days), expired or not_started. The UI names the kind
// (adminStaff.certKinds).
type CertificateResponse struct {
	ID        uint64  `json:"id"`
	Kind      string  `json:"kind"`
	Number    string  `json:"number"`
	IssuedAt  *string `json:"issued_at"`
	ExpiresAt *string `json:"expires_at"`
	State     string  `json:"state"`
}

// TrainingResponse is a training record.
type TrainingResponse struct {
	ID          uint64  `json:"id"`
	Course      string  `json:"course"`
	Hours       float64 `json:"hours"`
	CompletedAt *string `json:"completed_at"`
	Passed      bool    `json:"passed"`
}

// StaffResponse is the API image of a staff member. trainings is filled on
// GET /staff/{id} only.
type StaffResponse struct {
	ID                  uint64                `json:"id"`
	Name                string                `json:"name"`
	OutletID            *uint64               `json:"outlet_id"`
	HQDepartment        string                `json:"hq_department"`
	Post                string                `json:"post"`
	IsServiceManagement bool                  `json:"is_service_management"`
	Phone               string                `json:"phone"`
	UserID              *uint64               `json:"user_id"`
	Active              bool                  `json:"active"`
	HiredAt             *string               `json:"hired_at"`
	ServiceManagerValid bool                  `json:"service_manager_certified"`
	Certificates        []CertificateResponse `json:"certificates"`
	Trainings           []TrainingResponse    `json:"trainings,omitempty"`
	Version             int64                 `json:"version"`
	CreatedAt           time.Time             `json:"created_at"`
	UpdatedAt           time.Time             `json:"updated_at"`
}

func staffCertificateState(c outlet.StaffCertificate, today time.Time) string {
	switch {
	case c.IssuedAt.After(today):
		return "not_started"
	case c.ExpiresAt != nil && c.ExpiresAt.Before(today):
		return "expired"
	case c.ExpiresAt != nil && today.AddDate(0, 0, staffCertificateExpiringDays).After(*c.ExpiresAt):
		return "expiring"
	}
	return "valid"
}

func certificateResponse(c outlet.StaffCertificate, today time.Time) CertificateResponse {
	return CertificateResponse{ID: c.ID, Kind: c.Kind, Number: c.Number,
		IssuedAt: calendarDateString(&c.IssuedAt), ExpiresAt: calendarDateString(c.ExpiresAt), State: staffCertificateState(c, today)}
}

func trainingResponse(t outlet.StaffTraining) TrainingResponse {
	return TrainingResponse{ID: t.ID, Course: t.Course, Hours: t.Hours, CompletedAt: calendarDateString(&t.CompletedAt), Passed: t.Passed}
}

func (s *Server) staffResponse(m outlet.StaffMember) StaffResponse {
	today := s.Outlets.Today()
	r := StaffResponse{ID: m.ID, Name: m.Name, OutletID: m.OutletID, HQDepartment: m.HQDepartment, Post: m.Post,
		IsServiceManagement: m.IsServiceManagement, Phone: m.Phone, UserID: m.UserID, Active: m.Active, HiredAt: calendarDateString(m.HiredAt),
		Certificates: make([]CertificateResponse, 0, len(m.Certificates)), Version: m.Version, CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt}
	for _, c := range m.Certificates {
		r.Certificates = append(r.Certificates, certificateResponse(c, today))
		if c.Kind == outlet.CertServiceManager && c.ValidOn(today) {
			r.ServiceManagerValid = true
		}
	}
	if m.Trainings != nil {
		r.Trainings = make([]TrainingResponse, 0, len(m.Trainings))
		for _, t := range m.Trainings {
			r.Trainings = append(r.Trainings, trainingResponse(t))
		}
	}
	return r
}

// ---- helpers

// outletRequiredVersion is bodyOrIfMatchVersion for updates that must carry one.
func outletRequiredVersion(c *gin.Context, body int64) (int64, error) {
	v, err := requestVersion(c, body)
	if err != nil {
		return 0, err
	}
	if v <= 0 {
		return 0, apperr.FieldErr("version", apperr.VersionRequired())
	}
	return v, nil
}

// outletDateFields parses several "YYYY-MM-DD" fields, collecting every problem.
func outletDateFields(in map[string]*string) (map[string]*time.Time, error) {
	out := map[string]*time.Time{}
	fields := apperr.Fields{}
	for name, v := range in {
		if v == nil {
			continue
		}
		t, err := parseCalendarDateField(*v, name)
		if err != nil {
			fields[name] = apperr.InvalidFormat(apperr.FormatDate)
			continue
		}
		out[name] = t
	}
	if len(fields) > 0 {
		return nil, apperr.FieldsErr(fields)
	}
	return out, nil
}

func outletSendXLSX(c *gin.Context, asciiName, name string, body []byte) {
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, asciiName, url.PathEscape(name)))
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, outletXLSXType, body)
}

// outletUploadedWorkbook returns the bytes of the multipart field "file", an
// .xlsx of at most outletImportMaxBytes.
func outletUploadedWorkbook(c *gin.Context) ([]byte, error) {
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, outletImportMaxBytes+64<<10)
	fh, err := c.FormFile("file")
	if c.Request.MultipartForm != nil {
		defer func() { _ = c.Request.MultipartForm.RemoveAll() }()
	}
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, apperr.Invalid(fmt.Sprintf("the upload exceeds %d MB", outletImportMaxBytes>>20))
		}
		e := apperr.Invalid("send the workbook as multipart/form-data in the field \"file\"")
		e.Fields = apperr.Fields{"file": apperr.Required()}
		return nil, e
	}
	if !strings.EqualFold(filepath.Ext(fh.Filename), ".xlsx") {
		return nil, apperr.FieldErr("file", apperr.InvalidFormat(apperr.FormatXLSX))
	}
	if fh.Size > outletImportMaxBytes {
		return nil, apperr.Invalid(fmt.Sprintf("the upload exceeds %d MB", outletImportMaxBytes>>20))
	}
	f, err := fh.Open()
	if err != nil {
		return nil, apperr.Internal(fmt.Errorf("open upload: %w", err))
	}
	defer func() { _ = f.Close() }()
	var b bytes.Buffer
	if _, err := b.ReadFrom(f); err != nil {
		return nil, apperr.Internal(fmt.Errorf("read upload: %w", err))
	}
	return b.Bytes(), nil
}

func outletFilter(c *gin.Context) outlet.OutletFilter {
	return outlet.OutletFilter{Status: c.Query("status"), Kind: c.Query("kind"), Region: strings.TrimSpace(c.Query("region")),
		Covers: strings.TrimSpace(c.Query("covers")), Query: c.Query("q"), Sort: c.Query("sort")}
}

// ---- outlets

// listOutlets answers GET /outlets?status=&kind=&region=&covers=&q=&sort=&page&size.
// region keeps outlets located in a province, city or district; covers
// keeps outlets whose coverage includes a region; q matches a code prefix
// or part of the name; sort is code (default), name, created_at,
// daily_capacity or id, "-" prefixed for descending. Outlet users see only
// their own outlet.
func (s *Server) listOutlets(c *gin.Context) error {
	page, size, err := paging(c, 20, 200)
	if err != nil {
		return err
	}
	f := outletFilter(c)
	f.Page, f.Size = page, size
	list, total, err := s.Outlets.List(c.Request.Context(), f)
	if err != nil {
		return err
	}
	items := make([]OutletResponse, 0, len(list))
	for _, o := range list {
		items = append(items, s.outletResponse(o))
	}
	c.JSON(http.StatusOK, pageOf(items, total, page, size))
	return nil
}

func (s *Server) createOutlet(c *gin.Context) error {
	var req CreateOutletRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	dates, err := outletDateFields(map[string]*string{"contract_valid_from": &req.ContractValidFrom, "contract_valid_to": &req.ContractValidTo})
	if err != nil {
		return err
	}
	o, err := s.Outlets.Create(c.Request.Context(), outlet.NewOutlet{Code: req.Code, Name: req.Name, Kind: req.Kind, ContractNo: req.ContractNo,
		ContractValidFrom: dates["contract_valid_from"], ContractValidTo: dates["contract_valid_to"], RegionCode: req.RegionCode,
		Address: req.Address, Latitude: req.Latitude, Longitude: req.Longitude, Phone: req.Phone, Coverage: req.Coverage,
		CategoryIDs: req.CategoryIDs, DailyCapacity: req.DailyCapacity})
	if err != nil {
		return err
	}
	return respondVersioned(c, http.StatusCreated, o.Version, s.outletResponse(o))
}

func (s *Server) getOutlet(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	o, err := s.Outlets.Visible(c.Request.Context(), id)
	if err != nil {
		return err
	}
	return respondVersioned(c, http.StatusOK, o.Version, s.outletResponse(o))
}

func (s *Server) patchOutlet(c *gin.Context) error {
	var req PatchOutletRequest
	id, err := bindWithID(c, "id", &req)
	if err != nil {
		return err
	}
	version, err := outletRequiredVersion(c, req.Version)
	if err != nil {
		return err
	}
	dates, err := outletDateFields(map[string]*string{"contract_valid_from": req.ContractValidFrom, "contract_valid_to": req.ContractValidTo})
	if err != nil {
		return err
	}
	o, err := s.Outlets.Update(c.Request.Context(), id, outlet.OutletPatch{Name: req.Name, Kind: req.Kind, ContractNo: req.ContractNo,
		ContractValidFrom: dates["contract_valid_from"], ContractValidTo: dates["contract_valid_to"], RegionCode: req.RegionCode,
		Address: req.Address, Latitude: req.Latitude, Longitude: req.Longitude, Phone: req.Phone, Coverage: req.Coverage,
		CategoryIDs: req.CategoryIDs, DailyCapacity: req.DailyCapacity, Version: version})
	if err != nil {
		return err
	}
	return respondVersioned(c, http.StatusOK, o.Version, s.outletResponse(o))
}

// suspendOutlet answers POST /outlets/{id}/suspend with an optional body
// {reason, version}; the version (or If-Match) is checked when given.
func (s *Server) suspendOutlet(c *gin.Context) error {
	var req SuspendOutletRequest
	id, version, err := bindOptionalVersioned(c, "id", &req, &req.Version)
	if err != nil {
		return err
	}
	return answerWith(c, http.StatusOK, s.outletResponse)(s.Outlets.Suspend(c.Request.Context(), id, req.Reason, version))
}

// activateOutlet answers POST /outlets/{id}/activate with an optional body
// {version}.
func (s *Server) activateOutlet(c *gin.Context) error {
	var req OutletVersionRequest
	id, version, err := bindOptionalVersioned(c, "id", &req, &req.Version)
	if err != nil {
		return err
	}
	return answerWith(c, http.StatusOK, s.outletResponse)(s.Outlets.Activate(c.Request.Context(), id, version))
}

// importOutlets answers POST /outlets/import (multipart field "file", an
// .xlsx of at most 5 MB and 5,000 rows) with {total, imported, failed,
// errors:[{row, field, column, message}]}.
func (s *Server) importOutlets(c *gin.Context) error {
	b, err := outletUploadedWorkbook(c)
	if err != nil {
		return err
	}
	rep, err := s.Outlets.ImportOutlets(c.Request.Context(), bytes.NewReader(b), s.text(c))
	return respond(c, http.StatusOK, rep, err)
}

func (s *Server) outletImportTemplate(c *gin.Context) error {
	tr := s.text(c)
	b, err := s.Outlets.OutletTemplateBytes(tr)
	if err != nil {
		return err
	}
	outletSendXLSX(c, "outlet-import-template.xlsx", tr.T("export.outlets.template_file")+".xlsx", b)
	return nil
}

// exportOutlets answers GET /outlets/export with the list filters: an
// .xlsx of every matching outlet the caller may see.
func (s *Server) exportOutlets(c *gin.Context) error {
	tr := s.text(c)
	var b bytes.Buffer
	if err := s.Outlets.ExportOutlets(c.Request.Context(), &b, outletFilter(c), tr); err != nil {
		return err
	}
	day := time.Now().In(s.Location).Format("20060102")
	outletSendXLSX(c, "outlets-"+day+".xlsx", tr.T("export.outlets.file", map[string]any{"Day": day})+".xlsx", b.Bytes())
	return nil
}

// ---- staff

// listStaff answers GET /staff?outlet_id=&hq=&management=&certified=&post=&active=&q=&sort=&page&size.
// hq=true keeps HQ staff; management=true|false service-management staff
// or not; certified=true|false holders of a 售后服务管理师 certificate valid
// today or not; q is a phone number or the start of a name; sort is id
// (default), name, hired_at or created_at, "-" for descending. Outlet users
// see only their own outlet's staff.
func (s *Server) listStaff(c *gin.Context) error {
	page, size, err := paging(c, 20, 200)
	if err != nil {
		return err
	}
	f := outlet.StaffFilter{Post: c.Query("post"), Query: c.Query("q"), Sort: c.Query("sort"), Page: page, Size: size}
	if id, err := optionalQueryID(c, "outlet_id"); err != nil {
		return err
	} else if id != 0 {
		f.OutletID = &id
	}
	hq, err := queryBool(c, "hq")
	if err != nil {
		return err
	}
	f.HQ = hq != nil && *hq
	for name, dst := range map[string]**bool{"management": &f.Management, "certified": &f.Certified, "active": &f.Active} {
		if *dst, err = queryBool(c, name); err != nil {
			return err
		}
	}
	list, total, err := s.Outlets.ListStaff(c.Request.Context(), f)
	if err != nil {
		return err
	}
	items := make([]StaffResponse, 0, len(list))
	for _, m := range list {
		items = append(items, s.staffResponse(m))
	}
	c.JSON(http.StatusOK, pageOf(items, total, page, size))
	return nil
}

func (s *Server) createStaff(c *gin.Context) error {
	var req CreateStaffRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	dates, err := outletDateFields(map[string]*string{"hired_at": &req.HiredAt})
	if err != nil {
		return err
	}
	m, err := s.Outlets.CreateStaff(c.Request.Context(), outlet.NewStaff{Name: req.Name, OutletID: req.OutletID, HQDepartment: req.HQDepartment,
		Post: req.Post, IsServiceManagement: req.IsServiceManagement, Phone: req.Phone, UserID: req.UserID, Active: req.Active, HiredAt: dates["hired_at"]})
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, s.staffResponse(m))
	return nil
}

func (s *Server) getStaff(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	m, err := s.Outlets.VisibleStaff(c.Request.Context(), id)
	if err != nil {
		return err
	}
	return respondVersioned(c, http.StatusOK, m.Version, s.staffResponse(m))
}

func (s *Server) patchStaff(c *gin.Context) error {
	var req PatchStaffRequest
	id, err := bindWithID(c, "id", &req)
	if err != nil {
		return err
	}
	version, err := outletRequiredVersion(c, req.Version)
	if err != nil {
		return err
	}
	dates, err := outletDateFields(map[string]*string{"hired_at": req.HiredAt})
	if err != nil {
		return err
	}
	m, err := s.Outlets.UpdateStaff(c.Request.Context(), id, outlet.StaffPatch{Name: req.Name, OutletID: req.OutletID, HQDepartment: req.HQDepartment,
		Post: req.Post, IsServiceManagement: req.IsServiceManagement, Phone: req.Phone, UserID: req.UserID, Active: req.Active,
		HiredAt: dates["hired_at"], Version: version})
	if err != nil {
		return err
	}
	return respondVersioned(c, http.StatusOK, m.Version, s.staffResponse(m))
}

func (s *Server) addStaffCertificate(c *gin.Context) error {
	var req AddCertificateRequest
	id, err := bindWithID(c, "id", &req)
	if err != nil {
		return err
	}
	dates, err := outletDateFields(map[string]*string{"issued_at": &req.IssuedAt, "expires_at": &req.ExpiresAt})
	if err != nil {
		return err
	}
	in := outlet.NewCertificate{Kind: req.Kind, Number: req.Number, ExpiresAt: dates["expires_at"]}
	if d := dates["issued_at"]; d != nil {
		in.IssuedAt = *d
	}
	cert, err := s.Outlets.AddCertificate(c.Request.Context(), id, in)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, certificateResponse(cert, s.Outlets.Today()))
	return nil
}

func (s *Server) addStaffTraining(c *gin.Context) error {
	var req AddTrainingRequest
	id, err := bindWithID(c, "id", &req)
	if err != nil {
		return err
	}
	dates, err := outletDateFields(map[string]*string{"completed_at": &req.CompletedAt})
	if err != nil {
		return err
	}
	in := outlet.NewTraining{Course: req.Course, Hours: req.Hours, Passed: req.Passed}
	if d := dates["completed_at"]; d != nil {
		in.CompletedAt = *d
	}
	return answerWith(c, http.StatusCreated, trainingResponse)(s.Outlets.AddTraining(c.Request.Context(), id, in))
}

// importStaff answers POST /staff/import like importOutlets; outlets are
// referred to by code.
func (s *Server) importStaff(c *gin.Context) error {
	b, err := outletUploadedWorkbook(c)
	if err != nil {
		return err
	}
	rep, err := s.Outlets.ImportStaff(c.Request.Context(), bytes.NewReader(b), s.text(c))
	return respond(c, http.StatusOK, rep, err)
}

func (s *Server) staffImportTemplate(c *gin.Context) error {
	tr := s.text(c)
	b, err := s.Outlets.StaffTemplateBytes(tr)
	if err != nil {
		return err
	}
	outletSendXLSX(c, "staff-import-template.xlsx", tr.T("export.staff.template_file")+".xlsx", b)
	return nil
}

// StaffingResponse is GET /staff/summary: the headcounts behind GB/T 27922
// 5.1.2 and the auditor's plausibility checks, on a calendar date.
type StaffingResponse struct {
	AsOf                     string                      `json:"as_of"`
	ActiveOutlets            int                         `json:"active_outlets"`
	ActiveStaff              int                         `json:"active_staff"`
	OutletStaff              int                         `json:"outlet_staff"`
	HQStaff                  int                         `json:"hq_staff"`
	StaffPerOutlet           float64                     `json:"staff_per_outlet"`
	ManagementHeadcount      int                         `json:"management_headcount"`
	CertifiedManagers        int                         `json:"certified_managers"`
	ManagerCertificates      []ManagerCertificateSummary `json:"manager_certificates"`
	OutletsWithoutStaff      int                         `json:"outlets_without_staff"`
	OutletsWithoutTechnician int                         `json:"outlets_without_technician"`
	TrainedLastYear          int                         `json:"trained_last_year"`
}

// ManagerCertificateSummary is one counted 售后服务管理师 certificate.
type ManagerCertificateSummary struct {
	StaffID   uint64  `json:"staff_id"`
	Name      string  `json:"name"`
	Number    string  `json:"number"`
	ExpiresAt *string `json:"expires_at"`
}

// staffingSummary answers GET /staff/summary?as_of=YYYY-MM-DD (default today).
func (s *Server) staffingSummary(c *gin.Context) error {
	asOf := time.Now()
	if v := c.Query("as_of"); v != "" {
		d, err := time.ParseInLocation(time.DateOnly, v, s.Location)
		if err != nil {
			return fieldErr("as_of", apperr.InvalidFormat(apperr.FormatDate))
		}
		asOf = d
	}
	sum, err := s.Outlets.Staffing(c.Request.Context(), asOf)
	if err != nil {
		return err
	}
	r := StaffingResponse{AsOf: sum.AsOf.Format(time.DateOnly), ActiveOutlets: sum.ActiveOutlets, ActiveStaff: sum.ActiveStaff,
		OutletStaff: sum.OutletStaff, HQStaff: sum.HQStaff, ManagementHeadcount: sum.ManagementHeadcount, CertifiedManagers: sum.CertifiedManagers,
		ManagerCertificates: make([]ManagerCertificateSummary, 0, len(sum.ManagerCertificates)), OutletsWithoutStaff: sum.OutletsWithoutStaff,
		OutletsWithoutTechnician: sum.OutletsWithoutTechnician, TrainedLastYear: sum.TrainedLastYear}
	if sum.ActiveOutlets > 0 {
		r.StaffPerOutlet = float64(int(float64(sum.OutletStaff)/float64(sum.ActiveOutlets)*10+0.5)) / 10
	}
	for _, mc := range sum.ManagerCertificates {
		r.ManagerCertificates = append(r.ManagerCertificates, ManagerCertificateSummary{StaffID: mc.StaffID, Name: mc.Name, Number: mc.Number,
			ExpiresAt: calendarDateString(mc.ExpiresOn)})
	}
	c.JSON(http.StatusOK, r)
	return nil
}
