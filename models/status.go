package models

import (
	"fmt"
	"slices"
	"strings"
)

// Status is the status of a physical connection interface. The words are the
// seed's and are shown to users exactly so.
type Status string

// Every status of the lifecycle.
const (
	StatusApplying            Status = "Applying"
	StatusApproved            Status = "Approved"
	StatusRejected            Status = "Rejected"
	StatusConnecting          Status = "Connecting"
	StatusPendingConfirmation Status = "Pending Confirmation"
	StatusEnabled             Status = "Enabled"
	StatusCanceled            Status = "Canceled"
	// Day two: a line being removed at the IDC, and one removed.
	StatusTerminating Status = "Terminating"
	StatusTerminated  Status = "Terminated"
)

// Statuses lists every status in lifecycle order.
var Statuses = []Status{StatusApplying, StatusApproved, StatusConnecting, StatusPendingConfirmation, StatusEnabled, StatusTerminating, StatusTerminated, StatusRejected, StatusCanceled}

// Final reports whether no action can leave s: the connection has ended.
// (A Rejected application has ended too, but its customer may edit and
// resubmit it.)
func (s Status) Final() bool {
	return s == StatusCanceled || s == StatusTerminated
}

// Ended reports whether a connection in status s has ended: Rejected,
// Canceled or Terminated.
func (s Status) Ended() bool { return s.Final() || s == StatusRejected }

// Settled reports whether a connection in status s waits on nobody: it
// has ended (a Rejected one may still be resubmitted), or it is a line in
// service (Enabled), which only a termination moves.
func (s Status) Settled() bool { return s.Ended() || s == StatusEnabled }

// HasPort reports whether a connection in status s holds an allocated port
// (Connecting up to its removal; not ended).
func (s Status) HasPort() bool {
	return s == StatusConnecting || s == StatusPendingConfirmation || s == StatusEnabled || s == StatusTerminating
}

// Valid reports whether s is one of the lifecycle's statuses.
func (s Status) Valid() bool { return slices.Contains(Statuses, s) }

// Step is a sub-step of the Connecting status. Steps are recorded with time
// and actor; the zero Step means that none has happened yet.
type Step string

// The Connecting sub-steps, in the order they happen.
const (
	StepNone             Step = ""
	StepProviderNotified Step = "provider notified"
	StepSurveyReceived   Step = "provider survey received"
	StepTicketSubmitted  Step = "construction ticket submitted"
	StepVisitScheduled   Step = "IDC visit scheduled"
)

// Steps lists the Connecting sub-steps in order.
var Steps = []Step{StepProviderNotified, StepSurveyReceived, StepTicketSubmitted, StepVisitScheduled}

// Role is what an actor is to a connection.
type Role string

// The roles.
const (
	RoleCustomer Role = "customer"
	RoleStaff    Role = "staff"
	RoleProvider Role = "provider"
	RoleSystem   Role = "system"
)

// Party is who a connection is waiting on.
type Party string

// The parties a connection can wait on.
const (
	PartyNone     Party = ""
	PartyCustomer Party = "customer"
	PartyStaff    Party = "staff"
	PartyProvider Party = "service provider"
	PartyIDC      Party = "IDC"
)

// Todo names what the party a connection waits on must do, as a stable
// code: handlers say it in the reader's language, English is its Text.
type Todo string

// The to-dos a connection can wait on.
const (
	TodoNone           Todo = ""
	TodoReview         Todo = "review"
	TodoPay            Todo = "pay"
	TodoNotifyProvider Todo = "notify_provider"
	TodoSurvey         Todo = "survey"
	TodoTicket         Todo = "ticket"
	TodoScheduleVisit  Todo = "schedule_visit"
	TodoConstruct      Todo = "construct"
	TodoConfirm        Todo = "confirm"
	TodoRemove         Todo = "remove"
)

// Text is the to-do in English: "review the application".
func (t Todo) Text() string {
	switch t {
	case TodoReview:
		return "review the application"
	case TodoPay:
		return "pay for the connection"
	case TodoNotifyProvider:
		return "notify the service provider of the port information"
	case TodoSurvey:
		return "submit the survey (engineers and arrival time)"
	case TodoTicket:
		return "submit the construction ticket"
	case TodoScheduleVisit:
		return "schedule the IDC visit (after-sales, next workday)"
	case TodoConstruct:
		return "complete the construction at the IDC"
	case TodoConfirm:
		return "confirm the connection"
	case TodoRemove:
		return "remove the line at the IDC (Removal Complete)"
	}
	return ""
}

// NextTodo says who must act next on a connection in status s at step st,
// and what they must do. Final statuses, and Enabled lines in service, wait
// on nobody.
func NextTodo(s Status, st Step) (Party, Todo) {
	switch s {
	case StatusApplying:
		return PartyStaff, TodoReview
	case StatusApproved:
		return PartyCustomer, TodoPay
	case StatusConnecting:
		switch st {
		case StepNone:
			return PartyCustomer, TodoNotifyProvider
		case StepProviderNotified:
			return PartyProvider, TodoSurvey
		case StepSurveyReceived:
			return PartyCustomer, TodoTicket
		case StepTicketSubmitted:
			return PartyStaff, TodoScheduleVisit
		case StepVisitScheduled:
			return PartyProvider, TodoConstruct
		}
	case StatusPendingConfirmation:
		return PartyCustomer, TodoConfirm
	case StatusTerminating:
		return PartyProvider, TodoRemove
	}
	return PartyNone, TodoNone
}

// WaitingOn is NextTodo with the to-do in English.
func WaitingOn(s Status, st Step) (Party, string) {
	p, t := NextTodo(s, st)
	return p, t.Text()
}

// Action is something an actor does to a connection.
type Action string

// The actions of the lifecycle.
const (
	ActionApprove              Action = "approve"
	ActionReject               Action = "reject"
	ActionPay                  Action = "pay"
	ActionCancel               Action = "cancel"
	ActionViewPort             Action = "view port"
	ActionNotifyProvider       Action = "notify provider"
	ActionSubmitSurvey         Action = "submit survey"
	ActionSubmitTicket         Action = "submit ticket"
	ActionScheduleVisit        Action = "schedule visit"
	ActionCompleteConstruction Action = "complete construction"
	ActionConfirm              Action = "confirm"
	ActionExpire               Action = "expire"
	ActionApply                Action = "apply"
	// Day two: the end of a line's life.
	ActionTerminate         Action = "terminate"
	ActionCompleteRemoval   Action = "complete removal"
	ActionCancelTermination Action = "cancel termination"
	ActionResubmit          Action = "edit and resubmit"
	// Change Bandwidth: the customer asks, staff approve or reject (the
	// decisions are bandwidth.go's: they act on the request, and the line
	// stays Enabled).
	ActionChangeBandwidth Action = "change bandwidth"
)

// Transition is one row of the lifecycle table: an action allowed in a
// status (and, for Connecting, at a step) for some roles, and where it leads.
type Transition struct {
	Action Action
	From   Status
	// AtStep is the Connecting sub-step the action requires; AnyStep allows all.
	AtStep Step
	To     Status
	// ToStep is the sub-step recorded by the action (Connecting only).
	ToStep Step
	Roles  []Role
	// Reason says whether the actor must give a reason.
	Reason bool
}

// AnyStep matches every Connecting sub-step in Transition.AtStep.
const AnyStep Step = "*"

// Transitions is the lifecycle: every allowed (status, action) pair. Any pair
// not listed is refused. docs/lifecycle.md draws it; a test keeps the two equal.
var Transitions = []Transition{
	{Action: ActionApprove, From: StatusApplying, To: StatusApproved, Roles: []Role{RoleStaff}},
	{Action: ActionReject, From: StatusApplying, To: StatusRejected, Roles: []Role{RoleStaff}, Reason: true},
	{Action: ActionCancel, From: StatusApplying, To: StatusCanceled, Roles: []Role{RoleCustomer, RoleStaff}},
	{Action: ActionPay, From: StatusApproved, To: StatusConnecting, Roles: []Role{RoleCustomer}},
	{Action: ActionCancel, From: StatusApproved, To: StatusCanceled, Roles: []Role{RoleCustomer, RoleStaff}},
	{Action: ActionExpire, From: StatusApproved, To: StatusCanceled, Roles: []Role{RoleSystem}},
	{Action: ActionViewPort, From: StatusConnecting, AtStep: AnyStep, To: StatusConnecting, Roles: []Role{RoleCustomer, RoleStaff}},
	{Action: ActionNotifyProvider, From: StatusConnecting, AtStep: StepNone, To: StatusConnecting, ToStep: StepProviderNotified, Roles: []Role{RoleCustomer, RoleStaff}},
	{Action: ActionSubmitSurvey, From: StatusConnecting, AtStep: StepProviderNotified, To: StatusConnecting, ToStep: StepSurveyReceived, Roles: []Role{RoleProvider, RoleStaff}},
	{Action: ActionSubmitTicket, From: StatusConnecting, AtStep: StepSurveyReceived, To: StatusConnecting, ToStep: StepTicketSubmitted, Roles: []Role{RoleCustomer, RoleStaff}},
	{Action: ActionScheduleVisit, From: StatusConnecting, AtStep: StepTicketSubmitted, To: StatusConnecting, ToStep: StepVisitScheduled, Roles: []Role{RoleSystem, RoleStaff}},
	{Action: ActionCompleteConstruction, From: StatusConnecting, AtStep: StepVisitScheduled, To: StatusPendingConfirmation, Roles: []Role{RoleProvider, RoleStaff}},
	{Action: ActionConfirm, From: StatusPendingConfirmation, To: StatusEnabled, Roles: []Role{RoleCustomer}},
	{Action: ActionTerminate, From: StatusEnabled, To: StatusTerminating, Roles: []Role{RoleCustomer, RoleStaff}, Reason: true},
	{Action: ActionScheduleVisit, From: StatusTerminating, To: StatusTerminating, Roles: []Role{RoleSystem, RoleStaff}},
	{Action: ActionCompleteRemoval, From: StatusTerminating, To: StatusTerminated, Roles: []Role{RoleProvider, RoleStaff}},
	{Action: ActionCancelTermination, From: StatusTerminating, To: StatusEnabled, Roles: []Role{RoleCustomer, RoleStaff}, Reason: true},
	{Action: ActionResubmit, From: StatusRejected, To: StatusApplying, Roles: []Role{RoleCustomer}},
	{Action: ActionChangeBandwidth, From: StatusEnabled, To: StatusEnabled, Roles: []Role{RoleCustomer}},
}

// Lookup finds the transition for action a from status s at step st. It
// returns ErrWrongStatus (wrapped in a *TransitionError) when the action is
// not allowed there, and ErrForbidden when role r may not do it.
func Lookup(a Action, s Status, st Step, r Role) (Transition, error) {
	var statusOK bool
	for _, t := range Transitions {
		if t.Action != a || t.From != s {
			continue
		}
		if s == StatusConnecting && t.AtStep != AnyStep && t.AtStep != st {
			continue
		}
		statusOK = true
		if slices.Contains(t.Roles, r) {
			return t, nil
		}
	}
	if !statusOK {
		return Transition{}, &TransitionError{Action: a, Status: s, Step: st, Err: ErrWrongStatus}
	}
	return Transition{}, &TransitionError{Action: a, Status: s, Step: st, Role: r, Err: ErrForbidden}
}

// TransitionError explains why an action was refused.
type TransitionError struct {
	Action Action
	Status Status
	Step   Step
	Role   Role
	Err    error
}

func (e *TransitionError) Error() string {
	if e.Err == ErrForbidden {
		var who []string
		for _, t := range Transitions {
			if t.Action == e.Action && t.From == e.Status {
				for _, r := range t.Roles {
					if !slices.Contains(who, r.Plural()) {
						who = append(who, r.Plural())
					}
				}
			}
		}
		msg := fmt.Sprintf("%s may not %s a connection", e.Role.Noun(), e.Action.Phrase())
		if len(who) > 0 {
			msg += " (only " + strings.Join(who, " or ") + " may)"
		}
		return msg
	}
	where := string(e.Status)
	if e.Status == StatusConnecting && e.Step != StepNone {
		where += " (" + string(e.Step) + ")"
	}
	return fmt.Sprintf("cannot %s a connection that is %s", e.Action.Phrase(), where)
}

// Phrase is the action as a verb phrase that takes "a connection" as object.
func (a Action) Phrase() string {
	switch a {
	case ActionPay:
		return "pay for"
	case ActionViewPort:
		return "view the port of"
	case ActionNotifyProvider:
		return "notify the provider of"
	case ActionSubmitSurvey:
		return "submit a survey for"
	case ActionSubmitTicket:
		return "submit a construction ticket for"
	case ActionScheduleVisit:
		return "schedule an IDC visit for"
	case ActionCompleteConstruction:
		return "complete the construction of"
	case ActionApply:
		return "apply for"
	case ActionCompleteRemoval:
		return "complete the removal of"
	case ActionCancelTermination:
		return "cancel the termination of"
	case ActionResubmit:
		return "edit and resubmit"
	case ActionChangeBandwidth:
		return "change the bandwidth of"
	}
	return string(a)
}

// Noun names one actor of the role in a sentence: "a customer".
func (r Role) Noun() string {
	switch r {
	case RoleStaff:
		return "a staff member"
	case RoleProvider:
		return "a service provider"
	case RoleSystem:
		return "the system"
	}
	return "a " + string(r)
}

// Plural names the actors of the role: "customers".
func (r Role) Plural() string {
	switch r {
	case RoleStaff:
		return "staff"
	case RoleProvider:
		return "service providers"
	case RoleSystem:
		return "the scheduler"
	}
	return string(r) + "s"
}

func (e *TransitionError) Unwrap() error { return e.Err }
