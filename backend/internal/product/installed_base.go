package product

import (
	"context"
	"fmt"
	"time"
)

// installedBaseTTL: the count changes slowly and COUNT(*) over millions of
// InnoDB rows is not free, so callers (the complaint-rate denominator) get a
// cached figure at most this old.
const installedBaseTTL = 10 * time.Minute

// InstalledBase counts the registered units, the denominator of rates per
// installed unit (complaints per unit). Cached for installedBaseTTL.
func (s *Service) InstalledBase(ctx context.Context) (int64, error) {
	s.baseMu.Lock()
	defer s.baseMu.Unlock()
	if !s.baseAt.IsZero() && time.Since(s.baseAt) < installedBaseTTL {
		return s.baseCount, nil
	}
	var n int64
	if err := s.o.DB.WithContext(ctx).Model(&Unit{}).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("product: count installed base: %w", err)
	}
	s.baseCount, s.baseAt = n, time.Now()
	return n, nil
}
