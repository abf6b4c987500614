package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/leaseline/leaseline/models"
	"github.com/leaseline/leaseline/models/store"
)

// lifecycleActions is every action of the table (apply is not one: it
// creates the connection).
func lifecycleActions() []models.Action {
	var out []models.Action
	for _, tr := range models.Transitions {
		if !slices.Contains(out, tr.Action) {
			out = append(out, tr.Action)
		}
	}
	return out
}

var allRoles = []models.Role{models.RoleCustomer, models.RoleProvider, models.RoleStaff, models.RoleSystem}

// TestLifecycleTable drives every (status or Connecting step, action, role)
// of the lifecycle through the store: each pair models.Transitions allows
// moves a fresh connection to the table's status and step, with its audit
// event; every other one is refused with the table's reason (wrong status,
// wrong role, or "already done by X at T" when it was done before) and
// changes nothing. Every row of the table, with every role it names, must
// have been exercised.
func TestLifecycleTable(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		f := newFixtureConfig(t, backend, store.Config{MaxOpen: 1000})
		f.addAPs(t, apSpec{ID: "ap-test-life", Devices: 2, Ports: 60})
		type rowRole struct {
			row  int
			role models.Role
		}
		exercised := map[rowRole]bool{}
		var allowed, refused int
		for _, st := range stages {
			t.Run(st.Name, func(t *testing.T) {
				// The refused attempts go to a connection of an account of its
				// own, so that its balance shows any payment that slips through.
				owner := f.newAccount(t, "Shared "+st.Name, 1_000_000_00)
				shared := f.walkTo(t, owner, appAt("shared "+st.Name, "ap-test-life"), st)
				sharedAudit, sharedNotices := len(f.auditOf(t, shared.ID)), noticeCount(t, f.s, shared.ID, "")
				sharedBalance := f.balance(t, owner.AccountID)
				for _, a := range lifecycleActions() {
					for _, r := range allRoles {
						tr, lookupErr := models.Lookup(a, st.Status, st.Step, r)
						if lookupErr == nil {
							allowed++
							exercised[rowRole{rowOf(tr), r}] = true
							f.checkAllowed(t, st, tr, r)
							continue
						}
						refused++
						f.checkRefused(t, owner, shared, a, r, lookupErr)
					}
				}
				after := f.get(t, shared.ID)
				if after.Version != shared.Version || after.Status != shared.Status || after.Step != shared.Step {
					t.Fatalf("refused actions changed the connection: v%d %s/%q -> v%d %s/%q",
						shared.Version, shared.Status, shared.Step, after.Version, after.Status, after.Step)
				}
				wantEqual(t, "audit events after refusals", len(f.auditOf(t, shared.ID)), sharedAudit)
				wantEqual(t, "notices after refusals", noticeCount(t, f.s, shared.ID, ""), sharedNotices)
				wantEqual(t, "balance after refusals", f.balance(t, owner.AccountID), sharedBalance)
			})
		}
		for i, tr := range models.Transitions {
			for _, r := range tr.Roles {
				if r == models.RoleReception {
					// A visit's reception person is no role of a connection's
					// tenants: TestCheckInAuthorization exercises it.
					continue
				}
				if !exercised[rowRole{i, r}] {
					t.Errorf("transition %s %s -> %s by %s never exercised", tr.From, tr.Action, tr.To, r)
				}
			}
		}
		t.Logf("%s: %d allowed and %d refused (status, action, role) cases", backend, allowed, refused)
	})
}

// rowOf is the index of tr in models.Transitions.
func rowOf(tr models.Transition) int {
	for i, x := range models.Transitions {
		if x.Action == tr.Action && x.From == tr.From && x.AtStep == tr.AtStep {
			return i
		}
	}
	return -1
}

// checkAllowed walks a fresh connection to st and does tr's action as an
// actor of role r: the connection moves as the table says, its version is
// bumped, and the audit trail ends with the transition.
func (f *fixture) checkAllowed(t *testing.T, st stage, tr models.Transition, r models.Role) {
	t.Helper()
	c := f.walkTo(t, f.acme, appAt(fmt.Sprintf("%s %s by %s", st.Name, tr.Action, r), "ap-test-life"), st)
	actor := f.actorOfRole(c, f.acme, r)
	got, err := f.do(actor, c.ID, tr.Action)
	if err != nil {
		t.Fatalf("%s: %s by %s: %v", st.Name, tr.Action, r, err)
	}
	wantStep := c.Step
	if tr.ToStep != models.StepNone {
		wantStep = tr.ToStep
	}
	got = f.get(t, got.ID)
	if got.Status != tr.To || got.Step != wantStep || got.Version != c.Version+1 {
		t.Fatalf("%s: %s by %s: got v%d %s/%q, want v%d %s/%q", st.Name, tr.Action, r,
			got.Version, got.Status, got.Step, c.Version+1, tr.To, wantStep)
	}
	audit := f.auditOf(t, c.ID)
	last := audit[len(audit)-1]
	if last.Action != tr.Action || last.Actor != actor.UserID || last.Role != r || last.FromStatus != st.Status || last.ToStatus != tr.To {
		t.Fatalf("%s: %s by %s: last audit event %+v", st.Name, tr.Action, r, last)
	}
}

// checkRefused does action a on c as the actor of role r and checks the
// refusal: the table's TransitionError, or AlreadyDoneError naming who did
// it when the connection's trail holds that action already.
func (f *fixture) checkRefused(t *testing.T, owner models.Actor, c *models.Connection, a models.Action, r models.Role, lookupErr error) {
	t.Helper()
	actor := f.actorOfRole(c, owner, r)
	_, err := f.do(actor, c.ID, a)
	if err == nil {
		t.Fatalf("%s/%q: %s by %s succeeded; the table refuses it (%v)", c.Status, c.Step, a, r, lookupErr)
	}
	var doneBy *models.AuditEvent
	if a != models.ActionViewPort && errors.Is(lookupErr, models.ErrWrongStatus) {
		for _, ev := range f.auditOf(t, c.ID) {
			if ev.Action == a {
				doneBy = &ev
			}
		}
	}
	var done *models.AlreadyDoneError
	switch {
	case doneBy != nil:
		if !errors.As(err, &done) || done.By != doneBy.Actor || !done.At.Equal(doneBy.At) || !errors.Is(err, models.ErrConflict) {
			t.Fatalf("%s/%q: %s by %s again: want already done by %s, got %v", c.Status, c.Step, a, r, doneBy.Actor, err)
		}
		if !strings.HasPrefix(err.Error(), "already ") || !strings.Contains(err.Error(), " by "+doneBy.Actor+" at ") {
			t.Fatalf("%s/%q: %s by %s again: message %q", c.Status, c.Step, a, r, err)
		}
	case errors.As(err, &done):
		t.Fatalf("%s/%q: %s by %s: already done, but it never was: %v", c.Status, c.Step, a, r, err)
	default:
		var want *models.TransitionError
		if !errors.As(lookupErr, &want) || !errors.Is(err, want.Err) || err.Error() != lookupErr.Error() {
			t.Fatalf("%s/%q: %s by %s: got %v, want %v", c.Status, c.Step, a, r, err, lookupErr)
		}
	}
	if got := f.get(t, c.ID); got.Version != c.Version {
		t.Fatalf("%s/%q: refused %s by %s bumped the version", c.Status, c.Step, a, r)
	}
}

// TestOtherTenants tries every action, in every stage, as another
// account's customer and as another provider, and reads the connection as
// them: always models.ErrNotFound and nothing of the connection in the
// message; nothing changes.
func TestOtherTenants(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		ctx := context.Background()
		f := newFixtureConfig(t, backend, store.Config{MaxOpen: 1000})
		f.addAPs(t, apSpec{ID: "ap-test-tenants", Devices: 2, Ports: 20})
		strangers := map[string]models.Actor{
			"other account's customer":  f.other,
			"other provider":            {UserID: "UPROV2", Role: models.RoleProvider, ProviderID: "cu-zj"},
			"customer without account":  {UserID: "UNOBODY", Role: models.RoleCustomer},
			"provider without provider": {UserID: "UNOBODY", Role: models.RoleProvider},
			"actor without role":        {UserID: "UNOBODY"},
		}
		var cases int
		for _, st := range stages {
			c := f.walkTo(t, f.acme, appAt("secret line "+st.Name, "ap-test-tenants"), st)
			audit, notices := len(f.auditOf(t, c.ID)), noticeCount(t, f.s, c.ID, "")
			for who, actor := range strangers {
				leaks := func(what string, err error) {
					t.Helper()
					cases++
					if !errors.Is(err, models.ErrNotFound) {
						t.Fatalf("%s: %s as %s: got %v, want not found", st.Name, what, who, err)
					}
					msg := err.Error()
					if strings.Contains(msg, "secret") || strings.Contains(msg, string(c.Status)) ||
						(c.PhysicalConnectionID != nil && strings.Contains(msg, *c.PhysicalConnectionID)) {
						t.Fatalf("%s: %s as %s: message leaks the connection: %q", st.Name, what, who, msg)
					}
				}
				for _, a := range lifecycleActions() {
					_, err := f.do(actor, c.ID, a)
					leaks(string(a), err)
				}
				_, err := f.s.Find(ctx, actor, models.ApplicationRef(c.ID))
				leaks("find", err)
				if c.PhysicalConnectionID != nil {
					_, err := f.s.Find(ctx, actor, *c.PhysicalConnectionID)
					leaks("find by physical connection ID", err)
				}
				_, err = f.s.Detail(ctx, actor, c.ID)
				leaks("detail", err)
				if list, err := f.s.List(ctx, actor, 0); err == nil {
					for _, x := range list {
						if x.ID == c.ID {
							t.Fatalf("%s: list as %s shows the connection", st.Name, who)
						}
					}
				}
			}
			got := f.get(t, c.ID)
			wantEqual(t, st.Name+": version", got.Version, c.Version)
			wantEqual(t, st.Name+": audit events", len(f.auditOf(t, c.ID)), audit)
			wantEqual(t, st.Name+": notices", noticeCount(t, f.s, c.ID, ""), notices)
		}
		t.Logf("%s: %d refused attempts by other tenants", backend, cases)
	})
}

// TestActRefusesOwnMethods: the actions with their own store method are
// not run by Act.
func TestActRefusesOwnMethods(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		f := newFixture(t, backend)
		c := f.approved(t, f.acme, f.application(t, "own methods"))
		for _, a := range []models.Action{models.ActionPay, models.ActionSubmitSurvey, models.ActionSubmitTicket, models.ActionScheduleVisit, models.ActionApply, models.ActionResubmit, models.ActionChangeBandwidth} {
			if _, err := f.s.Act(context.Background(), f.acme, c.ID, models.ActInput{Action: a}); err == nil || !strings.Contains(err.Error(), "own method") {
				t.Fatalf("act %s: %v", a, err)
			}
		}
		wantEqual(t, "version", f.get(t, c.ID).Version, c.Version)
	})
}
