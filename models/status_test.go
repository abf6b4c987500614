package models_test

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/leaseline/leaseline/models"
)

const lifecycleDoc = "../docs/lifecycle.md"

// allActions is every action the package declares, including those that no
// row of the table allows (apply creates a connection rather than moving it;
// staff's bandwidth decisions leave the line Enabled, and the store checks
// them: models/store/authz_bandwidth_test.go).
var allActions = []models.Action{
	models.ActionApprove, models.ActionReject, models.ActionPay, models.ActionCancel,
	models.ActionViewPort, models.ActionNotifyProvider, models.ActionSubmitSurvey,
	models.ActionSubmitTicket, models.ActionScheduleVisit, models.ActionCompleteConstruction,
	models.ActionConfirm, models.ActionExpire, models.ActionApply,
	models.ActionTerminate, models.ActionCompleteRemoval, models.ActionCancelTermination,
	models.ActionResubmit, models.ActionChangeBandwidth,
	models.ActionApproveBandwidth, models.ActionRejectBandwidth,
	models.ActionCheckIn,
}

var allRoles = []models.Role{models.RoleCustomer, models.RoleStaff, models.RoleProvider, models.RoleSystem, models.RoleReception}

// state is where a connection can be: a status and, in Connecting, a step.
type state struct {
	status models.Status
	step   models.Step
}

func (s state) String() string {
	if s.status == models.StatusConnecting {
		return fmt.Sprintf("%s (%s)", s.status, stepName(s.step))
	}
	return string(s.status)
}

func stepName(st models.Step) string {
	if st == models.StepNone {
		return "no step"
	}
	return string(st)
}

// allStates is every state a connection can be in: Connecting at each of its
// steps, every other status without one (steps belong to Connecting).
func allStates() []state {
	var out []state
	for _, s := range models.Statuses {
		if s != models.StatusConnecting {
			out = append(out, state{s, models.StepNone})
			continue
		}
		out = append(out, state{s, models.StepNone})
		for _, st := range models.Steps {
			out = append(out, state{s, st})
		}
	}
	return out
}

// edgeKey names a transition by everything the diagram shows of it.
func edgeKey(t models.Transition) string {
	roles := make([]string, len(t.Roles))
	for i, r := range t.Roles {
		roles[i] = string(r)
	}
	slices.Sort(roles)
	at := func(s models.Status, st models.Step) string {
		if st == models.StepNone {
			return string(s)
		}
		return fmt.Sprintf("%s (%s)", s, st)
	}
	return fmt.Sprintf("%s: %s -> %s by %s",
		t.Action, at(t.From, t.AtStep), at(t.To, t.ToStep), strings.Join(roles, ", "))
}

// lifecycleDiagram is what the test reads from the mermaid diagram.
type lifecycleDiagram struct {
	edges []models.Transition
	// initialStep is the label of the state Connecting starts in (StepNone).
	initialStep string
	// steps are the labels of the other Connecting sub-states, in order.
	steps []string
}

var (
	reStateAs   = regexp.MustCompile(`^state "([^"]+)" as (\w+)$`)
	reComposite = regexp.MustCompile(`^state (\w+) \{$`)
	reEdge      = regexp.MustCompile(`^(\[\*\]|\w+)\s*-->\s*(\[\*\]|\w+)(?:\s*:\s*(.+?))?$`)
	reLabel     = regexp.MustCompile(`^([a-z][a-z ]*[a-z]) \(([a-z]+(?:, [a-z]+)*)\)$`)
)

// readMermaid returns the lines of the first mermaid block of the document.
func readMermaid(t *testing.T, doc string) []string {
	t.Helper()
	var lines []string
	in, found := false, false
	for _, line := range strings.Split(doc, "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case !in && !found && trimmed == "```mermaid":
			in, found = true, true
		case in && trimmed == "```":
			in = false
		case in:
			lines = append(lines, trimmed)
		}
	}
	if !found {
		t.Fatalf("%s: no ```mermaid block", lifecycleDoc)
	}
	if in {
		t.Fatalf("%s: the mermaid block is not closed", lifecycleDoc)
	}
	return lines
}

// parseLifecycle reads the state diagram. It understands the few forms the
// document uses and fails on any other line, so the diagram cannot say more
// than the test checks.
func parseLifecycle(t *testing.T, doc string) lifecycleDiagram {
	t.Helper()
	lines := readMermaid(t, doc)
	if len(lines) == 0 || lines[0] != "stateDiagram-v2" {
		t.Fatalf("%s: the mermaid block must start with stateDiagram-v2", lifecycleDoc)
	}

	type rawEdge struct {
		scope, from, to, label string
	}
	labels := map[string]string{} // state ID -> label, both scopes
	inner := map[string]bool{}    // state IDs declared inside the composite
	var innerOrder []string
	var edges []rawEdge
	scope := ""
	for n, line := range lines[1:] {
		where := fmt.Sprintf("%s: mermaid line %d %q", lifecycleDoc, n+2, line)
		if line == "" || strings.HasPrefix(line, "%%") {
			continue
		}
		if m := reStateAs.FindStringSubmatch(line); m != nil {
			if _, dup := labels[m[2]]; dup {
				t.Fatalf("%s: state %s declared twice", where, m[2])
			}
			labels[m[2]] = m[1]
			if scope != "" {
				inner[m[2]] = true
				innerOrder = append(innerOrder, m[2])
			}
			continue
		}
		if m := reComposite.FindStringSubmatch(line); m != nil {
			if scope != "" {
				t.Fatalf("%s: composite states nest only one level", where)
			}
			if models.Status(m[1]) != models.StatusConnecting {
				t.Fatalf("%s: only %s has sub-steps", where, models.StatusConnecting)
			}
			scope = m[1]
			continue
		}
		if line == "}" {
			if scope == "" {
				t.Fatalf("%s: unmatched }", where)
			}
			scope = ""
			continue
		}
		if m := reEdge.FindStringSubmatch(line); m != nil {
			edges = append(edges, rawEdge{scope, m[1], m[2], m[3]})
			continue
		}
		t.Fatalf("%s: not a form this test understands (state \"Label\" as ID, state ID {, }, A --> B : action (roles))", where)
	}
	if scope != "" {
		t.Fatalf("%s: state %s { is not closed", lifecycleDoc, scope)
	}

	label := func(id string) string {
		if l, ok := labels[id]; ok {
			return l
		}
		return id
	}
	status := func(id string) models.Status {
		s := models.Status(label(id))
		if inner[id] || !s.Valid() {
			t.Fatalf("%s: %s (%q) is not a status of models.Statuses", lifecycleDoc, id, label(id))
		}
		return s
	}

	// The composite's entry and exit give the steps of the edges that cross
	// its border.
	var d lifecycleDiagram
	steps := map[string]models.Step{} // inner ID -> step
	var initialID string
	var exitIDs []string // the composite's exits: complete construction leaves from each
	for _, e := range edges {
		if e.scope == "" {
			continue
		}
		switch {
		case e.from == "[*]" && e.to == "[*]":
			t.Fatalf("%s: [*] --> [*] inside %s", lifecycleDoc, e.scope)
		case e.from == "[*]":
			if initialID != "" {
				t.Fatalf("%s: %s has two initial states", lifecycleDoc, e.scope)
			}
			initialID = e.to
		case e.to == "[*]":
			if slices.Contains(exitIDs, e.from) {
				t.Fatalf("%s: %s --> [*] twice", lifecycleDoc, e.from)
			}
			exitIDs = append(exitIDs, e.from)
		}
	}
	if initialID == "" || len(exitIDs) == 0 {
		t.Fatalf("%s: %s needs one [*] --> initial state and one state --> [*]", lifecycleDoc, models.StatusConnecting)
	}
	for _, id := range innerOrder {
		if id == initialID {
			steps[id] = models.StepNone
			d.initialStep = labels[id]
			continue
		}
		steps[id] = models.Step(labels[id])
		d.steps = append(d.steps, labels[id])
	}
	step := func(id string) models.Step {
		st, ok := steps[id]
		if !ok {
			t.Fatalf("%s: %s is used inside %s but not declared there with state \"step\" as %s", lifecycleDoc, id, models.StatusConnecting, id)
		}
		return st
	}

	for _, e := range edges {
		if e.from == "[*]" || e.to == "[*]" {
			if e.label != "" {
				t.Fatalf("%s: %s --> %s: start and end markers carry no action, got %q", lifecycleDoc, e.from, e.to, e.label)
			}
			if e.scope != "" {
				continue
			}
			if e.from == "[*]" && status(e.to) != models.StatusApplying {
				t.Fatalf("%s: the diagram must start at %s, not %s", lifecycleDoc, models.StatusApplying, e.to)
			}
			if e.to == "[*]" && !status(e.from).Final() {
				t.Fatalf("%s: %s --> [*], but %s is not final", lifecycleDoc, e.from, e.from)
			}
			continue
		}
		m := reLabel.FindStringSubmatch(e.label)
		if m == nil {
			t.Fatalf("%s: %s --> %s: label %q is not \"action (role, role)\"", lifecycleDoc, e.from, e.to, e.label)
		}
		tr := models.Transition{Action: models.Action(m[1])}
		for r := range strings.SplitSeq(m[2], ", ") {
			tr.Roles = append(tr.Roles, models.Role(r))
		}
		if e.scope != "" {
			tr.From, tr.To = models.StatusConnecting, models.StatusConnecting
			tr.AtStep, tr.ToStep = step(e.from), step(e.to)
		} else {
			tr.From, tr.To = status(e.from), status(e.to)
			switch {
			case tr.From == models.StatusConnecting && tr.To == models.StatusConnecting:
				tr.AtStep = models.AnyStep // a loop on the whole composite
			case tr.From == models.StatusConnecting:
				// Leaves through each exit: one row per exit.
				for _, id := range exitIDs {
					out := tr
					out.AtStep = step(id)
					d.edges = append(d.edges, out)
				}
				continue
			}
		}
		d.edges = append(d.edges, tr)
	}
	return d
}

func readLifecycleDoc(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(lifecycleDoc)
	if err != nil {
		t.Fatalf("the lifecycle diagram must exist: %v", err)
	}
	return string(b)
}

// TestLifecycleDiagramMatchesTransitions keeps docs/lifecycle.md true: every
// row of models.Transitions is an edge of the diagram, with its action and
// roles, and the diagram has no edge the table lacks.
func TestLifecycleDiagramMatchesTransitions(t *testing.T) {
	d := parseLifecycle(t, readLifecycleDoc(t))

	want := map[string]int{}
	for _, tr := range models.Transitions {
		want[edgeKey(tr)]++
	}
	got := map[string]int{}
	for _, tr := range d.edges {
		got[edgeKey(tr)]++
	}
	for k, n := range want {
		if got[k] < n {
			t.Errorf("models.Transitions has %q; the diagram does not draw it", k)
		}
	}
	for k, n := range got {
		if want[k] < n {
			t.Errorf("the diagram draws %q; models.Transitions has no such row", k)
		}
	}

	steps := make([]string, len(models.Steps))
	for i, st := range models.Steps {
		steps[i] = string(st)
	}
	if !slices.Equal(d.steps, steps) {
		t.Errorf("Connecting sub-states in the diagram = %q, want models.Steps in order %q", d.steps, steps)
	}
}

// TestLifecycleWaitingTableMatchesWaitingOn keeps the "who the connection
// waits on" table of docs/lifecycle.md equal to models.WaitingOn.
func TestLifecycleWaitingTableMatchesWaitingOn(t *testing.T) {
	doc := readLifecycleDoc(t)
	d := parseLifecycle(t, doc)

	const header = "| status | waiting on | what they must do |"
	_, rest, ok := strings.Cut(doc, header)
	if !ok {
		t.Fatalf("%s: no table with header %q", lifecycleDoc, header)
	}
	rows := map[string][2]string{}
	for i, line := range strings.Split(strings.TrimSpace(rest), "\n") {
		if !strings.HasPrefix(line, "|") {
			break
		}
		if i == 0 { // the | --- | separator
			continue
		}
		cells := strings.Split(strings.Trim(line, "| "), " | ")
		if len(cells) != 3 {
			t.Fatalf("%s: table row %q has %d cells, want 3", lifecycleDoc, line, len(cells))
		}
		if _, dup := rows[cells[0]]; dup {
			t.Errorf("%s: status %q has two rows", lifecycleDoc, cells[0])
		}
		rows[cells[0]] = [2]string{cells[1], cells[2]}
	}

	for _, s := range allStates() {
		name := string(s.status)
		if s.status == models.StatusConnecting {
			stepLabel := string(s.step)
			if s.step == models.StepNone {
				stepLabel = d.initialStep
			}
			name = fmt.Sprintf("%s (%s)", s.status, stepLabel)
		}
		party, what := models.WaitingOn(s.status, s.step)
		want := [2]string{string(party), what}
		if party == models.PartyNone {
			want = [2]string{"nobody", "—"}
		}
		got, ok := rows[name]
		if !ok {
			t.Errorf("%s: the table has no row for %q", lifecycleDoc, name)
			continue
		}
		delete(rows, name)
		if got != want {
			t.Errorf("%s: row %q = %q, models.WaitingOn says %q", lifecycleDoc, name, got, want)
		}
	}
	for name := range rows {
		t.Errorf("%s: row %q is no status of the lifecycle", lifecycleDoc, name)
	}
}

// handLifecycle says, written out by hand from the product's lifecycle and
// not from models.Transitions, who may do what in which state, and where it
// leads. Every (action, state) pair not listed is refused for everyone.
var handLifecycle = []struct {
	action models.Action
	from   state
	to     state
	who    []models.Role
}{
	{models.ActionApprove, state{applying, none}, state{approved, none}, roles(staff)},
	{models.ActionReject, state{applying, none}, state{rejected, none}, roles(staff)},
	{models.ActionCancel, state{applying, none}, state{canceled, none}, roles(customer, staff)},
	{models.ActionPay, state{approved, none}, state{connecting, none}, roles(customer)},
	{models.ActionCancel, state{approved, none}, state{canceled, none}, roles(customer, staff)},
	{models.ActionExpire, state{approved, none}, state{canceled, none}, roles(system)},
	// The port can be seen at every step of Connecting; seeing it records no step.
	{models.ActionViewPort, state{connecting, none}, state{connecting, none}, roles(customer, staff)},
	{models.ActionViewPort, state{connecting, notified}, state{connecting, none}, roles(customer, staff)},
	{models.ActionViewPort, state{connecting, surveyed}, state{connecting, none}, roles(customer, staff)},
	{models.ActionViewPort, state{connecting, ticketed}, state{connecting, none}, roles(customer, staff)},
	{models.ActionViewPort, state{connecting, scheduled}, state{connecting, none}, roles(customer, staff)},
	{models.ActionNotifyProvider, state{connecting, none}, state{connecting, notified}, roles(customer, staff)},
	{models.ActionSubmitSurvey, state{connecting, notified}, state{connecting, surveyed}, roles(provider, staff)},
	{models.ActionSubmitTicket, state{connecting, surveyed}, state{connecting, ticketed}, roles(customer, staff)},
	{models.ActionScheduleVisit, state{connecting, ticketed}, state{connecting, scheduled}, roles(system, staff)},
	{models.ActionCompleteConstruction, state{connecting, scheduled}, state{pending, none}, roles(provider, staff)},
	// The visit day: the desk checks the engineers in (the reception person
	// of the visit, or staff); the provider may report the construction
	// complete with or without it.
	{models.ActionViewPort, state{connecting, onSite}, state{connecting, none}, roles(customer, staff)},
	{models.ActionCheckIn, state{connecting, scheduled}, state{connecting, onSite}, roles(reception, staff)},
	{models.ActionCompleteConstruction, state{connecting, onSite}, state{pending, none}, roles(provider, staff)},
	{models.ActionCheckIn, state{terminating, none}, state{terminating, none}, roles(reception, staff)},
	{models.ActionConfirm, state{pending, none}, state{enabled, none}, roles(customer)},
	// Day two: the customer or staff terminate a line in service; its
	// removal visit is booked like a construction visit; the provider (or
	// staff) report it removed; until then the customer or staff may keep it.
	{models.ActionTerminate, state{enabled, none}, state{terminating, none}, roles(customer, staff)},
	{models.ActionScheduleVisit, state{terminating, none}, state{terminating, none}, roles(system, staff)},
	{models.ActionCompleteRemoval, state{terminating, none}, state{terminated, none}, roles(provider, staff)},
	{models.ActionCancelTermination, state{terminating, none}, state{enabled, none}, roles(customer, staff)},
	// Day two: a rejected application is edited and resubmitted by its
	// customer, and reviewed again.
	{models.ActionResubmit, state{rejected, none}, state{applying, none}, roles(customer)},
	// Day two: the customer asks for another bandwidth on a line in
	// service; it stays Enabled while staff review the request.
	{models.ActionChangeBandwidth, state{enabled, none}, state{enabled, none}, roles(customer)},
}

// Short names for the hand-written table.
const (
	applying    = models.StatusApplying
	approved    = models.StatusApproved
	rejected    = models.StatusRejected
	connecting  = models.StatusConnecting
	pending     = models.StatusPendingConfirmation
	enabled     = models.StatusEnabled
	canceled    = models.StatusCanceled
	terminating = models.StatusTerminating
	terminated  = models.StatusTerminated
	none        = models.StepNone
	notified    = models.StepProviderNotified
	surveyed    = models.StepSurveyReceived
	ticketed    = models.StepTicketSubmitted
	scheduled   = models.StepVisitScheduled
	onSite      = models.StepOnSite
	reception   = models.RoleReception
	customer    = models.RoleCustomer
	staff       = models.RoleStaff
	provider    = models.RoleProvider
	system      = models.RoleSystem
)

func roles(r ...models.Role) []models.Role { return r }

// TestLookupEveryCombination tries every action in every state by every role
// against handLifecycle: Lookup allows exactly what the hand-written table
// allows, leading where it says, and otherwise says whether the status or
// the role is wrong, in words that name them (and, for a wrong role, who
// may).
func TestLookupEveryCombination(t *testing.T) {
	states := allStates()
	for _, row := range handLifecycle {
		if !slices.Contains(states, row.from) {
			t.Fatalf("hand-written row %s from %s: no such state", row.action, row.from)
		}
	}
	for _, s := range states {
		for _, a := range allActions {
			var allowed []models.Role
			var to state
			for _, row := range handLifecycle {
				if row.action == a && row.from == s {
					allowed, to = row.who, row.to
				}
			}
			for _, r := range allRoles {
				t.Run(fmt.Sprintf("%s/%s/%s", a, s, r), func(t *testing.T) {
					got, err := models.Lookup(a, s.status, s.step, r)
					switch {
					case slices.Contains(allowed, r):
						if err != nil {
							t.Fatalf("refused: %v; %s may %s a connection that is %s", err, r, a, s)
						}
						if got.To != to.status || got.ToStep != to.step {
							t.Errorf("leads to %s (%q), want %s", got.To, got.ToStep, to)
						}
					case len(allowed) == 0:
						checkRefusal(t, err, models.ErrWrongStatus)
						where := string(s.status)
						if s.step != models.StepNone {
							where += " (" + string(s.step) + ")"
						}
						if msg := err.Error(); !strings.HasPrefix(msg, "cannot ") || !strings.HasSuffix(msg, " a connection that is "+where) {
							t.Errorf("message %q does not say the connection is %s", msg, where)
						}
					default:
						checkRefusal(t, err, models.ErrForbidden)
						msg := err.Error()
						if !strings.HasPrefix(msg, r.Noun()+" may not ") {
							t.Errorf("message %q does not name the role %s", msg, r)
						}
						for _, may := range allowed {
							if !strings.Contains(msg, may.Plural()) {
								t.Errorf("message %q does not say that %s may", msg, may.Plural())
							}
						}
					}
				})
			}
		}
	}
}

func checkRefusal(t *testing.T, err, want error) {
	t.Helper()
	if err == nil {
		t.Fatalf("allowed; want %v", want)
	}
	if !errors.Is(err, want) {
		t.Fatalf("err = %v; want errors.Is(err, %v)", err, want)
	}
	for _, other := range []error{models.ErrWrongStatus, models.ErrForbidden, models.ErrConflict, models.ErrNotFound} {
		if other != want && errors.Is(err, other) {
			t.Errorf("err = %v is also %v", err, other)
		}
	}
	var te *models.TransitionError
	if !errors.As(fmt.Errorf("wrapped: %w", err), &te) {
		t.Errorf("err = %T, want a *models.TransitionError", err)
	}
}

// TestLookupMessages pins the exact words of a few refusals users see.
func TestLookupMessages(t *testing.T) {
	tests := []struct {
		action models.Action
		status models.Status
		step   models.Step
		role   models.Role
		want   string
		is     error
	}{
		{models.ActionApprove, models.StatusEnabled, models.StepNone, models.RoleStaff, "cannot approve a connection that is Enabled", models.ErrWrongStatus},
		{models.ActionApprove, models.StatusApplying, models.StepNone, models.RoleCustomer, "a customer may not approve a connection (only staff may)", models.ErrForbidden},
		{models.ActionPay, models.StatusApplying, models.StepNone, models.RoleCustomer, "cannot pay for a connection that is Applying", models.ErrWrongStatus},
		{models.ActionConfirm, models.StatusConnecting, models.StepSurveyReceived, models.RoleCustomer, "cannot confirm a connection that is Connecting (provider survey received)", models.ErrWrongStatus},
		{models.ActionCancel, models.StatusConnecting, models.StepNone, models.RoleCustomer, "cannot cancel a connection that is Connecting", models.ErrWrongStatus},
		{models.ActionReject, models.StatusApplying, models.StepNone, models.RoleProvider, "a service provider may not reject a connection (only staff may)", models.ErrForbidden},
		{models.ActionConfirm, models.StatusPendingConfirmation, models.StepNone, models.RoleStaff, "a staff member may not confirm a connection (only customers may)", models.ErrForbidden},
	}
	for _, tt := range tests {
		_, err := models.Lookup(tt.action, tt.status, tt.step, tt.role)
		if err == nil {
			t.Errorf("Lookup(%q, %q, %q, %q) allowed; want %q", tt.action, tt.status, tt.step, tt.role, tt.want)
			continue
		}
		if err.Error() != tt.want || !errors.Is(err, tt.is) {
			t.Errorf("Lookup(%q, %q, %q, %q) = %q; want %q (%v)", tt.action, tt.status, tt.step, tt.role, err, tt.want, tt.is)
		}
	}
}

// TestWaitingOn: every state a connection can wait in names who must act and
// what they must do; final statuses wait on nobody.
func TestWaitingOn(t *testing.T) {
	parties := []models.Party{models.PartyCustomer, models.PartyStaff, models.PartyProvider, models.PartyIDC}
	for _, s := range allStates() {
		party, what := models.WaitingOn(s.status, s.step)
		// A line in service waits on nobody, though it may still be
		// terminated.
		if s.status.Settled() {
			if party != models.PartyNone || what != "" {
				t.Errorf("WaitingOn(%s) = %q, %q; a final status waits on nobody", s, party, what)
			}
			continue
		}
		if !slices.Contains(parties, party) || what == "" {
			t.Errorf("WaitingOn(%s) = %q, %q; want a party and what it must do", s, party, what)
		}
	}
	// A final status waits on nobody whatever step it was left at.
	for _, s := range models.Statuses {
		if !s.Final() {
			continue
		}
		for _, st := range models.Steps {
			if party, what := models.WaitingOn(s, st); party != models.PartyNone || what != "" {
				t.Errorf("WaitingOn(%s, %s) = %q, %q; want nobody", s, st, party, what)
			}
		}
	}
}

// TestTransitionsGraph walks the table: every status is known, final statuses
// are left by no row, every other status is reachable from Applying and can
// still end, Enabled is reachable, and the Connecting sub-steps follow
// models.Steps one by one up to the exit.
func TestTransitionsGraph(t *testing.T) {
	next := map[models.Status][]models.Status{}
	for _, tr := range models.Transitions {
		if !tr.From.Valid() || !tr.To.Valid() {
			t.Errorf("row %q names an unknown status", edgeKey(tr))
		}
		if tr.From.Final() {
			t.Errorf("row %q leaves the final status %s", edgeKey(tr), tr.From)
		}
		if len(tr.Roles) == 0 {
			t.Errorf("row %q allows no role", edgeKey(tr))
		}
		if tr.From != models.StatusConnecting && tr.AtStep != models.StepNone {
			t.Errorf("row %q needs a step outside %s", edgeKey(tr), models.StatusConnecting)
		}
		next[tr.From] = append(next[tr.From], tr.To)
	}

	reach := func(from models.Status) map[models.Status]bool {
		seen := map[models.Status]bool{from: true}
		queue := []models.Status{from}
		for len(queue) > 0 {
			s := queue[0]
			queue = queue[1:]
			for _, n := range next[s] {
				if !seen[n] {
					seen[n] = true
					queue = append(queue, n)
				}
			}
		}
		return seen
	}
	fromApplying := reach(models.StatusApplying)
	for _, s := range models.Statuses {
		if !s.Final() && !fromApplying[s] {
			t.Errorf("%s is not reachable from %s", s, models.StatusApplying)
		}
		if !s.Final() && !slices.ContainsFunc(models.Statuses, func(f models.Status) bool { return f.Final() && reach(s)[f] }) {
			t.Errorf("%s cannot reach a final status", s)
		}
	}
	if !fromApplying[models.StatusEnabled] {
		t.Errorf("%s is not reachable from %s", models.StatusEnabled, models.StatusApplying)
	}

	// Inside Connecting, each step leads to the next one of models.Steps.
	cur := models.StepNone
	for _, want := range models.Steps {
		var got []models.Step
		for _, tr := range models.Transitions {
			if tr.From == models.StatusConnecting && tr.To == models.StatusConnecting && tr.AtStep == cur && tr.ToStep != models.StepNone {
				got = append(got, tr.ToStep)
			}
		}
		if len(got) != 1 || got[0] != want {
			t.Fatalf("from step %q the table leads to %q, want only %q", stepName(cur), got, want)
		}
		cur = want
	}
	if !slices.ContainsFunc(models.Transitions, func(tr models.Transition) bool {
		return tr.From == models.StatusConnecting && tr.AtStep == cur && tr.To == models.StatusPendingConfirmation
	}) {
		t.Errorf("no row leaves %s for %s from the last step %q", models.StatusConnecting, models.StatusPendingConfirmation, cur)
	}
}
