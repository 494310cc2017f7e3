package content_test

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/audit"
	"github.com/aftersales/aftersales/backend/internal/content"
	"github.com/aftersales/aftersales/backend/internal/testutil"
)

var pdf = []byte("%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")

func newService(t *testing.T, db *gorm.DB) (*content.Service, context.Context, string) {
	dir := t.TempDir()
	now := time.Date(2026, 11, 26, 2, 0, 0, 0, time.UTC)
	svc := content.New(content.Options{DB: db, Audit: audit.New(nil), StorageDir: dir, MaxUploadBytes: 1024, Now: func() time.Time { return now },
		Categories: func(_ context.Context, id uint64) error {
			if id != 1 {
				return apperr.NotFound("product_category")
			}
			return nil
		}})
	return svc, actor.With(context.Background(), actor.Actor{UserID: 1, Username: "admin", Roles: []string{"admin"}}), dir
}

func fields(err error) apperr.Fields {
	e := apperr.As(err)
	if e.Kind != apperr.KindValidation {
		return nil
	}
	return e.Fields
}

func TestArticles(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		svc, ctx, _ := newService(t, db)
		bad := uint64(9)
		_, err := svc.CreateArticle(ctx, content.ArticleInput{Title: " ", Body: "", ProductCategoryID: &bad})
		if f := fields(err); f["title"].Code == "" || f["body"].Code == "" || f["product_category_id"].Code == "" {
			t.Fatalf("bad input accepted: %v %v", err, f)
		}
		one := uint64(1)
		draft, err := svc.CreateArticle(ctx, content.ArticleInput{Title: "空调不制冷怎么办？", Body: "请先检查遥控器模式是否为制冷。", Topic: "使用与保养",
			ProductCategoryID: &one})
		if err != nil {
			t.Fatal(err)
		}
		pub, err := svc.CreateArticle(ctx, content.ArticleInput{Title: "三包有效期怎么计算？", Body: "自开具发票之日起计算。", Topic: "保修政策",
			Published: true, SortOrder: 1})
		if err != nil || pub.PublishedAt == nil {
			t.Fatalf("publish on create: %v %+v", err, pub)
		}
		// The public list shows only published articles; the admin list all.
		list, total, err := svc.ListArticles(ctx, content.ArticleFilter{PublishedOnly: true})
		if err != nil || total != 1 || len(list) != 1 || list[0].ID != pub.ID {
			t.Fatalf("public list: %v %d %+v", err, total, list)
		}
		if _, total, _ := svc.ListArticles(ctx, content.ArticleFilter{}); total != 2 {
			t.Fatalf("admin list total %d", total)
		}
		if _, total, _ := svc.ListArticles(ctx, content.ArticleFilter{Query: "100%_!"}); total != 0 {
			t.Fatalf("wildcards must match literally, got %d", total)
		}
		if list, _, _ := svc.ListArticles(ctx, content.ArticleFilter{Query: "不制冷"}); len(list) != 1 || list[0].ID != draft.ID {
			t.Fatalf("title search: %+v", list)
		}
		if _, err := svc.Article(ctx, draft.ID, true); !apperr.IsKind(err, apperr.KindNotFound) {
			t.Fatalf("a draft is not public: %v", err)
		}
		// Publish the draft; a stale version is a conflict.
		yes := true
		up, err := svc.UpdateArticle(ctx, draft.ID, draft.Version, content.ArticlePatch{Published: &yes})
		if err != nil || !up.Published || up.Version != 2 || up.PublishedAt == nil {
			t.Fatalf("publish: %v %+v", err, up)
		}
		if _, err := svc.UpdateArticle(ctx, draft.ID, 1, content.ArticlePatch{Published: &yes}); apperr.As(err).Code != "version_conflict" {
			t.Fatalf("stale version: %v", err)
		}
		if _, err := svc.UpdateArticle(ctx, draft.ID, 0, content.ArticlePatch{}); fields(err)["version"].Code == "" {
			t.Fatalf("version required: %v", err)
		}
		zero := uint64(0)
		up, err = svc.UpdateArticle(ctx, draft.ID, 2, content.ArticlePatch{ProductCategoryID: &zero})
		if err != nil || up.ProductCategoryID != nil {
			t.Fatalf("clear category: %v %+v", err, up)
		}
		if list, _, _ := svc.ListArticles(ctx, content.ArticleFilter{PublishedOnly: true, ProductCategoryID: 1}); len(list) != 2 {
			t.Fatalf("general articles show for every category: %d", len(list))
		}
		if err := svc.DeleteArticle(ctx, pub.ID, 1); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Article(ctx, pub.ID, false); !apperr.IsKind(err, apperr.KindNotFound) {
			t.Fatalf("deleted: %v", err)
		}
		var n int64
		db.Table("audit_records").Where("entity = ?", "faq_article").Count(&n)
		if n != 5 {
			t.Fatalf("audit records %d, want 5 (2 create, 2 update, 1 delete)", n)
		}
	})
}

func TestManuals(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		svc, ctx, dir := newService(t, db)
		cases := []struct {
			name string
			in   content.ManualInput
			want string
			// kind is the error's kind when not a 422 (the shared file
			// store answers 415 for a refused type, 413 for a big file).
			kind apperr.Kind
		}{
			{"no title", content.ManualInput{URL: "https://example.com/a.pdf"}, "title", ""},
			{"neither", content.ManualInput{Title: "说明书"}, "url", ""},
			{"ftp link", content.ManualInput{Title: "说明书", URL: "ftp://example.com/a.pdf"}, "url", ""},
			{"both", content.ManualInput{Title: "说明书", URL: "https://x.cn/a.pdf", File: &content.Upload{FileName: "a.pdf", Content: bytes.NewReader(pdf)}}, "url", ""},
			{"exe", content.ManualInput{Title: "说明书", File: &content.Upload{FileName: "a.exe", Content: bytes.NewReader([]byte("MZ"))}}, "file", apperr.KindUnsupported},
			{"lying pdf", content.ManualInput{Title: "说明书", File: &content.Upload{FileName: "a.pdf", Content: strings.NewReader("hello, not a pdf")}}, "file", apperr.KindUnsupported},
			{"too big", content.ManualInput{Title: "说明书", File: &content.Upload{FileName: "a.pdf", Content: bytes.NewReader(append(append([]byte{}, pdf...), bytes.Repeat([]byte("x"), 2048)...))}}, "file", apperr.KindTooLarge},
			{"empty", content.ManualInput{Title: "说明书", File: &content.Upload{FileName: "a.pdf", Content: bytes.NewReader(nil)}}, "file", ""},
		}
		for _, c := range cases {
			_, err := svc.CreateManual(ctx, c.in)
			if c.kind == "" {
				c.kind = apperr.KindValidation
			}
			if e := apperr.As(err); err == nil || e.Kind != c.kind || e.Fields[c.want].Code == "" {
				t.Errorf("%s: want %s on %s, got %v", c.name, c.kind, c.want, err)
			}
		}
		link, err := svc.CreateManual(ctx, content.ManualInput{Title: "KFR-35GW 安装说明", URL: "https://cdn.example.com/kfr35.pdf", ModelCode: "KFR-35GW", Published: true})
		if err != nil || link.Source != content.SourceURL {
			t.Fatalf("link manual: %v %+v", err, link)
		}
		if _, _, err := svc.ManualFile(ctx, link.ID, true); !apperr.IsKind(err, apperr.KindNotFound) {
			t.Fatalf("a link manual has no file: %v", err)
		}
		file, err := svc.CreateManual(ctx, content.ManualInput{Title: "洗衣机使用说明书", File: &content.Upload{FileName: `C:\docs\wash.pdf`, Content: bytes.NewReader(pdf)}})
		if err != nil || file.Source != content.SourceFile || file.FileName != "wash.pdf" || file.Size != int64(len(pdf)) || file.ContentType != "application/pdf" {
			t.Fatalf("file manual: %v %+v", err, file)
		}
		if _, _, err := svc.ManualFile(ctx, file.ID, true); !apperr.IsKind(err, apperr.KindNotFound) {
			t.Fatalf("an unpublished manual is not public: %v", err)
		}
		m, path, err := svc.ManualFile(ctx, file.ID, false)
		if err != nil || !strings.HasPrefix(path, dir) {
			t.Fatalf("file path: %v %q", err, path)
		}
		if b, _ := os.ReadFile(path); !bytes.Equal(b, pdf) {
			t.Fatal("stored content differs")
		}
		list, total, err := svc.ListManuals(ctx, content.ManualFilter{PublishedOnly: true, ModelCode: "KFR-35GW"})
		if err != nil || total != 1 || list[0].ID != link.ID {
			t.Fatalf("public manuals: %v %d", err, total)
		}
		// Switching the file manual to a link removes the now unused file.
		u := "https://cdn.example.com/wash.pdf"
		m, err = svc.UpdateManual(ctx, m.ID, m.Version, content.ManualPatch{URL: &u})
		if err != nil || m.Source != content.SourceURL || m.StorageKey != "" {
			t.Fatalf("to link: %v %+v", err, m)
		}
		if _, err := os.Stat(path); !os.IsNotExist(err) {
			t.Fatalf("unused file kept: %v", err)
		}
		// And back to a file.
		m, err = svc.UpdateManual(ctx, m.ID, m.Version, content.ManualPatch{File: &content.Upload{FileName: "wash-v2.pdf", Content: bytes.NewReader(pdf)}})
		if err != nil || m.Source != content.SourceFile || m.URL != "" || m.Version != 3 {
			t.Fatalf("to file: %v %+v", err, m)
		}
		if _, err := svc.UpdateManual(ctx, m.ID, 1, content.ManualPatch{}); apperr.As(err).Code != "version_conflict" {
			t.Fatalf("stale: %v", err)
		}
		if err := svc.DeleteManual(ctx, m.ID, m.Version); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(path); !os.IsNotExist(err) {
			t.Fatalf("deleted manual's file kept: %v", err)
		}
	})
}
