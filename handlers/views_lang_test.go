package handlers_test

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/bot/slackfake"
	"github.com/leaseline/leaseline/handlers/lang"
	"github.com/leaseline/leaseline/models"
)

// viewAreas are the catalog areas of the commands, App Home, the panel,
// the access points and the account replies.
var viewAreas = []string{"help.", "home.", "commands.", "catalog.", "account."}

// viewEnglishPhrases are the phrases of three words or more of those areas'
// English messages (code in backticks and arguments left out): none of
// them may show in another language.
func viewEnglishPhrases(t *testing.T) []string {
	t.Helper()
	c := lang.MustLoad()
	en := c.For(lang.English)
	code := regexp.MustCompile("`[^`]*`")
	split := regexp.MustCompile(`<no value>|[*_()\n:;.,·…—→"]|\{\{[^}]*\}\}`)
	seen := map[string]bool{}
	var out []string
	for _, id := range c.IDs(lang.English) {
		keep := false
		for _, a := range viewAreas {
			keep = keep || strings.HasPrefix(id, a)
		}
		if !keep {
			continue
		}
		text := en.T(id)
		if text == id {
			text = en.N(id, 2)
		}
		for _, frag := range split.Split(code.ReplaceAllString(text, " "), -1) {
			frag = strings.TrimSpace(frag)
			if strings.Count(frag, " ") >= 2 && !seen[frag] {
				seen[frag] = true
				out = append(out, frag)
			}
		}
	}
	if len(out) < 50 {
		t.Fatalf("only %d English phrases found in the catalogs: the test would not catch much", len(out))
	}
	return out
}

// shownText is what a reader sees of blocks.
func shownText(t *testing.T, blocks []slack.Block) string {
	t.Helper()
	raw, err := json.Marshal(blocks)
	if err != nil {
		t.Fatal(err)
	}
	return slackfake.BlocksText(raw)
}

// assertViewInChinese checks that got has every want and none of the English
// phrases.
func assertViewInChinese(t *testing.T, view, got string, english []string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("%s in zh-CN lacks %q:\n%s", view, w, got)
		}
	}
	for _, s := range english {
		if strings.Contains(got, s) {
			t.Errorf("%s in zh-CN still says %q:\n%s", view, s, got)
		}
	}
}

// TestCommandViewsInChinese renders help, list, show (with its audit
// trail), App Home for a customer and for staff, the access points, the
// panel, the staff commands' replies (credit with the balance, adduser,
// ports, visits) and the low-ports notice in zh-CN: the Chinese words
// are there and no English sentence of those views is left; the same views
// in English keep their words.
func TestCommandViewsInChinese(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		english := viewEnglishPhrases(t)
		zh, en := e.app.ViewsIn(lang.Chinese), e.app.ViewsIn(lang.English)
		acme := customerOf(customerUser, e.acme)
		staff := models.Actor{UserID: staffUser, Role: models.RoleStaff}
		c := e.applyDirect(acme, goodApplication("Hangzhou primary"))
		if _, err := e.store.Act(ctx, staff, c.ID, models.ActInput{Action: models.ActionApprove}); err != nil {
			t.Fatal(err)
		}
		e.applyDirect(acme, goodApplication("Hangzhou backup"))

		help := shownText(t, zh.Help())
		assertViewInChinese(t, "help", help, english,
			"专线接入自助服务", "下一步由谁处理", "*仅限运维人员*", "*运营商*", "申请新接口", "我的物理专线",
			"/leaseline apply", "/leaseline list [--all] [PAGE]", "/leaseline link #CHANNEL customer NAME", "/leaseline ports [ACCESS-POINT]")
		if got := shownText(t, en.Help()); !strings.Contains(got, "who must act next") || !strings.Contains(got, "*Service providers*") {
			t.Errorf("English help changed:\n%s", got)
		}
		assertViewInChinese(t, "unknown command", shownText(t, zh.Unknown("frobnicate")), english, "无法识别", "frobnicate")

		list, err := zh.List(ctx, acme, 1, false)
		if err != nil {
			t.Fatal(err)
		}
		assertViewInChinese(t, "list", shownText(t, list), english,
			"*ACME 的物理专线*，最新的在前", "结束超过 30 天的物理专线未列出", "详情", "Hangzhou primary", "Hangzhou backup")
		if list, err = zh.List(ctx, acme, 2, true); err != nil {
			t.Fatal(err)
		}
		assertViewInChinese(t, "list page 2", shownText(t, list), english, "第 2 页", "包括已结束的物理专线", "没有更多物理专线了。")

		detail, err := zh.Detail(ctx, acme, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		assertViewInChinese(t, "show", shownText(t, detail), english,
			"*操作记录*", "*申请时间*", "*位置*", "客户", "运维人员", "*申请*", "*审批通过*", "→ 申请中", "申请中 → 已审批", "申请人")
		if got := shownText(t, detail); strings.Contains(got, "Audit trail") || strings.Contains(got, " by <@") {
			t.Errorf("show in zh-CN keeps English:\n%s", got)
		}

		home, err := zh.Home(ctx, slackfake.TeamID, customerUser)
		if err != nil {
			t.Fatal(err)
		}
		assertViewInChinese(t, "customer App Home", shownText(t, home), english,
			"leaseline · ACME", "您客户账号下的物理专线", "申请新接口", "咨询", "接入点", "刷新", "详情")
		staffHome, err := zh.Home(ctx, slackfake.TeamID, staffUser)
		if err != nil {
			t.Fatal(err)
		}
		assertViewInChinese(t, "staff App Home", shownText(t, staffHome), english,
			"leaseline · 运维人员", "*等待运维人员处理*：1 项", "*端口*：", "总数", "空闲", "接入点", "刷新")
		nobody, err := zh.Home(ctx, slackfake.TeamID, "UNOBODY1")
		if err != nil {
			t.Fatal(err)
		}
		assertViewInChinese(t, "App Home without an account", shownText(t, nobody), english, "自助办理从您的机房到云的专线", "接入点", "刷新")

		aps, err := zh.AccessPoints(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		assertViewInChinese(t, "access points", shownText(t, aps), english,
			"运营商：", "端口类型：", "已满和已停用的接入点不接受新申请", "*咨询*")
		noRegion, err := zh.AccessPoints(ctx, "atlantis")
		if err != nil {
			t.Fatal(err)
		}
		assertViewInChinese(t, "access points of an unknown region", shownText(t, noRegion), english, "没有地域 `atlantis`", "可选地域")

		assertViewInChinese(t, "panel", shownText(t, zh.Panel(e.acme, 3, 1)), english,
			"*ACME*", "3 条物理专线进行中，*1 条等待您处理*。", "申请新接口", "我的物理专线", "接入点", "咨询", "更新于 now")
		if got := shownText(t, en.Panel(e.acme, 1, 0)); !strings.Contains(got, "1 connection(s) in progress.") {
			t.Errorf("English panel changed:\n%s", got)
		}

		cmd := &slack.SlashCommand{Command: "/leaseline", UserID: staffUser, ChannelID: staffChannel, TeamID: slackfake.TeamID}
		reply := func(run func(*slack.SlashCommand, string), rest string) string {
			t.Helper()
			c := *cmd
			c.ResponseURL = e.slack.ResponseURL("zh-" + rest)
			run(&c, rest)
			return e.lastResponse()
		}
		credit := func(c *slack.SlashCommand, rest string) { zh.Credit(ctx, c, rest) }
		assertViewInChinese(t, "credit", reply(credit, "ACME 5,000"), english, "已为 *ACME* 充值 ¥5,000.00。余额：¥1,005,000.00。")
		assertViewInChinese(t, "credit usage", reply(credit, "ACME"), english, "用法：", "`/leaseline credit NAME AMOUNT`")
		assertViewInChinese(t, "credit of no account", reply(credit, "Initech 10"), english, "没有名为 *Initech* 的客户账号")
		addUser := func(c *slack.SlashCommand, rest string) { zh.AddUser(ctx, c, rest) }
		assertViewInChinese(t, "adduser", reply(addUser, "<@UNEW1|new> ACME"), english, "<@UNEW1> 现在是 *ACME* 的用户")
		ports := func(c *slack.SlashCommand, rest string) { zh.Ports(ctx, c, rest) }
		assertViewInChinese(t, "ports", reply(ports, "ap-cn-hangzhou-yh-b"), english,
			"按接入点和端口类型列出的 *端口*", "`1000Base-T` 总数 48 · 已占用 0 · *空闲 48*", "每台接入设备空闲：", "故障 1")
		assertViewInChinese(t, "ports of no access point", reply(ports, "nowhere"), english, `"nowhere" 不是接入点`)
		visits := func(c *slack.SlashCommand, rest string) { zh.Visits(ctx, c, rest) }
		assertViewInChinese(t, "visits", reply(visits, ""), english, "今天起已预约的机房进场", "没有已预约的机房进场。")
		assertViewInChinese(t, "visits on a day", reply(visits, "2026-12-25"), english, "2026-12-25 已预约的机房进场")
		low, text, err := zh.LowPorts(models.Notice{Kind: models.NoticeLowPorts, Channel: staffChannel,
			Data: `{"access_point_id":"ap-cn-hangzhou-yh-b","access_point":"Hangzhou-Yuhang-B","port_type":"1000Base-T","free":2,"in_use":46,"low_water":4}`})
		if err != nil {
			t.Fatal(err)
		}
		assertViewInChinese(t, "low ports notice", shownText(t, low)+"\n"+text, english,
			"端口即将用尽", "*1000Base-T* 空闲端口仅剩 *2* 个，已占用 46 个", "低水位 4", "此提醒只发送一次")
		enCredit := func(c *slack.SlashCommand, rest string) { en.Credit(ctx, c, rest) }
		if got := reply(enCredit, "ACME 1"); !strings.Contains(got, "Credited CNY 1.00 to *ACME*. Balance: CNY 1,005,001.00.") {
			t.Errorf("English credit reply changed: %s", got)
		}
	})
}

// TestChineseBoldIsSetApart: Slack shows *bold* only when the asterisks
// are not glued to the letters around them, which Chinese, written without
// spaces, would do: in the zh-CN messages of these views a bold span is set
// apart from the Han characters around it.
func TestChineseBoldIsSetApart(t *testing.T) {
	c := lang.MustLoad()
	zh := c.For(lang.Chinese)
	span := regexp.MustCompile(`\*[^*\n]+\*`)
	han := regexp.MustCompile(`\p{Han}`)
	n := 0
	for _, id := range c.IDs(lang.Chinese) {
		keep := false
		for _, a := range viewAreas {
			keep = keep || strings.HasPrefix(id, a)
		}
		if !keep {
			continue
		}
		text := zh.T(id)
		if text == id {
			text = zh.N(id, 2)
		}
		for _, m := range span.FindAllStringIndex(text, -1) {
			n++
			if before := text[:m[0]]; before != "" && han.MatchString(string([]rune(before)[len([]rune(before))-1])) {
				t.Errorf("%s: bold glued to the character before it: %q", id, text)
			}
			if after := text[m[1]:]; after != "" && han.MatchString(string([]rune(after)[0])) {
				t.Errorf("%s: bold glued to the character after it: %q", id, text)
			}
		}
	}
	if n < 10 {
		t.Fatalf("only %d bold spans found: the test reads nothing", n)
	}
}
