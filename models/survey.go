package models

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// IDDocumentTypes lists the accepted identity documents.
var IDDocumentTypes = []IDDocumentType{IDCard, Passport, IDOther}

// LineTypes lists the line types a provider builds.
var LineTypes = []LineType{LineMSTP, LineMPLS, LineFibre, LineOther}

var (
	phonePattern  = regexp.MustCompile(`^\+?[0-9][0-9 ()-]{4,22}$`)
	idCardPattern = regexp.MustCompile(`^[0-9]{17}[0-9Xx]$`)
)

// Validate checks the provider's survey: 1 to 16 engineers each with name,
// phone, document type and number; the construction company; the line type;
// a planned arrival after now. Fields are labelled as in the survey form;
// engineer fields as "Engineer N".
func (sv *Survey) Validate(now time.Time) RuleErrors {
	var errs RuleErrors
	add := func(field, rule, format string, args ...any) {
		errs = append(errs, &RuleError{Field: field, Rule: rule, Message: fmt.Sprintf(format, args...)})
	}
	if strings.TrimSpace(sv.ConstructionCompany) == "" {
		add("Construction company", "company-required", "Enter the construction company that sends the engineers.")
	}
	if !slices.Contains(LineTypes, sv.LineType) {
		add("Line type", "line-type", "Choose the line type: MSTP, MPLS VPN, fibre or other.")
	}
	if sv.PlannedArrival.IsZero() {
		add("Planned arrival", "arrival-required", "Enter the planned arrival time at the IDC.")
	} else if !sv.PlannedArrival.After(now) {
		add("Planned arrival", "arrival-future", "The planned arrival must be in the future.")
	}
	switch n := len(sv.Engineers); {
	case n == 0:
		add("Engineers", "engineers-required", "List at least one engineer who will go to the IDC.")
	case n > MaxEngineers:
		add("Engineers", "engineers-max", "List at most %d engineers (this list has %d).", MaxEngineers, n)
	}
	for i, e := range sv.Engineers {
		field := fmt.Sprintf("Engineer %d", i+1)
		if n := utf8.RuneCountInString(strings.TrimSpace(e.Name)); n < 2 || n > 64 {
			add(field, "engineer-name", "Enter the engineer's full name (2 to 64 characters).")
		}
		if !phonePattern.MatchString(strings.TrimSpace(e.Phone)) {
			add(field, "engineer-phone", "Enter a phone number of digits, e.g. +86 138 0000 0000.")
		}
		if !slices.Contains(IDDocumentTypes, e.IDType) {
			add(field, "engineer-id-type", "Choose the ID document type: ID card, passport or other.")
		}
		num := strings.TrimSpace(e.IDNumber)
		switch {
		case num == "":
			add(field, "engineer-id-number", "Enter the ID document number.")
		case e.IDType == IDCard && !idCardPattern.MatchString(num):
			add(field, "engineer-id-card", "An ID card number has 18 characters: 17 digits and a digit or X.")
		case utf8.RuneCountInString(num) > 32:
			add(field, "engineer-id-number", "The ID document number is too long (32 characters at most).")
		}
	}
	return errs
}
