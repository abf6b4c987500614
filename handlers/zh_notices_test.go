package handlers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/leaseline/leaseline/bot"
	"github.com/leaseline/leaseline/handlers/lang"
	"github.com/leaseline/leaseline/models"
)

// englishLeft finds what is left of an English sentence: three lowercase
// English words in a row, or a word of the English cards' fixed texts.
var englishLeft = regexp.MustCompile(`\b[A-Za-z]+ [a-z]{2,} [a-z]{2,}\b|\b(Approve|Reject|Pay for|Notify Provider|Submit|Confirm|Terminate|Removal|Edit and|Change Bandwidth|Book Visit|Reschedule|Reason|Engineers|Customer account|Line code|Line label|Time window|Planned arrival|Question|Answer|Application|waiting on|Since then|Now \*)\b`)

// zhLeftovers reports the English left in text rendered in Chinese.
func zhLeftovers(text string) []string { return englishLeft.FindAllString(text, -1) }

// stepZh are the Connecting sub-steps as docs/glossary.md's words make them.
var stepZh = map[models.Step]string{
	models.StepProviderNotified: "已通知运营商",
	models.StepSurveyReceived:   "已收到运营商现场勘察",
	models.StepTicketSubmitted:  "已提交施工工单",
	models.StepVisitScheduled:   "已安排机房进场",
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

// Every notice of conv-b's areas renders in Chinese for each of its
// recipients: the title, sentence, labels, status and buttons are
// Chinese, no English sentence is left, and Block Kit's limits hold. The
// notices in English are TestRenderNoticeEveryKind's.
func TestRenderNoticeChinese(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		c := jApply(e, "华东一号专线", "杭州市余杭区数据中心 3 楼")
		_, err := e.store.Act(ctx, jStaff, c.ID, models.ActInput{Action: models.ActionApprove})
		jStep(e, "approve", err)
		_, err = e.store.Pay(ctx, jCustomer(e), c.ID)
		jStep(e, "pay", err)
		_, err = e.store.Act(ctx, jCustomer(e), c.ID, models.ActInput{Action: models.ActionNotifyProvider})
		jStep(e, "notify", err)
		sv := jSurvey(e, 2)
		sv.ConstructionCompany = "浙江线路工程"
		for i := range sv.Engineers {
			sv.Engineers[i].Name = fmt.Sprintf("工程师%d", i+1)
		}
		_, err = e.store.SubmitSurvey(ctx, jProvider, c.ID, sv)
		jStep(e, "survey", err)
		tk, err := e.store.SubmitTicket(ctx, jCustomer(e), c.ID, "12 号机柜", "")
		jStep(e, "ticket", err)
		enq, err := e.store.Enquire(ctx, jCustomer(e), "ap-cn-hangzhou-yh-b", "是否支持 40G？", customerChan)
		jStep(e, "enquire", err)
		ans, err := e.store.Enquire(ctx, jCustomer(e), "", "哪些接入点支持电信？", customerChan)
		jStep(e, "enquire", err)
		_, err = e.store.AnswerEnquiry(ctx, jStaff, ans.ID, "杭州全部支持。")
		jStep(e, "answer", err)

		at := func(s models.Status, st models.Step) {
			e.exec("UPDATE connections SET status = $1, step = $2, reason = $3, line_code = $4, line_label = $5 WHERE id = $6",
				string(s), string(st), "客户要求", "LC-0001", "杭州 01", c.ID)
		}
		visit := func(change string, removal bool) string {
			return jData(map[string]any{
				"visit_id": 1, "ticket_id": tk.ID, "date": "2026-11-27", "weekday": "Friday", "window": "09:30-12:00",
				"time_zone": "Asia/Shanghai", "idc_name": "余杭数据园 B", "idc_address": "B 栋",
				"reception_name": "李伟", "reception_phone": "+86 138 0000 0101", "reception_user": "U0SAMPLE0101",
				"construction_company": "浙江线路工程",
				"visitors":             []map[string]any{{"name": "李伟", "phone": "+86 138", "id_type": "ID card", "id_number": rawIDNumber}},
				"change":               change, "previous_date": "2026-11-26", "reason": "机房电力检修", "by": staffUser, "removal": removal,
			})
		}
		const reception = "U0SAMPLE0101"
		cases := []struct {
			kind     models.NoticeKind
			status   models.Status
			step     models.Step
			data     string
			conn     bool
			channels []string
			says     string // a Chinese phrase of the notice's own
		}{
			{models.NoticeReviewRequest, models.StatusApplying, "", "", true, []string{staffChannel}, "待审核申请"},
			{models.NoticeApproved, models.StatusApproved, "", "", true, []string{customerChan}, "¥2,500.00"},
			{models.NoticeRejected, models.StatusRejected, "", "", true, []string{customerChan}, "修改并重新提交"},
			{models.NoticeCanceled, models.StatusCanceled, "", "", true, []string{customerChan, staffChannel}, "申请已取消"},
			{models.NoticePaid, models.StatusConnecting, models.StepNone, "", true, []string{customerChan}, "端口已分配"},
			{models.NoticeNoFreePort, models.StatusApproved, "", "", true, []string{staffChannel}, "没有空闲端口"},
			{models.NoticePortInfo, models.StatusConnecting, models.StepProviderNotified, "", true, []string{providerChan}, "提交现场勘察"},
			{models.NoticeSurveyReceived, models.StatusConnecting, models.StepSurveyReceived, "", true, []string{customerChan}, "前往机房的施工人员"},
			{models.NoticeTicketSubmitted, models.StatusConnecting, models.StepTicketSubmitted, jData(map[string]int64{"ticket_id": tk.ID}), true,
				[]string{staffChannel}, fmt.Sprintf("施工工单 #%d", tk.ID)},
			{models.NoticeVisitScheduled, models.StatusConnecting, models.StepVisitScheduled, visit("", false), true,
				[]string{customerChan, providerChan, staffChannel, reception}, "2026年11月27日（星期五）"},
			{models.NoticeVisitChanged, models.StatusConnecting, models.StepVisitScheduled, visit("rescheduled", false), true,
				[]string{customerChan, providerChan, staffChannel}, "已由 2026年11月26日（星期四） 改至"},
			{models.NoticeVisitChanged, models.StatusConnecting, models.StepVisitScheduled, visit("canceled", false), true,
				[]string{customerChan}, "机房进场已取消"},
			{models.NoticeVisitReminder, models.StatusConnecting, models.StepVisitScheduled, visit("", false), true,
				[]string{providerChan, reception}, "今天"},
			{models.NoticeConstructionComplete, models.StatusPendingConfirmation, "", "", true, []string{customerChan}, "线路编码"},
			{models.NoticeEnabled, models.StatusEnabled, "", "", true, []string{customerChan, staffChannel, providerChan}, "专线接入完成"},
			{models.NoticeTerminating, models.StatusTerminating, "", "", true, []string{providerChan, customerChan, staffChannel}, "终止"},
			{models.NoticeVisitScheduled, models.StatusTerminating, "", visit("", true), true,
				[]string{customerChan, providerChan, reception}, "拆除"},
			{models.NoticeVisitReminder, models.StatusTerminating, "", visit("", true), true, []string{providerChan, reception}, "拆除"},
			{models.NoticeTerminated, models.StatusTerminated, "", "", true, []string{customerChan, staffChannel, providerChan}, "已重新空闲"},
			{models.NoticeTerminationCanceled, models.StatusEnabled, "", "", true, []string{customerChan, providerChan}, "保留其端口"},
			{models.NoticePartnerTerminated, models.StatusEnabled, "", jData(map[string]any{"partner": "pc-gone", "partner_id": 99}), true,
				[]string{customerChan}, "冗余物理专线"},
			{models.NoticeEnquiry, "", "", jData(map[string]int64{"ticket_id": enq.ID}), false, []string{staffChannel}, "接入点咨询"},
			{models.NoticeEnquiryAnswered, "", "", jData(map[string]int64{"ticket_id": ans.ID}), false, []string{customerChan}, "已答复"},
			{models.NoticeReviewOverdue, models.StatusApplying, "", jData(map[string]any{"level": 2, "workdays": 2, "applied_at": c.CreatedAt, "escalate": "S0REVIEW"}), true,
				[]string{staffChannel}, "已等待 2 个工作日"},
			{models.NoticeReminder, models.StatusApproved, "", jData(map[string]any{"reason": "unpaid", "workdays": 3, "expires_on": "2026-12-03", "amount": "CNY 2,500.00"}), true,
				[]string{customerChan}, "2026年12月3日（星期四）"},
			{models.NoticeReminder, models.StatusPendingConfirmation, "", jData(map[string]any{"reason": "unconfirmed", "workdays": 1}), true,
				[]string{customerChan}, "1 个工作日前"},
			{models.NoticeDeliveryFailed, models.StatusEnabled, "", jData(map[string]any{"notice_id": 7, "kind": "paid", "channel": customerChan, "attempts": 8, "error": "channel_not_found"}), true,
				[]string{staffChannel}, "尝试 8 次"},
		}
		for _, tc := range cases {
			if tc.conn {
				at(tc.status, tc.step)
			}
			for _, ch := range tc.channels {
				where := fmt.Sprintf("%s (%s) to %s in zh-CN", tc.kind, tc.status, ch)
				n := models.Notice{ID: 1, Kind: tc.kind, Channel: ch, Data: tc.data}
				if tc.conn {
					n.ConnectionID = &c.ID
				}
				opts, err := e.app.RenderNoticeIn(ctx, n, lang.Chinese)
				if err != nil {
					t.Fatalf("%s: %v", where, err)
				}
				if _, _, err := bot.NewClient("xoxb-test", e.slack.APIURL(), nil).PostMessageContext(ctx, ch, opts...); err != nil {
					t.Fatalf("post %s: %v", where, err)
				}
				calls := e.slack.Calls("chat.postMessage")
				call := calls[len(calls)-1]
				raw, notification := call.Param("blocks"), call.Param("text")
				jLimits(t, where, raw, 50)
				text := blocksText(raw)
				if tc.kind == models.NoticePortInfo {
					// The port information's table is view.go's (another
					// area); the notice's own words are checked.
					text = text[:strings.Index(text, "机房位置")]
				}
				if tc.step != models.StepNone && !strings.Contains(blocksText(raw), "（"+stepZh[tc.step]+"）") {
					t.Errorf("%s does not say the step %q in Chinese", where, tc.step)
				}
				if !strings.Contains(text, tc.says) {
					t.Errorf("%s lacks %q:\n%s", where, tc.says, text)
				}
				if left := zhLeftovers(text); len(left) > 0 {
					t.Errorf("%s leaves English %q:\n%s", where, left, text)
				}
				if !hasHan(notification) || len(zhLeftovers(notification)) > 0 {
					t.Errorf("%s: notification text %q is not Chinese", where, notification)
				}
				if tc.conn && !strings.Contains(blocksText(raw), "*"+lang.MustLoad().For(lang.Chinese).T("status."+strings.ReplaceAll(string(tc.status), " ", ""))+"*") {
					t.Errorf("%s does not say the status in Chinese:\n%s", where, text)
				}
				if tc.conn && !tc.status.Settled() && tc.status != models.StatusEnabled && !strings.Contains(blocksText(raw), " · 等待 *") {
					t.Errorf("%s does not say who must act next in Chinese:\n%s", where, text)
				}
				for _, b := range jButtonTexts(raw) {
					if !hasHan(b) {
						t.Errorf("%s: button %q is not Chinese", where, b)
					}
				}
			}
		}
	})
}

// A settled card says what happened since in Chinese: the review message
// once decided, a customer's card once its step has passed, an expired
// application.
func TestSettledCardsChinese(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		c := jApply(e, "华东一号专线", "杭州 3 楼")
		review := models.Notice{ID: 1, Kind: models.NoticeReviewRequest, Channel: staffChannel, ConnectionID: &c.ID}
		_, err := e.store.Act(ctx, jStaff, c.ID, models.ActInput{Action: models.ActionApprove})
		jStep(e, "approve", err)
		_, err = e.store.Pay(ctx, jCustomer(e), c.ID)
		jStep(e, "pay", err)
		for _, tc := range []struct {
			n    models.Notice
			says []string
		}{
			{review, []string{"*申请 #" + fmt.Sprint(c.ID) + " — 已审批（<@" + staffUser + ">，", "*建设中*"}},
			{models.Notice{ID: 2, Kind: models.NoticeApproved, Channel: customerChan, ConnectionID: &c.ID}, []string{"✓ 此后：", "付款", "*建设中*", "等待 *客户* 将端口信息通知运营商"}},
		} {
			blocks, err := e.app.SettledCardIn(ctx, tc.n, lang.Chinese)
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := json.Marshal(blocks)
			text := blocksText(string(raw))
			for _, s := range tc.says {
				if !strings.Contains(text, s) {
					t.Errorf("settled %s lacks %q:\n%s", tc.n.Kind, s, text)
				}
			}
			if left := zhLeftovers(text); len(left) > 0 {
				t.Errorf("settled %s leaves English %q:\n%s", tc.n.Kind, left, text)
			}
			if b := jButtonTexts(string(raw)); len(b) > 0 {
				t.Errorf("settled %s still offers %q", tc.n.Kind, b)
			}
		}

		// An application canceled for not being paid in time.
		x := jApply(e, "华东二号专线", "杭州 4 楼")
		_, err = e.store.Act(ctx, jStaff, x.ID, models.ActInput{Action: models.ActionApprove})
		jStep(e, "approve", err)
		_, err = e.store.Act(ctx, models.SystemActor(), x.ID, models.ActInput{Action: models.ActionExpire})
		jStep(e, "expire", err)
		blocks, err := e.app.SettledCardIn(ctx, models.Notice{ID: 3, Kind: models.NoticeApproved, Channel: customerChan, ConnectionID: &x.ID}, lang.Chinese)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := json.Marshal(blocks)
		if text := blocksText(string(raw)); !strings.Contains(text, "未按时付款") || len(zhLeftovers(text)) > 0 {
			t.Errorf("settled expired card:\n%s", text)
		}
	})
}

// The DM's answer and the review-date promise speak Chinese.
func TestDMAndPromiseChinese(t *testing.T) {
	e := newEnv(t, backends(t)[0])
	raw, _ := json.Marshal(e.app.DMHelpIn(lang.Chinese))
	text := blocksText(string(raw))
	if !strings.Contains(text, "您好") || len(zhLeftovers(text)) > 0 {
		t.Errorf("DM answer in Chinese:\n%s", text)
	}
	for _, b := range jButtonTexts(string(raw)) {
		if !hasHan(b) {
			t.Errorf("DM button %q is not Chinese", b)
		}
	}
	zh, err := e.app.ReviewPromiseIn(context.Background(), "cn-hangzhou", lang.Chinese)
	if err != nil {
		t.Fatal(err)
	}
	// Thursday 26 November 2026 10:00 in Shanghai: the next workday is Friday.
	if !strings.Contains(zh, "审核通常在 *2026年11月27日（星期五）*") {
		t.Errorf("review promise in Chinese: %q", zh)
	}
	en, err := e.app.ReviewPromiseIn(context.Background(), "cn-hangzhou", lang.English)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(en, "Review normally completes by *Friday 27 November 2026*") {
		t.Errorf("review promise in English: %q", en)
	}
}
