package models

// The notices the lifecycle sends, each rendered by the handler that owns
// its view. Recipients are named in the comment.
const (
	NoticeReviewRequest        NoticeKind = "review_request"        // staff: an application to approve or reject
	NoticeApproved             NoticeKind = "approved"              // customer: pay for the connection
	NoticeRejected             NoticeKind = "rejected"              // customer: with the reason
	NoticeCanceled             NoticeKind = "canceled"              // customer and staff
	NoticePaid                 NoticeKind = "paid"                  // customer: physical connection ID, View, Notify Provider
	NoticeNoFreePort           NoticeKind = "no_free_port"          // staff: payment refused for want of a port
	NoticePortInfo             NoticeKind = "port_info"             // provider: port information, Submit Survey
	NoticeSurveyReceived       NoticeKind = "survey_received"       // customer: Submit Ticket
	NoticeTicketSubmitted      NoticeKind = "ticket_submitted"      // staff (after-sales): construction ticket
	NoticeVisitScheduled       NoticeKind = "visit_scheduled"       // customer, provider, staff: date, window, reception
	NoticeVisitChanged         NoticeKind = "visit_changed"         // customer, provider, staff: rescheduled or canceled
	NoticeVisitReminder        NoticeKind = "visit_reminder"        // provider and reception person, on the morning
	NoticeVisitLetter          NoticeKind = "visit_letter"          // provider: the entry letter (LOA-CFA, a PDF) of a booked or rescheduled visit
	NoticeConstructionComplete NoticeKind = "construction_complete" // customer: Confirm
	NoticeEnabled              NoticeKind = "enabled"               // customer, staff, provider
	NoticeEnquiry              NoticeKind = "enquiry"               // staff: an access-point enquiry to answer
	NoticeEnquiryAnswered      NoticeKind = "enquiry_answered"      // customer: the answer
	NoticeReviewOverdue        NoticeKind = "review_overdue"        // staff: SLA raised or escalated
	NoticeReminder             NoticeKind = "reminder"              // customer: unpaid or unconfirmed
	NoticeDeliveryFailed       NoticeKind = "delivery_failed"       // staff: a notice failed for good
	// Day two (termination.go).
	NoticeTerminating         NoticeKind = "terminating"          // provider (port and IDC: remove the line), customer, staff
	NoticeTerminated          NoticeKind = "terminated"           // customer, staff, provider: removed, port freed
	NoticeTerminationCanceled NoticeKind = "termination_canceled" // customer, staff, provider: the line stays Enabled
	NoticePartnerTerminated   NoticeKind = "partner_terminated"   // the redundant partner's owner: its partner is gone
)
