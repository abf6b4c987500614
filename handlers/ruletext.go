package handlers

import (
	"fmt"
	"strings"
	"time"

	"github.com/leaseline/leaseline/handlers/lang"
	"github.com/leaseline/leaseline/models"
)

// The domain's words in the reader's language: broken rules (by the
// rule's name, with the values models put in RuleError.Args), form field
// labels, and the actions, roles and steps an error names. Every key is a
// literal here, so that the catalog tests see each one.

// ruleKey is the catalog key of a rule ("rules.<rule_name_snake>"), ""
// for a rule the catalogs do not know (its English message is shown).
func ruleKey(rule string) string {
	switch rule {
	case "name-length":
		return "rules.name_length"
	case "location-required":
		return "rules.location_required"
	case "location-length":
		return "rules.location_length"
	case "access-point-unknown":
		return "rules.access_point_unknown"
	case "access-point-closed":
		return "rules.access_point_closed"
	case "provider-not-allowed":
		return "rules.provider_not_allowed"
	case "port-type-not-offered":
		return "rules.port_type_not_offered"
	case "bandwidth-range":
		return "rules.bandwidth_range"
	case "port-type-required":
		return "rules.port_type_required"
	case "bandwidth-limits":
		return "rules.bandwidth_limits"
	case "bandwidth-port-capacity":
		return "rules.bandwidth_port_capacity"
	case "redundancy-unknown":
		return "rules.redundancy_unknown"
	case "redundancy-region":
		return "rules.redundancy_region"
	case "redundancy-no-port":
		return "rules.redundancy_no_port"
	case "redundancy-paired":
		return "rules.redundancy_paired"
	case "open-limit":
		return "rules.open_limit"
	case "unsupported-interface":
		return "rules.unsupported_interface"
	case "unknown-port-type":
		return "rules.unknown_port_type"
	case "bandwidth-number":
		return "rules.bandwidth_number"
	case "bandwidth-unchanged":
		return "rules.bandwidth_unchanged"
	case "bandwidth-pending":
		return "rules.bandwidth_pending"
	case "bandwidth-required":
		return "rules.bandwidth_required"
	case "line-code-required":
		return "rules.line_code_required"
	case "line-code-mismatch":
		return "rules.line_code_mismatch"
	case "line-label-required":
		return "rules.line_label_required"
	case "reason-required":
		return "rules.reason_required"
	case "company-required":
		return "rules.company_required"
	case "line-type":
		return "rules.line_type"
	case "arrival-required":
		return "rules.arrival_required"
	case "arrival-future":
		return "rules.arrival_future"
	case "engineers-required":
		return "rules.engineers_required"
	case "engineers-max":
		return "rules.engineers_max"
	case "engineer-name":
		return "rules.engineer_name"
	case "engineer-phone":
		return "rules.engineer_phone"
	case "engineer-id-type":
		return "rules.engineer_id_type"
	case "engineer-id-number":
		return "rules.engineer_id_number"
	case "engineer-id-card":
		return "rules.engineer_id_card"
	case "visit-date":
		return "rules.visit_date"
	case "visit-date-past":
		return "rules.visit_date_past"
	case "visit-date-workday":
		return "rules.visit_date_workday"
	case "calendar-known-until":
		return "rules.calendar_known_until"
	case "visit-date-lockdown":
		return "rules.visit_date_lockdown"
	case "visit-capacity":
		return "rules.visit_capacity"
	case "visit-reception":
		return "rules.visit_reception"
	case "visit-done":
		return "rules.visit_done"
	case "visit-arrived":
		return "rules.visit_arrived"
	case "question-required":
		return "rules.question_required"
	case "answer-required":
		return "rules.answer_required"
	case "amount-positive":
		return "rules.amount_positive"
	case "connection-ref":
		return "rules.connection_ref"
	case "account-name":
		return "rules.account_name"
	case "account-unique":
		return "rules.account_unique"
	case "customers-apply":
		return "rules.customers_apply"
	case "no-open-access-point":
		return "rules.no_open_access_point"
	case "applications-open":
		return "rules.applications_open"
	case "calendar-kind":
		return "rules.calendar_kind"
	}
	return ""
}

// ruleText is what a broken rule asks the reader to fix, in their
// language; a rule the catalogs lack (or whose arguments do not fit its
// message) shows its English message.
func ruleText(p lang.Printer, r *models.RuleError) string {
	key := ruleKey(r.Rule)
	if key == "" {
		return r.Message
	}
	args := lang.Args{}
	for k, v := range r.Args {
		args[k] = argWord(p, v)
	}
	s := p.T(key, args)
	if s == key || strings.Contains(s, "<no value>") {
		return r.Message
	}
	return s
}

// ruleLine is a broken rule with its field, as RuleError.Error reads in
// English: "Bandwidth: Enter …".
func ruleLine(p lang.Printer, r *models.RuleError) string {
	if r.Field == "" {
		return ruleText(p, r)
	}
	return p.T("rules.with_field", lang.Args{"Field": formField(p, r.Field), "Message": ruleText(p, r)})
}

// argWord is a rule's argument in the reader's language: statuses and
// weekdays in their words, dates as the reader writes them (English keeps
// the domain's YYYY-MM-DD, as in the English message).
func argWord(p lang.Printer, v any) any {
	switch x := v.(type) {
	case models.Status:
		return statusWord(p, x)
	case models.AccessPointStatus:
		return apStatusWord(p, x)
	case time.Weekday:
		return p.Weekday(x)
	case models.Date:
		if p.Lang() != lang.English {
			return p.Date(time.Date(x.Year, time.Month(x.Month), x.Day, 12, 0, 0, 0, time.UTC))
		}
	}
	return v
}

// apStatusWord is an access point's status as a rule says it.
func apStatusWord(p lang.Printer, s models.AccessPointStatus) string {
	switch s {
	case models.APRecommended:
		return p.T("rules.ap_status.recommended")
	case models.APHot:
		return p.T("rules.ap_status.hot")
	case models.APFull:
		return p.T("rules.ap_status.full")
	case models.APDisabled:
		return p.T("rules.ap_status.disabled")
	}
	return string(s)
}

// formField is a form field's label in the reader's language (the label
// only: block IDs and the field names errors are matched by never change).
func formField(p lang.Printer, field string) string {
	switch field {
	case models.FieldName:
		return p.T("forms.field.name")
	case models.FieldAccessPoint:
		return p.T("forms.field.access_point")
	case models.FieldProvider:
		return p.T("forms.field.service_provider")
	case models.FieldPortType:
		return p.T("forms.field.port_type")
	case models.FieldBandwidth:
		return p.T("forms.field.bandwidth")
	case models.FieldLocation:
		return p.T("forms.field.location")
	case models.FieldRedundancy:
		return p.T("forms.field.redundancy")
	case "Line code":
		return p.T("forms.field.line_code")
	case "Line label":
		return p.T("forms.field.line_label")
	case "Reason":
		return p.T("forms.field.reason")
	case "Note":
		return p.T("forms.field.note")
	case "Date":
		return p.T("forms.field.date")
	case "Visit":
		return p.T("forms.field.visit")
	case "Construction company":
		return p.T("forms.field.construction_company")
	case "Line type":
		return p.T("forms.field.line_type")
	case "Planned arrival":
		return p.T("forms.field.planned_arrival")
	case "Engineers":
		return p.T("forms.field.engineers")
	case "Question":
		return p.T("forms.field.question")
	case "Answer":
		return p.T("forms.field.answer")
	case "Amount":
		return p.T("forms.field.amount")
	case "Account":
		return p.T("forms.field.account")
	case "ID":
		return p.T("forms.field.connection_id")
	case "Kind":
		return p.T("forms.field.kind")
	}
	var n int
	if _, err := fmt.Sscanf(field, "Engineer %d", &n); err == nil {
		return p.T("forms.field.engineer", lang.Args{"N": n})
	}
	return field
}

// pastTense is an action as done ("approved"), for "already … by".
func pastTense(p lang.Printer, a models.Action) string {
	switch a {
	case models.ActionApprove:
		return p.T("actions.past.approve")
	case models.ActionReject:
		return p.T("actions.past.reject")
	case models.ActionPay:
		return p.T("actions.past.pay")
	case models.ActionCancel, models.ActionExpire:
		return p.T("actions.past.cancel")
	case models.ActionNotifyProvider:
		return p.T("actions.past.notify_provider")
	case models.ActionSubmitSurvey:
		return p.T("actions.past.submit_survey")
	case models.ActionSubmitTicket:
		return p.T("actions.past.submit_ticket")
	case models.ActionScheduleVisit:
		return p.T("actions.past.schedule_visit")
	case models.ActionCompleteConstruction:
		return p.T("actions.past.complete_construction")
	case models.ActionConfirm:
		return p.T("actions.past.confirm")
	case models.ActionViewPort:
		return p.T("actions.past.view_port")
	case models.ActionTerminate:
		return p.T("actions.past.terminate")
	case models.ActionCompleteRemoval:
		return p.T("actions.past.complete_removal")
	case models.ActionCancelTermination:
		return p.T("actions.past.cancel_termination")
	case models.ActionResubmit:
		return p.T("actions.past.resubmit")
	case models.ActionChangeBandwidth:
		return p.T("actions.past.change_bandwidth")
	case models.ActionCheckIn:
		return p.T("actions.past.check_in")
	}
	return p.T("actions.past.unknown")
}

// actionPhrase is an action as a verb phrase on "a connection" (English:
// "pay for"; the sentence around it adds the object).
func actionPhrase(p lang.Printer, a models.Action) string {
	switch a {
	case models.ActionApprove:
		return p.T("actions.phrase.approve")
	case models.ActionReject:
		return p.T("actions.phrase.reject")
	case models.ActionPay:
		return p.T("actions.phrase.pay")
	case models.ActionCancel:
		return p.T("actions.phrase.cancel")
	case models.ActionExpire:
		return p.T("actions.phrase.expire")
	case models.ActionViewPort:
		return p.T("actions.phrase.view_port")
	case models.ActionNotifyProvider:
		return p.T("actions.phrase.notify_provider")
	case models.ActionSubmitSurvey:
		return p.T("actions.phrase.submit_survey")
	case models.ActionSubmitTicket:
		return p.T("actions.phrase.submit_ticket")
	case models.ActionScheduleVisit:
		return p.T("actions.phrase.schedule_visit")
	case models.ActionCompleteConstruction:
		return p.T("actions.phrase.complete_construction")
	case models.ActionConfirm:
		return p.T("actions.phrase.confirm")
	case models.ActionApply:
		return p.T("actions.phrase.apply")
	case models.ActionTerminate:
		return p.T("actions.phrase.terminate")
	case models.ActionCompleteRemoval:
		return p.T("actions.phrase.complete_removal")
	case models.ActionCancelTermination:
		return p.T("actions.phrase.cancel_termination")
	case models.ActionResubmit:
		return p.T("actions.phrase.resubmit")
	case models.ActionChangeBandwidth:
		return p.T("actions.phrase.change_bandwidth")
	case models.ActionCheckIn:
		return p.T("actions.phrase.check_in")
	case models.ActionApproveBandwidth:
		return p.T("actions.phrase.approve_bandwidth")
	case models.ActionRejectBandwidth:
		return p.T("actions.phrase.reject_bandwidth")
	}
	return string(a)
}

// roleSubject names one actor of a role at the start of a sentence ("A
// customer").
func roleSubject(p lang.Printer, r models.Role) string {
	switch r {
	case models.RoleCustomer:
		return p.T("actions.role_subject.customer")
	case models.RoleStaff:
		return p.T("actions.role_subject.staff")
	case models.RoleProvider:
		return p.T("actions.role_subject.provider")
	case models.RoleSystem:
		return p.T("actions.role_subject.system")
	case models.RoleReception:
		return p.T("actions.role_subject.reception")
	}
	return string(r)
}

// rolePlural names the actors of a role ("customers").
func rolePlural(p lang.Printer, r models.Role) string {
	switch r {
	case models.RoleCustomer:
		return p.T("actions.role_plural.customer")
	case models.RoleStaff:
		return p.T("actions.role_plural.staff")
	case models.RoleProvider:
		return p.T("actions.role_plural.provider")
	case models.RoleSystem:
		return p.T("actions.role_plural.system")
	case models.RoleReception:
		return p.T("actions.role_plural.reception")
	}
	return string(r)
}

// transitionText says why the lifecycle refused an action: who may do it,
// or that the connection's status does not allow it.
func transitionText(p lang.Printer, e *models.TransitionError) string {
	if e.Err == models.ErrForbidden {
		var who []models.Role
		for _, t := range models.Transitions {
			if t.Action == e.Action && t.From == e.Status {
				for _, r := range t.Roles {
					if !slicesContainsRole(who, r) {
						who = append(who, r)
					}
				}
			}
		}
		names := make([]string, len(who))
		for i, r := range who {
			names[i] = rolePlural(p, r)
		}
		return p.T("actions.error.forbidden", lang.Args{
			"Who": roleSubject(p, e.Role), "Action": actionPhrase(p, e.Action), "Only": strings.Join(names, p.T("actions.or")),
		})
	}
	where := statusWord(p, e.Status)
	if e.Status == models.StatusConnecting && e.Step != models.StepNone {
		where = p.T("actions.status_step", lang.Args{"Status": where, "Step": stepWord(p, e.Step)})
	}
	return p.T("actions.error.wrong_status", lang.Args{"Action": actionPhrase(p, e.Action), "Where": where})
}

func slicesContainsRole(rs []models.Role, r models.Role) bool {
	for _, x := range rs {
		if x == r {
			return true
		}
	}
	return false
}
