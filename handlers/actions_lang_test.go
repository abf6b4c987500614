package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"log/slog"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/BurntSushi/toml"
	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/handlers/lang"
	"github.com/leaseline/leaseline/models"
	"github.com/leaseline/leaseline/models/store"
	"github.com/leaseline/leaseline/models/store/storetest"
)

// The areas this file tests: actions, forms and rules (apply, pay, cancel,
// terminate, … forms; userMessage; the domain's broken rules).

// constructedRules finds, with go/ast, the name of every rule the code in
// dirs constructs: RuleError{Rule: "name"} literals, and calls of the
// helpers that build a RuleError from a rule-name parameter (Validate's
// add, Check's rule) with a literal name.
func constructedRules(t *testing.T, dirs ...string) map[string]string {
	t.Helper()
	rules := map[string]string{}
	fset := token.NewFileSet()
	for _, dir := range dirs {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range files {
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, name, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			// helpers: a function (declared, or a literal assigned to a
			// name) whose RuleError takes its Rule from parameter i.
			helpers := map[string]int{}
			ruleParam := func(ft *ast.FuncType, body *ast.BlockStmt) int {
				params := []string{}
				for _, fld := range ft.Params.List {
					for _, n := range fld.Names {
						params = append(params, n.Name)
					}
				}
				found := -1
				ast.Inspect(body, func(n ast.Node) bool {
					if kv, ok := n.(*ast.KeyValueExpr); ok {
						if k, ok := kv.Key.(*ast.Ident); ok && k.Name == "Rule" {
							if v, ok := kv.Value.(*ast.Ident); ok {
								for i, p := range params {
									if p == v.Name {
										found = i
									}
								}
							}
						}
					}
					return true
				})
				return found
			}
			ast.Inspect(f, func(n ast.Node) bool {
				switch x := n.(type) {
				case *ast.AssignStmt:
					for i, rhs := range x.Rhs {
						if fl, ok := rhs.(*ast.FuncLit); ok && i < len(x.Lhs) {
							if id, ok := x.Lhs[i].(*ast.Ident); ok {
								if p := ruleParam(fl.Type, fl.Body); p >= 0 {
									helpers[id.Name] = p
								}
							}
						}
					}
				case *ast.FuncDecl:
					if x.Body != nil {
						if p := ruleParam(x.Type, x.Body); p >= 0 {
							helpers[x.Name.Name] = p
						}
					}
				case *ast.KeyValueExpr:
					if k, ok := x.Key.(*ast.Ident); ok && k.Name == "Rule" {
						if lit, ok := x.Value.(*ast.BasicLit); ok && lit.Kind == token.STRING {
							s, _ := strconv.Unquote(lit.Value)
							rules[s] = fset.Position(lit.Pos()).String()
						}
					}
				}
				return true
			})
			ast.Inspect(f, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				id, ok := call.Fun.(*ast.Ident)
				if !ok {
					return true
				}
				if i, ok := helpers[id.Name]; ok && i < len(call.Args) {
					if lit, ok := call.Args[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
						s, _ := strconv.Unquote(lit.Value)
						rules[s] = fset.Position(lit.Pos()).String()
					}
				}
				return true
			})
		}
	}
	return rules
}

// Every rule the domain, the store or the handlers construct has a
// message in every catalog: rules.<rule_name_snake>.
func TestEveryRuleHasACatalogMessage(t *testing.T) {
	rules := constructedRules(t, "../models", "../models/store", ".")
	if len(rules) < 40 {
		t.Fatalf("found only %d rules; the AST walk misses some: %v", len(rules), rules)
	}
	c := lang.MustLoad()
	for _, l := range lang.Langs() {
		ids := map[string]bool{}
		for _, id := range c.IDs(l) {
			ids[id] = true
		}
		for rule, at := range rules {
			key := ruleKey(rule)
			want := "rules." + strings.ReplaceAll(rule, "-", "_")
			switch {
			case key == "":
				t.Errorf("rule %q (%s) has no catalog key: add %s to ruleKey and the rules catalogs", rule, at, want)
			case key != want:
				t.Errorf("rule %q has key %q, want %q", rule, key, want)
			case !ids[key]:
				t.Errorf("%s catalog lacks %s (rule of %s)", l, key, at)
			}
		}
	}
}

// ruleSamples are broken rules as the domain builds them.
func ruleSamples(t *testing.T) []*models.RuleError {
	t.Helper()
	var out []*models.RuleError
	add := func(err error) {
		t.Helper()
		rules, ok := asRuleErrors(err)
		if !ok {
			t.Fatalf("%v is not a rule error", err)
		}
		out = append(out, rules...)
	}
	_, err := models.ParseBandwidth("fast")
	add(err)
	_, err = models.ParsePortType("V.35")
	add(err)
	_, err = models.ParsePortType("token ring")
	add(err)
	ap := &models.AccessPoint{ID: "ap-hz", Name: "Hangzhou-Xixi", RegionID: "cn-hangzhou", Status: models.APFull,
		Providers: []models.AccessPointProvider{{ProviderID: "ct"}},
	}
	add(models.Application{Name: "x", ProviderID: "cu", PortType: models.Port100BaseT, BandwidthMbps: 20000}.Validate(models.ApplyContext{
		AccessPoint: ap, Providers: map[string]models.Provider{"ct": {ID: "ct", Name: "China Telecom"}}, Open: 5, MaxOpen: 5,
	}))
	add(models.Application{Name: "ok name", Location: strings.Repeat("x", 300)}.Validate(models.ApplyContext{}))
	add(models.CheckBandwidth(models.Connection{BandwidthMbps: 200, PortType: models.Port1000BaseT}, models.PortOffer{MinMbps: 100, MaxMbps: 1000}, 200))
	add(models.CheckBandwidth(models.Connection{BandwidthMbps: 200, PortType: models.Port1000BaseT}, models.PortOffer{MinMbps: 100, MaxMbps: 1000}, 5000))
	_, _, err = models.LineOf(models.ActInput{})
	add(err)
	sv := models.Survey{Engineers: []models.Engineer{{Name: "A", Phone: "x", IDType: models.IDCard, IDNumber: "123"}, {Name: "Zhang San", Phone: "+86 138 0000 0000", IDType: models.Passport, IDNumber: strings.Repeat("9", 40)}}}
	add(sv.Validate(time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)))
	// Reasons and line codes the lifecycle asks for.
	for _, step := range []struct {
		act    models.Action
		status models.Status
		role   models.Role
		in     models.ActInput
	}{
		{models.ActionReject, models.StatusApplying, models.RoleStaff, models.ActInput{}},
		{models.ActionTerminate, models.StatusEnabled, models.RoleCustomer, models.ActInput{}},
		{models.ActionCancelTermination, models.StatusTerminating, models.RoleCustomer, models.ActInput{}},
		{models.ActionCompleteRemoval, models.StatusTerminating, models.RoleProvider, models.ActInput{}},
		{models.ActionCompleteRemoval, models.StatusTerminating, models.RoleProvider, models.ActInput{LineCode: "L-2"}},
	} {
		tr, err := models.Lookup(step.act, step.status, models.StepNone, step.role)
		if err != nil {
			t.Fatalf("%s %s by %s: %v", step.act, step.status, step.role, err)
		}
		in := step.in
		in.Action = step.act
		_, err = models.Decide(models.Connection{Status: step.status, LineCode: "L-1"}, tr, in)
		add(err)
	}
	// A visit moved to a day the IDC does not take.
	cal, err := models.NewCalendar(models.Region{ID: "cn-hangzhou", TimeZone: "Asia/Shanghai", Weekend: "Sat,Sun"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	v := models.VisitDays{Name: "Hangzhou-Xixi", IDCName: "Xixi IDC", Calendar: cal}
	today := models.Date{Year: 2026, Month: 12, Day: 7}
	_, err = v.Check(models.Date{Year: 2026, Month: 12, Day: 1}, today, nil)
	add(err)
	_, err = v.Check(models.Date{Year: 2026, Month: 12, Day: 12}, today, nil)
	add(err)
	return out
}

// English reads as before: a rule's catalog message in English is the
// domain's English message exactly.
func TestRuleMessagesInEnglishAreTheDomains(t *testing.T) {
	en := lang.MustLoad().For(lang.English)
	samples := ruleSamples(t)
	seen := map[string]bool{}
	for _, r := range samples {
		seen[r.Rule] = true
		if got := ruleText(en, r); got != r.Message {
			t.Errorf("rule %s in English:\n got %q\nwant %q", r.Rule, got, r.Message)
		}
		if got := ruleLine(en, r); got != r.Error() {
			t.Errorf("rule %s with its field:\n got %q\nwant %q", r.Rule, got, r.Error())
		}
	}
	if len(seen) < 20 {
		t.Errorf("samples cover only %d rules: %v", len(seen), seen)
	}
}

// The lifecycle's refusals read in English exactly as the domain's error
// says them, for every action, status and role.
func TestTransitionRefusalsInEnglishAreTheDomains(t *testing.T) {
	en := lang.MustLoad().For(lang.English)
	a := &App{log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	ctx := context.Background()
	n := 0
	for _, tr := range models.Transitions {
		for _, s := range []models.Status{models.StatusApplying, models.StatusConnecting, models.StatusEnabled} {
			for _, r := range []models.Role{models.RoleCustomer, models.RoleStaff, models.RoleProvider, models.RoleSystem} {
				_, err := models.Lookup(tr.Action, s, models.StepVisitScheduled, r)
				var te *models.TransitionError
				if !errors.As(err, &te) {
					continue
				}
				n++
				want := strings.ToUpper(te.Error()[:1]) + te.Error()[1:] + "."
				if got := a.userMessage(ctx, en, err); got != want {
					t.Errorf("%s %s by %s:\n got %q\nwant %q", tr.Action, s, r, got, want)
				}
			}
		}
	}
	if n < 20 {
		t.Errorf("only %d refusals checked", n)
	}
	at := time.Date(2026, 12, 7, 1, 30, 0, 0, time.UTC)
	for _, act := range []models.Action{models.ActionApprove, models.ActionCancelTermination, models.ActionChangeBandwidth, models.ActionExpire} {
		err := &models.AlreadyDoneError{Action: act, By: "U1", At: at}
		want := fmt.Sprintf("Already %s by <@U1> at %s; nothing more to do.", act.PastTense(), when(at))
		if got := a.userMessage(ctx, en, err); got != want {
			t.Errorf("already done:\n got %q\nwant %q", got, want)
		}
	}
}

// englishFragments are the sentences of the English catalogs of this
// area (their text between arguments, long enough to be a phrase): none
// may remain in what a Chinese reader sees.
func englishFragments(t *testing.T) []string {
	t.Helper()
	var out []string
	argRE := regexp.MustCompile(`\{\{[^}]*\}\}`)
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for _, y := range x {
				walk(y)
			}
		case string:
			for _, frag := range argRE.Split(x, -1) {
				frag = strings.TrimSpace(frag)
				if utf8.RuneCountInString(frag) >= 14 && strings.Count(frag, " ") >= 2 {
					out = append(out, frag)
				}
			}
		}
	}
	for _, area := range []string{"actions", "forms", "rules"} {
		var m map[string]any
		if _, err := toml.DecodeFile(filepath.Join("lang", "locales", "en", area+".toml"), &m); err != nil {
			t.Fatal(err)
		}
		walk(m)
	}
	sort.Strings(out)
	return out
}

// viewTexts are the texts of a view or ack, as JSON strings.
func viewTexts(t *testing.T, v any) string {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	var walk func(x any)
	walk = func(x any) {
		switch y := x.(type) {
		case map[string]any:
			for k, z := range y {
				if s, ok := z.(string); ok && (k == "text" || k == "errors") {
					texts = append(texts, s)
				}
				walk(z)
			}
		case []any:
			for _, z := range y {
				walk(z)
			}
		}
	}
	var generic any
	if err := json.Unmarshal(raw, &generic); err != nil {
		t.Fatal(err)
	}
	walk(generic)
	if m, ok := generic.(map[string]any); ok {
		if errs, ok := m["errors"].(map[string]any); ok {
			for _, e := range errs {
				texts = append(texts, fmt.Sprint(e))
			}
		}
	}
	return strings.Join(texts, "\n")
}

// assertChinese fails when text lacks any of want or holds an English
// sentence of the catalogs.
func assertChinese(t *testing.T, what, text string, frags []string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, text)
		}
	}
	for _, f := range frags {
		if strings.Contains(text, f) {
			t.Errorf("%s still says %q in English:\n%s", what, f, text)
		}
	}
	for _, en := range []string{"Approve", "waiting on", "Close", "Cancel", "Reason", "Please fix", "nothing more to do"} {
		if strings.Contains(text, en) {
			t.Errorf("%s holds %q:\n%s", what, en, text)
		}
	}
}

func sampleDetail(status models.Status) *models.Detail {
	pc := "pc-bp1abc"
	return &models.Detail{
		Connection: models.Connection{ID: 42, Name: "杭州办公室主线", Status: status, AccessPointID: "ap-hz",
			PortType: models.Port1000BaseT, BandwidthMbps: 200, AmountCents: 250000, Currency: "CNY",
			PhysicalConnectionID: &pc, PortName: "eth1/7", DeviceID: "asw-hz-01", Location: "杭州市文三路 88 号"},
		AccessPoint: models.AccessPoint{ID: "ap-hz", Name: "杭州-西溪", IDCName: "杭州西溪机房", IDCAddress: "杭州市西湖区"},
		Provider:    models.Provider{ID: "ct", Name: "中国电信"},
	}
}

// The forms of this area in Chinese: apply, pay, cancel, terminate,
// cancel termination, removal, with no English sentence left and titles
// within Slack's 24 characters.
func TestFormsInChinese(t *testing.T) {
	c := lang.MustLoad()
	zh := c.For(lang.Chinese)
	frags := englishFragments(t)
	if len(frags) < 50 {
		t.Fatalf("only %d English fragments", len(frags))
	}

	for _, backend := range storetest.Backends(t) {
		t.Run("apply/"+backend, func(t *testing.T) {
			st := storetest.OpenWithSample(t, backend, store.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
			a := New(st, nil, nil, Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
			ctx := context.Background()
			actor := models.Actor{UserID: "UZH", Role: models.RoleCustomer, AccountID: 1}
			v, err := a.applyView(ctx, zh, actor, meta{}, "", nil)
			if err != nil {
				t.Fatal(err)
			}
			assertChinese(t, "apply form", viewTexts(t, v), frags, "申请新的物理专线", "接入点", "运营商", "端口类型", "带宽", "不设冗余", "提交申请", "取消")
			cv, err := a.loadCatalog(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var apID string
			for _, ap := range cv.aps {
				if ap.Status.Open() {
					apID = ap.ID
					break
				}
			}
			v, err = a.applyView(ctx, zh, actor, meta{}, apID, nil)
			if err != nil {
				t.Fatal(err)
			}
			assertChinese(t, "apply form at an access point", viewTexts(t, v), frags, "支持：", "提供的端口类型")
		})
	}

	d := sampleDetail(models.StatusApproved)
	pay := payView(zh, d, 100_00, "", meta{})
	assertChinese(t, "pay form", viewTexts(t, pay), frags, "支付物理专线费用", "付款", "付款后余额", "还差 ¥2,400.00", "¥2,500.00", "建设中")

	cancel := cancelView(zh, d, meta{})
	assertChinese(t, "cancel form", viewTexts(t, cancel), frags, "取消申请", "保留申请", "已审批", "原因")

	e := sampleDetail(models.StatusEnabled)
	term := terminateView(zh, e, meta{})
	assertChinese(t, "terminate dialog", viewTexts(t, term), frags, "终止物理专线", "终止中", "计划拆除日期", "保留专线", "中国电信")
	keep := cancelTerminationView(zh, sampleDetail(models.StatusTerminating), meta{})
	assertChinese(t, "cancel termination dialog", viewTexts(t, keep), frags, "取消终止", "已开通", "保留专线")
	rem := removalView(zh, sampleDetail(models.StatusTerminating), meta{})
	assertChinese(t, "removal form", viewTexts(t, rem), frags, "拆除完成", "线路编码", "已终止")
	bw := bandwidthView(zh, e, meta{})
	assertChinese(t, "bandwidth form", viewTexts(t, bw), frags, "变更带宽", "200 Mbps")
	sv := surveyView(zh, sampleDetail(models.StatusConnecting), 2, meta{})
	assertChinese(t, "survey form", viewTexts(t, sv), frags, "提交现场勘察", "施工单位", "施工人员 2 · 证件号码", "身份证", "光纤")

	for _, v := range []slack.ModalViewRequest{pay, cancel, term, keep, rem, bw, sv} {
		for _, txt := range []*slack.TextBlockObject{v.Title, v.Submit, v.Close} {
			if txt != nil && utf8.RuneCountInString(txt.Text) > 24 {
				t.Errorf("%s: %q is over Slack's 24 characters", v.CallbackID, txt.Text)
			}
		}
	}
}

// Modal titles, submit and close labels of both languages fit Slack's 24
// characters (every forms.*.title/submit/close of the catalogs).
func TestFormTitlesFitSlack(t *testing.T) {
	for _, l := range lang.Langs() {
		var m map[string]any
		if _, err := toml.DecodeFile(filepath.Join("lang", "locales", string(l), "forms.toml"), &m); err != nil {
			t.Fatal(err)
		}
		forms, _ := m["forms"].(map[string]any)
		for name, sec := range forms {
			s, ok := sec.(map[string]any)
			if !ok {
				continue
			}
			for _, k := range []string{"title", "submit", "close"} {
				if v, ok := s[k].(string); ok && utf8.RuneCountInString(v) > 24 {
					t.Errorf("%s forms.%s.%s = %q: over 24 characters", l, name, k, v)
				}
			}
		}
	}
}

// A broken rule shows under its field in Chinese, in the apply form and
// the survey form.
func TestInlineRuleErrorsInChinese(t *testing.T) {
	zh := lang.MustLoad().For(lang.Chinese)
	frags := englishFragments(t)
	errs := models.Application{Name: "x", PortType: models.Port100BaseT, BandwidthMbps: 20}.Validate(models.ApplyContext{})
	ack := viewErrors(zh, errs, applyBlockIDs(""), blkApplyName)
	if ack == nil {
		t.Fatal("no errors ack")
	}
	if got := ack.Errors[blkApplyName]; !strings.Contains(got, "请输入 2 到 128 个字符的名称（当前为 1 个字符）") {
		t.Errorf("name error %q", got)
	}
	if got := ack.Errors[blkApplyBW]; !strings.Contains(got, "请输入 50 到 10000 Mbps 之间的带宽") {
		t.Errorf("bandwidth error %q", got)
	}
	assertChinese(t, "apply errors", viewTexts(t, ack), frags, "请从列表中选择接入点")

	sv := models.Survey{Engineers: []models.Engineer{{Name: "Z", Phone: "12", IDType: models.IDCard, IDNumber: "1"}}}
	sack := surveyErrors(zh, sv.Validate(time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)), []int{1}, 2)
	assertChinese(t, "survey errors", viewTexts(t, sack), frags, "请输入派出施工人员的施工单位", "身份证号码为 18 位")
	if got := sack.Errors[engineerBlock(1, "phone")]; !strings.Contains(got, "电话号码") {
		t.Errorf("phone error %q under %s", got, engineerBlock(1, "phone"))
	}
}

// What userMessage says in Chinese, for every kind of error it knows.
func TestUserMessagesInChinese(t *testing.T) {
	zh := lang.MustLoad().For(lang.Chinese)
	frags := englishFragments(t)
	a := &App{log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	ctx := context.Background()
	at := time.Date(2026, 12, 7, 1, 30, 0, 0, time.UTC)
	_, forbidden := models.Lookup(models.ActionCompleteConstruction, models.StatusConnecting, models.StepVisitScheduled, models.RoleCustomer)
	_, wrong := models.Lookup(models.ActionConfirm, models.StatusConnecting, models.StepVisitScheduled, models.RoleCustomer)
	_, bw := models.ParseBandwidth("fast")
	samples := map[string]error{}
	for _, r := range ruleSamples(t) {
		key := r.Rule
		if f, ok := r.Args["For"].(string); ok {
			key += "/" + f
		}
		samples[key] = r
	}
	for _, tc := range []struct {
		err  error
		want []string
	}{
		{models.Application{Name: "x"}.Validate(models.ApplyContext{}), []string{"请修改以下内容：", "• 名称：请输入 2 到 128 个字符的名称", "• 端口类型：请选择端口类型。"}},
		{bw, []string{"带宽：\"fast\" 不是有效的带宽"}},
		{&models.AlreadyDoneError{Action: models.ActionApprove, By: "U1", At: at}, []string{"已由 <@U1> 于", "审批通过，无需再操作。"}},
		{forbidden, []string{"客户无权完成该物理专线的施工（仅运营商或运维人员可以操作）。"}},
		{wrong, []string{"物理专线处于“建设中（已安排机房进场）”状态，无法确认该物理专线。"}},
		{fmt.Errorf("show: %w", models.ErrNotFound), []string{"没有找到该物理专线"}},
		{errNoAccountHere, []string{"您还不是任何客户账号的用户"}},
		{models.ErrNoAccount, []string{"您尚未关联客户账号"}},
		{fmt.Errorf("%w: the connection costs CNY 2,500.00", models.ErrInsufficientBalance), []string{"余额不足"}},
		{fmt.Errorf("%w of type 1000Base-T at ap-hz", models.ErrNoFreePort), []string{"空闲端口"}},
		{fmt.Errorf("lookup: %w", errStaffUnverified), []string{"无法核实运维人员身份"}},
		{fmt.Errorf("x: %w", models.ErrForbidden), []string{"只有运维人员可以执行此操作。"}},
		{errors.New("disk on fire"), []string{"我们这边出了问题，未做任何更改"}},
		{errNotCustomer(), []string{"只有客户可以申请专线"}},
		{samples["reason-required/reject"], []string{"原因：请填写拒绝该申请的原因；客户会看到。"}},
		{samples["reason-required/keep"], []string{"原因：请填写保留该专线的原因"}},
		{samples["line-code-required"], []string{"线路编码：请输入已拆除线路的线路编码。"}},
		{samples["visit-date-past"], []string{"日期：2026年12月1日（星期二）已经过去（Hangzhou-Xixi 今天是2026年12月7日（星期一））"}},
		{samples["visit-date-workday"], []string{"日期：2026年12月12日（星期六）在该地域的日历中不是工作日"}},
	} {
		got := a.userMessage(ctx, zh, tc.err)
		assertChinese(t, fmt.Sprintf("userMessage(%v)", tc.err), got, frags, tc.want...)
	}
}
