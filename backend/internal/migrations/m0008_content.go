package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// m0008Content creates the FAQ articles and product manuals that the
// customer's public pages publish (package content). Why: customers ask the
// same questions and look for the same manuals; answering them on the
// public pages takes load off the hotline.
func m0008Content() *gormigrate.Migration {
	type FaqArticle struct {
		ID                uint64  `gorm:"primaryKey"`
		Title             string  `gorm:"size:200;not null"`
		Body              string  `gorm:"type:text;not null"`
		Topic             string  `gorm:"size:64;not null;default:''"`
		ProductCategoryID *uint64 `gorm:"index"`
		SortOrder         int     `gorm:"not null;default:0;index:ix_faq_published_order,priority:2"`
		Published         bool    `gorm:"not null;default:false;index:ix_faq_published_order,priority:1"`
		PublishedAt       *time.Time
		Version           int64     `gorm:"not null;default:1"`
		CreatedAt         time.Time `gorm:"not null"`
		UpdatedAt         time.Time `gorm:"not null"`
	}
	type ProductManual struct {
		ID                uint64  `gorm:"primaryKey"`
		Title             string  `gorm:"size:200;not null"`
		Description       string  `gorm:"size:1000;not null;default:''"`
		ProductCategoryID *uint64 `gorm:"index"`
		ModelCode         string  `gorm:"size:64;not null;default:'';index"`
		Language          string  `gorm:"size:16;not null;default:'zh-CN'"`
		Source            string  `gorm:"size:8;not null"`
		URL               string  `gorm:"size:1000;not null;default:''"`
		FileName          string  `gorm:"size:255;not null;default:''"`
		ContentType       string  `gorm:"size:128;not null;default:''"`
		Size              int64   `gorm:"not null;default:0"`
		SHA256            string  `gorm:"column:sha256;size:64;not null;default:''"`
		StorageKey        string  `gorm:"size:255;not null;default:''"`
		Published         bool    `gorm:"not null;default:false;index"`
		PublishedAt       *time.Time
		Version           int64     `gorm:"not null;default:1"`
		CreatedAt         time.Time `gorm:"not null"`
		UpdatedAt         time.Time `gorm:"not null"`
	}
	return &gormigrate.Migration{
		ID: "0008_content",
		Migrate: func(tx *gorm.DB) error {
			return tx.AutoMigrate(&FaqArticle{}, &ProductManual{})
		},
	}
}
