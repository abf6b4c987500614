package store_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/leaseline/leaseline/models"
	"github.com/leaseline/leaseline/models/store"
)

// TestConcurrentApprovals: ten staff members press Approve on one
// application at once. One approves it; the nine others hear "already
// approved by <the winner> at <when>"; there is one audit event for the
// approval and one 'approved' notice.
func TestConcurrentApprovals(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		ctx := context.Background()
		f := newFixture(t, backend)
		c, err := f.s.Apply(ctx, f.acme, f.application(t, "approve me"), "CAPPLY")
		if err != nil {
			t.Fatal(err)
		}
		const n = 10
		errs := make([]error, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				<-start
				staff := models.Actor{UserID: fmt.Sprintf("USTAFF%d", i), Role: models.RoleStaff}
				_, errs[i] = f.s.Act(ctx, staff, c.ID, models.ActInput{Action: models.ActionApprove})
			})
		}
		close(start)
		wg.Wait()
		winner := -1
		for i, err := range errs {
			if err == nil {
				if winner >= 0 {
					t.Fatalf("USTAFF%d and USTAFF%d both approved", winner, i)
				}
				winner = i
			}
		}
		if winner < 0 {
			t.Fatalf("nobody approved: %v", errs)
		}
		want := fmt.Sprintf("already approved by USTAFF%d at %s", winner, f.clock.Now().Format("2006-01-02 15:04 UTC"))
		for i, err := range errs {
			if i == winner {
				continue
			}
			var done *models.AlreadyDoneError
			if !errors.As(err, &done) || err.Error() != want || !errors.Is(err, models.ErrConflict) {
				t.Fatalf("USTAFF%d: %v, want %q", i, err, want)
			}
		}
		got := f.get(t, c.ID)
		wantEqual(t, "status", got.Status, models.StatusApproved)
		wantEqual(t, "version", got.Version, c.Version+1)
		wantEqual(t, "approve audit events", sqlCount(t, f.s, "SELECT COUNT(*) FROM audit_events WHERE connection_id = ? AND action = ?", c.ID, string(models.ActionApprove)), 1)
		wantEqual(t, "approved notices", noticeCount(t, f.s, c.ID, models.NoticeApproved), 1)
	})
}

// TestConcurrentConflictingActions: approve, reject and two cancels of
// one application at once: one of them happens first, and only a cancel
// of the approved connection may follow it.
func TestConcurrentConflictingActions(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		ctx := context.Background()
		f := newFixture(t, backend)
		for round := range 5 {
			c, err := f.s.Apply(ctx, f.acme, f.application(t, fmt.Sprintf("contested %d", round)), "CAPPLY")
			if err != nil {
				t.Fatal(err)
			}
			moves := []struct {
				actor models.Actor
				in    models.ActInput
			}{
				{f.staff, models.ActInput{Action: models.ActionApprove}},
				{models.Actor{UserID: "USTAFF2", Role: models.RoleStaff}, models.ActInput{Action: models.ActionReject, Reason: "no capacity"}},
				{f.acme, models.ActInput{Action: models.ActionCancel, Reason: "changed our mind"}},
				{models.Actor{UserID: "USTAFF3", Role: models.RoleStaff}, models.ActInput{Action: models.ActionCancel, Reason: "duplicate"}},
			}
			errs := make([]error, len(moves))
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i, m := range moves {
				wg.Go(func() {
					<-start
					_, errs[i] = f.s.Act(ctx, m.actor, c.ID, m.in)
				})
			}
			close(start)
			wg.Wait()
			var ok int
			for _, err := range errs {
				switch {
				case err == nil:
					ok++
				case errors.Is(err, models.ErrWrongStatus), errors.Is(err, models.ErrConflict):
				default:
					t.Fatalf("round %d: %v", round, err)
				}
			}
			// What happened is a serial history: each action allowed from
			// where the one before left it (approve then cancel may both
			// happen), each once in the trail, one version each.
			audit := f.auditOf(t, c.ID)[1:]
			wantEqual(t, "audit events of the actions that happened", len(audit), ok)
			wantEqual(t, "version", f.get(t, c.ID).Version, c.Version+ok)
			status := models.StatusApplying
			for _, ev := range audit {
				tr, err := models.Lookup(ev.Action, status, models.StepNone, ev.Role)
				if err != nil || ev.FromStatus != status || ev.ToStatus != tr.To {
					t.Fatalf("round %d: history %+v is not serial", round, audit)
				}
				status = tr.To
			}
			if ok < 1 || ok > 2 || (ok == 2 && (audit[0].Action != models.ActionApprove || audit[1].Action != models.ActionCancel)) {
				t.Fatalf("round %d: %d actions happened: %+v", round, ok, audit)
			}
		}
	})
}

// TestEndWithReason: reject needs a reason (refused without one, nothing
// changes); cancel and expire take one; the reason is kept on the
// connection and in the audit trail, and the right parties are told.
func TestEndWithReason(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		ctx := context.Background()
		f := newFixture(t, backend)
		app := func(name string) models.Application { return f.application(t, name) }

		applying, err := f.s.Apply(ctx, f.acme, app("to reject"), "CAPPLY")
		if err != nil {
			t.Fatal(err)
		}
		for _, reason := range []string{"", "   \n\t"} {
			_, err := f.s.Act(ctx, f.staff, applying.ID, models.ActInput{Action: models.ActionReject, Reason: reason})
			e := ruleIn(t, err, "reason-required")
			if e.Field != "Reason" || !strings.Contains(e.Message, "Give a reason to reject") {
				t.Fatalf("reject without reason: %+v", e)
			}
		}
		wantEqual(t, "after refused rejections", f.get(t, applying.ID).Version, applying.Version)
		wantEqual(t, "notices after refused rejections", noticeCount(t, f.s, applying.ID, ""), 1)

		for _, tc := range []struct {
			name   string
			start  []models.Action
			actor  models.Actor
			action models.Action
			reason string
			kind   models.NoticeKind
			to     []string
		}{
			{"reject", nil, f.staff, models.ActionReject, "Port capacity exhausted until March", models.NoticeRejected, []string{"CAPPLY"}},
			{"customer cancels while Applying", nil, f.acme, models.ActionCancel, "Ordered by mistake", models.NoticeCanceled, []string{"CAPPLY", staffChannel}},
			{"staff cancel while Applying", nil, f.staff, models.ActionCancel, "Duplicate of #1", models.NoticeCanceled, []string{"CAPPLY", staffChannel}},
			{"customer cancels when Approved", []models.Action{models.ActionApprove}, f.acme, models.ActionCancel, "Budget cut", models.NoticeCanceled, []string{"CAPPLY", staffChannel}},
			{"customer cancels without reason", []models.Action{models.ActionApprove}, f.acme, models.ActionCancel, "", models.NoticeCanceled, []string{"CAPPLY", staffChannel}},
			{"expire", []models.Action{models.ActionApprove}, models.SystemActor(), models.ActionExpire, "Not paid within 14 days", models.NoticeCanceled, []string{"CAPPLY", staffChannel}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				c := f.walk(t, f.acme, app(tc.name), tc.start)
				from := c.Status
				f.clock.Add(time.Minute)
				got, err := f.s.Act(ctx, tc.actor, c.ID, models.ActInput{Action: tc.action, Reason: "  " + tc.reason + " "})
				if err != nil {
					t.Fatal(err)
				}
				wantStatus := models.StatusCanceled
				if tc.action == models.ActionReject {
					wantStatus = models.StatusRejected
				}
				got = f.get(t, got.ID)
				wantEqual(t, "status", got.Status, wantStatus)
				wantEqual(t, "reason", got.Reason, tc.reason)
				audit := f.auditOf(t, c.ID)
				last := audit[len(audit)-1]
				wantEqual(t, "audit", [6]string{last.Actor, string(last.Role), string(last.Action), string(last.FromStatus), string(last.ToStatus), last.Detail},
					[6]string{tc.actor.UserID, string(tc.actor.Role), string(tc.action), string(from), string(wantStatus), tc.reason})
				if !last.At.Equal(f.clock.Now()) {
					t.Fatalf("audit at %s, want %s", last.At, f.clock.Now())
				}
				var to []string
				for _, n := range noticesOf(t, f.s, c.ID) {
					if n.Kind == string(tc.kind) {
						to = append(to, n.Channel)
					}
				}
				wantEqual(t, "told", to, tc.to)
				if got.Status.Ended() {
					if _, err := f.s.Act(ctx, tc.actor, c.ID, models.ActInput{Action: tc.action, Reason: "again"}); !errors.Is(err, models.ErrConflict) {
						t.Fatalf("%s twice: %v", tc.action, err)
					}
				}
			})
		}
	})
}

// TestAuditTrail walks a connection from Applying to Enabled, a minute per
// step, and checks every audit event: actor, role, action, from, to, step,
// detail and time.
func TestAuditTrail(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		ctx := context.Background()
		f := newFixture(t, backend)
		f.addAPs(t, apSpec{ID: "ap-test-audit", Devices: 1, Ports: 2})
		start := f.clock.Now()
		c, err := f.s.Apply(ctx, f.acme, appAt("audited", "ap-test-audit"), "CAPPLY")
		if err != nil {
			t.Fatal(err)
		}
		provider := providerOf(c)
		steps := []struct {
			actor models.Actor
			a     models.Action
		}{
			{f.staff, models.ActionApprove}, {f.acme, models.ActionPay}, {f.acme, models.ActionViewPort},
			{f.acme, models.ActionNotifyProvider}, {provider, models.ActionSubmitSurvey}, {f.acme, models.ActionSubmitTicket},
			{f.staff, models.ActionScheduleVisit}, {provider, models.ActionCompleteConstruction}, {f.acme, models.ActionConfirm},
		}
		for _, st := range steps {
			f.clock.Add(time.Minute)
			if _, err := f.do(st.actor, c.ID, st.a); err != nil {
				t.Fatalf("%s: %v", st.a, err)
			}
		}
		c = f.get(t, c.ID)
		pc := regexp.QuoteMeta(*c.PhysicalConnectionID)
		type ev struct {
			actor, role, action, from, to, step, detail string
		}
		want := []ev{
			{"UCUST0", "customer", "apply", "", "Applying", "", "^$"},
			{"USTAFF", "staff", "approve", "Applying", "Approved", "", "^$"},
			{"UCUST0", "customer", "pay", "Approved", "Connecting", "", `^paid CNY 12,000\.00; port ap-test-audit-asw-001 TenGigE1/0/1; ` + pc + `$`},
			{"UCUST0", "customer", "view port", "Connecting", "Connecting", "", "^$"},
			{"UCUST0", "customer", "notify provider", "Connecting", "Connecting", "provider notified", "^$"},
			{"UPROV", "provider", "submit survey", "Connecting", "Connecting", "provider survey received",
				`^2 engineers of Zhejiang Line Works, fibre line, arriving 2026-11-29T02:05:00Z$`},
			{"UCUST0", "customer", "submit ticket", "Connecting", "Connecting", "construction ticket submitted", `^construction ticket \d+$`},
			{"USTAFF", "staff", "schedule visit", "Connecting", "Connecting", "IDC visit scheduled", `^IDC visit 2026-11-27 09:30-12:00`},
			{"UPROV", "provider", "complete construction", "Connecting", "Pending Confirmation", "IDC visit scheduled", `^line code ZJ-HZ-0042, label HZ-YH-B/42$`},
			{"UCUST0", "customer", "confirm", "Pending Confirmation", "Enabled", "IDC visit scheduled", "^$"},
		}
		audit := f.auditOf(t, c.ID)
		if len(audit) != len(want) {
			t.Fatalf("%d audit events, want %d: %+v", len(audit), len(want), audit)
		}
		for i, w := range want {
			e := audit[i]
			got := ev{e.Actor, string(e.Role), string(e.Action), string(e.FromStatus), string(e.ToStatus), string(e.Step), e.Detail}
			if got.actor != w.actor || got.role != w.role || got.action != w.action || got.from != w.from || got.to != w.to || got.step != w.step ||
				!regexp.MustCompile(w.detail).MatchString(got.detail) {
				t.Errorf("audit event %d = %+v, want %+v", i, got, w)
			}
			if at := start.Add(time.Duration(i) * time.Minute); !e.At.Equal(at) {
				t.Errorf("audit event %d at %s, want %s", i, e.At, at)
			}
			if e.AccountID == nil || *e.AccountID != f.acme.AccountID || e.ConnectionID == nil || *e.ConnectionID != c.ID {
				t.Errorf("audit event %d: account %v connection %v", i, e.AccountID, e.ConnectionID)
			}
		}
		// The customer sees the same trail.
		d, err := f.s.Detail(ctx, f.acme, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		wantEqual(t, "audit events the customer sees", len(d.Audit), len(want))
		wantEqual(t, "line code", c.LineCode, "ZJ-HZ-0042")
		wantEqual(t, "visit state", d.Visit.State, models.VisitDone)
	})
}

// failAudit makes writing an audit event of action a fail, until undone:
// the last write of every transition, so that the action fails after its
// change and notices were written in the transaction.
func failAudit(t *testing.T, s *store.Store, a models.Action) (undo func()) {
	t.Helper()
	if s.Dialect() == "postgres" {
		sqlExec(t, s, `CREATE FUNCTION fail_audit() RETURNS trigger LANGUAGE plpgsql AS $f$
			BEGIN IF NEW.action = '`+string(a)+`' THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $f$`)
		sqlExec(t, s, `CREATE TRIGGER fail_audit BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION fail_audit()`)
		return func() {
			sqlExec(t, s, `DROP TRIGGER fail_audit ON audit_events`)
			sqlExec(t, s, `DROP FUNCTION fail_audit()`)
		}
	}
	sqlExec(t, s, `CREATE TRIGGER fail_audit BEFORE INSERT ON audit_events WHEN NEW.action = '`+string(a)+`'
		BEGIN SELECT RAISE(ABORT, 'injected failure'); END`)
	return func() { sqlExec(t, s, `DROP TRIGGER fail_audit`) }
}

// TestNoticesInTransaction: notices are written in the transaction of the
// change that causes them. An action that fails at its last write (the
// audit event) leaves no notice, and nothing else: no connection, no
// debit, no port, no status change. Once it succeeds, its notices are
// there, once.
func TestNoticesInTransaction(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		ctx := context.Background()
		f := newFixture(t, backend)
		f.addAPs(t, apSpec{ID: "ap-test-tx", Devices: 1, Ports: 3})
		everything := func() [][]string {
			var out [][]string
			for _, table := range []string{"connections", "notices", "audit_events", "ledger_entries", "tickets", "surveys", "engineers", "visits"} {
				out = append(out, sqlRows(t, f.s, "SELECT * FROM "+table+" ORDER BY id")...)
			}
			return append(out, sqlRows(t, f.s, "SELECT id, state, connection_id FROM ports ORDER BY id")...)
		}
		// Apply: no connection, no review request.
		before := everything()
		undo := failAudit(t, f.s, models.ActionApply)
		if _, err := f.s.Apply(ctx, f.acme, appAt("doomed", "ap-test-tx"), "CAPPLY"); err == nil || !strings.Contains(err.Error(), "injected failure") {
			t.Fatalf("apply with a failing audit: %v", err)
		}
		undo()
		wantEqual(t, "database after a failed apply", everything(), before)

		c, err := f.s.Apply(ctx, f.acme, appAt("survivor", "ap-test-tx"), "CAPPLY")
		if err != nil {
			t.Fatal(err)
		}
		owner := f.acme
		for _, a := range []models.Action{models.ActionApprove, models.ActionPay, models.ActionNotifyProvider, models.ActionSubmitSurvey,
			models.ActionSubmitTicket, models.ActionScheduleVisit, models.ActionCompleteConstruction, models.ActionConfirm} {
			c = f.get(t, c.ID)
			actor := f.actorFor(t, c, owner, a)
			before := everything()
			undo := failAudit(t, f.s, a)
			if _, err := f.do(actor, c.ID, a); err == nil || !strings.Contains(err.Error(), "injected failure") {
				t.Fatalf("%s with a failing audit: %v", a, err)
			}
			undo()
			wantEqual(t, "database after a failed "+string(a), everything(), before)
			notices := noticeCount(t, f.s, c.ID, "")
			if _, err := f.do(actor, c.ID, a); err != nil {
				t.Fatalf("%s: %v", a, err)
			}
			if noticeCount(t, f.s, c.ID, "") <= notices {
				t.Fatalf("%s wrote no notice", a)
			}
		}
		// Every notice once: no two with the same kind and channel for one
		// version of the connection.
		wantEqual(t, "duplicate notices", sqlCount(t, f.s, `SELECT COUNT(*) FROM (SELECT kind, channel FROM notices WHERE connection_id = ?
			GROUP BY kind, channel HAVING COUNT(*) > 1) x`, c.ID), 0)
		wantEqual(t, "no_free_port alerts", sqlCount(t, f.s, "SELECT COUNT(*) FROM notices WHERE kind = ?", string(models.NoticeNoFreePort)), 0)
	})
}

// TestAppliedInStaffChannel: a customer who applied in the staff channel
// (the first run: one person is staff and customer, in one channel) can
// still cancel and confirm: the notices that go to the customer's and the
// staff's channel, the same one, are written once and the action succeeds.
func TestAppliedInStaffChannel(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		ctx := context.Background()
		f := newFixture(t, backend)
		f.addAPs(t, apSpec{ID: "ap-test-same", Devices: 1, Ports: 3})
		applyHere := func(name string) *models.Connection {
			c, err := f.s.Apply(ctx, f.acme, appAt(name, "ap-test-same"), staffChannel)
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		c := applyHere("cancel me")
		if _, err := f.s.Act(ctx, f.acme, c.ID, models.ActInput{Action: models.ActionCancel, Reason: "test"}); err != nil {
			t.Fatalf("cancel: %v", err)
		}
		wantEqual(t, "canceled notices", noticeCount(t, f.s, c.ID, models.NoticeCanceled), 1)

		c = applyHere("confirm me")
		c = f.advance(t, f.acme, c, models.ActionApprove, models.ActionPay, models.ActionNotifyProvider, models.ActionSubmitSurvey,
			models.ActionSubmitTicket, models.ActionScheduleVisit, models.ActionCompleteConstruction)
		if _, err := f.s.Act(ctx, f.acme, c.ID, models.ActInput{Action: models.ActionConfirm}); err != nil {
			t.Fatalf("confirm: %v", err)
		}
		wantEqual(t, "enabled notices (staff channel and provider)", noticeCount(t, f.s, c.ID, models.NoticeEnabled), 2)
	})
}
