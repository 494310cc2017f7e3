package app

import (
	"context"

	"github.com/aftersales/aftersales/backend/internal/attachment"
)

// wireMasterData registers, with the customer domain, every domain whose
// rows name a customer (a merge moves them; an erasure anonymises the
// personal data they keep), and gives the product domain the attachment
// check for cited proofs (issue 12 §2). A new table with a customer_id
// column needs its domain registered here; TestMergeMovesEveryCustomerRow
// fails otherwise.
func (a *App) wireMasterData() {
	c := a.Customers
	c.AddHolder("units", a.Products)
	c.AddHolder("tickets", a.Tickets)
	c.AddHolder("work_orders", a.WorkOrders)
	c.AddHolder("complaints", a.Complaints)
	c.AddHolder("surveys", a.Surveys)
	c.AddHolder("repairs", a.Repairs)
	c.AddHolder("returns", a.Returns)
	c.AddHolder("recalls", a.Recalls)
	c.AddHolder("messages", a.Messages)
	c.AddEraser("work_orders", a.WorkOrders)
	c.AddEraser("messages", a.Messages)
	a.Products.SetProofs(attachmentProofs{a.Attachments})
}

// attachmentProofs adapts the attachments service to product.Proofs.
type attachmentProofs struct{ s *attachment.Service }

func (p attachmentProofs) ProofExists(ctx context.Context, id uint64) error {
	_, err := p.s.ByID(ctx, id)
	return err
}
