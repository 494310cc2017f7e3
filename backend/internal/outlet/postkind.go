package outlet

import (
	"slices"
	"sort"
	"strings"
	"time"
)

// Post kinds. A post is free text (an enterprise has its own titles); each
// title maps to a configured kind (staff.post_kinds), and qualification
// rules attach to the kind, never to the exact text: a 上门维修工程师 with an
// expired electrician certificate is a technician like a 维修技师.
const (
	KindTechnician    = "technician"
	KindInstaller     = "installer"
	KindOutletManager = "outlet_manager"
	KindAgent         = "agent"
	KindManager       = "manager"
	KindQuality       = "quality"
	KindTrainer       = "trainer"
)

// PostKinds lists the kinds a post may map to.
var PostKinds = []string{KindTechnician, KindInstaller, KindOutletManager, KindAgent, KindManager, KindQuality, KindTrainer}

// FieldKinds are the kinds that go on site: they can be assigned a work
// order and need a valid trade certificate (GB/T 27922 5.1.2.1).
var FieldKinds = []string{KindTechnician, KindInstaller}

// DefaultPostTitles maps each kind to the post titles known out of the box
// (config staff.post_kinds.<kind>, comma-separated, replaces a kind's list).
func DefaultPostTitles() map[string]string {
	return map[string]string{
		KindTechnician:    "维修技师,上门维修工程师,维修工程师,维修工,服务工程师,技术员",
		KindInstaller:     "安装工,安装技师,安装工程师",
		KindOutletManager: "网点经理,网点负责人,站长",
		KindAgent:         "客服专员,客服,热线坐席,接线员",
		KindManager:       "售后经理,售后主管,服务经理,售后总监",
		KindQuality:       "质量专员,质量经理,质检员",
		KindTrainer:       "培训专员,培训师",
	}
}

// PostIndex resolves post titles to kinds.
type PostIndex map[string]string

// NewPostIndex builds the title → kind index from kind → comma-separated
// titles; unknown kinds are skipped and reported.
func NewPostIndex(titles map[string]string) (PostIndex, []string) {
	idx := PostIndex{}
	var bad []string
	for kind, list := range titles {
		if !slices.Contains(PostKinds, kind) {
			bad = append(bad, kind)
			continue
		}
		for _, t := range strings.Split(list, ",") {
			if t = strings.TrimSpace(t); t != "" {
				idx[t] = kind
			}
		}
	}
	sort.Strings(bad)
	return idx, bad
}

// Kind returns the kind of a post title, "" when the title is not mapped.
func (p PostIndex) Kind(post string) string { return p[strings.TrimSpace(post)] }

// Titles lists the known titles, sorted.
func (p PostIndex) Titles() []string {
	out := make([]string, 0, len(p))
	for t := range p {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// postIndex is the service's index (the defaults when none is configured).
func (s *Service) postIndex() PostIndex {
	if s.o.PostKinds != nil {
		return s.o.PostKinds
	}
	idx, _ := NewPostIndex(DefaultPostTitles())
	return idx
}

// ManagerCertificateEnd is the last valid day of a 售后服务管理师
// certificate issued on a date: issue date + validYears, less one day.
func ManagerCertificateEnd(issued time.Time, validYears int) time.Time {
	if validYears <= 0 {
		validYears = DefaultManagerValidYears
	}
	return issued.AddDate(validYears, 0, -1)
}

// DefaultManagerValidYears is how long a 售后服务管理师 certificate is valid
// under the scheme (config certificates.manager.valid_years).
const DefaultManagerValidYears = 3
