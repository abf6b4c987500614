package models

import (
	"fmt"
	"strings"
)

// The domain decides, the store applies: an action on a connection returns
// its effects as plain data (the connection as it becomes, the audit
// entry's detail, the notices with their recipients), and the store writes
// them in one transaction, only if the row still has the version it read.

// Tell is a notice an action causes: its kind, its recipient (a Party the
// store resolves to a channel: the customer's is the one they applied in,
// staff's the staff channel, the provider's its own) and its typed data
// (nil: none).
type Tell struct {
	Kind NoticeKind
	To   Party
	Data any
}

// TicketNoticeData is the Data of the ticket_submitted, enquiry and
// enquiry_answered notices.
type TicketNoticeData struct {
	TicketID int64 `json:"ticket_id"`
}

// Tells lists the notices action a causes on a connection, and to whom. It
// is the one place that says who is told what; the lifecycle's other
// notices (visits, reminders, overdue reviews, delivery alerts) are the
// scheduler's and the delivery's.
func Tells(a Action) []Tell {
	switch a {
	case ActionApply, ActionResubmit:
		return []Tell{{Kind: NoticeReviewRequest, To: PartyStaff}}
	case ActionApprove:
		return []Tell{{Kind: NoticeApproved, To: PartyCustomer}}
	case ActionReject:
		// Staff rejected it: only the customer needs telling.
		return []Tell{{Kind: NoticeRejected, To: PartyCustomer}}
	case ActionCancel, ActionExpire:
		return []Tell{{Kind: NoticeCanceled, To: PartyCustomer}, {Kind: NoticeCanceled, To: PartyStaff}}
	case ActionPay:
		return []Tell{{Kind: NoticePaid, To: PartyCustomer}}
	case ActionNotifyProvider:
		return []Tell{{Kind: NoticePortInfo, To: PartyProvider}}
	case ActionSubmitSurvey:
		return []Tell{{Kind: NoticeSurveyReceived, To: PartyCustomer}}
	case ActionSubmitTicket:
		return []Tell{{Kind: NoticeTicketSubmitted, To: PartyStaff}}
	case ActionCompleteConstruction:
		return []Tell{{Kind: NoticeConstructionComplete, To: PartyCustomer}}
	case ActionConfirm:
		return []Tell{{Kind: NoticeEnabled, To: PartyCustomer}, {Kind: NoticeEnabled, To: PartyStaff}, {Kind: NoticeEnabled, To: PartyProvider}}
	case ActionTerminate:
		return []Tell{{Kind: NoticeTerminating, To: PartyProvider}, {Kind: NoticeTerminating, To: PartyCustomer}, {Kind: NoticeTerminating, To: PartyStaff}}
	case ActionCompleteRemoval:
		return []Tell{{Kind: NoticeTerminated, To: PartyCustomer}, {Kind: NoticeTerminated, To: PartyStaff}, {Kind: NoticeTerminated, To: PartyProvider}}
	case ActionCheckIn:
		return []Tell{{Kind: NoticeOnSite, To: PartyCustomer}, {Kind: NoticeOnSite, To: PartyProvider}}
	case ActionCancelTermination:
		return []Tell{{Kind: NoticeTerminationCanceled, To: PartyProvider}, {Kind: NoticeTerminationCanceled, To: PartyCustomer}, {Kind: NoticeTerminationCanceled, To: PartyStaff}}
	}
	return nil
}

// Effects are what an action does to a connection, as models decides it.
type Effects struct {
	// Conn is the connection as it becomes: status and step moved, and
	// what the action records on it (reason, line code and label). The
	// store bumps its version.
	Conn Connection
	// Detail is the audit entry's detail.
	Detail string
	// Notices are the notices to record, with their recipients.
	Notices []Tell
	// CloseVisit marks the connection's scheduled visit done.
	CloseVisit bool
	// Day two (termination.go): OpenRemoval opens a removal ticket (not
	// booked before Planned, when given); FreePort gives the connection's
	// port back at once and tells its redundant partner's owner;
	// DropRemoval closes the removal ticket and cancels its visit.
	OpenRemoval, FreePort, DropRemoval bool
	Planned                            *Date
}

// Moved returns c moved by transition t: its status, and its step when t
// records one.
func Moved(c Connection, t Transition) Connection {
	c.Status = t.To
	if t.ToStep != StepNone {
		c.Step = t.ToStep
	}
	return c
}

// Decide works out the effects of a plain action (approve, reject, cancel,
// expire, view port, notify provider, complete construction, confirm) on
// connection c, allowed by transition t. A broken rule (no reason, no line
// code) is a RuleError; nothing is decided then.
func Decide(c Connection, t Transition, in ActInput) (Effects, error) {
	in.Reason = strings.TrimSpace(in.Reason)
	if t.Reason && in.Reason == "" {
		return Effects{}, reasonRequired(in.Action)
	}
	e := Effects{Notices: Tells(in.Action)}
	switch in.Action {
	case ActionReject, ActionCancel, ActionExpire:
		c.Reason = in.Reason
		e.Detail = in.Reason
	case ActionApprove, ActionViewPort, ActionNotifyProvider, ActionConfirm:
	case ActionTerminate, ActionCompleteRemoval, ActionCancelTermination:
		return decideTermination(c, t, in)
	case ActionCompleteConstruction:
		code, label, err := LineOf(in)
		if err != nil {
			return Effects{}, err
		}
		c.LineCode, c.LineLabel = code, label
		e.Detail = "line code " + code + ", label " + label
		e.CloseVisit = true
	default:
		return Effects{}, fmt.Errorf("act: unknown action %q", in.Action)
	}
	e.Conn = Moved(c, t)
	return e, nil
}

// LineOf reads the line code and label given with Construction Complete:
// both are required.
func LineOf(in ActInput) (code, label string, err error) {
	code, label = strings.TrimSpace(in.LineCode), strings.TrimSpace(in.LineLabel)
	var errs RuleErrors
	if code == "" {
		errs = append(errs, &RuleError{Field: "Line code", Rule: "line-code-required", Message: "Enter the line code the provider gives to the line.", Args: map[string]any{"Removed": false}})
	}
	if label == "" {
		errs = append(errs, &RuleError{Field: "Line label", Rule: "line-label-required", Message: "Enter the label on the line at the IDC.", Args: map[string]any{}})
	}
	if len(errs) > 0 {
		return "", "", errs
	}
	return code, label, nil
}
