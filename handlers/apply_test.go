package handlers_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/leaseline/leaseline/models"
)

var applyLabels = []string{"Name", "Access Point", "Service Provider", "Port Type", "Bandwidth", "Location", "Redundancy"}

func TestApplyFormOpens(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		v := e.openApplyForm(customerUser, customerChan)
		call := e.slack.Calls("views.open")[0]
		if !strings.HasPrefix(call.Param("trigger_id"), "trig-") {
			t.Errorf("views.open without the command's trigger_id: %q", call.Param("trigger_id"))
		}
		if textOf(v["title"]) != "Apply for New Interface" || v["callback_id"] != "ll_v_apply" {
			t.Errorf("title %q callback %v", textOf(v["title"]), v["callback_id"])
		}
		for _, label := range applyLabels {
			_, _, hint := input(t, v, label)
			if hint == "" {
				t.Errorf("%s has no hint", label)
			}
		}
		var labels []string
		for _, b := range blocksOf(v) {
			if b["type"] == "input" {
				labels = append(labels, textOf(b["label"]))
			}
		}
		if !slices.Equal(labels, applyLabels) {
			t.Errorf("inputs %v, want %v", labels, applyLabels)
		}
		_, ap, _ := input(t, v, "Access Point")
		if ap["type"] != "static_select" || ap["option_groups"] == nil {
			t.Fatalf("access point select: %v", ap)
		}
		got := optionValues(ap)
		for _, open := range []string{"ap-cn-hangzhou-yh-b", "ap-cn-hangzhou-xs-a", "ap-cn-shanghai-jq-a", "ap-sg-jurong-a"} {
			if !slices.Contains(got, open) {
				t.Errorf("open access point %s not offered", open)
			}
		}
		for _, closed := range []string{"ap-cn-hangzhou-bj-c", "ap-cn-shanghai-bs-c", "ap-cn-beijing-sy-b"} {
			if slices.Contains(got, closed) {
				t.Errorf("full or disabled access point %s offered", closed)
			}
		}
		var groups []string
		for _, g := range ap["option_groups"].([]any) {
			groups = append(groups, textOf(g.(map[string]any)["label"]))
		}
		if !slices.Contains(groups, "China (Hangzhou)") || !slices.Contains(groups, "Singapore") {
			t.Errorf("option groups %v", groups)
		}
		if txt := viewText(v); !strings.Contains(txt, "3 access point(s) that are full or closed") || !strings.Contains(txt, "Yuhang District") {
			t.Errorf("form does not say what it leaves out, or lacks locations:\n%s", txt)
		}
		_, port, _ := input(t, v, "Port Type")
		for _, p := range optionValues(port) {
			if _, err := models.ParsePortType(p); err != nil {
				t.Errorf("port type %q offered: %v", p, err)
			}
		}
		if ap["type"] == nil || !strings.Contains(call.Param("view"), `"dispatch_action":true`) {
			t.Error("access point select does not dispatch its choice")
		}
		assertLimits(t, "apply form", blocksJSON(v), 100)
	})
}

func TestApplyFormNarrowsToAccessPoint(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		v := e.openApplyForm(customerUser, customerChan)
		u := e.chooseAP(customerUser, v, "ap-cn-hangzhou-xs-a")
		call := e.slack.Calls("views.update")[0]
		if call.Param("view_id") != v["id"] || call.Param("hash") != v["hash"] {
			t.Errorf("views.update of %q hash %q, want %v %v", call.Param("view_id"), call.Param("hash"), v["id"], v["hash"])
		}
		_, prov, provHint := input(t, u, "Service Provider")
		if got := optionValues(prov); !slices.Equal(sorted(got), []string{"ct-zj", "cu-zj"}) {
			t.Errorf("providers at Xiaoshan-A: %v", got)
		}
		if !strings.Contains(provHint, "Hangzhou-Xiaoshan-A allows") {
			t.Errorf("provider hint: %s", provHint)
		}
		_, port, _ := input(t, u, "Port Type")
		if got := optionValues(port); !slices.Equal(got, []string{"100Base-T", "1000Base-LX"}) {
			t.Errorf("port types at Xiaoshan-A: %v", got)
		}
		_, _, bwHint := input(t, u, "Bandwidth")
		if !strings.Contains(bwHint, "100Base-T 50–100 Mbps") || !strings.Contains(bwHint, "1000Base-LX 50–1,000 Mbps") {
			t.Errorf("bandwidth hint: %s", bwHint)
		}
		_, ap, _ := input(t, u, "Access Point")
		if init, _ := ap["initial_option"].(map[string]any); init["value"] != "ap-cn-hangzhou-xs-a" {
			t.Errorf("chosen access point not kept: %v", ap["initial_option"])
		}
		// Shanghai-Jinqiao-A offers 40G and 100G; nowhere an unsupported type.
		u = e.chooseAP(customerUser, u, "ap-cn-shanghai-jq-a")
		_, port, _ = input(t, u, "Port Type")
		if got := optionValues(port); !slices.Equal(got, []string{"1000Base-LX", "10GBase-LR", "40GBase-LR", "100GBase-LR"}) {
			t.Errorf("port types at Jinqiao-A: %v", got)
		}
		// A closed access point is not taken even if forged into the action.
		u = e.chooseAP(customerUser, u, "ap-cn-hangzhou-bj-c")
		_, ap, _ = input(t, u, "Access Point")
		if ap["initial_option"] != nil {
			t.Errorf("closed access point chosen: %v", ap["initial_option"])
		}
	})
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

func TestApplyFormRedundancyOffersOwnEligibleConnections(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		acme := customerOf(customerUser, e.acme)
		paid := e.applyDirect(acme, goodApplication("Has a port"))
		e.exec(fmt.Sprintf("UPDATE connections SET status = 'Connecting' WHERE id = %d", paid.ID))
		waiting := e.applyDirect(acme, goodApplication("Still applying"))
		other := e.applyDirect(customerOf(otherUser, e.globex), goodApplication("Globex port"))
		e.exec(fmt.Sprintf("UPDATE connections SET status = 'Connecting' WHERE id = %d", other.ID))

		v := e.openApplyForm(customerUser, customerChan)
		if _, red, _ := input(t, v, "Redundancy"); !slices.Equal(optionValues(red), []string{"none"}) {
			t.Errorf("redundancy before an access point: %v", optionValues(red))
		}
		u := e.chooseAP(customerUser, v, "ap-cn-hangzhou-xs-a")
		_, red, _ := input(t, u, "Redundancy")
		got := optionValues(red)
		if !slices.Equal(got, []string{"none", fmt.Sprint(paid.ID)}) {
			t.Errorf("redundancy in Hangzhou: %v (want none and #%d; not #%d, not Globex's #%d)", got, paid.ID, waiting.ID, other.ID)
		}
		u = e.chooseAP(customerUser, u, "ap-cn-shanghai-jq-a")
		if _, red, _ := input(t, u, "Redundancy"); !slices.Equal(optionValues(red), []string{"none"}) {
			t.Errorf("redundancy in Shanghai: %v", optionValues(red))
		}
	})
}

func TestApplySubmissionShowsEachRuleUnderItsField(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		acme := customerOf(customerUser, e.acme)
		applying := e.applyDirect(acme, goodApplication("Not yet paid"))

		v := e.chooseAP(customerUser, e.openApplyForm(customerUser, customerChan), "ap-cn-hangzhou-xs-a")
		good := applyForm{"Name": "Xiaoshan backup", "Access Point": "ap-cn-hangzhou-xs-a", "Service Provider": "ct-zj",
			"Port Type": "100Base-T", "Bandwidth": "100", "Location": "Room 301", "Redundancy": "none"}
		with := func(k, val string) applyForm {
			f := applyForm{}
			for kk, vv := range good {
				f[kk] = vv
			}
			f[k] = val
			return f
		}
		for _, tc := range []struct {
			name  string
			form  applyForm
			field string
			want  string
		}{
			{"name length", with("Name", "x"), "Name", "2 to 128 characters"},
			{"provider not allowed", with("Service Provider", "cm-zj"), "Service Provider", "China Mobile Zhejiang is not allowed at Hangzhou-Xiaoshan-A"},
			{"port type not offered", with("Port Type", "10GBase-LR"), "Port Type", "10GBase-LR is not offered at Hangzhou-Xiaoshan-A"},
			{"unsupported port type", with("Port Type", "SDH 155M CPOS"), "Port Type", "not supported"},
			{"bandwidth range", with("Bandwidth", "500"), "Bandwidth", "carries 50 to 100 Mbps"},
			{"bandwidth not a number", with("Bandwidth", "lots"), "Bandwidth", "is not a bandwidth"},
			{"location", with("Location", "  "), "Location", "location of your local IDC"},
			{"redundancy without a port", with("Redundancy", fmt.Sprint(applying.ID)), "Redundancy", "must already hold a port"},
		} {
			ack := e.submitApply(customerUser, v, tc.form)
			if ack["response_action"] != "errors" {
				t.Errorf("%s: ack %v", tc.name, ack)
				continue
			}
			errs, _ := ack["errors"].(map[string]any)
			blk, _, _ := input(t, v, tc.field)
			if msg := fmt.Sprint(errs[blk]); !strings.Contains(msg, tc.want) {
				t.Errorf("%s: error under %s (%s) = %q, want %q; all: %v", tc.name, tc.field, blk, msg, tc.want, errs)
			}
		}
		// Several broken rules show at once, each under its own field.
		bad := with("Service Provider", "cm-zj")
		bad["Name"], bad["Bandwidth"] = "x", "lots"
		ack := e.submitApply(customerUser, v, bad)
		errs, _ := ack["errors"].(map[string]any)
		if len(errs) != 3 {
			t.Errorf("three broken rules: %v", errs)
		}

		// The open-connections limit has no field: it shows under Name.
		for i := range 4 {
			e.applyDirect(acme, goodApplication(fmt.Sprintf("Filler %d", i)))
		}
		ack = e.submitApply(customerUser, v, good)
		errs, _ = ack["errors"].(map[string]any)
		nameBlk, _, _ := input(t, v, "Name")
		if msg := fmt.Sprint(errs[nameBlk]); !strings.Contains(msg, "the limit is 5") {
			t.Errorf("open limit: %v", errs)
		}
		rows, _ := e.store.List(ctx, acme, 100)
		if len(rows) != 5 {
			t.Errorf("%d connections after refused submissions, want 5", len(rows))
		}
		e.settle()
		if n := len(e.slack.Calls("response_url")); n != 0 {
			t.Errorf("refused submissions told the user %d times outside the form", n)
		}
	})
}

func TestApplySuccessTellsStatusAndReviewDate(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		form := applyForm{"Name": "Yuhang <!channel> *primary*", "Access Point": "ap-cn-hangzhou-yh-b", "Service Provider": "cu-zj",
			"Port Type": "1000Base-T", "Bandwidth": "1 Gbps", "Location": "Room 301", "Redundancy": "none"}
		for _, tc := range []struct {
			now  time.Time
			want string
		}{
			{time.Date(2026, 11, 26, 2, 0, 0, 0, time.UTC), "Friday 27 November 2026"}, // Thursday in Shanghai
			{time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC), "Monday 30 November 2026"}, // Friday
			{time.Date(2026, 9, 30, 2, 0, 0, 0, time.UTC), "Thursday 8 October 2026"},  // before National Day
		} {
			e.clock.Set(tc.now)
			e.slack.Reset()
			v := e.chooseAP(customerUser, e.openApplyForm(customerUser, customerChan), "ap-cn-hangzhou-yh-b")
			ack := e.submitApply(customerUser, v, form)
			if ack["response_action"] != "clear" {
				t.Fatalf("%s: ack %v", tc.now, ack)
			}
			rs := e.responses()
			if len(rs) != 1 {
				t.Fatalf("%d answers", len(rs))
			}
			raw := rs[0].Param("blocks")
			got := blocksText(raw)
			rows, _ := e.store.List(ctx, customerOf(customerUser, e.acme), 1)
			c := rows[0]
			for _, want := range []string{"*Applying*", "*" + models.ApplicationRef(c.ID) + "*", "review normally completes by *" + tc.want + "*", "China (Hangzhou)", "<#" + customerChan + ">"} {
				if !strings.Contains(strings.ToLower(got), strings.ToLower(want)) {
					t.Errorf("%s: answer lacks %q:\n%s", tc.now, want, got)
				}
			}
			assertNoRaw(t, "apply answer", raw, "<!channel>", "*primary*")
			if c.BandwidthMbps != 1000 || c.ProviderID != "cu-zj" || c.AppliedChannel != customerChan || c.Name != "Yuhang <!channel> *primary*" {
				t.Errorf("connection: %+v", c)
			}
			notices, _ := e.store.Notices(ctx, c.ID)
			if len(notices) != 1 || notices[0].Kind != models.NoticeReviewRequest || notices[0].Channel != staffChannel {
				t.Errorf("notices: %+v", notices)
			}
		}
	})
}

func TestApplyFromUnlinkedChannelAnswersInDM(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		// A user of ACME applies from a channel of others: nothing of the
		// account may show there, so the connection's news go to a DM.
		v := e.chooseAP(customerUser, e.openApplyForm(customerUser, "CRANDOM"), "ap-cn-hangzhou-yh-b")
		ack := e.submitApply(customerUser, v, applyForm{"Name": "Quiet line", "Access Point": "ap-cn-hangzhou-yh-b", "Service Provider": "ct-zj",
			"Port Type": "1000Base-T", "Bandwidth": "100", "Location": "Room 1", "Redundancy": "none"})
		if ack["response_action"] != "clear" {
			t.Fatalf("ack %v", ack)
		}
		if got := e.lastResponse(); !strings.Contains(got, "in a direct message") {
			t.Errorf("answer: %s", got)
		}
		rows, _ := e.store.List(context.Background(), customerOf(customerUser, e.acme), 1)
		if rows[0].AppliedChannel != customerUser {
			t.Errorf("applied channel %q, want the user's DM", rows[0].AppliedChannel)
		}
	})
}

func TestApplyRefusedToStaffAndUnlinked(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		e.command(staffUser, staffChannel, "apply")
		if got := e.lastResponse(); !strings.Contains(got, "Only customers apply") {
			t.Errorf("staff apply: %s", got)
		}
		e.command("ULOST1", "CRANDOM", "apply")
		if got := e.lastResponse(); !strings.Contains(got, "not linked to a customer account") {
			t.Errorf("unlinked apply: %s", got)
		}
		if n := len(e.slack.Calls("views.open")); n != 0 {
			t.Errorf("%d forms opened", n)
		}
	})
}
