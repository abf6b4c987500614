// Package store keeps leaseline's data with gorm, on the embedded SQLite
// file (the default) or on PostgreSQL. Every use case runs in one
// transaction: the models' rules decide, the row changes only if it still
// has the expected status and version, and the audit event and the notices
// the change causes are written in the same transaction.
package store

import (
	"bytes"
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"strings"
	"sync/atomic"
	"testing/fstest"
	"text/template"
	"time"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"github.com/prometheus/client_golang/prometheus"
	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/logger"

	"github.com/leaseline/leaseline/models"

	sqlitedrv "modernc.org/sqlite" // pure-Go SQLite, registered as "sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// DefaultSQLitePath is the embedded database file used when no database URL
// is configured.
const DefaultSQLitePath = "leaseline.db"

// Config configures a Store.
type Config struct {
	// DatabaseURL is a postgres:// URL, a SQLite file path or "file:" DSN;
	// empty means DefaultSQLitePath.
	DatabaseURL string
	// StaffChannel receives review requests, tickets and alerts.
	StaffChannel string
	// MaxOpen is how many connections of one account may be short of
	// Enabled at once (0 means models.DefaultMaxOpen).
	MaxOpen int
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// EncryptionKey (32 bytes) encrypts personnel ID numbers at rest; nil
	// stores them as given.
	EncryptionKey []byte
	// NewPhysicalConnectionID makes IDs (models.NewPhysicalConnectionID when nil).
	NewPhysicalConnectionID func() string
	// NewCheckinCode makes visits' verification codes (models.NewCheckinCode
	// when nil).
	NewCheckinCode func() string
	Logger         *slog.Logger
	// NoticesCommitted, if set, is called after every commit that recorded
	// notices (the delivery side starts at once). It must not block.
	NoticesCommitted func()
	// Registerer receives the store's metrics (transitions by action and
	// status reached); nil means none.
	Registerer prometheus.Registerer
}

// Store is leaseline's persistence.
type Store struct {
	db      *gorm.DB
	dialect string // "postgres" or "sqlite"
	cfg     Config
	log     *slog.Logger
	// transitions counts committed transitions (nil: not counted).
	transitions *prometheus.CounterVec
	// seenPrune counts new request keys; every 256th prunes old ones.
	seenPrune atomic.Int64
	// seen gathers concurrent claims of request keys into batches.
	seen seenClaims
}

// Open connects to the database named by cfg.DatabaseURL. It does not
// migrate; call Migrate.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.NewPhysicalConnectionID == nil {
		cfg.NewPhysicalConnectionID = models.NewPhysicalConnectionID
	}
	if cfg.NewCheckinCode == nil {
		cfg.NewCheckinCode = models.NewCheckinCode
	}
	if cfg.MaxOpen == 0 {
		cfg.MaxOpen = models.DefaultMaxOpen
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	dialector, dialect, err := dialectorFor(cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	gcfg := &gorm.Config{
		Logger:                 logger.Discard,
		SkipDefaultTransaction: true,
		NowFunc:                func() time.Time { return cfg.Now().UTC() },
	}
	db, err := gorm.Open(dialector, gcfg)
	// Replicas (or a CLI beside the bot) opening one new SQLite file at the
	// same moment race to switch it to WAL; SQLite answers the loser
	// SQLITE_BUSY at once, without waiting out busy_timeout. The switch is
	// over in milliseconds, so look again for a while before giving up.
	for wait := 20 * time.Millisecond; err != nil && dialect == "sqlite" && sqliteBusy(err) && wait < 3*time.Second; wait *= 2 {
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("open %s database: %w", dialect, ctx.Err())
		case <-time.After(wait):
		}
		dialector, _, _ = dialectorFor(cfg.DatabaseURL)
		db, err = gorm.Open(dialector, gcfg)
	}
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", dialect, err)
	}
	if cfg.EncryptionKey != nil {
		sl, err := newSealer(cfg.EncryptionKey)
		if err != nil {
			return nil, err
		}
		if err := registerSealing(db, sl); err != nil {
			return nil, err
		}
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", dialect, err)
	}
	if dialect == "sqlite" {
		// One writer at a time is SQLite's nature; immediate transactions
		// queue on busy_timeout instead of failing mid-way.
		sqlDB.SetMaxOpenConns(8)
	} else {
		// Eight per replica: the soak's two replicas with 32 each (64
		// backends on 2 cores) finished the load in 37 s with notice delay
		// p99 8.4 s; with 8 each in 21 s and 3.3 s (A/B, same machine,
		// 2026-11-28). More connections than cores only add contention
		// and each one's memory (buffers, a statement cache).
		sqlDB.SetMaxOpenConns(8)
		sqlDB.SetMaxIdleConns(8)
	}
	if err := sqlDB.PingContext(ctx); err != nil {
		_ = sqlDB.Close()
		return nil, fmt.Errorf("reach %s database: %w", dialect, err)
	}
	s := &Store{db: db, dialect: dialect, cfg: cfg, log: cfg.Logger}
	if err := s.registerNoticesHook(db); err != nil {
		_ = sqlDB.Close()
		return nil, err
	}
	if cfg.Registerer != nil {
		s.transitions = prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "leaseline", Name: "transitions_total",
			Help: "Lifecycle transitions committed, by action and the status they led to.",
		}, []string{"action", "to"})
		if err := cfg.Registerer.Register(s.transitions); err != nil {
			_ = sqlDB.Close()
			return nil, fmt.Errorf("register store metrics (one Store per registry): %w", err)
		}
		if err := cfg.Registerer.Register(newPortsCollector(s)); err != nil {
			_ = sqlDB.Close()
			return nil, fmt.Errorf("register store metrics (one Store per registry): %w", err)
		}
	}
	return s, nil
}

// counted records a committed transition. It is called after the
// transaction returned: a rolled-back or refused transition never counts.
func (s *Store) counted(a models.Action, to models.Status) {
	if s.transitions != nil {
		s.transitions.WithLabelValues(string(a), string(to)).Inc()
	}
}

// sqliteBusy reports whether err is SQLite's "database is locked".
func sqliteBusy(err error) bool {
	var se *sqlitedrv.Error
	return errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_BUSY
}

// dialectorFor picks the gorm dialector for a database URL.
func dialectorFor(raw string) (gorm.Dialector, string, error) {
	switch {
	case strings.HasPrefix(raw, "postgres://"), strings.HasPrefix(raw, "postgresql://"):
		if _, err := url.Parse(raw); err != nil {
			return nil, "", fmt.Errorf("DATABASE_URL is not a valid URL: %w", err)
		}
		return postgres.Open(raw), "postgres", nil
	case strings.Contains(raw, "://"):
		return nil, "", fmt.Errorf("DATABASE_URL %q: unsupported scheme; use postgres://user@host/db, or leave it unset for the embedded SQLite file", redactURL(raw))
	}
	return sqlite.New(sqlite.Config{DriverName: "sqlite", DSN: SQLiteDSN(raw)}), "sqlite", nil
}

// SQLiteDSN turns a file path (or "" for the default file) into a DSN with
// the pragmas leaseline needs: WAL, a busy timeout, foreign keys, and
// immediate transactions so read-then-write transactions never fail on lock
// upgrade. A "file:" DSN is used as given.
func SQLiteDSN(path string) string {
	if strings.HasPrefix(path, "file:") {
		return path
	}
	if path == "" {
		path = DefaultSQLitePath
	}
	return "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate"
}

func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable)"
	}
	return u.Redacted()
}

// Dialect is "postgres" or "sqlite".
func (s *Store) Dialect() string { return s.dialect }

// DB returns the underlying *sql.DB, for health checks and job libraries.
func (s *Store) DB() (*sql.DB, error) { return s.db.DB() }

// Close closes the database.
func (s *Store) Close() error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	return sqlDB.PingContext(ctx)
}

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrationsFS renders the migrations for the store's dialect: one schema
// source for both databases.
func (s *Store) migrationsFS() (fs.FS, error) {
	vars := map[string]string{
		"postgres": "ID=BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY;TS=TIMESTAMPTZ",
		"sqlite":   "ID=INTEGER PRIMARY KEY AUTOINCREMENT;TS=TIMESTAMP",
	}[s.dialect]
	// Dialect lets a migration write a statement the two databases spell
	// differently ({{if eq .Dialect "postgres"}} … {{else}} … {{end}}).
	data := map[string]string{"Dialect": s.dialect}
	for kv := range strings.SplitSeq(vars, ";") {
		k, v, _ := strings.Cut(kv, "=")
		data[k] = v
	}
	entries, err := migrationFiles.ReadDir("migrations")
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	out := fstest.MapFS{}
	for _, e := range entries {
		raw, err := migrationFiles.ReadFile("migrations/" + e.Name())
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", e.Name(), err)
		}
		t, err := template.New(e.Name()).Option("missingkey=error").Parse(string(raw))
		if err != nil {
			return nil, fmt.Errorf("parse migration %s: %w", e.Name(), err)
		}
		var buf bytes.Buffer
		if err := t.Execute(&buf, data); err != nil {
			return nil, fmt.Errorf("render migration %s: %w", e.Name(), err)
		}
		out[e.Name()] = &fstest.MapFile{Data: buf.Bytes(), Mode: 0o444}
	}
	return out, nil
}

func (s *Store) migrator() (*goose.Provider, error) {
	fsys, err := s.migrationsFS()
	if err != nil {
		return nil, err
	}
	sqlDB, err := s.db.DB()
	if err != nil {
		return nil, err
	}
	d := goose.DialectSQLite3
	var opts []goose.ProviderOption
	if s.dialect == "postgres" {
		d = goose.DialectPostgres
		// Replicas starting together migrate one at a time (an advisory
		// lock); SQLite's write lock does the same for the embedded file.
		locker, err := lock.NewPostgresSessionLocker(lock.WithLockTimeout(1, 300))
		if err != nil {
			return nil, fmt.Errorf("migration lock: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(d, sqlDB, fsys, opts...)
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	return p, nil
}

// Migrate applies every pending migration.
func (s *Store) Migrate(ctx context.Context) error {
	p, err := s.migrator()
	if err != nil {
		return err
	}
	results, err := p.Up(ctx)
	for try := 0; err != nil && s.dialect == "sqlite" && try < 3; try++ {
		// Another process applied the same migration between goose's version
		// check and its transaction (which rolled back): look again.
		results, err = p.Up(ctx)
	}
	if err != nil {
		return fmt.Errorf("migrate %s database: %w", s.dialect, err)
	}
	for _, r := range results {
		s.log.InfoContext(ctx, "migration applied", "version", r.Source.Version, "file", r.Source.Path, "took", r.Duration)
	}
	return nil
}

// MigrationsCurrent reports whether no migration is pending (for readiness).
func (s *Store) MigrationsCurrent(ctx context.Context) (bool, error) {
	p, err := s.migrator()
	if err != nil {
		return false, err
	}
	pending, err := p.HasPending(ctx)
	if err != nil {
		return false, fmt.Errorf("check migrations: %w", err)
	}
	return !pending, nil
}

func (s *Store) now() time.Time { return s.cfg.Now().UTC() }

// tx runs fn in one transaction; if it committed notices, the notices hook
// is told.
func (s *Store) tx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	ctx, mark := markNotices(ctx)
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := fn(tx); err != nil {
			return err
		}
		return s.recordSettles(tx, mark)
	})
	if err != nil {
		return err
	}
	if mark.written.Load() {
		s.noticesCommitted()
	}
	return nil
}

// forUpdate locks the selected rows on PostgreSQL. SQLite needs no row
// locks: its immediate transactions hold the database's write lock.
func (s *Store) forUpdate(q *gorm.DB) *gorm.DB {
	if s.dialect == "postgres" {
		return q.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate})
	}
	return q
}

// translate maps storage errors to the domain's.
func translate(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, gorm.ErrRecordNotFound):
		return models.ErrNotFound
	case isUniqueViolation(err):
		return fmt.Errorf("%w: %w", models.ErrConflict, err)
	}
	return err
}

func isUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	msg := err.Error()
	return strings.Contains(msg, "SQLSTATE 23505") || strings.Contains(msg, "UNIQUE constraint failed") ||
		strings.Contains(msg, "duplicate key value")
}

// skipLocked makes a PostgreSQL SELECT … FOR UPDATE pass over rows that
// another transaction holds.
func skipLocked() clause.Locking {
	return clause.Locking{Strength: clause.LockingStrengthUpdate, Options: clause.LockingOptionsSkipLocked}
}
