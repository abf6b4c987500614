package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/leaseline/leaseline/models/store"
)

// openStore opens and migrates the configured database.
func openStore(ctx context.Context, c *config, log *slog.Logger) (*store.Store, error) {
	return openStoreWith(ctx, c, log, nil, nil)
}

// openStoreWith is openStore with the store's metrics registered with reg
// (nil: none).
func openStoreWith(ctx context.Context, c *config, log *slog.Logger, reg prometheus.Registerer, noticesCommitted func()) (*store.Store, error) {
	key, err := encryptionKey(c, log)
	if err != nil {
		return nil, err
	}
	st, err := store.Open(ctx, store.Config{
		DatabaseURL: c.DatabaseURL, StaffChannel: c.StaffChannel, MaxOpen: c.MaxOpen, Logger: log, EncryptionKey: key,
		Registerer: reg, NoticesCommitted: noticesCommitted,
	})
	if err != nil {
		return nil, err
	}
	if err := st.Migrate(ctx); err != nil {
		_ = st.Close()
		return nil, err
	}
	return st, nil
}

// storeMode says what an operator subcommand may do to the database.
type storeMode int

const (
	// readWrite migrates the database (creating the SQLite file and its
	// key file if need be).
	readWrite storeMode = iota
	// readOnly opens an existing, migrated database and creates nothing:
	// no database is an error that says what to do.
	readOnly
)

// storeFor reads the configuration of an operator subcommand (its
// --database-url over the environment), validates its database part and
// opens the store as mode allows.
func storeFor(ctx context.Context, env getenv, fs *flag.FlagSet, args []string, stderr io.Writer, mode storeMode) (*config, *store.Store, error) {
	c, err := loadDBConfig(env, fs, args)
	if err != nil {
		return nil, nil, err
	}
	st, err := openFor(ctx, c, stderr, mode)
	if err != nil {
		return nil, nil, err
	}
	return c, st, nil
}

// openFor validates c's database settings and opens the store as mode allows.
func openFor(ctx context.Context, c *config, stderr io.Writer, mode storeMode) (*store.Store, error) {
	if err := joinErrors(c.check(false, mode == readWrite)); err != nil {
		return nil, err
	}
	if mode == readWrite {
		return openStore(ctx, c, c.logger(stderr))
	}
	return openExisting(ctx, c, c.logger(stderr))
}

// openExisting opens the configured database without creating or
// migrating anything.
func openExisting(ctx context.Context, c *config, log *slog.Logger) (*store.Store, error) {
	var key []byte
	if path, ok := sqlitePath(c); ok {
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("no database at %s: start `leaseline serve` or run `leaseline migrate` first, or set DATABASE_URL (or --database-url) to the database to read", path)
		}
		if raw, err := os.ReadFile(path + ".key"); err == nil {
			key, _ = hex.DecodeString(strings.TrimSpace(string(raw)))
		}
	} else if c.EncryptionKey != "" {
		key, _ = hex.DecodeString(c.EncryptionKey)
	}
	if len(key) != 32 {
		key = nil // reading catalogs and notices decrypts nothing
	}
	st, err := store.Open(ctx, store.Config{DatabaseURL: c.DatabaseURL, StaffChannel: c.StaffChannel, MaxOpen: c.MaxOpen, Logger: log, EncryptionKey: key})
	if err != nil {
		return nil, err
	}
	if cur, err := st.MigrationsCurrent(ctx); err != nil || !cur {
		_ = st.Close()
		if err != nil {
			return nil, fmt.Errorf("read the database's schema version: %w", err)
		}
		return nil, errors.New("the database's schema is not current: run `leaseline migrate` first")
	}
	return st, nil
}

// sqlitePath is the file of the embedded SQLite database, when that is the
// configured database.
func sqlitePath(c *config) (string, bool) {
	if strings.Contains(c.DatabaseURL, "://") {
		return "", false
	}
	p := c.DatabaseURL
	if p == "" {
		p = store.DefaultSQLitePath
	}
	return strings.TrimPrefix(strings.SplitN(p, "?", 2)[0], "file:"), true
}

// migrateCmd applies the migrations. It encrypts nothing, so it needs no
// encryption key (and creates no key file).
func migrateCmd(ctx context.Context, env getenv, args []string, stdout, stderr io.Writer) error {
	c, err := loadDBConfig(env, newFlags("migrate", stderr), args)
	if err != nil {
		return err
	}
	if err := joinErrors(c.check(false, false)); err != nil {
		return err
	}
	st, err := store.Open(ctx, store.Config{DatabaseURL: c.DatabaseURL, StaffChannel: c.StaffChannel, MaxOpen: c.MaxOpen, Logger: c.logger(stderr)})
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "database (%s) is migrated to the current schema\n", st.Dialect())
	return nil
}

// encryptionKey returns the key that encrypts personnel ID numbers: the
// configured one, or — for the embedded SQLite file only — a key kept in a
// file beside the database (created on first run, mode 0600), so that a
// first run is encrypted too without any set-up. PostgreSQL requires the
// configured key (validate says so).
func encryptionKey(c *config, log *slog.Logger) ([]byte, error) {
	if c.EncryptionKey != "" {
		k, err := hex.DecodeString(c.EncryptionKey)
		if err != nil {
			return nil, fmt.Errorf("LEASELINE_ENCRYPTION_KEY: %w", err)
		}
		return k, nil
	}
	if strings.Contains(c.DatabaseURL, "://") {
		return nil, errors.New("LEASELINE_ENCRYPTION_KEY is missing")
	}
	dbPath, _ := sqlitePath(c)
	keyPath := dbPath + ".key"
	if raw, err := os.ReadFile(keyPath); err == nil {
		k, err := hex.DecodeString(strings.TrimSpace(string(raw)))
		if err != nil || len(k) != 32 {
			return nil, fmt.Errorf("encryption key file %s is not 64 hex characters", keyPath)
		}
		return k, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("read encryption key file: %w", err)
	}
	k := make([]byte, 32)
	_, _ = rand.Read(k) // crypto/rand.Read never fails
	if err := os.WriteFile(keyPath, []byte(hex.EncodeToString(k)+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("create encryption key file: %w", err)
	}
	log.Info("created an encryption key for personnel ID numbers beside the database; back it up with it", "file", keyPath)
	return k, nil
}
