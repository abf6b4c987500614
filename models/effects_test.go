package models_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/leaseline/leaseline/models"
)

// transitionOf finds the transition of action a from status from.
func transitionOf(t *testing.T, a models.Action, from models.Status) models.Transition {
	t.Helper()
	for _, tr := range models.Transitions {
		if tr.Action == a && tr.From == from {
			return tr
		}
	}
	t.Fatalf("no transition %s from %s", a, from)
	return models.Transition{}
}

// TestDecide: each plain action moves the connection, records what it
// carries, and tells whom PRODUCT.md says, without a database.
func TestDecide(t *testing.T) {
	type tell struct {
		kind models.NoticeKind
		to   models.Party
	}
	cases := []struct {
		name   string
		from   models.Status
		step   models.Step
		in     models.ActInput
		to     models.Status
		detail string
		tells  []tell
		close  bool
	}{
		{"approve", models.StatusApplying, models.StepNone, models.ActInput{Action: models.ActionApprove}, models.StatusApproved, "",
			[]tell{{models.NoticeApproved, models.PartyCustomer}}, false},
		{"reject tells only the customer", models.StatusApplying, models.StepNone, models.ActInput{Action: models.ActionReject, Reason: "  no room "}, models.StatusRejected, "no room",
			[]tell{{models.NoticeRejected, models.PartyCustomer}}, false},
		{"cancel tells customer and staff", models.StatusApproved, models.StepNone, models.ActInput{Action: models.ActionCancel, Reason: "changed plans"}, models.StatusCanceled, "changed plans",
			[]tell{{models.NoticeCanceled, models.PartyCustomer}, {models.NoticeCanceled, models.PartyStaff}}, false},
		{"notify provider", models.StatusConnecting, models.StepNone, models.ActInput{Action: models.ActionNotifyProvider}, models.StatusConnecting, "",
			[]tell{{models.NoticePortInfo, models.PartyProvider}}, false},
		{"complete construction", models.StatusConnecting, models.StepVisitScheduled, models.ActInput{Action: models.ActionCompleteConstruction, LineCode: " L-1 ", LineLabel: "A/3"}, models.StatusPendingConfirmation, "line code L-1, label A/3",
			[]tell{{models.NoticeConstructionComplete, models.PartyCustomer}}, true},
		{"confirm tells all three", models.StatusPendingConfirmation, models.StepNone, models.ActInput{Action: models.ActionConfirm}, models.StatusEnabled, "",
			[]tell{{models.NoticeEnabled, models.PartyCustomer}, {models.NoticeEnabled, models.PartyStaff}, {models.NoticeEnabled, models.PartyProvider}}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := models.Connection{ID: 7, Status: tc.from, Step: tc.step}
			tr, err := models.Lookup(tc.in.Action, tc.from, tc.step, transitionOf(t, tc.in.Action, tc.from).Roles[0])
			if err != nil {
				t.Fatal(err)
			}
			e, err := models.Decide(c, tr, tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if e.Conn.Status != tc.to || e.Detail != tc.detail || e.CloseVisit != tc.close {
				t.Errorf("status %s, detail %q, close visit %v; want %s, %q, %v", e.Conn.Status, e.Detail, e.CloseVisit, tc.to, tc.detail, tc.close)
			}
			var got []tell
			for _, n := range e.Notices {
				got = append(got, tell{n.Kind, n.To})
			}
			if !slices.Equal(got, tc.tells) {
				t.Errorf("notices %v, want %v", got, tc.tells)
			}
			if tc.in.Action == models.ActionCompleteConstruction && (e.Conn.LineCode != "L-1" || e.Conn.LineLabel != "A/3") {
				t.Errorf("line %q %q", e.Conn.LineCode, e.Conn.LineLabel)
			}
		})
	}
}

// TestDecideRules: a reject without a reason and a completion without a
// line code or label decide nothing.
func TestDecideRules(t *testing.T) {
	c := models.Connection{ID: 7, Status: models.StatusApplying}
	if _, err := models.Decide(c, transitionOf(t, models.ActionReject, models.StatusApplying), models.ActInput{Action: models.ActionReject, Reason: "  "}); !isRule(err, "reason-required") {
		t.Errorf("reject without reason: %v", err)
	}
	c = models.Connection{ID: 7, Status: models.StatusConnecting, Step: models.StepVisitScheduled}
	tr := transitionOf(t, models.ActionCompleteConstruction, models.StatusConnecting)
	_, err := models.Decide(c, tr, models.ActInput{Action: models.ActionCompleteConstruction})
	if !isRule(err, "line-code-required") || !isRule(err, "line-label-required") {
		t.Errorf("completion without line: %v", err)
	}
}

func isRule(err error, rule string) bool {
	var rules models.RuleErrors
	if errors.As(err, &rules) {
		for _, r := range rules {
			if r.Rule == rule {
				return true
			}
		}
		return false
	}
	var r *models.RuleError
	return errors.As(err, &r) && r.Rule == rule
}
