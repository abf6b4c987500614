package models

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Domain errors. The store translates its own errors into these at the
// boundary; handlers turn them into messages that say what to fix.
var (
	// ErrNotFound: no such thing, or it belongs to another tenant (the two
	// are never told apart, so that nothing of another tenant leaks).
	ErrNotFound = errors.New("not found")
	// ErrWrongStatus: the action is not allowed in the current status.
	ErrWrongStatus = errors.New("not allowed in this status")
	// ErrForbidden: the actor's role may not do this.
	ErrForbidden = errors.New("not allowed for this role")
	// ErrConflict: somebody else changed the thing first.
	ErrConflict = errors.New("changed by somebody else")
	// ErrInsufficientBalance: the prepaid balance does not cover the price.
	ErrInsufficientBalance = errors.New("insufficient balance")
	// ErrNoFreePort: no free port of the requested type at the access point.
	ErrNoFreePort = errors.New("no free port")
	// ErrNoAccount: the Slack user belongs to no customer account.
	ErrNoAccount = errors.New("not linked to a customer account")
)

// RuleError is a broken validation rule: the field it concerns (an apply form
// label such as "Bandwidth", or "" for the whole form), the rule's name and a
// message that says what to fix. Message is English (logs, the API); Args
// are the values the message names, by name, so that a reader's language
// can say the same from the rule's name (handlers' catalogs: rules.<rule>).
type RuleError struct {
	Field   string
	Rule    string
	Message string
	Args    map[string]any
}

func (e *RuleError) Error() string {
	if e.Field == "" {
		return e.Message
	}
	return e.Field + ": " + e.Message
}

// RuleErrors is every broken rule of one submission.
type RuleErrors []*RuleError

func (es RuleErrors) Error() string {
	msgs := make([]string, len(es))
	for i, e := range es {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "; ")
}

// ByField returns the messages keyed by field label, for inline form errors.
func (es RuleErrors) ByField() map[string]string {
	m := make(map[string]string, len(es))
	for _, e := range es {
		if prev, ok := m[e.Field]; ok {
			m[e.Field] = prev + " " + e.Message
			continue
		}
		m[e.Field] = e.Message
	}
	return m
}

// AlreadyDoneError says that the action was done already, by whom and when:
// the loser of two concurrent clicks gets "already approved by X at T".
type AlreadyDoneError struct {
	Action Action
	Status Status
	By     string
	At     time.Time
}

func (e *AlreadyDoneError) Error() string {
	return fmt.Sprintf("already %s by %s at %s", e.Action.PastTense(), e.By, e.At.UTC().Format("2006-01-02 15:04 MST"))
}

// Is makes errors.Is(err, ErrConflict) true.
func (e *AlreadyDoneError) Is(target error) bool { return target == ErrConflict }

// PastTense is the action as done: "approved".
func (a Action) PastTense() string {
	switch a {
	case ActionApprove:
		return "approved"
	case ActionReject:
		return "rejected"
	case ActionPay:
		return "paid"
	case ActionCancel, ActionExpire:
		return "canceled"
	case ActionNotifyProvider:
		return "notified"
	case ActionSubmitSurvey:
		return "surveyed"
	case ActionSubmitTicket:
		return "ticketed"
	case ActionScheduleVisit:
		return "scheduled"
	case ActionCompleteConstruction:
		return "completed"
	case ActionConfirm:
		return "confirmed"
	case ActionViewPort:
		return "viewed"
	case ActionTerminate:
		return "terminated"
	case ActionCompleteRemoval:
		return "removed"
	case ActionCancelTermination:
		return "kept (termination canceled)"
	case ActionResubmit:
		return "resubmitted"
	case ActionChangeBandwidth:
		return "asked for a new bandwidth"
	case ActionCheckIn:
		return "checked in"
	}
	return "done"
}
