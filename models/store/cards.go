package store

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/leaseline/leaseline/models"
)

// Cards (see models.Card): the delivery records every message it posts
// about a connection, with its audience and buttons, in the transaction
// that marks the notice sent; every transaction that records notices about
// a connection records a settle notice for it before it commits, so that
// the delivery worker settles the connection's cards after the commit,
// durably.

// settleSet collects the connections a transaction wrote notices about,
// with the key of the first notice of each (the settle notice's key).
type settleSet struct {
	mu    sync.Mutex
	conns map[int64]string
	// known holds whether connections have cards offering buttons, as
	// the transaction read them already (with the engine's locking read,
	// or a connection it created): recordSettles need not read them again.
	known map[int64]bool
}

// knownCards records in tx's notice mark whether connection id has cards
// offering buttons, as the transaction read it.
func knownCards(tx *gorm.DB, id int64, open bool) {
	m, ok := tx.Statement.Context.Value(noticeMarkKey{}).(*noticeMark)
	if !ok {
		return
	}
	m.settle.mu.Lock()
	defer m.settle.mu.Unlock()
	if m.settle.known == nil {
		m.settle.known = map[int64]bool{}
	}
	m.settle.known[id] = open
}

func (s *settleSet) add(id int64, key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conns == nil {
		s.conns = map[int64]string{}
	}
	if _, ok := s.conns[id]; !ok {
		s.conns[id] = key
	}
}

func (s *settleSet) take() (map[int64]string, map[int64]bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out, known := s.conns, s.known
	s.conns, s.known = nil, nil
	return out, known
}

// sawNotices records the connections of the notices a create statement
// wrote (one notice or a batch).
func (m *noticeMark) sawNotices(v reflect.Value) {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return
		}
		v = v.Elem()
	}
	if v.Kind() == reflect.Slice || v.Kind() == reflect.Array {
		for i := range v.Len() {
			m.sawNotices(v.Index(i))
		}
		return
	}
	if v.Kind() != reflect.Struct {
		return
	}
	var n *models.Notice
	switch x := v.Addr().Interface().(type) {
	case *models.Notice:
		n = x
	case *noticeRow:
		n = &x.Notice
	default:
		return
	}
	if n.ConnectionID != nil && models.Settles(n.Kind) {
		m.settle.add(*n.ConnectionID, n.Key)
	}
}

// recordSettles records one settle notice per connection the transaction
// wrote notices about that has cards still offering buttons (none: there
// is nothing to settle).
func (s *Store) recordSettles(tx *gorm.DB, m *noticeMark) error {
	conns, known := m.settle.take()
	if len(conns) == 0 {
		return nil
	}
	keys := make(map[int64]string, len(conns))
	ids := make([]int64, 0, len(conns))
	for id := range conns {
		open, ok := known[id]
		switch {
		case !ok:
			ids = append(ids, id)
		case open:
			keys[id] = "settle/" + conns[id]
		}
	}
	if len(ids) > 0 {
		var open []int64
		if err := tx.Model(&models.Card{}).Distinct("connection_id").Where("connection_id IN ? AND buttons <> ''", ids).
			Order("connection_id").Pluck("connection_id", &open).Error; err != nil {
			return fmt.Errorf("find cards to settle: %w", err)
		}
		for _, id := range open {
			keys[id] = "settle/" + conns[id]
		}
	}
	return s.addSettles(tx, keys)
}

// addSettles records a settle notice for each connection, under its key.
func (s *Store) addSettles(tx *gorm.DB, keys map[int64]string) error {
	if len(keys) == 0 {
		return nil
	}
	ids := make([]int64, 0, len(keys))
	for id := range keys {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	now := s.now()
	notices := make([]models.Notice, 0, len(ids))
	for _, id := range ids {
		notices = append(notices, models.Notice{
			Key: keys[id], Kind: models.NoticeSettle, ConnectionID: &id,
			Data: "{}", State: models.NoticePending, NextAttemptAt: now, CreatedAt: now,
		})
	}
	if err := tx.Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(&notices, 500).Error; err != nil {
		return fmt.Errorf("record settle notices: %w", err)
	}
	return nil
}

// recordCard records the message notice n was posted as, when it is about
// a connection: in the transaction that marks n sent.
func (s *Store) recordCard(tx *gorm.DB, n *models.Notice, ts string, buttons []string, at time.Time) error {
	if n.ConnectionID == nil || ts == "" || !models.Settles(n.Kind) {
		return nil
	}
	aud, err := s.audienceOf(tx, n)
	if err != nil {
		return err
	}
	c := models.Card{ConnectionID: *n.ConnectionID, NoticeID: n.ID, Kind: n.Kind, Channel: n.Channel, TS: ts,
		Audience: aud, Buttons: strings.Join(buttons, " "), PostedAt: at}
	if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&c).Error; err != nil {
		return fmt.Errorf("record card of notice %d: %w", n.ID, err)
	}
	if c.Buttons == "" {
		return nil
	}
	// A change recorded after n (its notices came later) may have been
	// rendered before it, or its settle run before the card was
	// recorded: settle once more.
	var later int64
	if err := tx.Model(&models.Notice{}).Where("connection_id = ? AND id > ? AND kind NOT IN ?", c.ConnectionID, n.ID,
		[]models.NoticeKind{models.NoticeSettle, models.NoticeDeliveryFailed}).Count(&later).Error; err != nil {
		return fmt.Errorf("find changes after notice %d: %w", n.ID, err)
	}
	if later == 0 {
		return nil
	}
	return s.addSettles(tx, map[int64]string{c.ConnectionID: fmt.Sprintf("settle/card/%d", n.ID)})
}

// audienceOf is who reads notice n: the staff channel is staff's, the
// provider's channel the provider's, a reception person's DM reception's,
// anything else the customer's.
func (s *Store) audienceOf(tx *gorm.DB, n *models.Notice) (string, error) {
	if n.Channel == s.cfg.StaffChannel && n.Channel != "" {
		return models.AudienceStaff, nil
	}
	var count int64
	err := tx.Model(&models.Provider{}).
		Where("slack_channel = ? AND id = (SELECT provider_id FROM connections WHERE id = ?)", n.Channel, *n.ConnectionID).
		Count(&count).Error
	if err != nil {
		return "", fmt.Errorf("audience of notice %d: %w", n.ID, err)
	}
	if count > 0 {
		return models.AudienceProvider, nil
	}
	if err := tx.Model(&models.ReceptionPerson{}).Where("slack_user_id = ?", n.Channel).Count(&count).Error; err != nil {
		return "", fmt.Errorf("audience of notice %d: %w", n.ID, err)
	}
	if count > 0 || n.Kind == models.NoticeVisitReminder {
		return models.AudienceReception, nil
	}
	return models.AudienceCustomer, nil
}

// OpenCards lists the cards of a connection that still offer buttons,
// oldest first, each with its notice.
func (s *Store) OpenCards(ctx context.Context, connectionID int64) ([]models.Card, error) {
	var cards []models.Card
	db := s.db.WithContext(ctx)
	if err := db.Where("connection_id = ? AND buttons <> ''", connectionID).Order("id").Find(&cards).Error; err != nil {
		return nil, fmt.Errorf("list cards of connection %d: %w", connectionID, err)
	}
	if len(cards) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(cards))
	for i, c := range cards {
		ids[i] = c.NoticeID
	}
	var ns []models.Notice
	if err := db.Where("id IN ?", ids).Find(&ns).Error; err != nil {
		return nil, fmt.Errorf("load notices of the cards of connection %d: %w", connectionID, err)
	}
	byID := make(map[int64]models.Notice, len(ns))
	for _, n := range ns {
		byID[n.ID] = n
	}
	for i := range cards {
		cards[i].Notice = byID[cards[i].NoticeID]
	}
	return cards, nil
}

// CardSettled records that card id was updated in place at `at` and now
// offers buttons (none: it is settled for good).
func (s *Store) CardSettled(ctx context.Context, id int64, buttons []string, at time.Time) error {
	err := s.db.WithContext(ctx).Model(&models.Card{}).Where("id = ?", id).
		Updates(map[string]any{"buttons": strings.Join(buttons, " "), "settled_at": at.UTC()}).Error
	if err != nil {
		return fmt.Errorf("record card %d settled: %w", id, err)
	}
	return nil
}

// CardReplaced records that the card posted as channel/ts was replaced in
// place by a press (now offering buttons); a message that is no card is
// left alone.
func (s *Store) CardReplaced(ctx context.Context, channel, ts string, buttons []string, at time.Time) error {
	err := s.db.WithContext(ctx).Model(&models.Card{}).Where("channel = ? AND ts = ?", channel, ts).
		Updates(map[string]any{"buttons": strings.Join(buttons, " "), "settled_at": at.UTC()}).Error
	if err != nil {
		return fmt.Errorf("record card %s/%s replaced: %w", channel, ts, err)
	}
	return nil
}
