package store

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"

	"gorm.io/gorm"

	"github.com/leaseline/leaseline/models"
)

// The notices hook: Config.NoticesCommitted is told after every commit that
// recorded notices (a press, a scheduled job, a delivery alert), so that
// delivery starts at once rather than at its next poll. A gorm callback sees
// every notice written; inside a transaction it only marks the transaction
// (with the keys of the notices), and tx calls the hook once the
// transaction has committed. With Config.EnqueueNotices, tx also hands the
// pending notices' IDs to it before committing.

// noticeMarkKey keys the mark of a transaction on its context.
type noticeMarkKey struct{}

// noticeMark records that a transaction wrote notices, and their keys.
type noticeMark struct {
	written atomic.Bool
	mu      sync.Mutex
	keys    []string
}

func (m *noticeMark) add(keys []string) {
	m.written.Store(true)
	m.mu.Lock()
	defer m.mu.Unlock()
	m.keys = append(m.keys, keys...)
}

func (m *noticeMark) recorded() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.keys
}

// registerNoticesHook registers the callback that sees notices written.
func (s *Store) registerNoticesHook(db *gorm.DB) error {
	err := db.Callback().Create().After("gorm:create").Register("leaseline:notices_recorded", func(tx *gorm.DB) {
		if tx.Error != nil || tx.RowsAffected == 0 || tx.Statement.Table != "notices" {
			return
		}
		keys := noticeKeys(tx.Statement.ReflectValue)
		if m, ok := tx.Statement.Context.Value(noticeMarkKey{}).(*noticeMark); ok {
			m.add(keys)
			return
		}
		// Written outside tx: committed already.
		if err := s.enqueueNotices(tx.Statement.Context, nil, keys); err != nil {
			s.log.ErrorContext(tx.Statement.Context, "enqueue the delivery of notices", "err", err)
		}
		s.noticesCommitted()
	})
	if err != nil {
		return fmt.Errorf("register notices hook: %w", err)
	}
	return nil
}

// noticeKeys reads the keys of the notices a create wrote (one or a slice).
func noticeKeys(v reflect.Value) []string {
	for v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.Struct:
		if n, ok := v.Interface().(models.Notice); ok {
			return []string{n.Key}
		}
	case reflect.Slice, reflect.Array:
		var out []string
		for i := range v.Len() {
			out = append(out, noticeKeys(v.Index(i))...)
		}
		return out
	}
	return nil
}

// enqueueNotices hands the pending notices of keys to Config.EnqueueNotices
// within gtx's transaction (gtx nil: outside one). Keys of notices that
// already existed (an insert that did nothing on conflict) give their
// notices again: the hook keeps one job per notice.
func (s *Store) enqueueNotices(ctx context.Context, gtx *gorm.DB, keys []string) error {
	if s.cfg.EnqueueNotices == nil || len(keys) == 0 {
		return nil
	}
	db := s.db.WithContext(ctx)
	var tx *sql.Tx
	if gtx != nil {
		db = gtx
		var ok bool
		if tx, ok = gtx.Statement.ConnPool.(*sql.Tx); !ok {
			return fmt.Errorf("enqueue notices: the transaction is a %T, not a *sql.Tx", gtx.Statement.ConnPool)
		}
	}
	var ids []int64
	if err := db.Model(&models.Notice{}).Where("key IN ? AND state = ?", keys, models.NoticePending).Pluck("id", &ids).Error; err != nil {
		return fmt.Errorf("enqueue notices: %w", err)
	}
	if len(ids) == 0 {
		return nil
	}
	if err := s.cfg.EnqueueNotices(ctx, tx, ids); err != nil {
		return fmt.Errorf("enqueue notices: %w", err)
	}
	return nil
}

// markNotices returns ctx carrying a fresh mark for one transaction.
func markNotices(ctx context.Context) (context.Context, *noticeMark) {
	m := &noticeMark{}
	return context.WithValue(ctx, noticeMarkKey{}, m), m
}

// noticesCommitted calls the hook, if any.
func (s *Store) noticesCommitted() {
	if s.cfg.NoticesCommitted != nil {
		s.cfg.NoticesCommitted()
	}
}
