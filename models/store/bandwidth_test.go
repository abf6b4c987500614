package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/leaseline/leaseline/models"
)

// TestChangeBandwidth: the customer of an Enabled line asks for another
// bandwidth within the port type's range; staff reject it (with a reason)
// or approve it; approval charges the catalog's price difference from the
// balance, or refunds it; with too little credit nothing changes and the
// customer is told how much to top up. The line stays Enabled.
func TestChangeBandwidth(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		f := newFixture(t, backend)
		ctx := context.Background()
		c := f.enabledAt(t, visitAPYuhang, cst(2026, 10, 12, 10, 0))
		sqlExec(t, f.s, "UPDATE port_offers SET mbps_price_cents = 1000 WHERE access_point_id = ? AND port_type = ?", c.AccessPointID, string(c.PortType))
		from := c.BandwidthMbps
		to := from + 100

		_, err := f.s.RequestBandwidth(ctx, f.acme, c.ID, 1_000_000)
		ruleIn(t, err, "bandwidth-range")
		_, err = f.s.RequestBandwidth(ctx, f.acme, c.ID, from)
		ruleIn(t, err, "bandwidth-unchanged")
		if _, err := f.s.RequestBandwidth(ctx, providerOf(c), c.ID, to); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("provider asks: %v", err)
		}
		got, err := f.s.RequestBandwidth(ctx, f.acme, c.ID, to)
		if err != nil {
			t.Fatalf("request: %v", err)
		}
		wantEqual(t, "requested", got.RequestedMbps, to)
		wantEqual(t, "status", got.Status, models.StatusEnabled)
		wantEqual(t, "bandwidth_requested to staff", sqlCount(t, f.s, "SELECT COUNT(*) FROM notices WHERE connection_id = ? AND kind = ? AND channel = ?", c.ID, models.NoticeBandwidthRequested, staffChannel), 1)
		_, err = f.s.RequestBandwidth(ctx, f.acme, c.ID, to+50)
		ruleIn(t, err, "bandwidth-pending")

		if _, err := f.s.DecideBandwidth(ctx, f.acme, c.ID, true, ""); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("customer approves: %v", err)
		}
		_, err = f.s.DecideBandwidth(ctx, f.staff, c.ID, false, " ")
		ruleIn(t, err, "reason-required")
		if _, err := f.s.DecideBandwidth(ctx, f.staff, c.ID, false, "port is shared"); err != nil {
			t.Fatalf("reject: %v", err)
		}
		after := f.get(t, c.ID)
		wantEqual(t, "bandwidth after rejection", [2]int{after.BandwidthMbps, after.RequestedMbps}, [2]int{from, 0})
		if _, err := f.s.DecideBandwidth(ctx, f.staff, c.ID, false, "again"); !errors.Is(err, models.ErrConflict) {
			t.Fatalf("reject twice: %v, want already done", err)
		}

		// Too little credit: nothing changes; the customer is told how much
		// to top up; the request stays for staff to approve later.
		if _, err := f.s.RequestBandwidth(ctx, f.acme, c.ID, to); err != nil {
			t.Fatal(err)
		}
		balance := f.balance(t, f.acme.AccountID)
		sqlExec(t, f.s, "INSERT INTO ledger_entries (account_id, amount_cents, currency, reason, actor, created_at) VALUES (?, ?, ?, 'drain', 'test', ?)",
			f.acme.AccountID, -balance+50000, c.Currency, f.clock.Now())
		before := f.get(t, c.ID)
		_, err = f.s.DecideBandwidth(ctx, f.staff, c.ID, true, "")
		if !errors.Is(err, models.ErrInsufficientBalance) {
			t.Fatalf("approve with too little credit: %v", err)
		}
		if now := f.get(t, c.ID); now.Version != before.Version || now.BandwidthMbps != from || now.RequestedMbps != to {
			t.Fatalf("a refused approval changed the line: %+v", now)
		}
		wantEqual(t, "balance untouched", f.balance(t, f.acme.AccountID), int64(50000))
		rows := sqlRows(t, f.s, "SELECT data FROM notices WHERE connection_id = ? AND kind = ? AND channel = 'CAPPLY'", c.ID, models.NoticeBandwidthShort)
		var short models.BandwidthNoticeData
		if len(rows) != 1 || json.Unmarshal([]byte(rows[0][0]), &short) != nil || short.TopUp != models.FormatMoney(50000, c.Currency) {
			t.Fatalf("top-up notice %v (%+v)", rows, short)
		}

		if err := f.s.Credit(ctx, f.staff, f.acme.AccountID, 100000, "top up"); err != nil {
			t.Fatal(err)
		}
		got, err = f.s.DecideBandwidth(ctx, f.staff, c.ID, true, "")
		if err != nil {
			t.Fatalf("approve: %v", err)
		}
		wantEqual(t, "bandwidth", [3]any{got.BandwidthMbps, got.RequestedMbps, got.Status}, [3]any{to, 0, models.StatusEnabled})
		wantEqual(t, "balance after the charge", f.balance(t, f.acme.AccountID), int64(50000+100000-100*1000))
		audit := f.auditOf(t, c.ID)
		if last := audit[len(audit)-1]; last.Action != models.ActionApproveBandwidth || last.Actor != f.staff.UserID ||
			last.Detail != fmt.Sprintf("bandwidth %d → %d Mbps; charged ", from, to)+models.FormatMoney(100000, c.Currency) {
			t.Fatalf("audit %+v", last)
		}
		wantEqual(t, "bandwidth_changed notices (customer, provider)", noticeCount(t, f.s, c.ID, models.NoticeBandwidthChanged), 2)

		// Less bandwidth is refunded.
		if _, err := f.s.RequestBandwidth(ctx, f.acme, c.ID, from); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.DecideBandwidth(ctx, f.staff, c.ID, true, ""); err != nil {
			t.Fatalf("approve the decrease: %v", err)
		}
		wantEqual(t, "balance after the refund", f.balance(t, f.acme.AccountID), int64(50000+100000))
	})
}
