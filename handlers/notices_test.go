package handlers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/leaseline/leaseline/bot"
	"github.com/leaseline/leaseline/bot/slackfake"
	"github.com/leaseline/leaseline/models"
)

// noticeKinds lists every NoticeKind constant of models/notice.go, read
// from the source so that a kind added there without a renderer case here
// fails the test.
func noticeKinds(t *testing.T) []models.NoticeKind {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "../models/notice.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []models.NoticeKind
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			vs := s.(*ast.ValueSpec)
			if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "NoticeKind" {
				continue
			}
			for _, v := range vs.Values {
				lit, ok := v.(*ast.BasicLit)
				if !ok {
					continue
				}
				k, _ := strconv.Unquote(lit.Value)
				out = append(out, models.NoticeKind(k))
			}
		}
	}
	if len(out) < 19 {
		t.Fatalf("found %d notice kinds in models/notice.go", len(out))
	}
	return out
}

// rendered is a notice as chat.postMessage sent it.
type rendered struct {
	blocks, text string
	call         slackfake.Call
}

// render renders n and posts it to the fake Slack, as the delivery worker
// does, and returns what was sent.
func render(t *testing.T, e *env, n models.Notice) rendered {
	t.Helper()
	ctx := context.Background()
	opts, err := e.app.RenderNotice(ctx, n)
	if err != nil {
		t.Fatalf("render %s to %s: %v", n.Kind, n.Channel, err)
	}
	if _, _, err := bot.NewClient("xoxb-test", e.slack.APIURL(), nil).PostMessageContext(ctx, n.Channel, opts...); err != nil {
		t.Fatalf("post %s to %s: %v", n.Kind, n.Channel, err)
	}
	calls := e.slack.Calls("chat.postMessage")
	c := calls[len(calls)-1]
	return rendered{blocks: c.Param("blocks"), text: c.Param("text"), call: c}
}

// runes cuts s to n runes.
func runes(s string, n int) string { return string([]rune(s)[:n]) }

// jData encodes notice data.
func jData(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// Every notice kind renders, for each of its recipients, within Block
// Kit's limits, says the status and who acts next, and carries exactly the
// buttons of that recipient's next step; typed text is plain text, ID
// numbers masked.
func TestRenderNoticeEveryKind(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		longName := runes(strings.Repeat("Ωmega <@U1> *x* ", 8), 120)
		c := jApply(e, longName, strings.Repeat("<!here> floor 3 ", 16))
		_, err := e.store.Act(ctx, jStaff, c.ID, models.ActInput{Action: models.ActionApprove})
		jStep(e, "approve", err)
		_, err = e.store.Pay(ctx, jCustomer(e), c.ID)
		jStep(e, "pay", err)
		_, err = e.store.Act(ctx, jCustomer(e), c.ID, models.ActInput{Action: models.ActionNotifyProvider})
		jStep(e, "notify", err)
		sv := jSurvey(e, models.MaxEngineers)
		for i := range sv.Engineers {
			sv.Engineers[i].Name = fmt.Sprintf("%02d %s", i, runes(strings.Repeat("Ngô Bảo Châu ", 5), 60))
		}
		sv.ConstructionCompany = "Zhejiang <!channel> Line Works"
		_, err = e.store.SubmitSurvey(ctx, jProvider, c.ID, sv)
		jStep(e, "survey", err)
		tk, err := e.store.SubmitTicket(ctx, jCustomer(e), c.ID, "cage 12 *rack* <@U2>", "")
		jStep(e, "ticket", err)
		enq, err := e.store.Enquire(ctx, jCustomer(e), "ap-cn-hangzhou-yh-b", "Is <!channel> 40G coming?", customerChan)
		jStep(e, "enquire", err)
		ans, err := e.store.Enquire(ctx, jCustomer(e), "", "Which access points take CT?", customerChan)
		jStep(e, "enquire", err)
		_, err = e.store.AnswerEnquiry(ctx, jStaff, ans.ID, "All of Hangzhou's <https://x|but>.")
		jStep(e, "answer", err)

		at := func(s models.Status, st models.Step) {
			e.exec("UPDATE connections SET status = $1, step = $2, reason = $3, line_code = $4, line_label = $5 WHERE id = $6",
				string(s), string(st), "Customer <@U3> asked", "LC-0001", "HZ <b> 01", c.ID)
		}
		visit := jData(map[string]any{
			"visit_id": 1, "ticket_id": tk.ID, "connection": "pc-x", "date": "2026-11-27", "weekday": "Friday", "window": "09:30-12:00",
			"time_zone": "Asia/Shanghai", "access_point": "Hangzhou-Yuhang-B", "idc_name": "Yuhang Data Park B", "idc_address": "Building B",
			"reception_name": "Li Wei", "reception_phone": "+86 138 0000 0101", "reception_user": "U0SAMPLE0101",
			"provider": "China Telecom Zhejiang", "construction_company": "Zhejiang Line Works",
			"visitors": []map[string]any{{"name": "Li Wei", "phone": "+86 138", "id_type": "ID card", "id_number": rawIDNumber}},
			"change":   "rescheduled", "previous_date": "2026-11-26", "reason": "IDC <!here> power work", "by": staffUser,
		})
		const reception = "U0SAMPLE0101"
		type want struct {
			channel string
			buttons []string
		}
		cases := []struct {
			kind   models.NoticeKind
			status models.Status
			step   models.Step
			data   string
			conn   bool // about the connection (else a ticket)
			wants  []want
			says   string
		}{
			{models.NoticeReviewRequest, models.StatusApplying, "", "", true, []want{{staffChannel, []string{"Approve", "Reject"}}}, "to review"},
			{models.NoticeApproved, models.StatusApproved, "", "", true, []want{{customerChan, []string{"Pay for Connection (CNY 2,500.00)", "Cancel"}}}, "Pay for Connection"},
			{models.NoticeRejected, models.StatusRejected, "", "", true, []want{{customerChan, []string{"Edit and Resubmit"}}}, "Customer <@U3> asked"},
			{models.NoticeCanceled, models.StatusCanceled, "", "", true, []want{{customerChan, nil}, {staffChannel, nil}}, "canceled"},
			{models.NoticePaid, models.StatusConnecting, models.StepNone, "", true, []want{{customerChan, []string{"View", "Notify Provider"}}}, "Physical connection ID"},
			{models.NoticeNoFreePort, models.StatusApproved, "", "", true, []want{{staffChannel, []string{"Cancel"}}}, "no free *1000Base-T* port"},
			{models.NoticePortInfo, models.StatusConnecting, models.StepProviderNotified, "", true, []want{{providerChan, []string{"Submit Survey"}}}, "Yuhang Data Park B"},
			{models.NoticeSurveyReceived, models.StatusConnecting, models.StepSurveyReceived, "", true, []want{{customerChan, []string{"View", "Submit Ticket"}}}, maskedID},
			{models.NoticeTicketSubmitted, models.StatusConnecting, models.StepTicketSubmitted, jData(map[string]int64{"ticket_id": tk.ID}), true,
				[]want{{staffChannel, []string{"View", "Book Visit"}}}, fmt.Sprintf("Construction ticket #%d", tk.ID)},
			{models.NoticeVisitScheduled, models.StatusConnecting, models.StepVisitScheduled, visit, true,
				[]want{{customerChan, []string{"View"}}, {providerChan, []string{"Construction Complete"}}, {staffChannel, []string{"View", "Construction Complete"}}}, "Friday 2026-11-27, 09:30-12:00"},
			{models.NoticeVisitChanged, models.StatusConnecting, models.StepVisitScheduled, visit, true,
				[]want{{customerChan, []string{"View"}}, {providerChan, []string{"Construction Complete"}}, {staffChannel, []string{"View", "Construction Complete"}}}, "from 2026-11-26"},
			{models.NoticeVisitLetter, models.StatusConnecting, models.StepVisitScheduled, visit, true,
				[]want{{providerChan, []string{"Construction Complete"}}}, "Friday 2026-11-27, 09:30-12:00"},
			{models.NoticeVisitReminder, models.StatusConnecting, models.StepVisitScheduled, visit, true,
				[]want{{providerChan, []string{"Construction Complete"}}, {reception, nil}}, "today"},
			{models.NoticeConstructionComplete, models.StatusPendingConfirmation, "", "", true, []want{{customerChan, []string{"Confirm"}}}, "LC-0001"},
			{models.NoticeEnabled, models.StatusEnabled, "", "", true, []want{{customerChan, []string{"Terminate", "Change Bandwidth"}}, {staffChannel, []string{"Terminate"}}, {providerChan, nil}}, "*Enabled*"},
			{models.NoticeTerminating, models.StatusTerminating, "", "", true,
				[]want{{providerChan, []string{"Removal Complete"}}, {customerChan, []string{"Cancel"}}, {staffChannel, []string{"Removal Complete", "Cancel"}}}, "Customer <@U3> asked"},
			{models.NoticeTerminated, models.StatusTerminated, "", "", true, []want{{customerChan, nil}, {staffChannel, nil}, {providerChan, nil}}, "is free again"},
			{models.NoticeTerminationCanceled, models.StatusEnabled, "", "", true,
				[]want{{customerChan, []string{"Terminate", "Change Bandwidth"}}, {staffChannel, []string{"Terminate"}}, {providerChan, nil}}, "keeps its port"},
			{models.NoticeBandwidthRequested, models.StatusEnabled, "", jData(map[string]any{"from_mbps": 200, "to_mbps": 500, "amount": "CNY 300.00"}), true,
				// Approve and Reject only while a request is pending (none here).
				[]want{{staffChannel, []string{"Terminate"}}}, "from 200 to *500 Mbps*"},
			{models.NoticeBandwidthChanged, models.StatusEnabled, "", jData(map[string]any{"from_mbps": 200, "to_mbps": 500, "amount": "CNY 300.00"}), true,
				[]want{{customerChan, []string{"Terminate", "Change Bandwidth"}}, {providerChan, nil}}, "*500 Mbps* (was 200 Mbps)"},
			{models.NoticeBandwidthRejected, models.StatusEnabled, "", jData(map[string]any{"from_mbps": 200, "to_mbps": 500, "reason": "Port <!here> shared"}), true,
				[]want{{customerChan, []string{"Terminate", "Change Bandwidth"}}}, "keeps 200 Mbps"},
			{models.NoticeBandwidthShort, models.StatusEnabled, "", jData(map[string]any{"from_mbps": 200, "to_mbps": 500, "amount": "CNY 300.00", "top_up": "CNY 100.00"}), true,
				[]want{{customerChan, []string{"Terminate", "Change Bandwidth"}}}, "top up *CNY 100.00*"},
			{models.NoticePartnerTerminated, models.StatusEnabled, "", jData(map[string]any{"partner": "pc-gone", "partner_id": 99}), true,
				[]want{{customerChan, []string{"Terminate", "Change Bandwidth"}}}, "`pc-gone`, the redundant partner"},
			{models.NoticeEnquiry, "", "", jData(map[string]int64{"ticket_id": enq.ID}), false, []want{{staffChannel, []string{"Answer"}}}, "Is <!channel> 40G coming?"},
			{models.NoticeEnquiryAnswered, "", "", jData(map[string]int64{"ticket_id": ans.ID}), false, []want{{customerChan, nil}}, "All of Hangzhou's <https://x|but>."},
			{models.NoticeReviewOverdue, models.StatusApplying, "", jData(map[string]any{"level": 2, "workdays": 2, "applied_at": c.CreatedAt, "escalate": "S0REVIEW"}), true,
				[]want{{staffChannel, []string{"Approve", "Reject"}}}, "<!subteam^S0REVIEW>"},
			{models.NoticeReminder, models.StatusApproved, "", jData(map[string]any{"reason": "unpaid", "workdays": 3, "expires_on": "2026-12-03", "amount": "CNY 2,500.00"}), true,
				[]want{{customerChan, []string{"Pay for Connection (CNY 2,500.00)", "Cancel"}}}, "canceled on *2026-12-03*"},
			{models.NoticeReminder, models.StatusPendingConfirmation, "", jData(map[string]any{"reason": "unconfirmed", "workdays": 2}), true,
				[]want{{customerChan, []string{"Confirm"}}}, "Reminder: confirm"},
			{models.NoticeDeliveryFailed, models.StatusEnabled, "", jData(map[string]any{"notice_id": 7, "kind": "paid", "channel": customerChan, "attempts": 8, "error": "channel_not_found <@U4>"}), true,
				[]want{{staffChannel, []string{"Terminate"}}}, "after 8 attempts"},
		}
		covered := map[models.NoticeKind]bool{}
		for _, tc := range cases {
			covered[tc.kind] = true
			if tc.conn {
				at(tc.status, tc.step)
			}
			for _, w := range tc.wants {
				where := fmt.Sprintf("%s (%s) to %s", tc.kind, tc.status, w.channel)
				n := models.Notice{ID: 1, Kind: tc.kind, Channel: w.channel, Data: tc.data}
				if tc.conn {
					n.ConnectionID = &c.ID
				}
				r := render(t, e, n)
				jLimits(t, where, r.blocks, 50)
				jWantButtons(t, where, r.blocks, w.buttons...)
				text := blocksText(r.blocks)
				if !strings.Contains(text, tc.says) {
					t.Errorf("%s lacks %q:\n%s", where, tc.says, text)
				}
				if tc.conn && !strings.Contains(text, "*"+string(tc.status)+"*") {
					t.Errorf("%s does not say the status %s", where, tc.status)
				}
				if tc.conn && !tc.status.Settled() && !strings.Contains(text, "waiting on the *") {
					t.Errorf("%s does not say who must act next:\n%s", where, text)
				}
				if r.text == "" || strings.ContainsAny(r.text, "<>") || strings.Contains(r.text, "Ωmega") {
					t.Errorf("%s: notification text %q (must be set and carry no typed text)", where, r.text)
				}
				if strings.Contains(text, "<!date^") {
					t.Errorf("%s shows a Slack date token, not the region's time:\n%s", where, text)
				}
				if w.channel != staffChannel && strings.Contains(text, "ap-cn-") {
					t.Errorf("%s shows an access point's catalog ID:\n%s", where, text)
				}
				if strings.Contains(r.blocks, rawIDNumber) || strings.Contains(r.text, rawIDNumber) {
					t.Errorf("%s carries the raw ID number", where)
				}
				for _, m := range jTexts(r.blocks, "mrkdwn") {
					for _, typed := range []string{"<@U1>", "<!here>", "<@U2>", "<@U3>", "<@U4>", "<!channel>", "<b>", "<https://x|but>"} {
						if strings.Contains(m, typed) {
							t.Errorf("%s: typed %q raw in mrkdwn %q", where, typed, m)
						}
					}
				}
				for _, b := range jButtons(r.blocks) {
					if tc.conn && (b.Value != itoa(c.ID) || !strings.HasPrefix(b.BlockID, "ll_")) {
						t.Errorf("%s: button %+v does not name connection %d", where, b, c.ID)
					}
				}
			}
		}
		for _, k := range noticeKinds(t) {
			if !covered[k] {
				t.Errorf("notice kind %s has no case here", k)
			}
		}
	})
}

// A notice's data is read as its writer's type: other shapes, wrong types,
// nonsense, missing data and unknown kinds all render, falling back on the
// connection's own data; ID numbers stay masked whatever the data holds.
func TestRenderNoticeToleratesData(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		c := jConnecting(e, "Hangzhou line 1")
		e.exec("UPDATE connections SET step = $1 WHERE id = $2", string(models.StepVisitScheduled), c.ID)
		for i, data := range []string{
			"", "{}", "null", "[1,2]", "{not json",
			`{"date": 20261127, "window": ["x"], "visitors": "Li Wei", "level": "two"}`,
			`{"idc": {"name": "Nested IDC", "address": "Nested Road 1"}, "reception": {"name": "Nested Person", "phone": "+86 1"},
			  "engineers": [{"Name": "Zhang San", "IDType": "ID card", "IDNumber": "` + rawIDNumber + `"}, "junk", 3]}`,
		} {
			for _, kind := range []models.NoticeKind{models.NoticeVisitScheduled, models.NoticeVisitChanged, models.NoticeVisitReminder,
				models.NoticeReviewOverdue, models.NoticeReminder, models.NoticeDeliveryFailed, "brand_new_kind"} {
				where := fmt.Sprintf("%s with data %d", kind, i)
				r := render(t, e, models.Notice{Kind: kind, Channel: providerChan, ConnectionID: &c.ID, Data: data})
				jLimits(t, where, r.blocks, 50)
				if strings.Contains(r.blocks, rawIDNumber) {
					t.Errorf("%s: raw ID number", where)
				}
				if i == 6 && kind == models.NoticeVisitScheduled {
					// Data of another shape than the writer's type is not
					// guessed at: the connection's own data shows.
					text := blocksText(r.blocks)
					ap, err := e.store.AccessPoint(context.Background(), c.AccessPointID)
					if err != nil {
						t.Fatal(err)
					}
					for _, want := range []string{ap.IDCName, ap.IDCAddress} {
						if !strings.Contains(text, want) {
							t.Errorf("%s lacks %q:\n%s", where, want, text)
						}
					}
					for _, stray := range []string{"Nested IDC", "Nested Person"} {
						if strings.Contains(text, stray) {
							t.Errorf("%s shows %q from data of another shape:\n%s", where, stray, text)
						}
					}
				}
			}
		}
		// A notice about nothing, or about a ticket gone, still renders.
		for _, n := range []models.Notice{
			{Kind: models.NoticeEnquiry, Channel: staffChannel, Data: `{"ticket_id": 999}`},
			{Kind: models.NoticeDeliveryFailed, Channel: staffChannel, Data: `{"notice_id": 3}`},
			{Kind: "brand_new_kind", Channel: staffChannel},
		} {
			jLimits(t, string(n.Kind)+" about nothing", render(t, e, n).blocks, 50)
		}
		// A connection that does not exist is an error the worker sees.
		missing := int64(99999)
		if _, err := e.app.RenderNotice(context.Background(), models.Notice{Kind: models.NoticePaid, Channel: customerChan, ConnectionID: &missing}); err == nil {
			t.Error("rendering a notice of a missing connection: no error")
		}
	})
}

// A notice delivered after its step was taken offers no stale button: the
// buttons are those of the connection's status now.
func TestRenderNoticeLateDelivery(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		c := jConnecting(e, "Hangzhou line 1")
		r := render(t, e, models.Notice{Kind: models.NoticeApproved, Channel: customerChan, ConnectionID: &c.ID})
		jWantButtons(t, "approved notice delivered after payment", r.blocks, "View", "Notify Provider")
		if !slices.Contains(jTexts(r.blocks, "mrkdwn"), "*Connecting* · waiting on the *customer* to notify the service provider of the port information") {
			t.Errorf("status line missing:\n%s", blocksText(r.blocks))
		}
	})
}
