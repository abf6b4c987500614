package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/leaseline/leaseline/models"
	"github.com/leaseline/leaseline/models/store"
)

// Helpers of the store's tests beyond the harness of storetest_test.go:
// raw SQL to look at what the store wrote (ports, notices, ledger), a
// generated access point with as many ports as a test needs, and the walk
// that puts a connection in each status and step.

// rawDB is the store's *sql.DB, to check rows the store API does not show.
func rawDB(t testing.TB, s *store.Store) *sql.DB {
	t.Helper()
	db, err := s.DB()
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// dialectSQL rewrites the ? placeholders of query for the store's dialect.
func dialectSQL(s *store.Store, query string) string {
	if s.Dialect() != "postgres" {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// sqlCount runs a SELECT COUNT(*) … query.
func sqlCount(t testing.TB, s *store.Store, query string, args ...any) int {
	t.Helper()
	var n int
	if err := rawDB(t, s).QueryRow(dialectSQL(s, query), args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// sqlExec runs a statement.
func sqlExec(t testing.TB, s *store.Store, query string, args ...any) {
	t.Helper()
	if _, err := rawDB(t, s).Exec(dialectSQL(s, query), args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// sqlRows returns every row of a query as strings, for before/after equality.
func sqlRows(t testing.TB, s *store.Store, query string, args ...any) [][]string {
	t.Helper()
	rs, err := rawDB(t, s).Query(dialectSQL(s, query), args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rs.Close()
	cols, err := rs.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var out [][]string
	for rs.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rs.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		row := make([]string, len(cols))
		for i, v := range vals {
			switch v := v.(type) {
			case []byte:
				row[i] = string(v)
			case time.Time:
				row[i] = v.UTC().Format(time.RFC3339Nano)
			default:
				row[i] = fmt.Sprint(v)
			}
		}
		out = append(out, row)
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// notice is a row of the notices table.
type notice struct {
	Kind, Channel string
	ConnectionID  int64
}

// noticesOf lists the notices of connection id, oldest first.
func noticesOf(t testing.TB, s *store.Store, id int64) []notice {
	t.Helper()
	var out []notice
	for _, r := range sqlRows(t, s, "SELECT kind, channel, connection_id FROM notices WHERE connection_id = ? ORDER BY id", id) {
		n, _ := strconv.ParseInt(r[2], 10, 64)
		out = append(out, notice{Kind: r[0], Channel: r[1], ConnectionID: n})
	}
	return out
}

// noticeCount counts the notices of connection id of kind ("" for all).
func noticeCount(t testing.TB, s *store.Store, id int64, kind models.NoticeKind) int {
	t.Helper()
	if kind == "" {
		return sqlCount(t, s, "SELECT COUNT(*) FROM notices WHERE connection_id = ?", id)
	}
	return sqlCount(t, s, "SELECT COUNT(*) FROM notices WHERE connection_id = ? AND kind = ?", id, string(kind))
}

// auditOf returns the audit trail of connection id, as staff see it.
func (f *fixture) auditOf(t testing.TB, id int64) []models.AuditEvent {
	t.Helper()
	d, err := f.s.Detail(context.Background(), f.staff, id)
	if err != nil {
		t.Fatalf("detail of %d: %v", id, err)
	}
	return d.Audit
}

// get loads connection id as staff.
func (f *fixture) get(t testing.TB, id int64) *models.Connection {
	t.Helper()
	c, err := f.s.Find(context.Background(), f.staff, models.ApplicationRef(id))
	if err != nil {
		t.Fatalf("find %d: %v", id, err)
	}
	return c
}

// balance returns an account's balance.
func (f *fixture) balance(t testing.TB, accountID int64) int64 {
	t.Helper()
	b, err := f.s.Balance(context.Background(), accountID)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// newAccount creates a customer account with a balance and returns its actor.
func (f *fixture) newAccount(t testing.TB, name string, cents int64) models.Actor {
	t.Helper()
	ctx := context.Background()
	a, err := f.s.CreateAccount(ctx, f.staff, name, "", "CNY")
	if err != nil {
		t.Fatalf("create account %s: %v", name, err)
	}
	if cents > 0 {
		if err := f.s.Credit(ctx, f.staff, a.ID, cents, "opening balance"); err != nil {
			t.Fatal(err)
		}
	}
	return models.Actor{UserID: "U" + strings.ToUpper(strings.ReplaceAll(name, " ", "")), Role: models.RoleCustomer, AccountID: a.ID}
}

// Test access points, generated beside the sample catalog.
const (
	testRegion   = "cn-hangzhou"
	testProvider = "ct-zj" // China Telecom Zhejiang, in the sample
	testPortType = models.Port10GBaseLR
	testPrice    = int64(12_000_00)
)

// apSpec describes a generated access point.
type apSpec struct {
	ID       string
	Devices  int
	Ports    int // per device
	PortType models.PortType
	Price    int64 // cents, CNY
}

// generatedCatalog is a catalog of access points in testRegion, each with
// its devices and ports, the sample's Zhejiang providers, and one
// reception person. The region and providers must exist (the sample).
func generatedCatalog(specs ...apSpec) *models.Catalog {
	cat := &models.Catalog{}
	for _, sp := range specs {
		if sp.PortType == "" {
			sp.PortType = testPortType
		}
		if sp.Price == 0 {
			sp.Price = testPrice
		}
		lo, hi := 50, sp.PortType.CapacityMbps()
		if sp.PortType.CapacityMbps() >= 10000 {
			lo = 1000
		}
		cat.AccessPoints = append(cat.AccessPoints, models.AccessPoint{
			ID: sp.ID, RegionID: testRegion, Name: "Test-" + sp.ID, Location: "Test district",
			IDCName: "Test IDC " + sp.ID, IDCAddress: "1 Test Road", Status: models.APRecommended,
			DailyVisitCapacity: 4, VisitWindow: "09:30-12:00",
			Providers: []models.AccessPointProvider{{ProviderID: "ct-zj"}, {ProviderID: "cu-zj"}, {ProviderID: "cm-zj"}},
			PortTypes: []models.PortOffer{{PortType: sp.PortType, MinMbps: lo, MaxMbps: hi, PriceCents: sp.Price, Currency: "CNY"}},
		})
		for d := range sp.Devices {
			dev := fmt.Sprintf("%s-asw-%03d", sp.ID, d+1)
			cat.Devices = append(cat.Devices, models.Device{ID: dev, AccessPointID: sp.ID, Name: dev})
			for p := range sp.Ports {
				cat.Ports = append(cat.Ports, models.Port{DeviceID: dev, Name: fmt.Sprintf("TenGigE1/0/%d", p+1),
					AccessPointID: sp.ID, PortType: sp.PortType, State: models.PortFree})
			}
		}
		cat.Reception = append(cat.Reception, models.ReceptionPerson{AccessPointID: sp.ID, Name: "Reception " + sp.ID, Phone: "+86 138 0000 9999", SlackUserID: "URECEPT"})
	}
	return cat
}

// addAPs imports generated access points into the fixture's store.
func (f *fixture) addAPs(t testing.TB, specs ...apSpec) {
	t.Helper()
	if _, err := f.s.ImportCatalog(context.Background(), generatedCatalog(specs...)); err != nil {
		t.Fatalf("import generated access points: %v", err)
	}
}

// appAt is a valid application at a generated access point.
func appAt(name, apID string) models.Application {
	return models.Application{Name: name, AccessPointID: apID, ProviderID: testProvider, PortType: testPortType,
		BandwidthMbps: 1000, Location: "Cage 12, Binjiang IDC"}
}

// providerOf is the provider actor of connection c.
func providerOf(c *models.Connection) models.Actor {
	return models.Actor{UserID: "UPROV", Role: models.RoleProvider, ProviderID: c.ProviderID}
}

// survey is a valid provider survey.
func (f *fixture) survey() models.Survey {
	return models.Survey{
		ConstructionCompany: "Zhejiang Line Works", LineType: models.LineFibre,
		PlannedArrival: f.clock.Now().Add(72 * time.Hour),
		Engineers: []models.Engineer{
			{Name: "Li Wei", Phone: "+86 138 0000 0000", IDType: models.IDCard, IDNumber: "11010119900307123X"},
			{Name: "Anna Schmidt", Phone: "+49 170 0000000", IDType: models.Passport, IDNumber: "C01X00T47"},
		},
	}
}

// do runs action a on connection id as actor through the store method
// that owns it.
func (f *fixture) do(actor models.Actor, id int64, a models.Action) (*models.Connection, error) {
	ctx := context.Background()
	switch a {
	case models.ActionPay:
		return f.s.Pay(ctx, actor, id)
	case models.ActionSubmitSurvey:
		return f.s.SubmitSurvey(ctx, actor, id, f.survey())
	case models.ActionSubmitTicket:
		if _, err := f.s.SubmitTicket(ctx, actor, id, "fibre from our cage 12", ""); err != nil {
			return nil, err
		}
		return f.s.Find(ctx, f.staff, models.ApplicationRef(id))
	case models.ActionScheduleVisit:
		return f.s.ScheduleVisitForTest(ctx, actor, id, "2026-11-27")
	case models.ActionCheckIn:
		return f.s.CheckInForTest(ctx, actor, id)
	case models.ActionResubmit:
		c, err := f.s.Find(ctx, f.staff, models.ApplicationRef(id))
		if err != nil {
			return nil, err
		}
		app := models.ApplicationOf(*c)
		app.Location += ", floor 2"
		return f.s.Resubmit(ctx, actor, id, app)
	case models.ActionChangeBandwidth:
		c, err := f.s.Find(ctx, f.staff, models.ApplicationRef(id))
		if err != nil {
			return nil, err
		}
		return f.s.RequestBandwidth(ctx, actor, id, c.BandwidthMbps+50)
	}
	in := models.ActInput{Action: a}
	switch a {
	case models.ActionReject, models.ActionCancel, models.ActionExpire, models.ActionTerminate, models.ActionCancelTermination:
		in.Reason = "reason for " + string(a)
	case models.ActionCompleteConstruction:
		in.LineCode, in.LineLabel = "ZJ-HZ-0042", "HZ-YH-B/42"
	case models.ActionCompleteRemoval:
		in.LineCode, in.Note = "ZJ-HZ-0042", "patch cord taken out"
	}
	return f.s.Act(ctx, actor, id, in)
}

// stage is a place in the lifecycle and the way there from Applying: the
// actions, each by the role the table allows.
type stage struct {
	Name   string
	Status models.Status
	Step   models.Step
	Path   []models.Action
}

// connecting is the path from Applying into Connecting.
var connecting = []models.Action{models.ActionApprove, models.ActionPay}

// stages lists every status, and every Connecting sub-step.
var stages = []stage{
	{"Applying", models.StatusApplying, models.StepNone, nil},
	{"Approved", models.StatusApproved, models.StepNone, []models.Action{models.ActionApprove}},
	{"Rejected", models.StatusRejected, models.StepNone, []models.Action{models.ActionReject}},
	{"Applying again (resubmitted)", models.StatusApplying, models.StepNone, []models.Action{models.ActionReject, models.ActionResubmit}},
	{"Canceled while Applying", models.StatusCanceled, models.StepNone, []models.Action{models.ActionCancel}},
	{"Canceled (expired)", models.StatusCanceled, models.StepNone, []models.Action{models.ActionApprove, models.ActionExpire}},
	{"Connecting", models.StatusConnecting, models.StepNone, connecting},
	{"Connecting/provider notified", models.StatusConnecting, models.StepProviderNotified,
		append(connecting[:2:2], models.ActionNotifyProvider)},
	{"Connecting/survey received", models.StatusConnecting, models.StepSurveyReceived,
		append(connecting[:2:2], models.ActionNotifyProvider, models.ActionSubmitSurvey)},
	{"Connecting/ticket submitted", models.StatusConnecting, models.StepTicketSubmitted,
		append(connecting[:2:2], models.ActionNotifyProvider, models.ActionSubmitSurvey, models.ActionSubmitTicket)},
	{"Connecting/visit scheduled", models.StatusConnecting, models.StepVisitScheduled,
		append(connecting[:2:2], models.ActionNotifyProvider, models.ActionSubmitSurvey, models.ActionSubmitTicket, models.ActionScheduleVisit)},
	{"Connecting/on site", models.StatusConnecting, models.StepOnSite,
		append(connecting[:2:2], models.ActionNotifyProvider, models.ActionSubmitSurvey, models.ActionSubmitTicket, models.ActionScheduleVisit, models.ActionCheckIn)},
	{"Pending Confirmation", models.StatusPendingConfirmation, models.StepVisitScheduled,
		append(connecting[:2:2], models.ActionNotifyProvider, models.ActionSubmitSurvey, models.ActionSubmitTicket, models.ActionScheduleVisit, models.ActionCompleteConstruction)},
	{"Enabled", models.StatusEnabled, models.StepVisitScheduled, enabled},
	{"Terminating", models.StatusTerminating, models.StepVisitScheduled, append(enabled[:len(enabled):len(enabled)], models.ActionTerminate)},
	{"Terminated", models.StatusTerminated, models.StepVisitScheduled,
		append(enabled[:len(enabled):len(enabled)], models.ActionTerminate, models.ActionScheduleVisit, models.ActionCompleteRemoval)},
	{"Enabled again (termination canceled)", models.StatusEnabled, models.StepVisitScheduled,
		append(enabled[:len(enabled):len(enabled)], models.ActionTerminate, models.ActionCancelTermination)},
}

// enabled is the path from Applying to Enabled.
var enabled = append(connecting[:2:2], models.ActionNotifyProvider, models.ActionSubmitSurvey, models.ActionSubmitTicket,
	models.ActionScheduleVisit, models.ActionCompleteConstruction, models.ActionConfirm)

// stageNamed returns the stage of that name.
func stageNamed(t testing.TB, name string) stage {
	t.Helper()
	for _, st := range stages {
		if st.Name == name {
			return st
		}
	}
	t.Fatalf("no stage %q", name)
	return stage{}
}

// actorFor picks, for action a on c, an actor of a role the lifecycle
// table allows to do it from c's status and step.
func (f *fixture) actorFor(t testing.TB, c *models.Connection, owner models.Actor, a models.Action) models.Actor {
	t.Helper()
	for _, r := range []models.Role{models.RoleCustomer, models.RoleProvider, models.RoleStaff, models.RoleSystem} {
		if _, err := models.Lookup(a, c.Status, c.Step, r); err == nil {
			return f.actorOfRole(c, owner, r)
		}
	}
	t.Fatalf("no role may %s a connection that is %s/%q", a, c.Status, c.Step)
	return models.Actor{}
}

// actorOfRole is the actor of role r that owns c (customer, provider), or
// staff, or the system.
func (f *fixture) actorOfRole(c *models.Connection, owner models.Actor, r models.Role) models.Actor {
	switch r {
	case models.RoleCustomer:
		return owner
	case models.RoleProvider:
		return providerOf(c)
	case models.RoleStaff:
		return f.staff
	}
	return models.SystemActor()
}

// walk applies app as owner and takes the connection along path.
func (f *fixture) walk(t testing.TB, owner models.Actor, app models.Application, path []models.Action) *models.Connection {
	t.Helper()
	c, err := f.s.Apply(context.Background(), owner, app, "CAPPLY")
	if err != nil {
		t.Fatalf("apply %q: %v", app.Name, err)
	}
	return f.advance(t, owner, c, path...)
}

// advance takes connection c of owner along path, each action by a role
// the table allows, and returns it as it ends.
func (f *fixture) advance(t testing.TB, owner models.Actor, c *models.Connection, path ...models.Action) *models.Connection {
	t.Helper()
	c = f.get(t, c.ID)
	for _, a := range path {
		next, err := f.do(f.actorFor(t, c, owner, a), c.ID, a)
		if err != nil {
			t.Fatalf("advance %s: %s: %v", c.Name, a, err)
		}
		c = next
	}
	return c
}

// walkTo puts a new connection of owner in stage st and checks it got there.
func (f *fixture) walkTo(t testing.TB, owner models.Actor, app models.Application, st stage) *models.Connection {
	t.Helper()
	c := f.walk(t, owner, app, st.Path)
	c = f.get(t, c.ID)
	if c.Status != st.Status || c.Step != st.Step {
		t.Fatalf("walk to %s: got %s/%q", st.Name, c.Status, c.Step)
	}
	return c
}

// ruleIn finds the broken rule named rule in err (models.RuleErrors or a
// single *models.RuleError), failing the test when there is none.
func ruleIn(t testing.TB, err error, rule string) *models.RuleError {
	t.Helper()
	var errs models.RuleErrors
	var one *models.RuleError
	switch {
	case errors.As(err, &errs):
	case errors.As(err, &one):
		errs = models.RuleErrors{one}
	default:
		t.Fatalf("want rule %s broken, got %T %v", rule, err, err)
	}
	for _, e := range errs {
		if e.Rule == rule {
			return e
		}
	}
	t.Fatalf("want rule %s broken, got %v", rule, err)
	return nil
}

// wantEqual fails the test when got != want.
func wantEqual[T any](t testing.TB, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s = %v, want %v", what, got, want)
	}
}
