package models_test

import (
	"errors"
	"fmt"
	"maps"
	"testing"
	"time"

	"github.com/leaseline/leaseline/models"
)

func TestAlreadyDoneError(t *testing.T) {
	at := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		err  *models.AlreadyDoneError
		want string
	}{
		{"approve", &models.AlreadyDoneError{Action: models.ActionApprove, Status: models.StatusApproved, By: "U123", At: at},
			"already approved by U123 at 2026-11-26 09:00 UTC"},
		// The time is shown in UTC whatever zone it was read in.
		{"other zone", &models.AlreadyDoneError{Action: models.ActionApprove, Status: models.StatusApproved, By: "U123", At: at.In(time.FixedZone("CST", 8*3600))},
			"already approved by U123 at 2026-11-26 09:00 UTC"},
		{"reject", &models.AlreadyDoneError{Action: models.ActionReject, Status: models.StatusRejected, By: "U9", At: at},
			"already rejected by U9 at 2026-11-26 09:00 UTC"},
		{"expire reads as canceled", &models.AlreadyDoneError{Action: models.ActionExpire, Status: models.StatusCanceled, By: "system", At: at},
			"already canceled by system at 2026-11-26 09:00 UTC"},
		{"confirm", &models.AlreadyDoneError{Action: models.ActionConfirm, Status: models.StatusEnabled, By: "U7", At: at},
			"already confirmed by U7 at 2026-11-26 09:00 UTC"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
			var err error = tt.err
			wrapped := fmt.Errorf("approve connection 7: %w", err)
			for _, e := range []error{err, wrapped} {
				if !errors.Is(e, models.ErrConflict) {
					t.Errorf("errors.Is(%q, ErrConflict) = false", e)
				}
				if errors.Is(e, models.ErrWrongStatus) || errors.Is(e, models.ErrForbidden) || errors.Is(e, models.ErrNotFound) {
					t.Errorf("%q matches a domain error other than ErrConflict", e)
				}
			}
			var ad *models.AlreadyDoneError
			if !errors.As(wrapped, &ad) || ad.By != tt.err.By {
				t.Errorf("errors.As(wrapped, *AlreadyDoneError) lost the error: %v", ad)
			}
		})
	}
}

func TestRuleErrors(t *testing.T) {
	es := models.RuleErrors{
		{Field: "Bandwidth", Rule: "bandwidth-range", Message: "Bandwidth must be between 50 and 10000 Mbps."},
		{Field: "Port Type", Rule: "port-type-allowed", Message: "This access point does not offer 40GBase-LR."},
		{Field: "Bandwidth", Rule: "port-capacity", Message: "100Base-T carries at most 100 Mbps."},
		{Field: "", Rule: "open-connections", Message: "At most 5 connections may be short of Enabled at once."},
	}

	wantByField := map[string]string{
		"Bandwidth": "Bandwidth must be between 50 and 10000 Mbps. 100Base-T carries at most 100 Mbps.",
		"Port Type": "This access point does not offer 40GBase-LR.",
		"":          "At most 5 connections may be short of Enabled at once.",
	}
	if got := es.ByField(); !maps.Equal(got, wantByField) {
		t.Errorf("ByField() = %q, want %q", got, wantByField)
	}

	wantMsg := "Bandwidth: Bandwidth must be between 50 and 10000 Mbps.; " +
		"Port Type: This access point does not offer 40GBase-LR.; " +
		"Bandwidth: 100Base-T carries at most 100 Mbps.; " +
		"At most 5 connections may be short of Enabled at once."
	if got := es.Error(); got != wantMsg {
		t.Errorf("Error() = %q, want %q", got, wantMsg)
	}

	if got := (models.RuleErrors{}).ByField(); len(got) != 0 {
		t.Errorf("empty RuleErrors: ByField() = %q, want empty", got)
	}

	var err error = es
	var re models.RuleErrors
	if !errors.As(fmt.Errorf("apply: %w", err), &re) || len(re) != len(es) {
		t.Errorf("errors.As(wrapped, RuleErrors) = %v", re)
	}
}
