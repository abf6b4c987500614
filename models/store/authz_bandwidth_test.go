package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/leaseline/leaseline/models"
	"github.com/leaseline/leaseline/models/store"
)

// The authorization table of staff's decisions on a bandwidth change,
// which are not rows of the lifecycle (the line stays Enabled): who may
// approve or reject, and in which state, written out by hand from
// PRODUCT.md ("staff review it with Approve/Reject, like an application").
// The customer's Change Bandwidth request itself is a row of authzTable.
var azBandwidthTable = []struct {
	action  models.Action
	allowed []string // on an Enabled line with a change pending
}{
	{models.ActionApproveBandwidth, []string{azStaff}},
	{models.ActionRejectBandwidth, []string{azStaff}},
}

// azBandwidthRefused are the states in which nobody, staff included, may
// decide a bandwidth change: models.ErrWrongStatus.
var azBandwidthRefused = []string{"Enabled, nothing pending", "Terminating, change asked before", "Applying"}

// TestAuthorizationBandwidthDecisions runs Approve and Reject of a pending
// bandwidth change as each of the six actors, on SQLite and PostgreSQL:
// staff succeed (each on a fresh line: bandwidth set or kept, nothing
// pending, still Enabled); the owning tenant's customer, the provider and
// the system get models.ErrForbidden; the other account's customer and the
// other provider get models.ErrNotFound telling nothing of the line. Staff
// are refused with models.ErrWrongStatus where no change awaits review.
// Refusals change nothing: version, audit trail, notices.
func TestAuthorizationBandwidthDecisions(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		ctx := context.Background()
		f := newFixtureConfig(t, backend, store.Config{MaxOpen: 1000})
		f.addAPs(t, apSpec{ID: "ap-test-authz", Devices: 2, Ports: 40})
		pending := func(t *testing.T, name string) *models.Connection {
			t.Helper()
			c := f.walkTo(t, f.acme, appAt(name, "ap-test-authz"), stageNamed(t, "Enabled"))
			got, err := f.s.RequestBandwidth(ctx, f.acme, c.ID, c.BandwidthMbps+50)
			if err != nil {
				t.Fatalf("ask for a bandwidth change: %v", err)
			}
			return got
		}
		decide := func(actor models.Actor, id int64, a models.Action) (*models.Connection, error) {
			return f.s.DecideBandwidth(ctx, actor, id, a == models.ActionApproveBandwidth, "reason for "+string(a))
		}
		unchanged := func(t *testing.T, before *models.Connection, audit, notices int) {
			t.Helper()
			got := f.get(t, before.ID)
			if got.Version != before.Version || got.Status != before.Status || got.BandwidthMbps != before.BandwidthMbps || got.RequestedMbps != before.RequestedMbps {
				t.Fatalf("refusals changed the line: v%d %s %d/%d Mbps -> v%d %s %d/%d Mbps", before.Version, before.Status, before.BandwidthMbps, before.RequestedMbps,
					got.Version, got.Status, got.BandwidthMbps, got.RequestedMbps)
			}
			wantEqual(t, "audit events after refusals", len(f.auditOf(t, before.ID)), audit)
			wantEqual(t, "notices after refusals", noticeCount(t, f.s, before.ID, ""), notices)
		}
		for _, row := range azBandwidthTable {
			t.Run(fmt.Sprintf("%s with a change pending", row.action), func(t *testing.T) {
				shared := pending(t, "authz secret "+string(row.action))
				audit, notices := len(f.auditOf(t, shared.ID)), noticeCount(t, f.s, shared.ID, "")
				for _, who := range azActors {
					switch {
					case who == azOtherCustomer || who == azOtherProvider:
						_, err := decide(f.azActor(t, who, shared), shared.ID, row.action)
						azNotFound(t, who, string(row.action), shared, err)
					case slices.Contains(row.allowed, who):
						c := pending(t, "authz "+string(row.action)+" by "+who)
						got, err := decide(f.azActor(t, who, c), c.ID, row.action)
						if err != nil {
							t.Fatalf("%s by %s: %v", row.action, who, err)
						}
						want := c.BandwidthMbps
						if row.action == models.ActionApproveBandwidth {
							want = c.RequestedMbps
						}
						if got.Status != models.StatusEnabled || got.Version != c.Version+1 || got.BandwidthMbps != want || got.RequestedMbps != 0 {
							t.Fatalf("%s by %s: v%d %s %d/%d Mbps, want v%d Enabled %d/0 Mbps", row.action, who,
								got.Version, got.Status, got.BandwidthMbps, got.RequestedMbps, c.Version+1, want)
						}
					default:
						_, err := decide(f.azActor(t, who, shared), shared.ID, row.action)
						if !errors.Is(err, models.ErrForbidden) {
							t.Fatalf("%s by %s: got %v, want forbidden", row.action, who, err)
						}
					}
				}
				unchanged(t, shared, audit, notices)
			})
		}
		for _, state := range azBandwidthRefused {
			t.Run("refused in "+state, func(t *testing.T) {
				var c *models.Connection
				switch state {
				case "Enabled, nothing pending":
					c = f.walkTo(t, f.acme, appAt("authz "+state, "ap-test-authz"), stageNamed(t, "Enabled"))
				case "Terminating, change asked before":
					p := pending(t, "authz "+state)
					var err error
					if c, err = f.s.Act(ctx, f.acme, p.ID, models.ActInput{Action: models.ActionTerminate, Reason: "moving out"}); err != nil {
						t.Fatalf("terminate: %v", err)
					}
					wantEqual(t, "asked for after Terminate (withdrawn)", c.RequestedMbps, 0)
				case "Applying":
					c = f.walkTo(t, f.acme, appAt("authz "+state, "ap-test-authz"), stageNamed(t, "Applying"))
				}
				audit, notices := len(f.auditOf(t, c.ID)), noticeCount(t, f.s, c.ID, "")
				for _, row := range azBandwidthTable {
					if _, err := decide(f.staff, c.ID, row.action); !errors.Is(err, models.ErrWrongStatus) {
						t.Fatalf("%s by staff in %s: got %v, want wrong status", row.action, state, err)
					}
				}
				unchanged(t, c, audit, notices)
			})
		}
	})
}
