package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/leaseline/leaseline/models"
	"github.com/leaseline/leaseline/models/store"
)

// payAll pays every connection at once, each as its owner, and returns
// the results in order.
func (f *fixture) payAll(conns []*models.Connection, owners []models.Actor) ([]*models.Connection, []error) {
	out, errs := make([]*models.Connection, len(conns)), make([]error, len(conns))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range conns {
		wg.Go(func() {
			<-start
			out[i], errs[i] = f.s.Pay(context.Background(), owners[i], conns[i].ID)
		})
	}
	close(start)
	wg.Wait()
	return out, errs
}

// checkPortsConsistent checks the ports table against the connections: an
// allocated port names its connection, which names it back; no port is
// held twice; free ports name nobody.
func checkPortsConsistent(t *testing.T, s *store.Store) {
	t.Helper()
	if n := sqlCount(t, s, `SELECT COUNT(*) FROM (SELECT port_id FROM connections WHERE port_id IS NOT NULL GROUP BY port_id HAVING COUNT(*) > 1) x`); n != 0 {
		t.Fatalf("%d ports held by more than one connection", n)
	}
	if n := sqlCount(t, s, `SELECT COUNT(*) FROM connections c LEFT JOIN ports p ON p.id = c.port_id
		WHERE c.port_id IS NOT NULL AND (p.id IS NULL OR p.state <> 'allocated' OR p.connection_id IS NULL OR p.connection_id <> c.id
		OR p.device_id <> c.device_id OR p.name <> c.port_name OR p.access_point_id <> c.access_point_id OR p.port_type <> c.port_type)`); n != 0 {
		t.Fatalf("%d connections whose port does not name them back", n)
	}
	if n := sqlCount(t, s, `SELECT COUNT(*) FROM ports p LEFT JOIN connections c ON c.id = p.connection_id
		WHERE p.state = 'allocated' AND (c.id IS NULL OR c.port_id IS NULL OR c.port_id <> p.id)`); n != 0 {
		t.Fatalf("%d allocated ports whose connection does not hold them", n)
	}
	if n := sqlCount(t, s, `SELECT COUNT(*) FROM ports WHERE state <> 'allocated' AND connection_id IS NOT NULL`); n != 0 {
		t.Fatalf("%d free ports naming a connection", n)
	}
	if n := sqlCount(t, s, `SELECT COUNT(*) FROM connections WHERE status IN ('Connecting', 'Pending Confirmation', 'Enabled', 'Terminating')
		AND (port_id IS NULL OR physical_connection_id IS NULL)`); n != 0 {
		t.Fatalf("%d connections past payment without a port or physical connection ID", n)
	}
}

// TestConcurrentPayments: fifty customers pay fifty approved connections
// at one access point with thirty free ports, all at once. Thirty get a
// port each, never one twice; the other twenty get models.ErrNoFreePort,
// are not charged, stay Approved, and staff are alerted for each.
func TestConcurrentPayments(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		ctx := context.Background()
		f := newFixture(t, backend)
		const payers, devices, perDevice = 50, 2, 15
		f.addAPs(t, apSpec{ID: "ap-test-rush", Devices: devices, Ports: perDevice},
			apSpec{ID: "ap-test-other", Devices: 1, Ports: 10})
		otherFree := sqlCount(t, f.s, "SELECT COUNT(*) FROM ports WHERE state = 'free' AND access_point_id <> 'ap-test-rush'")
		owners := make([]models.Actor, payers)
		conns := make([]*models.Connection, payers)
		for i := range payers {
			owners[i] = f.newAccount(t, fmt.Sprintf("Rush %02d", i), 20_000_00)
			conns[i] = f.approved(t, owners[i], appAt(fmt.Sprintf("rush %02d", i), "ap-test-rush"))
		}
		paid, errs := f.payAll(conns, owners)

		var ok, noPort int
		pcIDs, ports := map[string]bool{}, map[int64]bool{}
		for i, err := range errs {
			c := f.get(t, conns[i].ID)
			switch {
			case err == nil:
				ok++
				if paid[i].Status != models.StatusConnecting || c.Status != models.StatusConnecting || c.PortID == nil || c.PhysicalConnectionID == nil {
					t.Fatalf("paid %d: %+v", i, c)
				}
				if ports[*c.PortID] || pcIDs[*c.PhysicalConnectionID] {
					t.Fatalf("port %d or ID %s given twice", *c.PortID, *c.PhysicalConnectionID)
				}
				ports[*c.PortID], pcIDs[*c.PhysicalConnectionID] = true, true
				wantEqual(t, "balance after paying", f.balance(t, owners[i].AccountID), int64(20_000_00-testPrice))
				wantEqual(t, "paid notices", noticeCount(t, f.s, c.ID, models.NoticePaid), 1)
			case errors.Is(err, models.ErrNoFreePort):
				noPort++
				if paid[i] != nil {
					t.Fatalf("failed payment returned a connection")
				}
				if !strings.Contains(err.Error(), "nothing was charged") || !strings.Contains(err.Error(), string(testPortType)) {
					t.Fatalf("no-port message: %q", err)
				}
				if c.Status != models.StatusApproved || c.Version != conns[i].Version || c.PortID != nil || c.PhysicalConnectionID != nil || c.DeviceID != "" {
					t.Fatalf("unpaid connection changed: %+v", c)
				}
				wantEqual(t, "balance after a refused payment", f.balance(t, owners[i].AccountID), int64(20_000_00))
				wantEqual(t, "ledger entries of the unpaid connection", sqlCount(t, f.s, "SELECT COUNT(*) FROM ledger_entries WHERE connection_id = ?", c.ID), 0)
				wantEqual(t, "paid notices of the unpaid connection", noticeCount(t, f.s, c.ID, models.NoticePaid), 0)
				wantEqual(t, "staff alerts", sqlCount(t, f.s, "SELECT COUNT(*) FROM notices WHERE connection_id = ? AND kind = ? AND channel = ?",
					c.ID, string(models.NoticeNoFreePort), staffChannel), 1)
				if n := len(f.auditOf(t, c.ID)); n != 2 {
					t.Fatalf("unpaid connection has %d audit events, want apply and approve", n)
				}
			default:
				t.Fatalf("payment %d: %v", i, err)
			}
		}
		wantEqual(t, "payments that got a port", ok, devices*perDevice)
		wantEqual(t, "payments refused for want of a port", noPort, payers-devices*perDevice)
		wantEqual(t, "allocated ports", sqlCount(t, f.s, "SELECT COUNT(*) FROM ports WHERE access_point_id = 'ap-test-rush' AND state = 'allocated'"), ok)
		wantEqual(t, "distinct connections on ports", sqlCount(t, f.s, "SELECT COUNT(DISTINCT connection_id) FROM ports WHERE access_point_id = 'ap-test-rush'"), ok)
		wantEqual(t, "free ports elsewhere", sqlCount(t, f.s, "SELECT COUNT(*) FROM ports WHERE state = 'free' AND access_point_id <> 'ap-test-rush'"), otherFree)
		wantEqual(t, "staff alerts", sqlCount(t, f.s, "SELECT COUNT(*) FROM notices WHERE kind = ?", string(models.NoticeNoFreePort)), noPort)
		checkPortsConsistent(t, f.s)

		// A retry the same day alerts staff no more.
		for i, err := range errs {
			if err != nil {
				if _, err := f.s.Pay(ctx, owners[i], conns[i].ID); !errors.Is(err, models.ErrNoFreePort) {
					t.Fatalf("retry: %v", err)
				}
				wantEqual(t, "staff alerts after a retry", noticeCount(t, f.s, conns[i].ID, models.NoticeNoFreePort), 1)
				break
			}
		}
	})
}

// TestConcurrentPaySameConnection: a payment clicked eight times at once
// debits once, takes one port, and the other clicks hear "already paid by".
func TestConcurrentPaySameConnection(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		f := newFixture(t, backend)
		f.addAPs(t, apSpec{ID: "ap-test-click", Devices: 1, Ports: 10})
		c := f.approved(t, f.acme, appAt("double click", "ap-test-click"))
		before := f.balance(t, f.acme.AccountID)
		const n = 8
		conns, owners := make([]*models.Connection, n), make([]models.Actor, n)
		for i := range n {
			conns[i], owners[i] = c, f.acme
		}
		_, errs := f.payAll(conns, owners)
		var ok int
		for _, err := range errs {
			var done *models.AlreadyDoneError
			switch {
			case err == nil:
				ok++
			case errors.As(err, &done):
				if done.By != f.acme.UserID || !strings.HasPrefix(err.Error(), "already paid by "+f.acme.UserID+" at ") {
					t.Fatalf("loser: %v", err)
				}
			default:
				t.Fatalf("pay: %v", err)
			}
		}
		wantEqual(t, "successful payments", ok, 1)
		wantEqual(t, "balance", f.balance(t, f.acme.AccountID), before-testPrice)
		wantEqual(t, "ledger entries", sqlCount(t, f.s, "SELECT COUNT(*) FROM ledger_entries WHERE connection_id = ?", c.ID), 1)
		wantEqual(t, "allocated ports", sqlCount(t, f.s, "SELECT COUNT(*) FROM ports WHERE state = 'allocated'"), 1)
		wantEqual(t, "paid notices", noticeCount(t, f.s, c.ID, models.NoticePaid), 1)
		checkPortsConsistent(t, f.s)
	})
}

// TestConcurrentPaySameAccount: an account whose balance covers three of
// its five approved connections pays all five at once: three are paid,
// two refused for the balance, and the balance never goes below zero.
func TestConcurrentPaySameAccount(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		f := newFixture(t, backend)
		f.addAPs(t, apSpec{ID: "ap-test-budget", Devices: 1, Ports: 10})
		owner := f.newAccount(t, "Tight Budget", 3*testPrice+50_00)
		const n = 5
		conns, owners := make([]*models.Connection, n), make([]models.Actor, n)
		for i := range n {
			conns[i], owners[i] = f.approved(t, owner, appAt(fmt.Sprintf("budget %d", i), "ap-test-budget")), owner
		}
		_, errs := f.payAll(conns, owners)
		var ok, short int
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case errors.Is(err, models.ErrInsufficientBalance):
				short++
			default:
				t.Fatalf("pay: %v", err)
			}
		}
		wantEqual(t, "paid", ok, 3)
		wantEqual(t, "refused for the balance", short, 2)
		wantEqual(t, "balance", f.balance(t, owner.AccountID), int64(50_00))
		wantEqual(t, "allocated ports", sqlCount(t, f.s, "SELECT COUNT(*) FROM ports WHERE state = 'allocated'"), 3)
		checkPortsConsistent(t, f.s)
	})
}

// TestInsufficientBalance: a payment the balance does not cover says the
// price, the balance and what to top up, and changes nothing; after a
// top-up it goes through.
func TestInsufficientBalance(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		ctx := context.Background()
		f := newFixture(t, backend)
		f.addAPs(t, apSpec{ID: "ap-test-poor", Devices: 1, Ports: 4})
		poor := f.newAccount(t, "Poor Co", 100_00)
		c := f.approved(t, poor, appAt("cheap line", "ap-test-poor"))
		snapshot := func() [][]string {
			out := sqlRows(t, f.s, "SELECT * FROM connections ORDER BY id")
			out = append(out, sqlRows(t, f.s, "SELECT * FROM ledger_entries ORDER BY id")...)
			out = append(out, sqlRows(t, f.s, "SELECT id, state, connection_id FROM ports ORDER BY id")...)
			out = append(out, sqlRows(t, f.s, "SELECT id, kind, channel FROM notices ORDER BY id")...)
			return append(out, sqlRows(t, f.s, "SELECT id, action FROM audit_events ORDER BY id")...)
		}
		before := snapshot()
		_, err := f.s.Pay(ctx, poor, c.ID)
		if !errors.Is(err, models.ErrInsufficientBalance) {
			t.Fatalf("pay: %v", err)
		}
		for _, want := range []string{"costs CNY 12,000.00", "balance is CNY 100.00", "top up CNY 11,900.00"} {
			if !strings.Contains(err.Error(), want) {
				t.Fatalf("message %q lacks %q", err, want)
			}
		}
		wantEqual(t, "database after a refused payment", snapshot(), before)
		if err := f.s.Credit(ctx, f.staff, poor.AccountID, 11_900_00, "top-up"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.Pay(ctx, poor, c.ID); err != nil {
			t.Fatalf("pay after the top-up: %v", err)
		}
		wantEqual(t, "balance", f.balance(t, poor.AccountID), int64(0))
		// Credit is for staff, and positive.
		if err := f.s.Credit(ctx, poor, poor.AccountID, 1_000_000_00, "self-service"); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("customer credits itself: %v", err)
		}
		ruleIn(t, f.s.Credit(ctx, f.staff, poor.AccountID, -5, "debit"), "amount-positive")
		wantEqual(t, "balance", f.balance(t, poor.AccountID), int64(0))
	})
}

// TestPayInAnotherCurrency: an account's prepaid balance is in its own
// currency; a connection priced in another is not paid from it.
func TestPayInAnotherCurrency(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		ctx := context.Background()
		f := newFixture(t, backend)
		// Singapore-Jurong-A prices in SGD; ACME's balance is CNY 10,000,000.00.
		c := f.approved(t, f.acme, models.Application{Name: "singapore", AccessPointID: "ap-sg-jurong-a", ProviderID: "singtel",
			PortType: models.Port1000BaseLX, BandwidthMbps: 500, Location: "Jurong"})
		if c.Currency != "SGD" {
			t.Fatalf("currency %q", c.Currency)
		}
		before := f.balance(t, f.acme.AccountID)
		_, err := f.s.Pay(ctx, f.acme, c.ID)
		if !errors.Is(err, models.ErrInsufficientBalance) || !strings.Contains(err.Error(), "SGD") || !strings.Contains(err.Error(), "CNY") {
			t.Fatalf("pay SGD from a CNY balance: %v", err)
		}
		wantEqual(t, "balance", f.balance(t, f.acme.AccountID), before)
		wantEqual(t, "status", f.get(t, c.ID).Status, models.StatusApproved)
		wantEqual(t, "ledger entries in SGD", sqlCount(t, f.s, "SELECT COUNT(*) FROM ledger_entries WHERE currency = 'SGD'"), 0)
	})
}

// TestRedundantPairDevices: the redundant partner of a connection at the
// same access point is allocated on another device, even when the
// partner's device has free ports, also with many pairs paying at once;
// when only the partner's device has ports left, payment is refused.
func TestRedundantPairDevices(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		ctx := context.Background()
		f := newFixtureConfig(t, backend, store.Config{MaxOpen: 1000})
		const pairs = 8
		f.addAPs(t, apSpec{ID: "ap-test-pair", Devices: 2, Ports: 2 * pairs}, apSpec{ID: "ap-test-lone", Devices: 1, Ports: 4})
		var primaries, partners []*models.Connection
		var owners []models.Actor
		for i := range pairs {
			p := f.walkTo(t, f.acme, appAt(fmt.Sprintf("primary %d", i), "ap-test-pair"), stageNamed(t, "Connecting"))
			primaries = append(primaries, p)
			app := appAt(fmt.Sprintf("partner %d", i), "ap-test-pair")
			app.RedundantID = &p.ID
			partners = append(partners, f.approved(t, f.acme, app))
			owners = append(owners, f.acme)
		}
		// The allocator fills the first device first: the primaries are all
		// on it, and it has room left for the partners.
		for _, p := range primaries {
			wantEqual(t, "primary device", p.DeviceID, "ap-test-pair-asw-001")
		}
		paid, errs := f.payAll(partners, owners)
		for i, err := range errs {
			if err != nil {
				t.Fatalf("partner %d: %v", i, err)
			}
			if paid[i].DeviceID == primaries[i].DeviceID || paid[i].AccessPointID != primaries[i].AccessPointID {
				t.Fatalf("pair %d on %s and %s", i, primaries[i].DeviceID, paid[i].DeviceID)
			}
		}
		checkPortsConsistent(t, f.s)

		// One device: the partner cannot be placed.
		lone := f.walkTo(t, f.acme, appAt("lone primary", "ap-test-lone"), stageNamed(t, "Connecting"))
		app := appAt("lone partner", "ap-test-lone")
		app.RedundantID = &lone.ID
		partner := f.approved(t, f.acme, app)
		before := f.balance(t, f.acme.AccountID)
		if _, err := f.s.Pay(ctx, f.acme, partner.ID); !errors.Is(err, models.ErrNoFreePort) {
			t.Fatalf("partner on a one-device access point: %v", err)
		}
		wantEqual(t, "balance", f.balance(t, f.acme.AccountID), before)
		wantEqual(t, "status", f.get(t, partner.ID).Status, models.StatusApproved)
		wantEqual(t, "staff alerts", noticeCount(t, f.s, partner.ID, models.NoticeNoFreePort), 1)

		// At different access points the pair is redundant by nature.
		remote := f.walkTo(t, f.acme, appAt("remote primary", "ap-test-lone"), stageNamed(t, "Connecting"))
		app = appAt("remote partner", "ap-test-pair")
		app.RedundantID = &remote.ID
		if _, err := f.s.Pay(ctx, f.acme, f.approved(t, f.acme, app).ID); err != nil {
			t.Fatalf("partner at another access point: %v", err)
		}
	})
}
