package recall

import (
	"context"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/db"
)

// MoveCustomer implements customer.Holder: a merge of duplicate customers
// gives the duplicate's affected units and notification attempts to the
// survivor.
func (s *Service) MoveCustomer(ctx context.Context, tx *gorm.DB, from, to uint64) (int64, error) {
	var n int64
	for _, m := range []any{&AffectedUnit{}, &Notification{}} {
		k, err := db.Repoint(ctx, tx, m, "customer_id", from, to)
		if err != nil {
			return 0, err
		}
		n += k
	}
	return n, nil
}
