package store

import (
	"sync/atomic"

	"gorm.io/gorm"
)

// GormDBForBench exposes the store's gorm handle to the benchmarks' setup
// (bulk inserts that no use case offers).
func GormDBForBench(s *Store) *gorm.DB { return s.db }

// CountStatements is s.StatementCounter() (the store benchmarks' name).
func CountStatements(s *Store) *atomic.Int64 { return s.StatementCounter() }

// LogStatements calls log with the SQL of every statement the store runs
// from now on (BEGIN and COMMIT excepted), with gorm callbacks.
func LogStatements(s *Store, log func(sql string)) {
	f := func(tx *gorm.DB) {
		if !tx.DryRun {
			log(tx.Statement.SQL.String())
		}
	}
	cb := s.db.Callback()
	_ = cb.Query().After("gorm:query").Register("bench:log", f)
	_ = cb.Create().After("gorm:create").Register("bench:log", f)
	_ = cb.Update().After("gorm:update").Register("bench:log", f)
	_ = cb.Delete().After("gorm:delete").Register("bench:log", f)
	_ = cb.Row().After("gorm:row").Register("bench:log", f)
	_ = cb.Raw().After("gorm:raw").Register("bench:log", f)
}
