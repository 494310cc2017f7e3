package db_test

import (
	"context"
	"testing"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/db"
	"github.com/aftersales/aftersales/backend/internal/testutil"
)

type batchParent struct {
	ID   uint64 `gorm:"primaryKey"`
	Name string `gorm:"size:32;uniqueIndex"`
}

type batchChild struct {
	ID       uint64 `gorm:"primaryKey"`
	ParentID uint64
	Note     *string `gorm:"size:32"`
}

// A batch commits all its statements or none: a failing statement in the
// second round trip leaves nothing behind (MySQL stops a multi-statement
// query at its first error, inside the open transaction), its error is the
// statement's own, and the pool's connections work afterwards.
func TestBatchCommitsAllOrNothing(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, g *gorm.DB) {
		if err := g.AutoMigrate(&batchParent{}, &batchChild{}); err != nil {
			t.Fatal(err)
		}
		b := db.NewBatcher(g)
		defer b.Close()
		if db.IsMySQL(g) != b.Batched() {
			t.Fatalf("batched %v on %s", b.Batched(), g.Dialector.Name())
		}
		ctx := context.Background()
		note := "n"
		children := func(id uint64) ([]db.Stmt, error) {
			return []db.Stmt{
				db.InsertRows("batch_children", []string{"parent_id", "note"}, []any{id, &note}, []any{id, (*string)(nil)}),
				db.Insert("batch_children", []string{"parent_id", "note"}, id, "third"),
			}, nil
		}
		id, ids, err := b.Tx(ctx, db.Insert("batch_parents", []string{"name"}, "a"), children)
		if err != nil {
			t.Fatal(err)
		}
		if len(ids) != 2 || ids[0] == 0 || ids[1] <= ids[0] {
			t.Fatalf("ids of the statements: %v", ids)
		}
		var kids []batchChild
		g.Where("parent_id = ?", id).Order("id").Find(&kids)
		if len(kids) != 3 || kids[0].Note == nil || *kids[0].Note != "n" || kids[1].Note != nil || kids[2].ID != ids[1] {
			t.Fatalf("children written: %+v", kids)
		}
		// The second round trip fails on its last statement: the parent
		// and the children before it are rolled back.
		_, _, err = b.Tx(ctx, db.Insert("batch_parents", []string{"name"}, "b"), func(id uint64) ([]db.Stmt, error) {
			return []db.Stmt{
				db.Insert("batch_children", []string{"parent_id", "note"}, id, "kept?"),
				db.Insert("batch_parents", []string{"name"}, "a"),
			}, nil
		})
		if !db.IsDuplicate(err) {
			t.Fatalf("want the duplicate key of the failing statement, got %v", err)
		}
		var parents, all int64
		g.Model(&batchParent{}).Count(&parents)
		g.Model(&batchChild{}).Count(&all)
		if parents != 1 || all != 3 {
			t.Fatalf("after the failed batch: %d parents, %d children; want 1 and 3", parents, all)
		}
		// The first statement failing leaves nothing either, and the next
		// batch on the same pool commits.
		if _, _, err := b.Tx(ctx, db.Insert("batch_parents", []string{"name"}, "a"), children); !db.IsDuplicate(err) {
			t.Fatalf("want a duplicate key, got %v", err)
		}
		if _, _, err := b.Tx(ctx, db.Insert("batch_parents", []string{"name"}, "c"), children); err != nil {
			t.Fatal(err)
		}
		g.Model(&batchParent{}).Count(&parents)
		g.Model(&batchChild{}).Count(&all)
		if parents != 2 || all != 6 {
			t.Fatalf("%d parents, %d children; want 2 and 6", parents, all)
		}
	})
}
