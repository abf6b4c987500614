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
	"text/tabwriter"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/leaseline/leaseline/models"
	"github.com/leaseline/leaseline/models/catalog"
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

// loadCatalog applies the configured catalog file, or the built-in sample
// on an empty database so that a first run works at once.
func loadCatalog(ctx context.Context, st *store.Store, file string, log *slog.Logger) error {
	var cat *models.Catalog
	var err error
	source := file
	switch {
	case file != "":
		cat, err = catalog.Load(file)
	default:
		empty, eerr := st.Empty(ctx)
		if eerr != nil || !empty {
			return eerr
		}
		source = "built-in sample catalog"
		cat, err = catalog.Parse(catalog.Sample(), "sample.yaml")
	}
	if err != nil {
		return err
	}
	rep, err := st.ImportCatalog(ctx, cat)
	if err != nil {
		return err
	}
	log.InfoContext(ctx, "catalog loaded", "source", source, "regions", rep.Regions, "access_points", rep.AccessPoints,
		"providers", rep.Providers, "ports_added", rep.PortsAdded, "ports_removed", rep.PortsRemoved, "ports_kept", len(rep.PortsKept))
	return nil
}

// storeFor reads the configuration of an operator subcommand (flags of fs
// over the environment), validates its database part and opens the
// migrated store.
func storeFor(ctx context.Context, env getenv, fs *flag.FlagSet, args []string, stderr io.Writer) (*config, *store.Store, error) {
	c, err := loadConfig(env, fs, args)
	if err != nil {
		return nil, nil, err
	}
	if err := joinErrors(c.validate(false)); err != nil {
		return nil, nil, err
	}
	st, err := openStore(ctx, c, c.logger(stderr))
	if err != nil {
		return nil, nil, err
	}
	return c, st, nil
}

func migrateCmd(ctx context.Context, env getenv, args []string, stdout, stderr io.Writer) error {
	_, st, err := storeFor(ctx, env, newFlags("migrate", stderr), args, stderr)
	if err != nil {
		return err
	}
	defer st.Close()
	fmt.Fprintf(stdout, "database (%s) is migrated to the current schema\n", st.Dialect())
	return nil
}

func catalogImportCmd(ctx context.Context, env getenv, args []string, checkOnly bool, stdout, stderr io.Writer) error {
	fs := newFlags("catalog import", stderr)
	c, err := loadConfig(env, fs, args)
	if err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("name one catalog file: leaseline catalog import FILE")
	}
	cat, err := catalog.Load(fs.Arg(0))
	if err != nil {
		return err // every problem, with file, line and path
	}
	if checkOnly {
		fmt.Fprintf(stdout, "%s is valid: %d regions, %d access points, %d providers, %d ports\n",
			fs.Arg(0), len(cat.Regions), len(cat.AccessPoints), len(cat.Providers), len(cat.Ports))
		return nil
	}
	if err := joinErrors(c.validate(false)); err != nil {
		return err
	}
	st, err := openStore(ctx, c, c.logger(stderr))
	if err != nil {
		return err
	}
	defer st.Close()
	rep, err := st.ImportCatalog(ctx, cat)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "imported %s: %d regions, %d access points, %d providers, %d devices; ports %d added, %d removed\n",
		fs.Arg(0), rep.Regions, rep.AccessPoints, rep.Providers, rep.Devices, rep.PortsAdded, rep.PortsRemoved)
	if len(rep.PortsKept) > 0 {
		fmt.Fprintf(stdout, "kept %d ports that the file no longer lists because connections hold them: %s\n",
			len(rep.PortsKept), strings.Join(rep.PortsKept, ", "))
	}
	return nil
}

func catalogShowCmd(ctx context.Context, env getenv, args []string, stdout, stderr io.Writer) error {
	_, st, err := storeFor(ctx, env, newFlags("catalog show", stderr), args, stderr)
	if err != nil {
		return err
	}
	defer st.Close()
	regions, err := st.Regions(ctx)
	if err != nil {
		return err
	}
	aps, err := st.AccessPoints(ctx, "")
	if err != nil {
		return err
	}
	provs, err := st.Providers(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "REGION\tNAME\tTIME ZONE\tWEEKEND")
	for _, r := range regions {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.ID, r.Name, r.TimeZone, r.Weekend)
	}
	fmt.Fprintln(tw, "\nACCESS POINT\tREGION\tSTATUS\tPROVIDERS\tPORT TYPES (Mbps, price)")
	for _, ap := range aps {
		var ps, offers []string
		for _, p := range ap.Providers {
			ps = append(ps, p.ProviderID)
		}
		for _, o := range ap.PortTypes {
			offers = append(offers, fmt.Sprintf("%s %d-%d %s", o.PortType, o.MinMbps, o.MaxMbps, models.FormatMoney(o.PriceCents, o.Currency)))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", ap.ID, ap.RegionID, ap.Status, strings.Join(ps, ","), strings.Join(offers, "; "))
	}
	fmt.Fprintln(tw, "\nPROVIDER\tKIND\tNAME\tSLACK CHANNEL")
	for _, p := range provs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", p.ID, p.Kind, p.Name, p.SlackChannel)
	}
	return tw.Flush()
}

func configCheckCmd(env getenv, args []string, stdout, stderr io.Writer) error {
	c, err := loadConfig(env, newFlags("config check", stderr), args)
	if err != nil {
		return err
	}
	if err := joinErrors(c.validate(true)); err != nil {
		return err
	}
	mode := "HTTP mode on " + c.Addr
	if c.AppToken != "" {
		mode = "Socket Mode"
	}
	db := "embedded SQLite file " + store.DefaultSQLitePath
	if c.DatabaseURL != "" {
		db = c.DatabaseURL
		if strings.Contains(db, "://") {
			db = "PostgreSQL"
		}
	}
	fmt.Fprintf(stdout, "configuration is valid: %s, %s, %d staff users, staff channel %s\n", mode, db, len(c.StaffUsers), c.StaffChannel)
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
	dbPath := c.DatabaseURL
	if dbPath == "" {
		dbPath = store.DefaultSQLitePath
	}
	dbPath = strings.TrimPrefix(strings.SplitN(dbPath, "?", 2)[0], "file:")
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
