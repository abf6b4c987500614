package handlers_test

// The whole journey in two languages (issue 12, "Done when"): apply to
// Enabled and the day-two actions (change bandwidth, terminate, reject
// and resubmit), through the signed Slack handlers, once with every
// channel in Chinese and every person in English and once the other way
// round. What a channel reads (messages posted or updated in it) must be
// in the channel's language; what one person reads alone (modals,
// ephemeral replies, response_url replies, DMs) in the person's. The
// buttons, selects and their values must be the same in both languages,
// and Block Kit's limits must hold with every free-text field typed to
// the form's maximum length.

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/bot/slackfake"
	"github.com/leaseline/leaseline/handlers/lang"
	"github.com/leaseline/leaseline/models"
)

// typedRune is what every free-text field is filled with, up to the form's
// maximum length: a Chinese character (three bytes in UTF-8, one
// character for Slack's limits) that no catalog word uses, so that the
// language checks can take what users typed out of what they read.
const typedRune = "龘"

// typed removes what users typed, and Slack's tokens (mentions, dates,
// links), from a text before its language is judged.
var (
	typedRE = regexp.MustCompile(typedRune + "+")
	tokenRE = regexp.MustCompile(`<[^>]*>`)
	// englishRE is an English sentence, or the start of one: three words
	// of letters in a row.
	englishRE = regexp.MustCompile(`\b[A-Za-z]{2,}(?:[ ,;:'’]+[A-Za-z]+){2,}\b`)
	// statusEN are the seed's status words, which a Chinese reader never
	// sees.
	statusEN = regexp.MustCompile(`\b(?:Applying|Approved|Rejected|Connecting|Pending Confirmation|Enabled|Canceled|Terminating|Terminated)\b`)
)

// langParty is one way of splitting the languages: channels read one,
// people the other.
type langParty struct {
	name            string
	channel, person lang.Lang
}

// read is one thing a party read: where, in which language it should be,
// its text, and its raw blocks or view (for the limits).
type read struct {
	where string
	want  lang.Lang
	text  string
	raw   string // blocks (JSON array) of a message, or a view (JSON object)
	view  bool
}

func TestJourneyInTwoLanguages(t *testing.T) {
	parties := []langParty{
		{"channels in Chinese, people in English", lang.Chinese, lang.English},
		{"channels in English, people in Chinese", lang.English, lang.Chinese},
	}
	for _, backend := range backends(t) {
		t.Run(backend, func(t *testing.T) {
			ids := make([][]string, len(parties))
			for i, lp := range parties {
				t.Run(lp.name, func(t *testing.T) {
					e := newEnv(t, backend)
					ids[i] = langJourney(t, e, lp)
				})
			}
			if len(ids[0]) == 0 || !slices.Equal(ids[0], ids[1]) {
				t.Errorf("the action IDs and values differ between the languages:\n%s: %q\n%s: %q",
					parties[0].name, ids[0], parties[1].name, ids[1])
			}
		})
	}
}

// langJourney runs the journey for one split of the languages, checks what
// every party read, and returns the action IDs and values offered (sorted).
func langJourney(t *testing.T, e *env, lp langParty) []string {
	ctx := context.Background()
	k := newCourier(e)
	var acks []read // views shown by acks (response_action update/push)
	ackView := func(who string, ack map[string]any) {
		if v, ok := ack["view"].(map[string]any); ok {
			raw, _ := json.Marshal(v)
			acks = append(acks, read{where: who + " · form replaced by the ack", want: lp.person, text: viewText(v), raw: string(raw), view: true})
		}
	}

	// The languages: every person's Slack locale, and each channel's
	// language set by staff with /leaseline language.
	locale := map[lang.Lang]string{lang.English: "en-US", lang.Chinese: "zh-CN"}[lp.person]
	people := append([]string{customerUser, staffUser, providerUser}, receptionOf(t, e, "ap-cn-hangzhou-yh-b")...)
	for _, u := range people {
		e.slack.SetUser(slackfake.User{ID: u, Name: strings.ToLower(u), Locale: locale})
	}
	for ch, name := range map[string]string{customerChan: "acme", providerChan: "ct-zhejiang", staffChannel: "staff"} {
		if status, ack := e.command(staffUser, staffChannel, fmt.Sprintf("language <#%s|%s> %s", ch, name, lp.channel)); status != http.StatusOK {
			t.Fatalf("/leaseline language #%s %s: HTTP %d %v", name, lp.channel, status, ack)
		}
		e.settle()
		if l, from, err := e.store.ChannelLanguage(ctx, ch); err != nil || lang.Parse(l) != lp.channel || from != "channel" {
			t.Fatalf("/leaseline language #%s %s left the channel at %q (from %q, %v)", name, lp.channel, l, from, err)
		}
	}
	start := len(e.slack.Calls("")) // the language commands' replies are checked by their own tests

	// 1. Apply, every free-text field at its maximum length.
	form := e.lOpen(customerUser, customerChan, "apply")
	form = e.lChooseAP(customerUser, form, "ap-cn-hangzhou-yh-b")
	ack := e.lSubmit(customerUser, form, map[string]string{
		"apply_name": "", "apply_ap": "ap-cn-hangzhou-yh-b", "apply_provider": "ct-zj", "apply_port": "1000Base-T",
		"apply_bw": "200", "apply_loc": "",
	})
	if ack != nil && ack["response_action"] != "clear" {
		t.Fatalf("submit the apply form: ack %v", ack)
	}
	k.deliver()
	conns, err := e.store.List(ctx, jCustomer(e), 10)
	if err != nil || len(conns) != 1 {
		t.Fatalf("after applying: %v %v", conns, err)
	}
	id := conns[0].ID
	if got := []rune(conns[0].Name); len(got) != 128 {
		t.Fatalf("the name typed to the form's maximum was stored with %d characters", len(got))
	}

	// 2. Staff approve.
	review := k.one(id, models.NoticeReviewRequest, staffChannel)
	e.lPress(staffUser, review, "ll_approve")
	jWantStatus(t, e, id, models.StatusApproved, models.StepNone)

	// 3. The customer pays.
	k.deliver()
	approved := k.one(id, models.NoticeApproved, customerChan)
	e.lPress(customerUser, approved, "ll_pay")
	ackView("@customer", e.lSubmit(customerUser, e.jOpened(), nil))
	jWantStatus(t, e, id, models.StatusConnecting, models.StepNone)

	// 4. View the port, then Notify Provider.
	k.deliver()
	paid := k.one(id, models.NoticePaid, customerChan)
	e.lPress(customerUser, paid, "ll_view")
	e.lPress(customerUser, paid, "ll_notify")
	jWantStatus(t, e, id, models.StatusConnecting, models.StepProviderNotified)

	// 5. The provider submits the survey.
	k.deliver()
	info := k.one(id, models.NoticePortInfo, providerChan)
	e.lPress(providerUser, info, "ll_survey")
	survey := e.jOpened()
	if ack := e.lSubmit(providerUser, survey, map[string]string{
		"company": "", "line_type": "fibre", "arrival": "48h",
		"eng_1_name": "", "eng_1_phone": "+86 138 0000 0000", "eng_1_idtype": "ID card", "eng_1_idnum": rawIDNumber,
		"eng_2_name": "", "eng_2_phone": "+44 20 7946 0000", "eng_2_idtype": "passport", "eng_2_idnum": "GB1234567",
	}); ack["response_action"] != "clear" {
		t.Fatalf("survey: ack %v", ack)
	}
	jWantStatus(t, e, id, models.StatusConnecting, models.StepSurveyReceived)

	// 6. The customer submits the construction ticket.
	k.deliver()
	got := k.one(id, models.NoticeSurveyReceived, customerChan)
	e.lPress(customerUser, got, "ll_ticket")
	if ack := e.lSubmit(customerUser, e.jOpened(), map[string]string{"note": ""}); ack["response_action"] != "clear" {
		t.Fatalf("ticket: ack %v", ack)
	}
	jWantStatus(t, e, id, models.StatusConnecting, models.StepTicketSubmitted)

	// 7. The visit is booked, as schedule-visits does.
	k.deliver()
	tk := jConn(e, id).Ticket
	if _, booked, err := e.store.BookVisit(ctx, tk.ID, e.clock.Now()); err != nil || !booked {
		t.Fatalf("book visit: %v (booked %v)", err, booked)
	}
	jWantStatus(t, e, id, models.StatusConnecting, models.StepVisitScheduled)

	// 8. The provider reports the construction complete; the customer
	// confirms.
	k.deliver()
	visit := k.one(id, models.NoticeVisitScheduled, providerChan)
	e.lPress(providerUser, visit, "ll_complete")
	if ack := e.lSubmit(providerUser, e.jOpened(), map[string]string{"line_code": "HZ-CT-0001", "line_label": ""}); ack["response_action"] != "clear" {
		t.Fatalf("complete: ack %v", ack)
	}
	jWantStatus(t, e, id, models.StatusPendingConfirmation, models.StepVisitScheduled)
	k.deliver()
	done := k.one(id, models.NoticeConstructionComplete, customerChan)
	e.lPress(customerUser, done, "ll_confirm")
	jWantStatus(t, e, id, models.StatusEnabled, models.StepVisitScheduled)
	k.deliver()
	for _, ch := range []string{customerChan, staffChannel, providerChan} {
		wantStatusWord(t, "enabled notice in "+ch, k.one(id, models.NoticeEnabled, ch).blocks, lp.channel, models.StatusEnabled)
	}

	// 9. Day two: Change Bandwidth, approved by staff.
	enabled := k.one(id, models.NoticeEnabled, customerChan)
	e.lPress(customerUser, enabled, "ll_bandwidth")
	ackView("@customer", e.lSubmit(customerUser, e.jOpened(), map[string]string{"bandwidth": "500"}))
	k.deliver()
	bw := k.one(id, models.NoticeBandwidthRequested, staffChannel)
	e.lPress(staffUser, bw, "ll_bw_approve")
	if d := jConn(e, id); d.Connection.BandwidthMbps != 500 {
		t.Fatalf("bandwidth after approval: %d Mbps", d.Connection.BandwidthMbps)
	}
	k.deliver()

	// 10. Terminate, with a reason of the maximum length; the removal visit
	// is booked; the provider reports the removal complete.
	e.lPress(customerUser, enabled, "ll_terminate")
	if ack := e.lSubmit(customerUser, e.jOpened(), map[string]string{"reason": ""}); ack["response_action"] != "clear" {
		t.Fatalf("terminate: ack %v", ack)
	}
	jWantStatus(t, e, id, models.StatusTerminating, models.StepVisitScheduled)
	k.deliver()
	if batch, err := e.store.BookVisits(ctx, e.clock.Now(), models.BookingQuery{}); err != nil || len(batch.Booked) != 1 {
		t.Fatalf("book the removal visit: %v %+v", err, batch)
	}
	var removal posted
	for _, p := range k.deliver() {
		if p.notice.Kind == models.NoticeVisitScheduled && p.channel == providerChan {
			removal = p
		}
	}
	e.lPress(providerUser, removal, "ll_removal")
	if ack := e.lSubmit(providerUser, e.jOpened(), map[string]string{"line_code": "HZ-CT-0001", "note": ""}); ack["response_action"] != "clear" {
		t.Fatalf("removal complete: ack %v", ack)
	}
	jWantStatus(t, e, id, models.StatusTerminated, models.StepVisitScheduled)
	k.deliver()
	for _, ch := range []string{customerChan, staffChannel, providerChan} {
		wantStatusWord(t, "terminated notice in "+ch, k.one(id, models.NoticeTerminated, ch).blocks, lp.channel, models.StatusTerminated)
	}

	// 11. A second application, rejected with a reason of the maximum
	// length, edited and resubmitted.
	form = e.lOpen(customerUser, customerChan, "apply")
	form = e.lChooseAP(customerUser, form, "ap-cn-hangzhou-yh-b")
	e.lSubmit(customerUser, form, map[string]string{
		"apply_name": "", "apply_ap": "ap-cn-hangzhou-yh-b", "apply_provider": "ct-zj", "apply_port": "1000Base-T",
		"apply_bw": "300", "apply_loc": "",
	})
	k.deliver()
	conns, err = e.store.List(ctx, jCustomer(e), 10)
	if err != nil || len(conns) != 2 {
		t.Fatalf("after the second application: %v %v", conns, err)
	}
	second := conns[0].ID
	if second == id {
		second = conns[1].ID
	}
	e.lPress(staffUser, k.one(second, models.NoticeReviewRequest, staffChannel), "ll_reject")
	if ack := e.lSubmit(staffUser, e.jOpened(), map[string]string{"reason": ""}); ack["response_action"] != "clear" {
		t.Fatalf("reject: ack %v", ack)
	}
	jWantStatus(t, e, second, models.StatusRejected, models.StepNone)
	k.deliver()
	e.lPress(customerUser, k.one(second, models.NoticeRejected, customerChan), "ll_resubmit")
	resubmit := e.jOpened()
	if ack := e.lSubmit(customerUser, resubmit, map[string]string{"apply_bw": "400"}); ack != nil && ack["response_action"] != "clear" {
		t.Fatalf("resubmit: ack %v", ack)
	}
	jWantStatus(t, e, second, models.StatusApplying, models.StepNone)
	k.deliver()

	// 12. The customer reads the first line's details and audit trail.
	if status, _ := e.command(customerUser, customerChan, "show "+models.ApplicationRef(id)); status != http.StatusOK {
		t.Fatalf("/leaseline show: HTTP %d", status)
	}
	e.settle()

	// Everything every party read since the languages were set.
	reads := append(readsOf(t, e, start, lp), acks...)
	if len(reads) < 40 {
		t.Fatalf("only %d things read: the journey did not run through", len(reads))
	}
	var byLang [2]int
	for _, r := range reads {
		checkLanguage(t, r)
		checkLimits(t, r)
		if r.want == lang.Chinese {
			byLang[1]++
		} else {
			byLang[0]++
		}
	}
	if byLang[0] == 0 || byLang[1] == 0 {
		t.Errorf("read in English %d, in Chinese %d: both languages must be read", byLang[0], byLang[1])
	}
	return actionIDs(reads)
}

// receptionOf lists the Slack users of the reception rota of access point
// apID.
func receptionOf(t *testing.T, e *env, apID string) []string {
	t.Helper()
	cat, err := e.store.CurrentCatalog(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range cat.Reception {
		if r.AccessPointID == apID && r.SlackUserID != "" {
			out = append(out, r.SlackUserID)
		}
	}
	return out
}

// lOpen runs /leaseline text as user in channel and returns the form it
// opened.
func (e *env) lOpen(user, channel, text string) map[string]any {
	e.t.Helper()
	if status, ack := e.command(user, channel, text); status != http.StatusOK || ack != nil {
		e.t.Fatalf("/leaseline %s: HTTP %d, ack %v", text, status, ack)
	}
	return e.jOpened()
}

// lChooseAP chooses access point apID in the open apply form (found by its
// block ID, the same in every language) and returns the updated form.
func (e *env) lChooseAP(user string, v map[string]any, apID string) map[string]any {
	e.t.Helper()
	if v["id"] == nil {
		v["id"], v["hash"] = "VOPEN"+rand.Text()[:6], "h-"+rand.Text()[:6]
	}
	block, el := lInput(e.t, v, "apply_ap")
	status, _ := e.interact(map[string]any{
		"type": "block_actions", "trigger_id": "trig-" + rand.Text()[:8],
		"user":      map[string]any{"id": user, "team_id": slackfake.TeamID},
		"team":      map[string]any{"id": slackfake.TeamID},
		"container": map[string]any{"type": "view", "view_id": v["id"]},
		"view": map[string]any{"id": v["id"], "hash": v["hash"], "type": "modal", "callback_id": v["callback_id"],
			"private_metadata": v["private_metadata"], "state": map[string]any{"values": map[string]any{}}},
		"actions": []map[string]any{{"action_id": el["action_id"], "block_id": block, "type": el["type"],
			"selected_option": map[string]any{"value": apID}}},
	})
	if status != http.StatusOK {
		e.t.Fatalf("choose access point: HTTP %d", status)
	}
	u := e.jViewOf("views.update")
	u["id"], u["hash"] = v["id"], "h-"+rand.Text()[:6]
	return u
}

// lInput finds the input block of form v whose block ID is block, or
// starts with block and a dot (a field rebuilt per access point).
func lInput(t *testing.T, v map[string]any, block string) (string, map[string]any) {
	t.Helper()
	for _, b := range blocksOf(v) {
		id, _ := b["block_id"].(string)
		if b["type"] == "input" && (id == block || strings.HasPrefix(id, block+".")) {
			el, _ := b["element"].(map[string]any)
			return id, el
		}
	}
	t.Fatalf("the %v form has no input %q", v["callback_id"], block)
	return "", nil
}

// lSubmit submits form v as user with fields (block ID -> value) filled by
// block ID and the element's own action ID: options by value, "48h" a
// date and time two days on, "" text typed to the field's maximum length
// (typedRune repeated).
func (e *env) lSubmit(user string, v map[string]any, fields map[string]string) map[string]any {
	e.t.Helper()
	values := map[string]map[string]slack.BlockAction{}
	// A form prefilled (Edit and Resubmit) sends its initial values.
	for _, b := range blocksOf(v) {
		id, _ := b["block_id"].(string)
		el, _ := b["element"].(map[string]any)
		if b["type"] != "input" || el == nil {
			continue
		}
		action, _ := el["action_id"].(string)
		if s, ok := el["initial_value"].(string); ok {
			values[id] = map[string]slack.BlockAction{action: {Type: "plain_text_input", Value: s}}
		}
		if o, ok := el["initial_option"].(map[string]any); ok {
			val, _ := o["value"].(string)
			typ, _ := el["type"].(string)
			values[id] = map[string]slack.BlockAction{action: {Type: slack.ActionType(typ), SelectedOption: slack.OptionBlockObject{Value: val}}}
		}
	}
	for block, val := range fields {
		id, el := lInput(e.t, v, block)
		action, _ := el["action_id"].(string)
		typ, _ := el["type"].(string)
		ba := slack.BlockAction{Type: slack.ActionType(typ)}
		switch {
		case strings.HasSuffix(typ, "_select"), typ == "radio_buttons":
			ba.SelectedOption = slack.OptionBlockObject{Value: val}
		case typ == "datetimepicker":
			ba.SelectedDateTime = e.clock.Now().Add(48 * time.Hour).Unix()
		case val == "":
			n, _ := el["max_length"].(float64)
			if n < 2 {
				e.t.Fatalf("the %v form's %s has no max_length to fill", v["callback_id"], block)
			}
			ba.Value = strings.Repeat(typedRune, int(n))
		default:
			ba.Value = val
		}
		values[id] = map[string]slack.BlockAction{action: ba}
	}
	cb, _ := v["callback_id"].(string)
	meta, _ := v["private_metadata"].(string)
	status, ack := e.submit(user, cb, meta, values)
	if status != http.StatusOK {
		e.t.Fatalf("submit %s: HTTP %d", cb, status)
	}
	if ack["response_action"] == "errors" {
		e.t.Fatalf("the %s form refused the submission: %v", cb, ack["errors"])
	}
	e.settle()
	return ack
}

// lPress presses, as user, the button actionID of the delivered message p
// (found by its action ID, the same in every language).
func (e *env) lPress(user string, p posted, actionID string) {
	e.t.Helper()
	for _, b := range jButtons(p.blocks) {
		if b.ActionID == actionID {
			status, ack := e.do(e.pressRequest(user, p.channel, p.ts, b))
			if status != http.StatusOK || ack != nil {
				e.t.Fatalf("press %s: HTTP %d, ack %v", actionID, status, ack)
			}
			e.settle()
			return
		}
	}
	e.t.Fatalf("%s to %s has no %s button; it has %q", p.notice.Kind, p.channel, actionID, jButtonTexts(p.blocks))
}

// readsOf is everything sent to Slack since call start, each with the
// language its reader reads: a message posted or updated in a channel is
// the channel's; a modal, App Home, ephemeral or response_url reply, or a
// DM, the person's.
func readsOf(t *testing.T, e *env, start int, lp langParty) []read {
	t.Helper()
	calls := e.slack.Calls("")
	var out []read
	for i, c := range calls[min(start, len(calls)):] {
		where := fmt.Sprintf("call %d %s", start+i, c.Method)
		switch c.Method {
		case "chat.postMessage", "chat.update":
			ch := c.Param("channel")
			want := lp.channel
			if !strings.HasPrefix(ch, "C") && !strings.HasPrefix(ch, "G") {
				want = lp.person // a DM (reception)
			}
			raw := c.Param("blocks")
			out = append(out, read{where: where + " to " + ch, want: want, text: blocksText(raw) + "\n" + c.Param("text"), raw: raw})
		case "chat.postEphemeral":
			raw := c.Param("blocks")
			out = append(out, read{where: where + " to " + c.Param("user"), want: lp.person, text: blocksText(raw) + "\n" + c.Param("text"), raw: raw})
		case "response_url":
			raw := c.Param("blocks")
			want := lp.person
			if c.Param("replace_original") == "true" && c.Param("response_type") != "ephemeral" {
				want = lp.channel // a channel's message replaced in place
			}
			out = append(out, read{where: where, want: want, text: blocksText(raw) + "\n" + c.Param("text"), raw: raw})
		case "views.open", "views.update", "views.push", "views.publish":
			var v map[string]any
			if err := c.JSONParam("view", &v); err != nil {
				t.Fatal(err)
			}
			raw, _ := json.Marshal(v)
			out = append(out, read{where: where, want: lp.person, text: viewText(v), raw: string(raw), view: true})
		}
	}
	return out
}

// checkLanguage fails when r is not in the language its reader reads: in
// Chinese, Chinese words and no English sentence or status word; in
// English, no Chinese. What users typed and Slack's tokens are left out.
func checkLanguage(t *testing.T, r read) {
	t.Helper()
	s := typedRE.ReplaceAllString(tokenRE.ReplaceAllString(r.text, " "), " ")
	if strings.TrimSpace(s) == "" {
		return
	}
	switch r.want {
	case lang.Chinese:
		if !strings.ContainsFunc(s, isHan) {
			t.Errorf("%s should be in Chinese and has no Chinese word:\n%s", r.where, shown(s))
		}
		for _, re := range []*regexp.Regexp{englishRE, statusEN} {
			if at := re.FindStringIndex(s); at != nil {
				t.Errorf("%s should be in Chinese and has English %q in:\n%s", r.where, s[at[0]:at[1]], shown(around(s, at[0], at[1])))
				break
			}
		}
	default:
		if i := strings.IndexFunc(s, isHan); i >= 0 {
			t.Errorf("%s should be in English and has Chinese %q:\n%s", r.where, s[i:min(len(s), i+30)], shown(s))
		}
	}
}

func isHan(r rune) bool { return unicode.Is(unicode.Han, r) }

// around is the line(s) of s around s[i:j].
func around(s string, i, j int) string {
	start := strings.LastIndex(s[:i], "\n") + 1
	end := strings.Index(s[j:], "\n")
	if end < 0 {
		return s[start:]
	}
	return s[start : j+end]
}

// shown is s for a failure message: what users typed as its length, and
// at most 600 characters.
func shown(s string) string {
	s = typedRE.ReplaceAllStringFunc(s, func(m string) string { return fmt.Sprintf("‹typed×%d›", len([]rune(m))) })
	if r := []rune(s); len(r) > 600 {
		s = string(r[:600]) + "…"
	}
	return s
}

// wantStatusWord fails unless the message (blocks) shows status s in l.
func wantStatusWord(t *testing.T, where, raw string, l lang.Lang, s models.Status) {
	t.Helper()
	word := lang.MustLoad().For(l).T("status." + strings.ReplaceAll(string(s), " ", ""))
	if text := blocksText(raw); !strings.Contains(text, word) {
		t.Errorf("%s does not say %q (%s):\n%s", where, word, s, shown(text))
	}
}

// Slack's Block Kit limits, in characters.
const (
	limitMessageBlocks = 50
	limitViewBlocks    = 100
	limitButton        = 75
	limitHeader        = 150
	limitSection       = 3000
	limitField         = 2000
	limitFields        = 10
	limitModalTitle    = 24 // also the submit and close labels
	limitOption        = 75 // option text and description, option group label
	limitPlaceholder   = 150
	limitLabel         = 2000 // input label and hint
	limitContext       = 10   // elements of a context block
	limitActions       = 25   // elements of an actions block
	limitOptions       = 100  // options of a static select
)

// checkLimits fails when what r shows breaks one of Slack's limits: Slack
// refuses the whole message or view.
func checkLimits(t *testing.T, r read) {
	t.Helper()
	n := func(o any) int { return len([]rune(textOf(o))) }
	over := func(what string, got, limit int) {
		if got > limit {
			t.Errorf("%s: %s of %d, Slack's limit is %d", r.where, what, got, limit)
		}
	}
	var blocks []any
	if r.view {
		var v map[string]any
		if err := json.Unmarshal([]byte(r.raw), &v); err != nil {
			t.Fatalf("%s: view: %v", r.where, err)
		}
		over("modal title", n(v["title"]), limitModalTitle)
		over("modal submit label", n(v["submit"]), limitModalTitle)
		over("modal close label", n(v["close"]), limitModalTitle)
		blocks, _ = v["blocks"].([]any)
		over("view blocks", len(blocks), limitViewBlocks)
	} else if r.raw != "" {
		if err := json.Unmarshal([]byte(r.raw), &blocks); err != nil {
			t.Fatalf("%s: blocks: %v", r.where, err)
		}
		over("message blocks", len(blocks), limitMessageBlocks)
	}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			switch x["type"] {
			case "header":
				over("header text", n(x["text"]), limitHeader)
			case "section":
				over("section text", n(x["text"]), limitSection)
				fs, _ := x["fields"].([]any)
				over("section fields", len(fs), limitFields)
				for _, f := range fs {
					over("section field", n(f), limitField)
				}
			case "button":
				over("button text", n(x["text"]), limitButton)
			case "context":
				els, _ := x["elements"].([]any)
				over("context elements", len(els), limitContext)
			case "actions":
				els, _ := x["elements"].([]any)
				over("actions elements", len(els), limitActions)
			case "input":
				over("input label", n(x["label"]), limitLabel)
				over("input hint", n(x["hint"]), limitLabel)
			case "static_select", "external_select", "multi_static_select", "radio_buttons", "checkboxes", "overflow":
				opts, _ := x["options"].([]any)
				over("options", len(opts)+len(optionValues(map[string]any{"option_groups": x["option_groups"]})), limitOptions)
			case "mrkdwn", "plain_text":
				over("text", len([]rune(textOf(x))), limitSection)
			}
			if p, ok := x["placeholder"]; ok {
				over("placeholder", n(p), limitPlaceholder)
			}
			if _, isOption := x["value"].(string); isOption && x["text"] != nil && x["type"] == nil {
				over("option text", n(x["text"]), limitOption)
				over("option description", n(x["description"]), limitOption)
			}
			if l, ok := x["label"]; ok && x["options"] != nil && x["type"] == nil {
				over("option group label", n(l), limitOption)
			}
			for _, c := range x {
				walk(c)
			}
		case []any:
			for _, c := range x {
				walk(c)
			}
		}
	}
	for _, b := range blocks {
		walk(b)
	}
}

// actionIDs lists, sorted, the action IDs and values of every button and
// select offered in reads (a select's option values as a set): the same in
// every language.
func actionIDs(reads []read) []string {
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if id, ok := x["action_id"].(string); ok {
				val, _ := x["value"].(string)
				// The options' values, as a set: their order follows their
				// names, which are the reader's language's.
				opts := optionValues(x)
				slices.Sort(opts)
				out = append(out, id+"="+val+" "+strings.Join(opts, ","))
			}
			for _, c := range x {
				walk(c)
			}
		case []any:
			for _, c := range x {
				walk(c)
			}
		}
	}
	for _, r := range reads {
		var v any
		_ = json.Unmarshal([]byte(r.raw), &v)
		walk(v)
	}
	slices.Sort(out)
	return out
}
