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
	// args name the values the message says (RuleError.Args).
	add := func(field, rule string, args map[string]any, format string, fmtArgs ...any) {
		errs = append(errs, &RuleError{Field: field, Rule: rule, Message: fmt.Sprintf(format, fmtArgs...), Args: args})
	}
	if strings.TrimSpace(sv.ConstructionCompany) == "" {
		add("Construction company", "company-required", nil, "Enter the construction company that sends the engineers.")
	}
	if !slices.Contains(LineTypes, sv.LineType) {
		add("Line type", "line-type", nil, "Choose the line type: MSTP, MPLS VPN, fibre or other.")
	}
	if sv.PlannedArrival.IsZero() {
		add("Planned arrival", "arrival-required", nil, "Enter the planned arrival time at the IDC.")
	} else if !sv.PlannedArrival.After(now) {
		add("Planned arrival", "arrival-future", nil, "The planned arrival must be in the future.")
	}
	switch n := len(sv.Engineers); {
	case n == 0:
		add("Engineers", "engineers-required", nil, "List at least one engineer who will go to the IDC.")
	case n > MaxEngineers:
		add("Engineers", "engineers-max", map[string]any{"Max": MaxEngineers, "Count": n}, "List at most %d engineers (this list has %d).", MaxEngineers, n)
	}
	for i, e := range sv.Engineers {
		field := fmt.Sprintf("Engineer %d", i+1)
		if n := utf8.RuneCountInString(strings.TrimSpace(e.Name)); n < 2 || n > 64 {
			add(field, "engineer-name", nil, "Enter the engineer's full name (2 to 64 characters).")
		}
		if !phonePattern.MatchString(strings.TrimSpace(e.Phone)) {
			add(field, "engineer-phone", nil, "Enter a phone number of digits, e.g. +86 138 0000 0000.")
		}
		if !slices.Contains(IDDocumentTypes, e.IDType) {
			add(field, "engineer-id-type", nil, "Choose the ID document type: ID card, passport or other.")
		}
		num := strings.TrimSpace(e.IDNumber)
		switch {
		case num == "":
			add(field, "engineer-id-number", map[string]any{"TooLong": false}, "Enter the ID document number.")
		case e.IDType == IDCard && !idCardPattern.MatchString(num):
			add(field, "engineer-id-card", nil, "An ID card number has 18 characters: 17 digits and a digit or X.")
		case utf8.RuneCountInString(num) > 32:
			add(field, "engineer-id-number", map[string]any{"TooLong": true, "Max": 32}, "The ID document number is too long (32 characters at most).")
		}
	}
	return errs
}
