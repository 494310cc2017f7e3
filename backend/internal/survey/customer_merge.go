package survey

import (
	"context"

	"gorm.io/gorm"

	"github.com/aftersales/aftersales/backend/internal/db"
)

// MoveCustomer implements customer.Holder: a merge of duplicate customers
// gives the duplicate's survey invitations, responses and follow-ups to the
// survivor.
func (s *Service) MoveCustomer(ctx context.Context, tx *gorm.DB, from, to uint64) (int64, error) {
	var n int64
	for _, m := range []any{&Invitation{}, &Response{}, &Followup{}} {
		k, err := db.Repoint(ctx, tx, m, "customer_id", from, to)
		if err != nil {
			return 0, err
		}
		n += k
	}
	return n, nil
}
