package handlers_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/leaseline/leaseline/bot"
	"github.com/leaseline/leaseline/handlers"
	"github.com/leaseline/leaseline/models"
)

// Staff by Slack user group (LEASELINE_STAFF_GROUP): the group's members are
// staff, looked up with usergroups.users.list on the fake Slack and kept for
// a minute of the injected clock; a failed lookup grants nothing.

const (
	staffGroup  = "S0STAFF"
	groupMember = "UGROUP1"
	outsider    = "UOUTSIDE1"
)

// newGroupEnv is newEnv with the handlers configured as with
// LEASELINE_STAFF_GROUP=staffGroup (staffUser stays a configured staff ID).
// The fake Slack knows no members of the group until the test sets them.
func newGroupEnv(t *testing.T, backend string) *env {
	t.Helper()
	e := newEnv(t, backend)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	e.app = handlers.New(e.store, bot.NewClient("xoxb-test", e.slack.APIURL(), nil), bot.NewResponder(nil), handlers.Config{
		StaffUsers: []string{staffUser}, StaffGroup: staffGroup, StaffChannel: staffChannel, Now: e.clock.Now, Logger: log,
	})
	router := bot.NewRouter()
	e.app.Register(router)
	disp, err := bot.NewDispatcher(router, bot.Options{Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	rc, err := bot.NewHTTPReceiver(disp, signingSecret)
	if err != nil {
		t.Fatal(err)
	}
	e.disp, e.server = disp, httptest.NewServer(rc)
	t.Cleanup(e.server.Close)
	return e
}

func eachGroupBackend(t *testing.T, fn func(t *testing.T, e *env)) {
	for _, b := range backends(t) {
		t.Run(b, func(t *testing.T) { fn(t, newGroupEnv(t, b)) })
	}
}

// groupApply makes an Applying connection of ACME, waiting on the staff.
func groupApply(e *env, name string) *models.Connection {
	e.t.Helper()
	acme := models.Actor{UserID: customerUser, Role: models.RoleCustomer, AccountID: e.acme.ID}
	c, err := e.store.Apply(context.Background(), acme, models.Application{Name: name, AccessPointID: "ap-cn-hangzhou-yh-b",
		ProviderID: "ct-zj", PortType: models.Port1000BaseT, BandwidthMbps: 200, Location: "Room 301"}, customerChan)
	if err != nil {
		e.t.Fatalf("apply %q: %v", name, err)
	}
	return c
}

// approve presses Approve on c's review request in the staff channel as
// user, waits for the work after the ack, and returns what the user was
// told (the text of the response_url posts the press caused).
func (e *env) approve(user string, c *models.Connection) string {
	e.t.Helper()
	before := len(e.slack.Calls("response_url"))
	if code, _ := e.press(user, staffChannel, "ll_approve", itoa(c.ID)); code != http.StatusOK {
		e.t.Fatalf("press Approve: HTTP %d", code)
	}
	e.settle()
	var told []string
	for _, call := range e.slack.Calls("response_url")[before:] {
		told = append(told, blocksText(call.Param("blocks")))
	}
	return strings.Join(told, "\n")
}

// status loads c as the system and returns its status and version.
func (e *env) status(c *models.Connection) (models.Status, int) {
	e.t.Helper()
	d, err := e.store.Detail(context.Background(), models.SystemActor(), c.ID)
	if err != nil {
		e.t.Fatalf("load connection %d: %v", c.ID, err)
	}
	return d.Connection.Status, int(d.Connection.Version)
}

// wantApproved checks that user's press approved c, by user.
func (e *env) wantApproved(user string, c *models.Connection, told string) {
	e.t.Helper()
	d, err := e.store.Detail(context.Background(), models.SystemActor(), c.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	if d.Connection.Status != models.StatusApproved {
		e.t.Fatalf("after %s pressed Approve: %s, want Approved; told %q", user, d.Connection.Status, told)
	}
	for _, ev := range d.Audit {
		if ev.Action == models.ActionApprove && ev.Actor != user {
			e.t.Errorf("approved by %q, want %q", ev.Actor, user)
		}
	}
}

// wantUnchanged checks that c is still Applying at the version it had.
func (e *env) wantUnchanged(c *models.Connection, who string) {
	e.t.Helper()
	if s, v := e.status(c); s != models.StatusApplying || v != int(c.Version) {
		e.t.Errorf("after %s: %s v%d, want Applying v%d", who, s, v, c.Version)
	}
}

// A member of the staff user group may approve; someone outside it may not,
// and is told so; both are looked up in the group the configuration names.
func TestStaffGroupMemberMayApproveOthersMayNot(t *testing.T) {
	eachGroupBackend(t, func(t *testing.T, e *env) {
		e.slack.SetUsergroupMembers(staffGroup, "USOMEONE", groupMember)
		a, b := groupApply(e, "Line A"), groupApply(e, "Line B")

		told := e.approve(outsider, a)
		if !strings.Contains(told, "Only staff may approve applications") || !strings.Contains(told, "Nothing was changed") {
			t.Errorf("outsider was told %q, want the staff-only refusal", told)
		}
		e.wantUnchanged(a, "the outsider's press")

		e.wantApproved(groupMember, b, e.approve(groupMember, b))

		calls := e.slack.Calls("usergroups.users.list")
		if len(calls) == 0 {
			t.Fatal("usergroups.users.list was never called")
		}
		for _, c := range calls {
			if got := c.Param("usergroup"); got != staffGroup {
				t.Errorf("usergroups.users.list for %q, want %q", got, staffGroup)
			}
		}
	})
}

// When Slack cannot answer the lookup of the group, nobody is staff by the
// group: the press is refused with the reason (staff could not be
// verified) and nothing changes, whether the group was never looked up or
// its last answer, which listed the user, has expired.
func TestStaffGroupLookupFailureRefuses(t *testing.T) {
	eachGroupBackend(t, func(t *testing.T, e *env) {
		refused := func(told string, c *models.Connection, what string) {
			t.Helper()
			if !strings.Contains(told, "Staff could not be verified") || !strings.Contains(told, "Nothing was changed") {
				t.Errorf("%s: told %q, want that staff could not be verified and nothing was changed", what, told)
			}
			e.wantUnchanged(c, what)
			if n := len(e.slack.Calls("chat.update")); n != 0 {
				t.Errorf("%s: %d review messages updated", what, n)
			}
		}
		a, b := groupApply(e, "Line A"), groupApply(e, "Line B")

		// Slack answers ok:false (the group is unknown to it).
		refused(e.approve(groupMember, a), a, "lookup answered no_such_subteam")

		// Slack fails (HTTP 500) once the member's earlier answer expired.
		e.slack.SetUsergroupMembers(staffGroup, groupMember)
		e.clock.Set(e.clock.Now().Add(time.Second))
		c := groupApply(e, "Line C")
		e.wantApproved(groupMember, c, e.approve(groupMember, c))
		e.slack.Reset()
		e.clock.Set(e.clock.Now().Add(2 * time.Minute))
		e.slack.FailNext("usergroups.users.list", 1, http.StatusInternalServerError, 0)
		refused(e.approve(groupMember, b), b, "lookup failed with HTTP 500")

		// A configured staff ID needs no lookup and still works.
		e.wantApproved(staffUser, b, e.approve(staffUser, b))
	})
}

// The group's members are kept for a minute of the clock the bot is given:
// someone removed from the group is no longer staff once that minute is
// over, though the real clock has hardly moved.
func TestStaffGroupRemovedMemberLosesRights(t *testing.T) {
	eachGroupBackend(t, func(t *testing.T, e *env) {
		e.slack.SetUsergroupMembers(staffGroup, groupMember)
		a, b := groupApply(e, "Line A"), groupApply(e, "Line B")
		e.wantApproved(groupMember, a, e.approve(groupMember, a))

		e.slack.SetUsergroupMembers(staffGroup, "USOMEONE")
		e.clock.Set(e.clock.Now().Add(61 * time.Second))
		told := e.approve(groupMember, b)
		if !strings.Contains(told, "Only staff may approve applications") {
			t.Errorf("removed member was told %q, want the staff-only refusal", told)
		}
		e.wantUnchanged(b, "the removed member's press")
	})
}

// A failed lookup of the group takes no rights from anyone else: a
// customer in their own channel still sees their connections. Someone who
// is nothing but perhaps staff is told that staff could not be verified.
func TestStaffGroupLookupFailureLeavesCustomers(t *testing.T) {
	eachGroupBackend(t, func(t *testing.T, e *env) {
		groupApply(e, "Line A")
		told := func(user, channel string) string {
			before := len(e.slack.Calls("response_url"))
			e.command(user, channel, "list")
			e.settle()
			var out []string
			for _, call := range e.slack.Calls("response_url")[before:] {
				out = append(out, blocksText(call.Param("blocks")), call.Param("text"))
			}
			return strings.Join(out, "\n")
		}
		if got := told(customerUser, customerChan); !strings.Contains(got, "Line A") || strings.Contains(got, "could not be verified") {
			t.Errorf("customer's list while the group lookup fails: %q, want Line A", got)
		}
		if got := told(groupMember, staffChannel); !strings.Contains(got, "Staff could not be verified") {
			t.Errorf("unlinked user's list while the group lookup fails: %q, want that staff could not be verified", got)
		}
	})
}

// Staff commands are refused the same way while the group cannot be looked
// up: a member's `link` creates no account and links no channel.
func TestStaffGroupLookupFailureRefusesStaffCommands(t *testing.T) {
	eachGroupBackend(t, func(t *testing.T, e *env) {
		e.slack.SetUsergroupMembers(staffGroup, groupMember)
		e.slack.FailNext("usergroups.users.list", 1, http.StatusInternalServerError, 0)
		e.command(groupMember, staffChannel, "link <#CINITECH|initech-shared> customer Initech")
		e.settle()
		calls := e.slack.Calls("response_url")
		if len(calls) != 1 || !strings.Contains(blocksText(calls[0].Param("blocks"))+calls[0].Param("text"), "Staff could not be verified") {
			t.Errorf("member's link while the lookup fails: %d replies %v, want one saying staff could not be verified", len(calls), calls)
		}
		if _, err := e.store.AccountByName(context.Background(), "Initech"); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("account Initech after a refused link: %v, want none", err)
		}
		// Once Slack answers again, the member is staff.
		e.command(groupMember, staffChannel, "link <#CINITECH|initech-shared> customer Initech")
		e.settle()
		if _, err := e.store.AccountByName(context.Background(), "Initech"); err != nil {
			t.Errorf("account Initech after the member's link: %v", err)
		}
	})
}
