package handlers_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/bot/slackfake"
	"github.com/leaseline/leaseline/models"
)

const (
	sharedChan   = "CSHAREDACME"
	externalUser = "UEXTERNAL1"
	externalTeam = "TEXTERNAL"
)

// submitIn is submit by a user of another team (Slack Connect).
func (e *env) submitIn(team, user, callbackID, privateMetadata string, values map[string]map[string]slack.BlockAction) (int, map[string]any) {
	e.t.Helper()
	return e.interact(map[string]any{
		"type": "view_submission", "trigger_id": "trig-" + rand.Text()[:8],
		"user": map[string]any{"id": user, "team_id": team},
		"team": map[string]any{"id": slackfake.TeamID},
		"view": map[string]any{
			"id": "V" + rand.Text()[:8], "type": "modal", "callback_id": callbackID, "private_metadata": privateMetadata,
			"state": map[string]any{"values": values},
		},
	})
}

func TestPanelButtonsWorkForExternalUserOfLinkedChannel(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.applyDirect(customerOf(customerUser, e.acme), goodApplication("ACME existing line"))
		e.command(staffUser, staffChannel, fmt.Sprintf("link <#%s|acme-shared> customer acme", sharedChan))
		if got := e.lastResponse(); !strings.Contains(got, "existing account *ACME*") {
			t.Fatalf("link: %s", got)
		}
		posts := e.slack.Calls("chat.postMessage")
		if len(posts) != 1 || posts[0].Param("channel") != sharedChan {
			t.Fatalf("panel posts: %v", methods(posts))
		}
		assertLimits(t, "panel", posts[0].Param("blocks"), 50)
		if got := blocksText(posts[0].Param("blocks")); !strings.Contains(got, "1 connection(s) in progress") {
			t.Errorf("panel summary: %s", got)
		}

		// My connections: the account's, to the presser only.
		e.pressIn(externalTeam, externalUser, sharedChan, "ll_list", "1")
		got := e.lastResponse()
		if !strings.Contains(got, "Connections of ACME") || !strings.Contains(got, "ACME existing line") {
			t.Errorf("My connections for an external user: %s", got)
		}
		if rs := e.slack.Calls("response_url"); rs[len(rs)-1].Params["response_type"] != "ephemeral" || rs[len(rs)-1].Params["replace_original"] != false {
			t.Errorf("answer is not ephemeral beside the panel: %v", rs[len(rs)-1].Params)
		}
		// Access points.
		e.pressIn(externalTeam, externalUser, sharedChan, "ll_aps", "")
		if got := e.lastResponse(); !strings.Contains(got, "Hangzhou-Yuhang-B") {
			t.Errorf("Access points: %s", got)
		}
		// Details of a connection of the account.
		rows, _ := e.store.List(ctx, customerOf(customerUser, e.acme), 1)
		e.pressIn(externalTeam, externalUser, sharedChan, "ll_show", fmt.Sprint(rows[0].ID))
		if got := e.lastResponse(); !strings.Contains(got, "Audit trail") {
			t.Errorf("Details: %s", got)
		}

		// Apply for New Interface opens the form; the submission, which comes
		// with no channel, still acts for ACME through the form's metadata.
		e.pressIn(externalTeam, externalUser, sharedChan, "ll_apply", "")
		v := e.lastView("views.open")
		if textOf(v["title"]) != "Apply for New Interface" {
			t.Fatalf("form: %v", v["title"])
		}
		u := e.chooseAP(externalUser, v, "ap-sg-jurong-a")
		meta, _ := u["private_metadata"].(string)
		status, ack := e.submitIn(externalTeam, externalUser, "ll_v_apply", meta, state(t, u, applyForm{
			"Name": "Singapore from Slack Connect", "Access Point": "ap-sg-jurong-a", "Service Provider": "singtel",
			"Port Type": "10GBase-LR", "Bandwidth": "2000", "Location": "Tai Seng, cage 4", "Redundancy": "none"}))
		if status != 200 || ack["response_action"] != "clear" {
			t.Fatalf("external submission: %d %v", status, ack)
		}
		if got := e.lastResponse(); !strings.Contains(got, "*Applying*") || !strings.Contains(got, "Singapore") {
			t.Errorf("answer: %s", got)
		}
		rows, _ = e.store.List(ctx, customerOf(customerUser, e.acme), 1)
		if rows[0].Name != "Singapore from Slack Connect" || rows[0].AppliedBy != externalUser || rows[0].AppliedChannel != sharedChan {
			t.Errorf("connection: %+v", rows[0])
		}
		// The panel is kept current.
		ups := e.slack.Calls("chat.update")
		if len(ups) == 0 || !strings.Contains(blocksText(ups[len(ups)-1].Param("blocks")), "2 connection(s) in progress") {
			t.Errorf("panel not updated after the application: %v", methods(ups))
		}

		// Enquire opens its form.
		e.pressIn(externalTeam, externalUser, sharedChan, "ll_enquire", "")
		if v := e.lastView("views.open"); v["callback_id"] != "ll_v_enquire" {
			t.Errorf("enquire form: %v", v["callback_id"])
		}

		// In a channel linked to no account, the same buttons tell how to get linked.
		e.pressIn(externalTeam, externalUser, "CUNLINKED", "ll_list", "1")
		if got := e.lastResponse(); !strings.Contains(got, "not linked to a customer account") {
			t.Errorf("unlinked channel: %s", got)
		}
	})
}

func TestUserTextIsEscapedEverywhere(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		acme := customerOf(customerUser, e.acme)
		app := goodApplication("<!channel> *bold* _it_ ~s~ `c` <@U0BOSS|boss>")
		app.Location = "<https://evil.example|click me> > quoted & <!here>"
		c := e.applyDirect(acme, app)
		raw := []string{"<!channel>", "*bold*", "_it_", "~s~", "`c`", "<@U0BOSS", "<https://evil", "<!here>"}

		e.command(customerUser, customerChan, "list")
		e.command(customerUser, customerChan, fmt.Sprintf("show #%d", c.ID))
		for i, r := range e.responses() {
			assertNoRaw(t, fmt.Sprintf("answer %d", i), r.Param("blocks"), raw...)
		}
		assertNoRaw(t, "home", blocksJSON(e.openHome(customerUser)), raw...)
		assertNoRaw(t, "staff home", blocksJSON(e.openHome(staffUser)), raw...)
		if got := e.lastResponse(); !strings.Contains(got, "&lt;!channel&gt;") || !strings.Contains(got, "bold") {
			t.Errorf("the name is not shown as typed (escaped): %s", got)
		}
	})
}

func TestBlockKitLimitsWithManyAccessPoints(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		cat := &models.Catalog{}
		for i := range 150 {
			cat.AccessPoints = append(cat.AccessPoints, models.AccessPoint{
				ID: fmt.Sprintf("ap-cn-hangzhou-x%03d", i), RegionID: "cn-hangzhou", Name: fmt.Sprintf("Hangzhou-Extra-%03d", i),
				Location: "Extra district " + fmt.Sprint(i), IDCName: "Extra IDC", IDCAddress: "somewhere", Status: models.APRecommended,
				DailyVisitCapacity: 1, VisitWindow: "09:00-17:00",
				Providers: []models.AccessPointProvider{{ProviderID: "ct-zj"}},
				PortTypes: []models.PortOffer{{PortType: models.Port1000BaseLX, MinMbps: 50, MaxMbps: 1000, PriceCents: 100, Currency: "CNY"}},
			})
			// A free port keeps it open (without one it shows full).
			dev := fmt.Sprintf("x%03d-asw", i)
			cat.Devices = append(cat.Devices, models.Device{ID: dev, AccessPointID: cat.AccessPoints[i].ID, Name: dev})
			cat.Ports = append(cat.Ports, models.Port{DeviceID: dev, Name: "Gi1/0/1", AccessPointID: cat.AccessPoints[i].ID, PortType: models.Port1000BaseLX, State: models.PortFree})
		}
		if _, err := e.store.ImportCatalog(ctx, cat); err != nil {
			t.Fatal(err)
		}

		v := e.openApplyForm(customerUser, customerChan)
		assertLimits(t, "apply form", blocksJSON(v), 100)
		_, ap, _ := input(t, v, "Access Point")
		if ap["type"] != "external_select" {
			t.Fatalf("157 open access points in a %v", ap["type"])
		}
		// Its options come from the suggestion handler, at most 100, grouped.
		status, ack := e.interact(map[string]any{
			"type": "block_suggestion", "action_id": ap["action_id"], "block_id": "apply_ap", "value": "",
			"user": map[string]any{"id": customerUser, "team_id": slackfake.TeamID}, "team": map[string]any{"id": slackfake.TeamID},
			"view": map[string]any{"id": v["id"], "callback_id": "ll_v_apply", "private_metadata": v["private_metadata"]},
		})
		if status != 200 {
			t.Fatalf("suggestions: HTTP %d", status)
		}
		if n := len(optionValues(ack)); n == 0 || n > 100 {
			t.Errorf("%d suggestions", n)
		}
		_, ack = e.interact(map[string]any{
			"type": "block_suggestion", "action_id": ap["action_id"], "block_id": "apply_ap", "value": "extra-14",
			"user": map[string]any{"id": customerUser, "team_id": slackfake.TeamID}, "team": map[string]any{"id": slackfake.TeamID},
			"view": map[string]any{"id": v["id"], "callback_id": "ll_v_apply"},
		})
		if got := optionValues(ack); len(got) != 10 || got[0] != "ap-cn-hangzhou-x140" {
			t.Errorf("suggestions for extra-14: %v", got)
		}
		// Choosing one narrows the form as ever.
		u := e.chooseAP(customerUser, v, "ap-cn-hangzhou-x042")
		_, prov, _ := input(t, u, "Service Provider")
		if got := optionValues(prov); len(got) != 1 || got[0] != "ct-zj" {
			t.Errorf("providers: %v", got)
		}
		assertLimits(t, "narrowed form", blocksJSON(u), 100)

		e.command(customerUser, customerChan, "access-points")
		rs := e.responses()
		raw := rs[len(rs)-1].Param("blocks")
		assertLimits(t, "access-points", raw, 50)
		e.command(customerUser, customerChan, "access-points cn-hangzhou")
		rs = e.responses()
		raw = rs[len(rs)-1].Param("blocks")
		assertLimits(t, "access-points of a region", raw, 50)
		if !strings.Contains(blocksText(raw), "Hangzhou-Extra-149") {
			t.Errorf("a region's list lacks its last access point")
		}

		e.command(customerUser, customerChan, "enquire")
		v = e.lastView("views.open")
		assertLimits(t, "enquiry form", blocksJSON(v), 100)
	})
}

func TestPanelPostedWhenBotJoinsAfterLink(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		e.slack.FailNext("chat.postMessage", 1, 500, 0)
		e.command(staffUser, staffChannel, "link <#CLATER|later> customer ACME")
		if got := e.lastResponse(); !strings.Contains(got, "could not post the panel") || !strings.Contains(got, "invite @leaseline") {
			t.Fatalf("link without the bot: %s", got)
		}
		if n := len(e.slack.Messages("CLATER")); n != 0 {
			t.Fatalf("%d messages", n)
		}
		join := func(channel string) {
			if status := e.event(map[string]any{"type": "member_joined_channel", "user": slackfake.BotUID, "channel": channel, "channel_type": "C", "team": slackfake.TeamID}); status != 200 {
				t.Fatalf("member_joined_channel: HTTP %d", status)
			}
			e.settle()
		}
		join("CLATER")
		msgs := e.slack.Messages("CLATER")
		if len(msgs) != 1 || !strings.Contains(string(msgs[0].Blocks), "Apply for New Interface") {
			t.Fatalf("panel after the bot joined: %+v", msgs)
		}
		// Once there, later joins leave it alone; unlinked channels get none.
		join("CLATER")
		join("COTHER")
		if n := len(e.slack.Calls("chat.postMessage")); n != 2 { // the failed one and the panel
			t.Errorf("%d posts", n)
		}
	})
}
