package store

import (
	"context"
	"fmt"
	"sync/atomic"

	"gorm.io/gorm"
)

// The notices hook: Config.NoticesCommitted is told after every commit that
// recorded notices (a press, a scheduled job, a delivery alert), so that
// delivery starts at once rather than at its next poll. A gorm callback sees
// every notice written; inside a transaction it only marks the transaction,
// and tx calls the hook once the transaction has committed.

// noticeMarkKey keys the mark of a transaction on its context.
type noticeMarkKey struct{}

// noticeMark records that a transaction wrote notices.
type noticeMark struct {
	written atomic.Bool
	settle  settleSet // the connections whose cards to settle
}

// registerNoticesHook registers the callback that sees notices written.
func (s *Store) registerNoticesHook(db *gorm.DB) error {
	err := db.Callback().Create().After("gorm:create").Register("leaseline:notices_recorded", func(tx *gorm.DB) {
		if tx.Error != nil || tx.RowsAffected == 0 || tx.Statement.Table != "notices" {
			return
		}
		if m, ok := tx.Statement.Context.Value(noticeMarkKey{}).(*noticeMark); ok {
			m.written.Store(true)
			m.sawNotices(tx.Statement.ReflectValue)
			return
		}
		s.noticesCommitted() // written outside tx: committed already
	})
	if err != nil {
		return fmt.Errorf("register notices hook: %w", err)
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
