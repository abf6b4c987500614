package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/leaseline/leaseline/models/catalog"
	"github.com/leaseline/leaseline/models/store"
)

// TestLanguageSettings: a person's and a channel's language are kept with
// who set them, replaced, and reset; a channel without its own setting
// takes its provider's default from the catalog.
func TestLanguageSettings(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		ctx := context.Background()
		f := newFixture(t, backend)
		s := f.s
		if l, by, err := s.LanguageOf(ctx, store.LanguageUser, "U1"); err != nil || l != "" || by != "" {
			t.Fatalf("no setting yet: got %q by %q, %v", l, by, err)
		}
		if err := s.SetLanguage(ctx, store.LanguageUser, "U1", "zh-CN", "U1"); err != nil {
			t.Fatal(err)
		}
		if err := s.SetLanguage(ctx, store.LanguageUser, "U1", "en", "U1"); err != nil {
			t.Fatalf("replace: %v", err)
		}
		if l, by, err := s.LanguageOf(ctx, store.LanguageUser, "U1"); err != nil || l != "en" || by != "U1" {
			t.Fatalf("after replace: got %q by %q, %v", l, by, err)
		}
		// A user and a channel with the same ID are different subjects.
		if l, _, _ := s.LanguageOf(ctx, store.LanguageChannel, "U1"); l != "" {
			t.Fatalf("channel U1 took user U1's language %q", l)
		}
		if err := s.SetLanguage(ctx, "team", "T1", "en", "U1"); err == nil {
			t.Fatal("a subject kind other than user or channel was accepted")
		}
		if n := sqlCount(t, s, `SELECT COUNT(*) FROM language_settings WHERE set_by = ? AND set_at IS NOT NULL`, "U1"); n != 1 {
			t.Fatalf("rows set by U1: %d, want 1", n)
		}
		if was, err := s.ResetLanguage(ctx, store.LanguageUser, "U1"); err != nil || !was {
			t.Fatalf("reset: %v, %v", was, err)
		}
		if was, err := s.ResetLanguage(ctx, store.LanguageUser, "U1"); err != nil || was {
			t.Fatalf("second reset: %v, %v", was, err)
		}

		// The provider's default from the catalog, under the channel's own.
		cat, err := catalog.Parse([]byte(strings.Replace(string(catalog.Sample()),
			`slack_channel: C0SAMPLECTZJ,`, `slack_channel: C0SAMPLECTZJ, language: zh-cn,`, 1)), "sample.yaml")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.ImportCatalog(ctx, cat); err != nil {
			t.Fatal(err)
		}
		p, err := s.ProviderByChannel(ctx, "C0SAMPLECTZJ")
		if err != nil || p.Language != "zh-CN" {
			t.Fatalf("provider's language: %+v, %v", p, err)
		}
		for _, tc := range []struct{ ch, lang, from string }{
			{"C0SAMPLECTZJ", "zh-CN", "provider"}, {"C0SAMPLECUZJ", "", ""}, {"CNOBODY", "", ""},
		} {
			if l, from, err := s.ChannelLanguage(ctx, tc.ch); err != nil || l != tc.lang || from != tc.from {
				t.Errorf("ChannelLanguage(%s) = %q from %q, %v; want %q from %q", tc.ch, l, from, err, tc.lang, tc.from)
			}
		}
		if err := s.SetLanguage(ctx, store.LanguageChannel, "C0SAMPLECTZJ", "en", "USTAFF"); err != nil {
			t.Fatal(err)
		}
		if l, from, err := s.ChannelLanguage(ctx, "C0SAMPLECTZJ"); err != nil || l != "en" || from != "channel" {
			t.Errorf("channel's own setting: %q from %q, %v", l, from, err)
		}
	})
}

// TestProviderLanguageInCatalog: the catalog takes en or zh-CN in any case
// and refuses any other language, naming the two.
func TestProviderLanguageInCatalog(t *testing.T) {
	_, err := catalog.Parse([]byte(strings.Replace(string(catalog.Sample()),
		`slack_channel: C0SAMPLECTZJ,`, `slack_channel: C0SAMPLECTZJ, language: fr,`, 1)), "sample.yaml")
	if err == nil || !strings.Contains(err.Error(), "language") || !strings.Contains(err.Error(), "zh-CN") {
		t.Fatalf("language fr: %v", err)
	}
}
