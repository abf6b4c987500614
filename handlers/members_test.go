package handlers_test

import (
	"fmt"
	"strings"
	"testing"
)

// TestLinkedChannelMembersAreUsersInHomeAndDMs: a member of a linked
// channel, never added with adduser, sees the account's connections in
// App Home and in a DM; joining a second account's channel shows both,
// each under its own heading; leaving every linked channel loses access
// at once. Nobody sees an account they do not belong to.
func TestLinkedChannelMembersAreUsersInHomeAndDMs(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		const member, dm = "UMEMBER1", "DMEMBER1"
		e.applyDirect(customerOf(customerUser, e.acme), goodApplication("Acme line"))
		e.applyDirect(customerOf(otherUser, e.globex), goodApplication("Globex line"))
		many := make([]string, 0, 1201)
		for i := range 1200 {
			many = append(many, fmt.Sprintf("UFILL%04d", i))
		}
		e.slack.SetMembers(customerChan, append(many, member)...) // three pages of 500
		e.slack.SetMembers(otherChan, otherUser)

		home := viewText(e.openHome(member))
		if !strings.Contains(home, "Acme line") || strings.Contains(home, "Globex line") {
			t.Fatalf("home of a member of ACME's channel:\n%s", home)
		}
		pages := 0
		for _, c := range e.slack.Calls("conversations.members") {
			if c.Param("channel") == customerChan {
				pages++
			}
		}
		if pages != 3 {
			t.Errorf("ACME's channel members read in %d pages, want 3", pages)
		}
		e.command(member, dm, "list")
		if got := e.lastResponse(); !strings.Contains(got, "Acme line") || strings.Contains(got, "Globex line") {
			t.Errorf("list in a DM:\n%s", got)
		}

		// Joining Globex's channel: both accounts, each under its heading.
		e.event(map[string]any{"type": "member_joined_channel", "user": member, "channel": otherChan, "channel_type": "C", "team": "T0FAKE"})
		e.settle()
		home = viewText(e.openHome(member))
		for _, want := range []string{"ACME\n", "Globex\n", "Acme line", "Globex line"} {
			if !strings.Contains(home, want) {
				t.Errorf("home of a member of two accounts' channels lacks %q:\n%s", want, home)
			}
		}
		if strings.Index(home, "Globex\n") > strings.Index(home, "Globex line") || strings.Index(home, "ACME\n") > strings.Index(home, "Acme line") {
			t.Errorf("a connection is not under its account's heading:\n%s", home)
		}
		e.slack.Reset()
		e.command(member, dm, "list")
		if got := e.lastResponse(); !strings.Contains(got, "*ACME*") || !strings.Contains(got, "*Globex*") {
			t.Errorf("list in a DM of a member of two accounts:\n%s", got)
		}

		// Leaving both: no access from that moment, in Home and in DMs.
		for _, ch := range []string{customerChan, otherChan} {
			e.event(map[string]any{"type": "member_left_channel", "user": member, "channel": ch, "channel_type": "C", "team": "T0FAKE"})
		}
		e.settle()
		home = viewText(e.openHome(member))
		if strings.Contains(home, "Acme line") || strings.Contains(home, "Globex line") || !strings.Contains(home, "not a user of a customer account") {
			t.Errorf("home after leaving every linked channel:\n%s", home)
		}
		e.slack.Reset()
		e.command(member, dm, "list")
		got := e.lastResponse()
		if strings.Contains(got, "Acme line") || strings.Contains(got, "link this channel") || !strings.Contains(got, "panel in your company's channel") {
			t.Errorf("list in a DM after leaving:\n%s", got)
		}
		// In a channel nobody linked, the answer asks staff to link it.
		e.slack.Reset()
		e.command(member, "CRANDOM", "list")
		if got := e.lastResponse(); !strings.Contains(got, "link this channel") {
			t.Errorf("list in an unlinked channel:\n%s", got)
		}
	})
}

// TestTwoAccountsListStaysWithinBlockKit: a page of connections of two
// accounts interleaved keeps every connection under its account's name
// within Block Kit's 50 blocks.
func TestTwoAccountsListStaysWithinBlockKit(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		const member = "UBOTH1"
		for i := range 24 {
			e.applyDirect(customerOf(customerUser, e.acme), goodApplication(fmt.Sprintf("Acme %02d", i)))
			e.applyDirect(customerOf(otherUser, e.globex), goodApplication(fmt.Sprintf("Globex %02d", i)))
			if i%4 == 3 {
				e.exec("UPDATE connections SET status = 'Enabled'")
			}
		}
		e.slack.SetMembers(customerChan, member)
		e.slack.SetMembers(otherChan, member)
		e.command(member, "DBOTH1", "list")
		rs := e.responses()
		if len(rs) == 0 {
			t.Fatal("no answer")
		}
		raw := rs[len(rs)-1].Param("blocks")
		jLimits(t, "list of two accounts", raw, 50)
		got := blocksText(raw)
		if strings.Count(got, "*ACME*") != 10 || strings.Count(got, "*Globex*") != 10 {
			t.Errorf("want each of the 20 connections under its account's name:\n%s", got)
		}
	})
}
