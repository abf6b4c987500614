package store

// What a change writes besides the connection itself: its audit event and
// its notices (one statement each, or on PostgreSQL one for all).

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/leaseline/leaseline/models"
)

// tell records the notices of a change to their recipients' channels, in
// one statement. providerChannel is the provider's channel when the caller
// read it already (nil: read it here if a notice goes to the provider).
func (s *Store) tell(tx *gorm.DB, c *models.Connection, tells []models.Tell, providerChannel *string) error {
	notices, err := s.noticesOf(tx, c, tells, providerChannel)
	if err != nil {
		return err
	}
	return s.addNotices(tx, notices)
}

// noticesOf is the notices tell records, their keys distinct.
func (s *Store) noticesOf(tx *gorm.DB, c *models.Connection, tells []models.Tell, providerChannel *string) ([]models.Notice, error) {
	notices := make([]models.Notice, 0, len(tells))
	for _, n := range tells {
		var channel string
		switch n.To {
		case models.PartyCustomer:
			channel = c.AppliedChannel
		case models.PartyStaff:
			channel = s.cfg.StaffChannel
		case models.PartyProvider:
			if providerChannel == nil {
				var provider models.Provider
				if err := tx.First(&provider, "id = ?", c.ProviderID).Error; err != nil {
					return nil, fmt.Errorf("load provider: %w", translate(err))
				}
				providerChannel = &provider.SlackChannel
			}
			channel = *providerChannel
		default:
			return nil, fmt.Errorf("notice %s to %q: no such recipient", n.Kind, n.To)
		}
		nt, ok, err := s.noticeOf(tx, c, n.Kind, channel, n.Data)
		if err != nil {
			return nil, err
		}
		if ok && !slices.ContainsFunc(notices, func(o models.Notice) bool { return o.Key == nt.Key }) {
			notices = append(notices, nt)
		}
	}
	return notices, nil
}

// writeChange writes, on PostgreSQL, in one statement: connection next
// over c (only if c's version is still the one read; nil next: c was
// created in the transaction and stays as it is), the change's audit event
// and its notices (each unless a notice with its key exists).
func (s *Store) writeChange(tx *gorm.DB, a models.Action, c, next *models.Connection, ev *models.AuditEvent, notices []models.Notice) error {
	var q strings.Builder
	var vars []any
	q.WriteString("WITH ")
	updated := "1"
	if next != nil {
		stmt := &gorm.Statement{DB: tx}
		if err := stmt.Parse(&models.Connection{}); err != nil {
			return fmt.Errorf("%s connection %d: %w", a, c.ID, err)
		}
		q.WriteString("u AS (UPDATE connections SET ")
		row := reflect.ValueOf(next).Elem()
		n := 0
		for _, f := range stmt.Schema.Fields {
			if f.DBName == "" || f.DBName == "id" || f.DBName == "created_at" {
				continue
			}
			if n > 0 {
				q.WriteString(", ")
			}
			n++
			v, _ := f.ValueOf(tx.Statement.Context, row)
			q.WriteString(`"` + f.DBName + `" = ?`)
			vars = append(vars, v)
		}
		q.WriteString(" WHERE id = ? AND version = ? RETURNING id), ")
		vars = append(vars, c.ID, c.Version)
		updated = "(SELECT COUNT(*) FROM u)"
	}
	q.WriteString(`a AS (INSERT INTO audit_events (connection_id, account_id, actor, role, action, from_status, to_status, step, detail, at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?))`)
	vars = append(vars, ev.ConnectionID, ev.AccountID, ev.Actor, ev.Role, ev.Action, ev.FromStatus, ev.ToStatus, ev.Step, ev.Detail, ev.At)
	if len(notices) == 0 {
		q.WriteString(" SELECT " + updated + " AS updated, 0 AS noticed")
	} else {
		q.WriteString(", n AS (INSERT INTO notices (key, kind, channel, connection_id, data, state, next_attempt_at, created_at) VALUES ")
		for i, nt := range notices {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(?, ?, ?, ?, ?, ?, ?, ?)")
			vars = append(vars, nt.Key, nt.Kind, nt.Channel, nt.ConnectionID, nt.Data, nt.State, nt.NextAttemptAt, nt.CreatedAt)
		}
		q.WriteString(" ON CONFLICT (key) DO NOTHING RETURNING 1) SELECT " + updated + " AS updated, (SELECT COUNT(*) FROM n) AS noticed")
	}
	var got struct{ Updated, Noticed int64 }
	if err := tx.Raw(q.String(), vars...).Scan(&got).Error; err != nil {
		return fmt.Errorf("%s connection %d: %w", a, c.ID, translate(err))
	}
	if got.Updated != 1 {
		return fmt.Errorf("%s connection %d: %w", a, c.ID, models.ErrConflict)
	}
	if got.Noticed > 0 {
		// Written with raw SQL, the notices pass by the notices hook's
		// callback: mark the transaction as it would.
		if m, ok := tx.Statement.Context.Value(noticeMarkKey{}).(*noticeMark); ok {
			m.written.Store(true)
			m.sawNotices(reflect.ValueOf(notices))
		}
	}
	return nil
}

// lockedConnection is what the engine's one locking read returns: the
// connection, its provider's Slack channel (nil: no such provider), and
// whether the connection has cards still offering buttons (to settle).
type lockedConnection struct {
	models.Connection
	ProviderChannel *string
	OpenCards       bool
}

func (s *Store) audit(tx *gorm.DB, c *models.Connection, actor models.Actor, a models.Action, from, to models.Status, detail string) error {
	ev := s.auditEvent(c, actor, a, from, to, detail)
	if err := tx.Create(&ev).Error; err != nil {
		return fmt.Errorf("write audit event: %w", err)
	}
	return nil
}

// auditEvent is the audit event of action a on c (as it becomes).
func (s *Store) auditEvent(c *models.Connection, actor models.Actor, a models.Action, from, to models.Status, detail string) models.AuditEvent {
	return models.AuditEvent{
		ConnectionID: &c.ID, AccountID: &c.AccountID, Actor: actor.UserID, Role: actor.Role,
		Action: a, FromStatus: from, ToStatus: to, Step: c.Step, Detail: detail, At: s.now(),
	}
}

// notify records a notice in the transaction. Its key (connection, kind,
// version, channel) makes the same change never notify twice. A notice to
// no channel (an unconfigured staff channel, a provider without one) is
// logged and skipped.
func (s *Store) notify(tx *gorm.DB, c *models.Connection, kind models.NoticeKind, channel string, data any) error {
	n, ok, err := s.noticeOf(tx, c, kind, channel, data)
	if err != nil || !ok {
		return err
	}
	return s.addNotice(tx, &n)
}

// noticeOf is the notice notify records (ok false: none, for want of a
// channel).
func (s *Store) noticeOf(tx *gorm.DB, c *models.Connection, kind models.NoticeKind, channel string, data any) (models.Notice, bool, error) {
	if channel == "" {
		s.log.WarnContext(tx.Statement.Context, "notice has no channel; skipped", "kind", kind, "connection", c.ID)
		return models.Notice{}, false, nil
	}
	raw := []byte("{}")
	if data != nil {
		var err error
		if raw, err = json.Marshal(data); err != nil {
			return models.Notice{}, false, fmt.Errorf("encode notice %s: %w", kind, err)
		}
	}
	now := s.now()
	return models.Notice{
		Key:  fmt.Sprintf("conn/%d/v%d/%s/%s", c.ID, c.Version, kind, channel),
		Kind: kind, Channel: channel, ConnectionID: &c.ID, Data: string(raw),
		State: models.NoticePending, NextAttemptAt: now, CreatedAt: now,
	}, true, nil
}

// addNotice records n unless a notice with its key exists: one change that
// tells the same channel the same thing twice (a customer who applied in
// the staff channel is told and staff are told) writes it once.
func (s *Store) addNotice(tx *gorm.DB, n *models.Notice) error {
	if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(n).Error; err != nil {
		return fmt.Errorf("record notice %s: %w", n.Kind, translate(err))
	}
	return nil
}

// addNotices records the notices (distinct keys) in one statement, each
// unless a notice with its key exists.
func (s *Store) addNotices(tx *gorm.DB, ns []models.Notice) error {
	switch len(ns) {
	case 0:
		return nil
	case 1:
		return s.addNotice(tx, &ns[0])
	}
	if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&ns).Error; err != nil {
		return fmt.Errorf("record notices %s…: %w", ns[0].Kind, translate(err))
	}
	return nil
}
