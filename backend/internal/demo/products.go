package demo

import (
	"context"
	"fmt"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/apperr"
	"github.com/aftersales/aftersales/backend/internal/product"
)

// ProductDeps are the services the product demo uses.
type ProductDeps struct {
	Products *product.Service
}

// DemoCategory is a demo product category with its models. Share is its
// weight among the units sold (how common the category is in a household
// appliance maker's installed base).
type DemoCategory struct {
	Code, Name string
	Share      int
	// Overrides of the 三包 defaults for the whole category (nil: default).
	RepairWarrantyMonths *int
	Models               []DemoModel
	// Installed says whether units are installed by a technician (空调,
	// 热水器, 油烟机 …), so the demo gives them an installation time.
	Installed bool
}

// DemoModel is a demo product model. SerialPrefix starts its units' serial
// numbers.
type DemoModel struct {
	Code, Name, SerialPrefix string
	// RepairWarrantyMonths overrides the category (nil: inherit), e.g. a
	// premium line sold with 六年包修.
	RepairWarrantyMonths *int
}

func catalogMonths(n int) *int { return &n }

// DemoCatalog is the demo enterprise's product range: a household
// appliance maker. The policies follow the 三包 defaults (7 / 15 days,
// 12 months, replacement after 2 failed repairs) except where a real maker
// would promise more.
var DemoCatalog = []DemoCategory{
	{Code: "AC", Name: "空调", Share: 25, Installed: true, Models: []DemoModel{
		{"KFR-26GW/JY1", "静悦 大1匹 新一级能效 变频冷暖挂机", "AC26", nil},
		{"KFR-35GW/JY1", "静悦 1.5匹 新一级能效 变频冷暖挂机", "AC35", nil},
		{"KFR-35GW/ZQ3", "智清 1.5匹 自清洁 变频冷暖挂机（六年包修）", "AZ35", catalogMonths(72)},
		{"KFR-72LW/YF5", "悦风 3匹 新一级能效 变频冷暖柜机（六年包修）", "AL72", catalogMonths(72)},
		{"KFR-120W/QS1", "清爽 5匹 家用中央空调 风管机", "AD12", catalogMonths(36)},
	}},
	{Code: "REF", Name: "冰箱", Share: 18, RepairWarrantyMonths: catalogMonths(36), Models: []DemoModel{
		{"BCD-215WDP", "215升 三门 风冷无霜冰箱", "RF21", nil},
		{"BCD-405WSP", "405升 十字对开门 变频冰箱", "RF40", nil},
		{"BCD-520WKPZ", "520升 对开门 一级能效冰箱", "RF52", nil},
		{"BC-93L", "93升 单门小冰箱", "RF09", catalogMonths(12)},
	}},
	{Code: "WM", Name: "洗衣机", Share: 18, Models: []DemoModel{
		{"XQG100-BD14", "10公斤 滚筒洗衣机 直驱变频", "WG10", nil},
		{"XQB80-Q1", "8公斤 全自动波轮洗衣机", "WB08", nil},
		{"XQG100-HBD14", "10公斤 洗烘一体机", "WH10", catalogMonths(24)},
	}},
	{Code: "WH", Name: "热水器", Share: 12, Installed: true, Models: []DemoModel{
		{"F60-21A1", "60升 储水式电热水器 2100W", "EH60", nil},
		{"JSQ25-13T3", "13升 零冷水燃气热水器", "GH13", nil},
		{"KF150-200L", "200升 空气能热水器", "HP20", catalogMonths(36)},
	}},
	{Code: "TV", Name: "电视", Share: 12, Models: []DemoModel{
		{"55E3K", "55英寸 4K超高清 智能电视", "TV55", nil},
		{"65E7N", "65英寸 Mini LED 电视（面板三年保）", "TV65", catalogMonths(36)},
		{"75V5", "75英寸 巨幕游戏电视", "TV75", nil},
	}},
	{Code: "HOOD", Name: "油烟机", Share: 8, Installed: true, Models: []DemoModel{
		{"CXW-260-T1", "侧吸式油烟机 21立方", "HD26", nil},
		{"CXW-290-J8", "顶侧双吸油烟机 25立方", "HD29", nil},
	}},
	{Code: "HOB", Name: "燃气灶", Share: 4, Installed: true, Models: []DemoModel{
		{"JZT-Q216B", "天然气 嵌入式双眼燃气灶", "GS21", nil},
		{"JZT-Q358", "天然气 5.0kW 猛火燃气灶", "GS35", nil},
	}},
	{Code: "DW", Name: "洗碗机", Share: 3, Installed: true, Models: []DemoModel{
		{"WQP12-W3", "13套 嵌入式洗碗机", "DW13", nil},
		{"WQP8-D1", "8套 台嵌两用洗碗机", "DW08", nil},
	}},
}

// SeedProducts creates the demo catalogue's categories and models that are
// missing, through the product service (so with audit records: they are
// master data an administrator would enter). It is idempotent.
func SeedProducts(ctx context.Context, d ProductDeps) error {
	ctx = actor.With(ctx, actor.System("seed"))
	for _, dc := range DemoCatalog {
		cat, err := d.Products.CategoryByCode(ctx, dc.Code)
		if apperr.IsKind(err, apperr.KindNotFound) {
			cat, err = d.Products.CreateCategory(ctx, product.NewCategory{Code: dc.Code, Name: dc.Name,
				Policy: product.PolicyInput{RepairWarrantyMonths: dc.RepairWarrantyMonths}})
		}
		if err != nil {
			return fmt.Errorf("category %s: %w", dc.Code, err)
		}
		existing, _, err := d.Products.Models(ctx, product.ModelFilter{CategoryID: cat.ID, Size: product.MaxModelPageSize})
		if err != nil {
			return fmt.Errorf("models of %s: %w", dc.Code, err)
		}
		have := map[string]bool{}
		for _, m := range existing {
			have[m.Code] = true
		}
		for _, dm := range dc.Models {
			if have[dm.Code] {
				continue
			}
			if _, err := d.Products.CreateModel(ctx, product.NewModel{Code: dm.Code, Name: dm.Name, CategoryID: cat.ID,
				Overrides: product.PolicyInput{RepairWarrantyMonths: dm.RepairWarrantyMonths}}); err != nil {
				return fmt.Errorf("model %s: %w", dm.Code, err)
			}
		}
	}
	return nil
}

// catalogModel is a seeded model with what the unit generator needs.
type catalogModel struct {
	id        uint64
	prefix    string
	installed bool
}

// catalogModels loads the seeded demo models, grouped by category in
// DemoCatalog order, with the category shares as weights.
func catalogModels(ctx context.Context, ps *product.Service) ([][]catalogModel, []int, error) {
	var groups [][]catalogModel
	var weights []int
	for _, dc := range DemoCatalog {
		cat, err := ps.CategoryByCode(ctx, dc.Code)
		if err != nil {
			return nil, nil, fmt.Errorf("category %s (seed products first): %w", dc.Code, err)
		}
		ms, _, err := ps.Models(ctx, product.ModelFilter{CategoryID: cat.ID, Size: product.MaxModelPageSize})
		if err != nil {
			return nil, nil, err
		}
		byCode := map[string]uint64{}
		for _, m := range ms {
			byCode[m.Code] = m.ID
		}
		var g []catalogModel
		for _, dm := range dc.Models {
			if id, ok := byCode[dm.Code]; ok {
				g = append(g, catalogModel{id: id, prefix: dm.SerialPrefix, installed: dc.Installed})
			}
		}
		if len(g) == 0 {
			return nil, nil, fmt.Errorf("category %s has none of the demo models (seed products first)", dc.Code)
		}
		groups = append(groups, g)
		weights = append(weights, dc.Share)
	}
	return groups, weights, nil
}
