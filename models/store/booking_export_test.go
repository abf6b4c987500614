package store

import (
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"
)

// StatementTimes times the SQL statements the store runs from now on, by
// verb and table (BEGIN and COMMIT excepted), with gorm callbacks: the
// benchmarks' per-statement profile.
type StatementTimes struct {
	mu    sync.Mutex
	Total map[string]time.Duration
	Count map[string]int
}

// TimeStatements starts timing s's statements.
func TimeStatements(s *Store) *StatementTimes {
	st := &StatementTimes{Total: map[string]time.Duration{}, Count: map[string]int{}}
	start := func(db *gorm.DB) { db.Statement.Settings.Store("bench:start", time.Now()) }
	stop := func(db *gorm.DB) {
		v, ok := db.Statement.Settings.Load("bench:start")
		if !ok {
			return
		}
		sql := strings.TrimSpace(db.Statement.SQL.String())
		verb, _, _ := strings.Cut(sql, " ")
		table := db.Statement.Table
		if f := strings.Fields(sql); table == "" && len(f) > 2 && strings.EqualFold(f[0], "INSERT") {
			table = f[2]
		}
		key := strings.ToUpper(verb) + " " + table
		st.mu.Lock()
		st.Total[key] += time.Since(v.(time.Time))
		st.Count[key]++
		st.mu.Unlock()
	}
	cb := s.db.Callback()
	_ = cb.Query().Before("gorm:query").Register("bench:start", start)
	_ = cb.Query().After("gorm:query").Register("bench:stop", stop)
	_ = cb.Create().Before("gorm:create").Register("bench:start", start)
	_ = cb.Create().After("gorm:create").Register("bench:stop", stop)
	_ = cb.Update().Before("gorm:update").Register("bench:start", start)
	_ = cb.Update().After("gorm:update").Register("bench:stop", stop)
	_ = cb.Delete().Before("gorm:delete").Register("bench:start", start)
	_ = cb.Delete().After("gorm:delete").Register("bench:stop", stop)
	_ = cb.Row().Before("gorm:row").Register("bench:start", start)
	_ = cb.Row().After("gorm:row").Register("bench:stop", stop)
	_ = cb.Raw().Before("gorm:raw").Register("bench:start", start)
	_ = cb.Raw().After("gorm:raw").Register("bench:stop", stop)
	return st
}
