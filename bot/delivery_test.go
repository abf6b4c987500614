package bot

import (
	"strings"
	"testing"
	"time"
)

func TestBackoff(t *testing.T) {
	w := NewDeliveryWorker(nil, nil, nil, DeliveryConfig{Backoff: time.Second, MaxBackoff: 10 * time.Second})
	var got []time.Duration
	for a := 1; a <= 6; a++ {
		got = append(got, w.backoff(a))
	}
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 10 * time.Second, 10 * time.Second}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("backoff %v, want %v", got, want)
		}
	}
}

func TestDeliveryConfigValidate(t *testing.T) {
	if err := (DeliveryConfig{}).Validate(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	cases := []struct {
		cfg  DeliveryConfig
		want string
	}{
		{DeliveryConfig{Backoff: time.Hour, MaxBackoff: time.Minute}, "delivery backoff 1h0m0s is longer than its maximum 1m0s"},
		{DeliveryConfig{Lease: 10 * time.Second}, "delivery lease 10s: must be at least 30s"},
	}
	for _, tc := range cases {
		if err := tc.cfg.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Validate(%+v) = %v, want %q", tc.cfg, err, tc.want)
		}
	}
}
