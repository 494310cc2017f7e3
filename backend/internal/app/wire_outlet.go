package app

import (
	"context"
	"strconv"
	"strings"

	"github.com/aftersales/aftersales/backend/internal/auth"
	"github.com/aftersales/aftersales/backend/internal/outlet"
	"github.com/aftersales/aftersales/backend/internal/product"
)

// outletCategories adapts the product catalogue to the outlet service's
// category resolver: a reference is a category id or its code
// (case-insensitive). The catalogue holds tens of categories, so one read
// per call is cheap.
func outletCategories(p *product.Service) outlet.CategoryResolver {
	return func(ctx context.Context, refs []string) (map[string]uint64, error) {
		cats, err := p.Categories(ctx)
		if err != nil {
			return nil, err
		}
		known := make(map[string]uint64, 2*len(cats))
		for _, c := range cats {
			known[strconv.FormatUint(c.ID, 10)] = c.ID
			known[strings.ToUpper(c.Code)] = c.ID
		}
		out := make(map[string]uint64, len(refs))
		for _, r := range refs {
			if id, ok := known[strings.ToUpper(strings.TrimSpace(r))]; ok {
				out[r] = id
			}
		}
		return out, nil
	}
}

// outletUsers adapts the user directory to the outlet service's login check.
func outletUsers(a *auth.Service) outlet.UserLookup {
	return func(ctx context.Context, id uint64) (*uint64, error) {
		u, err := a.GetUser(ctx, id)
		if err != nil {
			return nil, err
		}
		return u.OutletID, nil
	}
}
