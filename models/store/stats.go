package store

import (
	"sync/atomic"

	"gorm.io/gorm"
)

// StatementCounter counts the SQL statements the store runs from now on
// (BEGIN and COMMIT excepted), with gorm callbacks, for the benchmarks that
// report statements per operation (the store's and handlers'). A subquery,
// built without being run (dry), is not counted. Each call adds a counter
// for the store's lifetime: call it once per store.
func (s *Store) StatementCounter() *atomic.Int64 {
	var n atomic.Int64
	count := func(tx *gorm.DB) {
		if !tx.DryRun {
			n.Add(1)
		}
	}
	cb := s.db.Callback()
	_ = cb.Query().After("gorm:query").Register("stats:count", count)
	_ = cb.Create().After("gorm:create").Register("stats:count", count)
	_ = cb.Update().After("gorm:update").Register("stats:count", count)
	_ = cb.Delete().After("gorm:delete").Register("stats:count", count)
	_ = cb.Row().After("gorm:row").Register("stats:count", count)
	_ = cb.Raw().After("gorm:raw").Register("stats:count", count)
	return &n
}
