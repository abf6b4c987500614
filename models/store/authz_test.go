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

// The actors of the authorization table, as they stand to a connection of
// ACME (f.acme) with provider testProvider.
const (
	azOwner         = "customer of the owning account"
	azOtherCustomer = "customer of another account"
	azProvider      = "provider of the connection"
	azOtherProvider = "another provider"
	azStaff         = "staff"
	azSystem        = "system"
)

var azActors = []string{azOwner, azOtherCustomer, azProvider, azOtherProvider, azStaff, azSystem}

// azRow is one row of the authorization table: action, the stage it is
// tried in (a status, or a Connecting sub-step, from which the lifecycle
// allows it), and who may do it there.
type azRow struct {
	action  models.Action
	stage   string
	allowed []string
}

// authzTable is who may do what, written out by hand from the product's
// procedure (not derived from models.Transitions: TestAuthorization first
// checks that the two agree). Everyone else of the owning tenant is
// refused with models.ErrForbidden; the other tenant and the other
// provider always get models.ErrNotFound, even where their role would be
// allowed.
var authzTable = []azRow{
	{models.ActionApprove, "Applying", []string{azStaff}},
	{models.ActionReject, "Applying", []string{azStaff}},
	{models.ActionCancel, "Applying", []string{azOwner, azStaff}},
	{models.ActionPay, "Approved", []string{azOwner}},
	{models.ActionCancel, "Approved", []string{azOwner, azStaff}},
	{models.ActionExpire, "Approved", []string{azSystem}},
	{models.ActionViewPort, "Connecting", []string{azOwner, azStaff}},
	{models.ActionViewPort, "Connecting/visit scheduled", []string{azOwner, azStaff}},
	{models.ActionNotifyProvider, "Connecting", []string{azOwner, azStaff}},
	{models.ActionSubmitSurvey, "Connecting/provider notified", []string{azProvider, azStaff}},
	{models.ActionSubmitTicket, "Connecting/survey received", []string{azOwner, azStaff}},
	{models.ActionScheduleVisit, "Connecting/ticket submitted", []string{azSystem, azStaff}},
	{models.ActionCompleteConstruction, "Connecting/visit scheduled", []string{azProvider, azStaff}},
	// The visit day: the desk checks the engineers in (the visit's reception
	// person too: TestCheckInAuthorization, checkin_test.go); the provider
	// reports the construction complete after it as before.
	{models.ActionCheckIn, "Connecting/visit scheduled", []string{azStaff}},
	{models.ActionCompleteConstruction, "Connecting/on site", []string{azProvider, azStaff}},
	{models.ActionCheckIn, "Terminating", []string{azStaff}},
	{models.ActionConfirm, "Pending Confirmation", []string{azOwner}},
	// Day two: the end of a line's life.
	{models.ActionTerminate, "Enabled", []string{azOwner, azStaff}},
	{models.ActionScheduleVisit, "Terminating", []string{azSystem, azStaff}},
	{models.ActionCompleteRemoval, "Terminating", []string{azProvider, azStaff}},
	{models.ActionCancelTermination, "Terminating", []string{azOwner, azStaff}},
	{models.ActionResubmit, "Rejected", []string{azOwner}},
	{models.ActionChangeBandwidth, "Enabled", []string{azOwner}},
}

// azRole is the role of an actor of the table.
func azRole(who string) models.Role {
	switch who {
	case azOwner, azOtherCustomer:
		return models.RoleCustomer
	case azProvider, azOtherProvider:
		return models.RoleProvider
	case azStaff:
		return models.RoleStaff
	}
	return models.RoleSystem
}

// azActor is the actor who of the table, for connection c.
func (f *fixture) azActor(t *testing.T, who string, c *models.Connection) models.Actor {
	t.Helper()
	switch who {
	case azOwner:
		return f.acme
	case azOtherCustomer:
		return f.other
	case azProvider:
		return providerOf(c)
	case azOtherProvider:
		if c.ProviderID == "cu-zj" {
			t.Fatal("the other provider is the connection's")
		}
		return models.Actor{UserID: "UPROVOTHER", Role: models.RoleProvider, ProviderID: "cu-zj"}
	case azStaff:
		return f.staff
	case azSystem:
		return models.SystemActor()
	}
	t.Fatalf("no actor %q", who)
	return models.Actor{}
}

// TestAuthorizationTableMatchesLifecycle: the hand-written table and
// models.Transitions name the same (action, status, step, roles), every row
// of the lifecycle covered.
func TestAuthorizationTableMatchesLifecycle(t *testing.T) {
	covered := map[int]bool{}
	for _, row := range authzTable {
		st := stageNamed(t, row.stage)
		var roles []models.Role
		for _, who := range row.allowed {
			roles = append(roles, azRole(who))
		}
		for _, r := range allRoles {
			tr, err := models.Lookup(row.action, st.Status, st.Step, r)
			if allowed := slices.Contains(roles, r); allowed != (err == nil) {
				t.Errorf("%s in %s by %s: table says allowed=%v, lifecycle says %v", row.action, row.stage, r, allowed, err)
			}
			if err == nil {
				covered[rowOf(tr)] = true
			}
		}
	}
	for i, tr := range models.Transitions {
		if !covered[i] {
			t.Errorf("lifecycle row %s %s -> %s not in the authorization table", tr.From, tr.Action, tr.To)
		}
	}
}

// TestAuthorization runs every action of the lifecycle, in a stage where
// it is allowed, as each of the six actors, on SQLite and PostgreSQL: an
// actor the table names succeeds (each on a fresh connection) and the
// connection moves as the lifecycle says; the owning tenant's other roles
// get models.ErrForbidden; the other account's customer and the other
// provider get models.ErrNotFound with nothing of the connection in the
// message, for the action and for reading it. Refusals change nothing:
// version, audit trail, notices.
func TestAuthorization(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		ctx := context.Background()
		f := newFixtureConfig(t, backend, store.Config{MaxOpen: 1000})
		f.addAPs(t, apSpec{ID: "ap-test-authz", Devices: 2, Ports: 60})
		var allowed, forbidden, notFound int
		for _, row := range authzTable {
			t.Run(fmt.Sprintf("%s in %s", row.action, row.stage), func(t *testing.T) {
				st := stageNamed(t, row.stage)
				shared := f.walkTo(t, f.acme, appAt("authz secret "+string(row.action)+" "+row.stage, "ap-test-authz"), st)
				audit, notices := len(f.auditOf(t, shared.ID)), noticeCount(t, f.s, shared.ID, "")
				for _, who := range azActors {
					switch {
					case who == azOtherCustomer || who == azOtherProvider:
						notFound++
						_, err := f.do(f.azActor(t, who, shared), shared.ID, row.action)
						azNotFound(t, who, string(row.action), shared, err)
						_, err = f.s.Detail(ctx, f.azActor(t, who, shared), shared.ID)
						azNotFound(t, who, "detail", shared, err)
						_, err = f.s.Find(ctx, f.azActor(t, who, shared), models.ApplicationRef(shared.ID))
						azNotFound(t, who, "find", shared, err)
					case slices.Contains(row.allowed, who):
						allowed++
						c := f.walkTo(t, f.acme, appAt("authz "+string(row.action)+" by "+who, "ap-test-authz"), st)
						tr, err := models.Lookup(row.action, st.Status, st.Step, azRole(who))
						if err != nil {
							t.Fatal(err)
						}
						got, err := f.do(f.azActor(t, who, c), c.ID, row.action)
						if err != nil {
							t.Fatalf("%s by %s: %v", row.action, who, err)
						}
						if got.Status != tr.To || got.Version != c.Version+1 {
							t.Fatalf("%s by %s: v%d %s, want v%d %s", row.action, who, got.Version, got.Status, c.Version+1, tr.To)
						}
					default:
						forbidden++
						_, err := f.do(f.azActor(t, who, shared), shared.ID, row.action)
						if !errors.Is(err, models.ErrForbidden) {
							t.Fatalf("%s by %s: got %v, want forbidden", row.action, who, err)
						}
						if _, err := f.s.Detail(ctx, f.azActor(t, who, shared), shared.ID); err != nil {
							t.Fatalf("%s reads its own tenant's connection: %v", who, err)
						}
					}
				}
				got := f.get(t, shared.ID)
				if got.Version != shared.Version || got.Status != shared.Status || got.Step != shared.Step {
					t.Fatalf("refusals changed the connection: v%d %s/%q -> v%d %s/%q",
						shared.Version, shared.Status, shared.Step, got.Version, got.Status, got.Step)
				}
				wantEqual(t, "audit events after refusals", len(f.auditOf(t, shared.ID)), audit)
				wantEqual(t, "notices after refusals", noticeCount(t, f.s, shared.ID, ""), notices)
			})
		}
		t.Logf("%s: %d allowed, %d forbidden, %d not found", backend, allowed, forbidden, notFound)
	})
}

// azNotFound checks that err is models.ErrNotFound and tells nothing of c.
func azNotFound(t *testing.T, who, what string, c *models.Connection, err error) {
	t.Helper()
	if !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("%s as %s: got %v, want not found", what, who, err)
	}
	msg := err.Error()
	if strings.Contains(msg, "secret") || strings.Contains(msg, string(c.Status)) || strings.Contains(msg, c.ProviderID) ||
		(c.PhysicalConnectionID != nil && strings.Contains(msg, *c.PhysicalConnectionID)) {
		t.Fatalf("%s as %s: the refusal tells of the connection: %q", what, who, msg)
	}
}
