package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/leaseline/leaseline/models"
)

// Calendars people subscribe to: staff create a link for a provider or an
// access point; its token, a long random secret shown once, is the feed's
// URL (/calendar/<token>.ics) and is stored only as its SHA-256.

// Audit actions of calendar links.
const (
	ActionCreateCalendarLink models.Action = "create calendar link"
	ActionRevokeCalendarLink models.Action = "revoke calendar link"
)

// calendarFeedDays is how far back a feed reaches: visits of the last 90
// days and every later one.
const calendarFeedDays = 90

// calendarTokenBytes is a token's randomness: 256 bits.
const calendarTokenBytes = 32

// newCalendarToken returns a fresh token (32 random bytes, base64url
// without padding: 43 characters) and its hash.
func newCalendarToken() (token, hash string, err error) {
	b := make([]byte, calendarTokenBytes)
	if _, err := rand.Read(b); err != nil {
		return "", "", fmt.Errorf("calendar token: %w", err)
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, calendarTokenHash(token), nil
}

// calendarTokenHash is what is stored of a token: its SHA-256, hex.
func calendarTokenHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// looksLikeCalendarToken reports whether s has a token's shape, so that a
// malformed one costs no query.
func looksLikeCalendarToken(s string) bool {
	b, err := base64.RawURLEncoding.DecodeString(s)
	return err == nil && len(b) == calendarTokenBytes
}

// CreateCalendarLink creates a link to the feed of a provider or an access
// point (staff only) and returns it with its token, which is stored only
// hashed: this is the one time anybody sees it. An unknown subject is
// models.ErrNotFound.
func (s *Store) CreateCalendarLink(ctx context.Context, actor models.Actor, kind models.CalendarLinkKind, subjectID string) (*models.CalendarLink, string, error) {
	if actor.Role != models.RoleStaff {
		return nil, "", models.ErrForbidden
	}
	subjectID = strings.TrimSpace(subjectID)
	if _, err := s.calendarSubject(s.db.WithContext(ctx), kind, subjectID); err != nil {
		return nil, "", err
	}
	token, hash, err := newCalendarToken()
	if err != nil {
		return nil, "", err
	}
	link := models.CalendarLink{Kind: kind, SubjectID: subjectID, TokenHash: hash, CreatedBy: actor.UserID, CreatedAt: s.now()}
	err = s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(&link).Error; err != nil {
			return fmt.Errorf("create calendar link: %w", translate(err))
		}
		ev := models.AuditEvent{Actor: actor.UserID, Role: actor.Role, Action: ActionCreateCalendarLink,
			Detail: fmt.Sprintf("calendar link %d: %s %s", link.ID, kind, subjectID), At: link.CreatedAt}
		if err := tx.Create(&ev).Error; err != nil {
			return fmt.Errorf("write audit event: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	return &link, token, nil
}

// calendarSubject returns the name of a link's subject, the provider or
// the access point (models.ErrNotFound when there is none).
func (s *Store) calendarSubject(db *gorm.DB, kind models.CalendarLinkKind, id string) (string, error) {
	switch kind {
	case models.CalendarOfProvider:
		var p models.Provider
		if err := db.First(&p, "id = ?", id).Error; err != nil {
			return "", fmt.Errorf("provider %q: %w", id, translate(err))
		}
		return p.Name, nil
	case models.CalendarOfAccessPoint:
		var ap models.AccessPoint
		if err := db.First(&ap, "id = ?", id).Error; err != nil {
			return "", fmt.Errorf("access point %q: %w", id, translate(err))
		}
		return ap.Name, nil
	}
	return "", &models.RuleError{Field: "Kind", Rule: "calendar-kind", Message: "A calendar link is for a provider or an access-point.", Args: map[string]any{}}
}

// RevokeCalendarLink revokes a link, named by its token or its ID (staff
// only): its feed answers 404 from now on. revoked is false when it was
// revoked already. An unknown link is models.ErrNotFound.
func (s *Store) RevokeCalendarLink(ctx context.Context, actor models.Actor, ref string) (link *models.CalendarLink, revoked bool, err error) {
	if actor.Role != models.RoleStaff {
		return nil, false, models.ErrForbidden
	}
	ref = strings.TrimPrefix(strings.TrimSpace(ref), "#")
	// A pasted URL works too: …/calendar/<token>.ics.
	if i := strings.LastIndex(ref, "/"); i >= 0 {
		ref = ref[i+1:]
	}
	ref = strings.TrimSuffix(ref, ".ics")
	var l models.CalendarLink
	err = s.tx(ctx, func(tx *gorm.DB) error {
		q := s.forUpdate(tx)
		if id, err := strconv.ParseInt(ref, 10, 64); err == nil && id > 0 && len(ref) < 20 {
			q = q.Where("id = ?", id)
		} else if looksLikeCalendarToken(ref) {
			q = q.Where("token_hash = ?", calendarTokenHash(ref))
		} else {
			return fmt.Errorf("calendar link: %w", models.ErrNotFound)
		}
		if err := q.First(&l).Error; err != nil {
			return fmt.Errorf("calendar link: %w", translate(err))
		}
		if l.RevokedAt != nil {
			return nil
		}
		at := s.now()
		if err := tx.Model(&models.CalendarLink{}).Where("id = ? AND revoked_at IS NULL", l.ID).Update("revoked_at", at).Error; err != nil {
			return fmt.Errorf("revoke calendar link %d: %w", l.ID, err)
		}
		l.RevokedAt, revoked = &at, true
		ev := models.AuditEvent{Actor: actor.UserID, Role: actor.Role, Action: ActionRevokeCalendarLink,
			Detail: fmt.Sprintf("calendar link %d: %s %s", l.ID, l.Kind, l.SubjectID), At: at}
		if err := tx.Create(&ev).Error; err != nil {
			return fmt.Errorf("write audit event: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	return &l, revoked, nil
}

// CalendarLinkFor resolves a token to its link; an unknown, malformed or
// revoked token is models.ErrNotFound.
func (s *Store) CalendarLinkFor(ctx context.Context, token string) (*models.CalendarLink, error) {
	if !looksLikeCalendarToken(token) {
		return nil, models.ErrNotFound
	}
	hash := calendarTokenHash(token)
	var l models.CalendarLink
	if err := s.db.WithContext(ctx).First(&l, "token_hash = ?", hash).Error; err != nil {
		return nil, translate(err)
	}
	// The lookup was by hash already; compare again in constant time, so
	// that nothing depends on how the database compared.
	if subtle.ConstantTimeCompare([]byte(l.TokenHash), []byte(hash)) != 1 || l.RevokedAt != nil {
		return nil, models.ErrNotFound
	}
	return &l, nil
}

// calendarRow is one visit as the feed query reads it.
type calendarRow struct {
	VisitID              int64
	Date                 string
	Window               string
	State                models.VisitState
	Sequence             int
	CreatedAt            time.Time
	UpdatedAt            time.Time
	ConnectionID         int64
	PhysicalConnectionID *string
	AccessPointName      string
	IDCName              string `gorm:"column:idc_name"`
	IDCAddress           string `gorm:"column:idc_address"`
	TimeZone             string
	TicketKind           models.TicketKind
	Visitors             int
}

// CalendarFeed is the feed of a token: its link's subject and the visits
// of that provider or at that access point from 90 days ago on (every
// state: scheduled, canceled, done, …), by date. An unknown, malformed or
// revoked token is models.ErrNotFound. It reads nothing of customers but
// the connection's ID.
func (s *Store) CalendarFeed(ctx context.Context, token string) (*models.CalendarFeed, error) {
	l, err := s.CalendarLinkFor(ctx, token)
	if err != nil {
		return nil, err
	}
	db := s.db.WithContext(ctx)
	name, err := s.calendarSubject(db, l.Kind, l.SubjectID)
	if err != nil {
		return nil, err
	}
	q := db.Table("visits v").
		Select(`v.id AS visit_id, v.date, v.time_window AS "window", v.state, v.sequence, v.created_at, v.updated_at,
			v.connection_id, c.physical_connection_id, ap.name AS access_point_name, ap.idc_name, ap.idc_address,
			r.time_zone, t.kind AS ticket_kind,
			(SELECT COUNT(*) FROM engineers e JOIN surveys sv ON sv.id = e.survey_id WHERE sv.connection_id = v.connection_id) AS visitors`).
		Joins("JOIN connections c ON c.id = v.connection_id").
		Joins("JOIN access_points ap ON ap.id = v.access_point_id").
		Joins("JOIN regions r ON r.id = ap.region_id").
		Joins("JOIN tickets t ON t.id = v.ticket_id").
		Where("v.date >= ?", s.now().AddDate(0, 0, -calendarFeedDays).Format("2006-01-02"))
	switch l.Kind {
	case models.CalendarOfProvider:
		q = q.Where("c.provider_id = ?", l.SubjectID)
	case models.CalendarOfAccessPoint:
		q = q.Where("v.access_point_id = ?", l.SubjectID)
	default:
		return nil, errors.New("calendar link of unknown kind " + string(l.Kind))
	}
	var rows []calendarRow
	if err := q.Order("v.date, v.id").Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("calendar feed of link %d: %w", l.ID, err)
	}
	zq := db.Table("regions r").Distinct("r.time_zone").Joins("JOIN access_points ap ON ap.region_id = r.id")
	if l.Kind == models.CalendarOfProvider {
		zq = zq.Joins("JOIN access_point_providers app ON app.access_point_id = ap.id").Where("app.provider_id = ?", l.SubjectID)
	} else {
		zq = zq.Where("ap.id = ?", l.SubjectID)
	}
	var zones []string
	if err := zq.Order("r.time_zone").Pluck("r.time_zone", &zones).Error; err != nil {
		return nil, fmt.Errorf("time zones of calendar link %d: %w", l.ID, err)
	}
	feed := &models.CalendarFeed{Kind: l.Kind, Name: name, TimeZones: zones, Visits: make([]models.CalendarVisit, 0, len(rows))}
	for _, r := range rows {
		c := models.Connection{ID: r.ConnectionID, PhysicalConnectionID: r.PhysicalConnectionID}
		feed.Visits = append(feed.Visits, models.CalendarVisit{
			VisitID: r.VisitID, Date: r.Date, Window: r.Window, TimeZone: r.TimeZone,
			AccessPointName: r.AccessPointName, IDCName: r.IDCName, IDCAddress: r.IDCAddress,
			Connection: c.DisplayID(), Visitors: r.Visitors, Removal: r.TicketKind == models.TicketRemoval,
			State: r.State, Sequence: r.Sequence, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
		})
	}
	return feed, nil
}
