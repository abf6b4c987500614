package store_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"
	"testing"

	"github.com/leaseline/leaseline/models"
)

// The authorization table of calendar links (`/leaseline calendar-link`),
// which belong to no connection: only staff create and revoke them,
// whoever asks about which provider or access point.
var azCalendarTable = []struct {
	op      string
	allowed []string
}{
	{"create provider link", []string{azStaff}},
	{"create access-point link", []string{azStaff}},
	{"revoke link", []string{azStaff}},
}

// TestAuthorizationCalendarLinks runs each calendar-link operation as each
// of the six actors, on SQLite and PostgreSQL: staff succeed; everyone
// else, the provider asking for its own feed included, gets
// models.ErrForbidden, and a refused revoke leaves the feed served. The
// token is stored only as its SHA-256, and resolves to nothing once
// revoked.
func TestAuthorizationCalendarLinks(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		ctx := context.Background()
		f := newFixture(t, backend)
		actor := func(who string) models.Actor {
			switch who {
			case azOwner:
				return f.acme
			case azOtherCustomer:
				return f.other
			case azProvider:
				return models.Actor{UserID: "UPROV", Role: models.RoleProvider, ProviderID: testProvider}
			case azOtherProvider:
				return models.Actor{UserID: "UPROVOTHER", Role: models.RoleProvider, ProviderID: "cu-zj"}
			case azStaff:
				return f.staff
			}
			return models.SystemActor()
		}
		for _, row := range azCalendarTable {
			for _, who := range azActors {
				_, token, err := f.s.CreateCalendarLink(ctx, f.staff, models.CalendarOfProvider, testProvider)
				if err != nil {
					t.Fatal(err)
				}
				feedToken := token
				switch row.op {
				case "create provider link", "create access-point link":
					kind, subject := models.CalendarOfProvider, testProvider
					if row.op == "create access-point link" {
						kind, subject = models.CalendarOfAccessPoint, "ap-cn-hangzhou-yh-b"
					}
					var got string
					_, got, err = f.s.CreateCalendarLink(ctx, actor(who), kind, subject)
					if err == nil {
						feedToken = got
					} else if got != "" {
						t.Fatalf("%s by %s: refused, yet a token", row.op, who)
					}
				case "revoke link":
					_, _, err = f.s.RevokeCalendarLink(ctx, actor(who), token)
				}
				allowed := slices.Contains(row.allowed, who)
				switch {
				case allowed && err != nil:
					t.Fatalf("%s by %s: %v", row.op, who, err)
				case !allowed && !errors.Is(err, models.ErrForbidden):
					t.Fatalf("%s by %s: got %v, want forbidden", row.op, who, err)
				}
				_, feedErr := f.s.CalendarFeed(ctx, feedToken)
				served := feedErr == nil
				if want := row.op != "revoke link" || !allowed; served != want || (!served && !errors.Is(feedErr, models.ErrNotFound)) {
					t.Errorf("%s by %s: feed served %v (%v), want %v", row.op, who, served, feedErr, want)
				}
			}
		}

		// Stored hashed; unknown subjects refused.
		link, token, err := f.s.CreateCalendarLink(ctx, f.staff, models.CalendarOfAccessPoint, "ap-cn-hangzhou-yh-b")
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256([]byte(token))
		if n := sqlCount(t, f.s, "SELECT COUNT(*) FROM calendar_links WHERE id = ? AND token_hash = ?", link.ID, hex.EncodeToString(sum[:])); n != 1 {
			t.Errorf("link %d is not stored by its token's SHA-256", link.ID)
		}
		if n := sqlCount(t, f.s, "SELECT COUNT(*) FROM calendar_links WHERE token_hash = ?", token); n != 0 {
			t.Errorf("a token is stored in plain")
		}
		for _, kind := range []models.CalendarLinkKind{models.CalendarOfProvider, models.CalendarOfAccessPoint} {
			if _, _, err := f.s.CreateCalendarLink(ctx, f.staff, kind, "nosuch"); !errors.Is(err, models.ErrNotFound) {
				t.Errorf("%s link to an unknown subject: %v", kind, err)
			}
		}
	})
}
