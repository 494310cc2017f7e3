package demo

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/aftersales/aftersales/backend/internal/actor"
	"github.com/aftersales/aftersales/backend/internal/content"
	"github.com/aftersales/aftersales/backend/internal/product"
)

// ContentDeps are the services the FAQ and manuals demo uses.
type ContentDeps struct {
	Content  *content.Service
	Products *product.Service
}

// demoFaq is the demo enterprise's FAQ: what callers ask most, by topic.
// Category codes refer to DemoCatalog ("" applies to every product).
var demoFaq = []struct {
	Topic, Category, Title, Body string
}{
	{"保修政策", "", "三包有效期从哪天开始计算？", "三包有效期自开具发票之日起计算；没有发票的，以产品上的生产日期推算（生产日期后 90 天起算）。\n\n请妥善保管购机发票，报修时提供发票照片即可。"},
	{"保修政策", "", "哪些情况不在免费保修范围内？", "以下情况不属于三包免费范围：\n- 超过三包有效期；\n- 未按说明书使用、维护、保管造成的损坏；\n- 非本公司授权网点拆动、维修造成的损坏；\n- 无有效发票和三包凭证且无法确认购机时间；\n- 因不可抗力造成的损坏。\n\n超出三包范围的维修，按公布的收费标准收费，施工前须经您确认报价。"},
	{"保修政策", "", "修了两次还没修好，可以换货吗？", "在三包有效期内，因同一性能故障经两次修理仍不能正常使用的，可凭维修记录免费调换同型号同规格产品或退货。请拨打服务热线或在线提交服务申请，客服会为您核实维修记录。"},
	{"报修与上门", "", "报修后多久有人联系我？", "提交申请后，服务网点一般会在 2 个工作小时内与您电话联系，确认上门时间。城区一般在 24 小时内上门，偏远地区会在联系时告知预计时间。"},
	{"报修与上门", "", "怎样查询维修进度？", "在本页面选择“查询进度”，输入工单号和报修时留的手机号即可查看处理进度和上门预约时间。工单号会在提交报修后显示，并通过短信发送给您。"},
	{"报修与上门", "", "上门服务收费吗？", "三包有效期内的维修，上门费、工时费和零件费全免。超出三包期的，按公布的收费标准收费，技师上门后会先检测并报价，您确认后才开始维修。"},
	{"使用与保养", "AC", "空调不制冷怎么办？", "请先检查：\n1. 遥控器是否设为“制冷”模式，设定温度是否低于室温；\n2. 过滤网是否过脏（建议每两周清洗一次）；\n3. 室外机周围是否有遮挡物影响散热。\n\n检查后仍不制冷，请提交报修。"},
	{"使用与保养", "AC", "空调显示 E1 / E2 故障代码是什么意思？", "E1 一般表示室内温度传感器异常，E2 表示室内盘管温度传感器异常。请断电 5 分钟后重新开机；如仍显示故障代码，请报修并告知代码，技师会携带相应配件上门。"},
	{"使用与保养", "WM", "滚筒洗衣机门打不开？", "洗涤结束后门锁有约 2 分钟的安全延时，请稍候再开。若桶内仍有积水，门锁不会打开，请先运行“单脱水”程序排水。"},
	{"使用与保养", "REF", "冰箱冷藏室结冰怎么办？", "冷藏室后壁少量结霜属正常现象。若结冰严重，请检查门封是否贴合、是否频繁开门，并把温度调高 1–2 档；仍无改善请报修。"},
	{"使用与保养", "WH", "热水器需要多久清洗一次内胆？", "建议每 1–2 年清洗一次内胆、每 2–3 年检查更换镁棒，水质较硬的地区应缩短周期。清洗和更换镁棒属于保养服务，可在线预约。"},
	{"安装", "", "新买的空调、热水器需要自己找人安装吗？", "不需要。购买需要安装的产品后，提交“安装”类服务申请，授权网点会联系您预约安装时间，标准安装免费，辅材按收费标准收取。"},
}

// demoManuals are the demo manuals: per model code of DemoCatalog, a small
// generated PDF (the real ones would be uploaded by the admin).
var demoManuals = []struct {
	Category, Model, Title, Description string
}{
	{"AC", "KFR-35GW/JY1", "静悦 1.5匹 变频挂机 使用说明书", "安装、使用、清洁保养与故障代码说明"},
	{"AC", "KFR-72LW/YF5", "悦风 3匹 变频柜机 使用说明书", "含室外机安装要求与遥控器说明"},
	{"WM", "XQG100-BD14", "10公斤 滚筒洗衣机 使用说明书", "洗涤程序、童锁、筒自洁与故障排除"},
	{"REF", "BCD-405WSP", "405升 十字对开门冰箱 使用说明书", "温区设置、除味与节能建议"},
	{"WH", "JSQ25-13T3", "13升 零冷水燃气热水器 安装使用说明书", "燃气安全、安装位置与冬季防冻"},
	{"", "", "三包服务政策说明", "三包有效期、免费范围与收费标准说明"},
}

// SeedContent publishes the demo FAQ and manuals. It does nothing when
// articles exist already. Products must be seeded first (articles and
// manuals name a product category). Unlike bulk history, these are few
// and go through the service, so they carry audit records like any
// admin's edit would.
func SeedContent(ctx context.Context, d ContentDeps) error {
	ctx = actor.With(ctx, actor.System("seed"))
	_, total, err := d.Content.ListArticles(ctx, content.ArticleFilter{Size: 1})
	if err != nil {
		return err
	}
	if total > 0 {
		return nil
	}
	cats := map[string]*uint64{"": nil}
	for _, c := range DemoCatalog {
		cat, err := d.Products.CategoryByCode(ctx, c.Code)
		if err != nil {
			return fmt.Errorf("demo content: category %s: %w", c.Code, err)
		}
		id := cat.ID
		cats[c.Code] = &id
	}
	for i, a := range demoFaq {
		if _, err := d.Content.CreateArticle(ctx, content.ArticleInput{Title: a.Title, Body: a.Body, Topic: a.Topic,
			ProductCategoryID: cats[a.Category], SortOrder: i, Published: true}); err != nil {
			return fmt.Errorf("demo faq %q: %w", a.Title, err)
		}
	}
	for _, m := range demoManuals {
		file := demoManualPDF(m.Model)
		name := "manual.pdf"
		if m.Model != "" {
			name = strings.ReplaceAll(m.Model, "/", "-") + ".pdf"
		}
		if _, err := d.Content.CreateManual(ctx, content.ManualInput{Title: m.Title, Description: m.Description, ProductCategoryID: cats[m.Category],
			ModelCode: m.Model, Published: true, File: &content.Upload{FileName: name, Content: bytes.NewReader(file)}}); err != nil {
			return fmt.Errorf("demo manual %q: %w", m.Title, err)
		}
	}
	return nil
}

// demoManualPDF makes a one-page PDF naming the model (ASCII text with a
// standard font: the demo files only have to open, not to be read).
func demoManualPDF(model string) []byte {
	line := "Demo manual " + model
	if model == "" {
		line = "Demo service policy"
	}
	stream := fmt.Sprintf("BT /F1 18 Tf 72 720 Td (%s) Tj ET", line)
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(stream), stream),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}
