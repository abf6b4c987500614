package store

import (
	"database/sql"
	"database/sql/driver"
	"fmt"
	"reflect"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/leaseline/leaseline/models"
)

// Multi-row inserts for booking batches, without gorm's per-field
// reflection: on PostgreSQL one statement per table whose columns arrive as
// arrays (INSERT … SELECT FROM unnest($1::bigint[], …)), so its text and
// plan are the same for every batch and the server parses a dozen
// parameters, not thousands; on SQLite multi-row VALUES, as many rows a
// statement as its limit of variables allows.

// column is one column of a multi-row insert: its name, its PostgreSQL
// type, and its values, one per row: []string, []int64, []time.Time or
// []*time.Time (nil is NULL).
type column struct {
	name, pgType string
	values       any
}

// pgArray passes a slice to pgx as one array parameter: gorm would spread
// a plain slice into a list of parameters.
type pgArray struct{ values any }

// Value implements driver.Valuer: pgx encodes the slice as an array.
func (a pgArray) Value() (driver.Value, error) { return a.values, nil }

// at is row i's value, for SQLite.
func (c column) at(i int) any {
	switch v := c.values.(type) {
	case []string:
		return v[i]
	case []int64:
		return v[i]
	case []time.Time:
		return v[i]
	case []*time.Time:
		if v[i] == nil {
			return nil
		}
		return *v[i]
	}
	panic(fmt.Sprintf("column %s: values of type %T", c.name, c.values))
}

// sqliteMaxVariables is below SQLite's limit of bound parameters in one
// statement (32766 since 3.32).
const sqliteMaxVariables = 32000

// insertRows inserts n rows of cols into table, suffix (ON CONFLICT …,
// RETURNING …) after each statement. With scan, the statements return rows
// (RETURNING) and scan reads each; else it returns how many rows were
// inserted.
func (s *Store) insertRows(tx *gorm.DB, table string, n int, cols []column, suffix string, scan func(*sql.Rows) error) (int64, error) {
	if n == 0 {
		return 0, nil
	}
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.name
		if l := reflect.ValueOf(c.values).Len(); l != n {
			return 0, fmt.Errorf("insert into %s: column %s has %d values for %d rows", table, c.name, l, n)
		}
	}
	head := "INSERT INTO " + table + " (" + strings.Join(names, ", ") + ") "
	run := func(q string, args []any) (int64, error) {
		if scan == nil {
			res := tx.Exec(q, args...)
			return res.RowsAffected, res.Error
		}
		rows, err := tx.Raw(q, args...).Rows()
		if err != nil {
			return 0, err
		}
		defer func() { _ = rows.Close() }()
		var got int64
		for rows.Next() {
			if err := scan(rows); err != nil {
				return got, err
			}
			got++
		}
		return got, rows.Err()
	}
	if s.dialect == "postgres" {
		var q strings.Builder
		q.WriteString(head + "SELECT * FROM unnest(")
		args := make([]any, len(cols))
		for i, c := range cols {
			if i > 0 {
				q.WriteString(", ")
			}
			fmt.Fprintf(&q, "?::%s[]", c.pgType)
			args[i] = pgArray{c.values}
		}
		q.WriteString(") " + suffix)
		return run(q.String(), args)
	}
	per := max(1, sqliteMaxVariables/len(cols))
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	var total int64
	for from := 0; from < n; from += per {
		size := min(per, n-from)
		var q strings.Builder
		q.Grow(len(head) + size*(len(row)+2) + len(suffix) + 8)
		q.WriteString(head + "VALUES ")
		args := make([]any, 0, size*len(cols))
		for i := from; i < from+size; i++ {
			if i > from {
				q.WriteString(", ")
			}
			q.WriteString(row)
			for _, c := range cols {
				args = append(args, c.at(i))
			}
		}
		q.WriteString(" " + suffix)
		got, err := run(q.String(), args)
		total += got
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// noticesWritten tells the notices hook that tx recorded notices (as the
// gorm callback does for notices written with Create): delivery starts
// after the commit, and the connections' open cards are settled.
func (s *Store) noticesWritten(tx *gorm.DB, notices []models.Notice) {
	if m, ok := tx.Statement.Context.Value(noticeMarkKey{}).(*noticeMark); ok {
		m.written.Store(true)
		m.sawNotices(reflect.ValueOf(notices))
		return
	}
	s.noticesCommitted()
}
