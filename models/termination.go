package models

import (
	"fmt"
	"strings"
)

// The end of a line's life: Terminate (Enabled → Terminating, a removal
// visit booked by the construction visit's rules), Removal Complete
// (Terminating → Terminated, the port freed at once) and cancel termination
// (Terminating → Enabled).

// What a reason is asked for (the "For" argument of rule reason-required):
// an action's name ("reject", "cancel", "terminate") or one of these.
const (
	ReasonForKeep            = "keep"             // cancel a termination
	ReasonForCancelVisit     = "cancel visit"     // staff cancel an IDC visit
	ReasonForRejectBandwidth = "reject bandwidth" // staff reject a bandwidth change
)

// reasonRequired is the rule broken by an action that needs a reason
// without one.
func reasonRequired(a Action) *RuleError {
	what := "the application"
	switch a {
	case ActionTerminate:
		what = "the line"
	case ActionCancelTermination:
		return &RuleError{Field: "Reason", Rule: "reason-required", Message: "Give a reason to keep the line; the customer, staff and the provider see it.",
			Args: map[string]any{"For": ReasonForKeep}}
	}
	return &RuleError{Field: "Reason", Rule: "reason-required", Message: fmt.Sprintf("Give a reason to %s %s; the customer sees it.", a, what),
		Args: map[string]any{"For": string(a)}}
}

// decideTermination decides terminate, complete removal and cancel
// termination (the reason is checked already).
func decideTermination(c Connection, t Transition, in ActInput) (Effects, error) {
	e := Effects{Notices: Tells(in.Action)}
	switch in.Action {
	case ActionTerminate:
		c.Reason = in.Reason
		e.Detail = in.Reason
		e.OpenRemoval, e.Planned = true, in.Planned
		if in.Planned != nil {
			e.Detail += fmt.Sprintf(" (removal planned for %s)", *in.Planned)
		}
		// A bandwidth change still awaiting review is withdrawn: nobody
		// decides it on a line being removed, and a canceled termination
		// leaves the line free to ask again.
		if c.RequestedMbps > 0 {
			e.Detail += fmt.Sprintf("; the change to %d Mbps awaiting review is withdrawn", c.RequestedMbps)
			c.RequestedMbps = 0
		}
	case ActionCancelTermination:
		c.Reason = in.Reason
		e.Detail = in.Reason
		e.DropRemoval = true
	case ActionCompleteRemoval:
		code := strings.TrimSpace(in.LineCode)
		switch {
		case code == "":
			return Effects{}, &RuleError{Field: "Line code", Rule: "line-code-required", Message: "Enter the line code of the line removed.", Args: map[string]any{"Removed": true}}
		case c.LineCode != "" && !strings.EqualFold(code, c.LineCode):
			return Effects{}, &RuleError{Field: "Line code", Rule: "line-code-mismatch", Message: fmt.Sprintf("This line's code is %s; check that the right line was removed.", c.LineCode),
				Args: map[string]any{"LineCode": c.LineCode}}
		}
		e.Detail = "line " + c.LineCode + " removed"
		if in.Note = strings.TrimSpace(in.Note); in.Note != "" {
			e.Detail += ": " + in.Note
		}
		e.CloseVisit, e.FreePort = true, true
		// The port is the next line's; the line keeps its device and port
		// name for its history.
		c.PortID = nil
	}
	e.Conn = Moved(c, t)
	return e, nil
}

// PartnerNoticeData is the Data of a partner_terminated notice, recorded on
// the partner that remains: the line that is gone.
type PartnerNoticeData struct {
	Partner   string `json:"partner"` // its display ID, e.g. pc-…
	PartnerID int64  `json:"partner_id"`
}
