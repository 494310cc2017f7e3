package httpapi

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/content"
)

// The admin API behind the public FAQ and manuals (content; product:manage).

// FaqArticleRequest is the body of POST /faq-articles.
type FaqArticleRequest struct {
	Title             string  `json:"title"`
	Body              string  `json:"body"`
	Topic             string  `json:"topic"`
	ProductCategoryID *uint64 `json:"product_category_id"`
	SortOrder         int     `json:"sort_order"`
	Published         bool    `json:"published"`
}

// PatchFaqArticleRequest is the body of PATCH /faq-articles/{id}: absent
// fields stay; product_category_id 0 clears it; the version (or If-Match)
// is required.
type PatchFaqArticleRequest struct {
	Version           int64   `json:"version"`
	Title             *string `json:"title"`
	Body              *string `json:"body"`
	Topic             *string `json:"topic"`
	ProductCategoryID *uint64 `json:"product_category_id"`
	SortOrder         *int    `json:"sort_order"`
	Published         *bool   `json:"published"`
}

// FaqArticleResponse is the admin image of an article.
type FaqArticleResponse struct {
	ID                uint64     `json:"id"`
	Title             string     `json:"title"`
	Body              string     `json:"body"`
	Topic             string     `json:"topic"`
	ProductCategoryID *uint64    `json:"product_category_id"`
	SortOrder         int        `json:"sort_order"`
	Published         bool       `json:"published"`
	PublishedAt       *time.Time `json:"published_at"`
	Version           int64      `json:"version"`
	CreatedAt         time.Time  `json:"created_at"`
	UpdatedAt         time.Time  `json:"updated_at"`
}

func faqArticleResponse(a content.Article) FaqArticleResponse {
	return FaqArticleResponse{ID: a.ID, Title: a.Title, Body: a.Body, Topic: a.Topic, ProductCategoryID: a.ProductCategoryID, SortOrder: a.SortOrder,
		Published: a.Published, PublishedAt: a.PublishedAt, Version: a.Version, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt}
}

// ManualRequest is the body of POST /manuals: JSON with url for a link, or
// multipart/form-data with these fields and the file in "file".
type ManualRequest struct {
	Title             string  `json:"title"`
	Description       string  `json:"description"`
	ProductCategoryID *uint64 `json:"product_category_id"`
	ModelCode         string  `json:"model_code"`
	Language          string  `json:"language"`
	Published         bool    `json:"published"`
	URL               string  `json:"url"`
}

// PatchManualRequest is the body of PATCH /manuals/{id} (JSON, or
// multipart with a new "file"): absent fields stay; the version (or
// If-Match) is required.
type PatchManualRequest struct {
	Version           int64   `json:"version"`
	Title             *string `json:"title"`
	Description       *string `json:"description"`
	ProductCategoryID *uint64 `json:"product_category_id"`
	ModelCode         *string `json:"model_code"`
	Language          *string `json:"language"`
	Published         *bool   `json:"published"`
	URL               *string `json:"url"`
}

// ManualResponse is the admin image of a manual.
type ManualResponse struct {
	ID                uint64     `json:"id"`
	Title             string     `json:"title"`
	Description       string     `json:"description"`
	ProductCategoryID *uint64    `json:"product_category_id"`
	ModelCode         string     `json:"model_code"`
	Language          string     `json:"language"`
	Source            string     `json:"source"`
	URL               string     `json:"url"`
	FileName          string     `json:"file_name"`
	ContentType       string     `json:"content_type"`
	Size              int64      `json:"size"`
	SHA256            string     `json:"sha256"`
	Published         bool       `json:"published"`
	PublishedAt       *time.Time `json:"published_at"`
	Version           int64      `json:"version"`
	CreatedAt         time.Time  `json:"created_at"`
	UpdatedAt         time.Time  `json:"updated_at"`
}

func manualResponse(m content.Manual) ManualResponse {
	return ManualResponse{ID: m.ID, Title: m.Title, Description: m.Description, ProductCategoryID: m.ProductCategoryID, ModelCode: m.ModelCode,
		Language: m.Language, Source: m.Source, URL: m.URL, FileName: m.FileName, ContentType: m.ContentType, Size: m.Size, SHA256: m.SHA256,
		Published: m.Published, PublishedAt: m.PublishedAt, Version: m.Version, CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt}
}

func (s *Server) listFaqArticles(c *gin.Context) error {
	page, size, err := paging(c, content.DefaultPageSize, content.MaxPageSize)
	if err != nil {
		return err
	}
	pub, err := queryBool(c, "published")
	if err != nil {
		return err
	}
	list, total, err := s.Content.ListArticles(c.Request.Context(), content.ArticleFilter{PublishedOnly: pub != nil && *pub, Topic: c.Query("topic"),
		Query: c.Query("q"), Page: page, Size: size})
	if err != nil {
		return err
	}
	items := views(list, faqArticleResponse)
	c.JSON(http.StatusOK, pageOf(items, total, page, size))
	return nil
}

func (s *Server) createFaqArticle(c *gin.Context) error {
	var req FaqArticleRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	a, err := s.Content.CreateArticle(c.Request.Context(), content.ArticleInput{Title: req.Title, Body: req.Body, Topic: req.Topic,
		ProductCategoryID: req.ProductCategoryID, SortOrder: req.SortOrder, Published: req.Published})
	if err != nil {
		return err
	}
	return respondVersioned(c, http.StatusCreated, a.Version, faqArticleResponse(a))
}

func (s *Server) getFaqArticle(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	a, err := s.Content.Article(c.Request.Context(), id, false)
	if err != nil {
		return err
	}
	return respondVersioned(c, http.StatusOK, a.Version, faqArticleResponse(a))
}

func (s *Server) patchFaqArticle(c *gin.Context) error {
	var req PatchFaqArticleRequest
	id, v, err := bindVersioned(c, "id", &req, &req.Version)
	if err != nil {
		return err
	}
	a, err := s.Content.UpdateArticle(c.Request.Context(), id, v, content.ArticlePatch{Title: req.Title, Body: req.Body, Topic: req.Topic,
		ProductCategoryID: req.ProductCategoryID, SortOrder: req.SortOrder, Published: req.Published})
	if err != nil {
		return err
	}
	return respondVersioned(c, http.StatusOK, a.Version, faqArticleResponse(a))
}

// deleteVersion reads the version of a DELETE from If-Match or ?version=.
func deleteVersion(c *gin.Context) (int64, error) {
	var body int64
	if v := c.Query("version"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return 0, fieldErr("version", apperr.InvalidFormat(apperr.FormatPositiveInteger))
		}
		body = n
	}
	return requestVersion(c, body)
}

// deleteAtVersion answers DELETE …/{id} (version from ?version= or
// If-Match): 204 once del has removed that version of the record.
func deleteAtVersion(c *gin.Context, del func(ctx context.Context, id uint64, version int64) error) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	v, err := deleteVersion(c)
	if err != nil {
		return err
	}
	if err := del(c.Request.Context(), id, v); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

func (s *Server) deleteFaqArticle(c *gin.Context) error {
	return deleteAtVersion(c, s.Content.DeleteArticle)
}

func (s *Server) listManuals(c *gin.Context) error {
	page, size, err := paging(c, content.DefaultPageSize, content.MaxPageSize)
	if err != nil {
		return err
	}
	cat, err := queryUint(c, "category_id")
	if err != nil {
		return err
	}
	pub, err := queryBool(c, "published")
	if err != nil {
		return err
	}
	list, total, err := s.Content.ListManuals(c.Request.Context(), content.ManualFilter{PublishedOnly: pub != nil && *pub, ProductCategoryID: cat,
		ModelCode: c.Query("model"), Page: page, Size: size})
	if err != nil {
		return err
	}
	items := views(list, manualResponse)
	c.JSON(http.StatusOK, pageOf(items, total, page, size))
	return nil
}

// manualForm is a multipart manual form (readUpload): the text fields by
// their JSON names and the optional file as the content service takes it.
// The caller closes it.
type manualForm struct {
	*uploadForm
	upload *content.Upload
}

func (s *Server) readManualForm(c *gin.Context) (*manualForm, error) {
	u, err := readUpload(c, s.Content.MaxUploadBytes())
	if err != nil {
		return nil, err
	}
	f := &manualForm{uploadForm: u}
	if u.file != nil {
		f.upload = &content.Upload{FileName: u.header.Filename, Content: u.file}
	}
	return f, nil
}

// ptr returns a pointer to a present form value, nil when absent.
func (f *manualForm) ptr(k string) *string {
	v := f.values[k]
	if len(v) == 0 {
		return nil
	}
	return &v[0]
}

func formBool(fields apperr.Fields, k string, v *string) *bool {
	if v == nil {
		return nil
	}
	b, err := strconv.ParseBool(strings.TrimSpace(*v))
	if err != nil {
		fields[k] = apperr.OneOf("true", "false")
		return nil
	}
	return &b
}

func formUint(fields apperr.Fields, k string, v *string) *uint64 {
	if v == nil || strings.TrimSpace(*v) == "" {
		return nil
	}
	n, err := strconv.ParseUint(strings.TrimSpace(*v), 10, 64)
	if err != nil {
		fields[k] = apperr.InvalidFormat(apperr.FormatInteger)
		return nil
	}
	return &n
}

func isMultipart(c *gin.Context) bool {
	return strings.HasPrefix(c.GetHeader("Content-Type"), "multipart/form-data")
}

func (s *Server) createManual(c *gin.Context) error {
	var in content.ManualInput
	if isMultipart(c) {
		f, err := s.readManualForm(c)
		if err != nil {
			return err
		}
		defer f.close()
		fields := apperr.Fields{}
		in = content.ManualInput{Title: f.value("title"), Description: f.value("description"), ModelCode: f.value("model_code"),
			Language: f.value("language"), URL: f.value("url"), File: f.upload,
			ProductCategoryID: formUint(fields, "product_category_id", f.ptr("product_category_id"))}
		if p := formBool(fields, "published", f.ptr("published")); p != nil {
			in.Published = *p
		}
		if len(fields) > 0 {
			return apperr.FieldsErr(fields)
		}
	} else {
		var req ManualRequest
		if err := bindJSON(c, &req); err != nil {
			return err
		}
		in = content.ManualInput{Title: req.Title, Description: req.Description, ProductCategoryID: req.ProductCategoryID, ModelCode: req.ModelCode,
			Language: req.Language, Published: req.Published, URL: req.URL}
	}
	m, err := s.Content.CreateManual(c.Request.Context(), in)
	if err != nil {
		return err
	}
	return respondVersioned(c, http.StatusCreated, m.Version, manualResponse(m))
}

func (s *Server) getManual(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	m, err := s.Content.Manual(c.Request.Context(), id, false)
	if err != nil {
		return err
	}
	return respondVersioned(c, http.StatusOK, m.Version, manualResponse(m))
}

func (s *Server) patchManual(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var p content.ManualPatch
	var bodyVersion int64
	if isMultipart(c) {
		f, err := s.readManualForm(c)
		if err != nil {
			return err
		}
		defer f.close()
		fields := apperr.Fields{}
		p = content.ManualPatch{Title: f.ptr("title"), Description: f.ptr("description"), ModelCode: f.ptr("model_code"), Language: f.ptr("language"),
			URL: f.ptr("url"), File: f.upload, Published: formBool(fields, "published", f.ptr("published"))}
		if v := f.ptr("product_category_id"); v != nil {
			if strings.TrimSpace(*v) == "" {
				zero := uint64(0)
				p.ProductCategoryID = &zero
			} else {
				p.ProductCategoryID = formUint(fields, "product_category_id", v)
			}
		}
		if v := f.ptr("version"); v != nil {
			n, err := strconv.ParseInt(strings.TrimSpace(*v), 10, 64)
			if err != nil || n <= 0 {
				fields["version"] = apperr.InvalidFormat(apperr.FormatPositiveInteger)
			}
			bodyVersion = n
		}
		if len(fields) > 0 {
			return apperr.FieldsErr(fields)
		}
	} else {
		var req PatchManualRequest
		if err := bindJSON(c, &req); err != nil {
			return err
		}
		bodyVersion = req.Version
		p = content.ManualPatch{Title: req.Title, Description: req.Description, ProductCategoryID: req.ProductCategoryID, ModelCode: req.ModelCode,
			Language: req.Language, Published: req.Published, URL: req.URL}
	}
	v, err := requestVersion(c, bodyVersion)
	if err != nil {
		return err
	}
	m, err := s.Content.UpdateManual(c.Request.Context(), id, v, p)
	if err != nil {
		return err
	}
	return respondVersioned(c, http.StatusOK, m.Version, manualResponse(m))
}

func (s *Server) deleteManual(c *gin.Context) error {
	return deleteAtVersion(c, s.Content.DeleteManual)
}

func (s *Server) downloadManual(c *gin.Context) error {
	return s.downloadManualFile(c, false)
}
