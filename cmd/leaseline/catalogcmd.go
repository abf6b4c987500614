package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/user"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/leaseline/leaseline/models"
	"github.com/leaseline/leaseline/models/catalog"
	"github.com/leaseline/leaseline/models/store"
)

// sampleCatalog is the LEASELINE_CATALOG value that asks for the built-in
// sample (an example catalog: placeholder channels, fictitious IDCs).
const sampleCatalog = "sample"

// catalogFile is a catalog file read and parsed, with its version.
type catalogFile struct {
	cat     *models.Catalog
	version models.CatalogVersion
}

// readCatalog reads and validates a catalog file ("sample": the built-in
// sample) and describes its version; source and who are recorded with it.
func readCatalog(file, source, who string, now time.Time) (*catalogFile, error) {
	var data []byte
	var err error
	name := file
	if file == sampleCatalog {
		data, name, source = catalog.Sample(), "sample.yaml", models.SourceSample
	} else if data, err = os.ReadFile(file); err != nil {
		return nil, fmt.Errorf("read catalog: %w", err)
	}
	cat, err := catalog.Parse(data, name)
	if err != nil {
		return nil, err // every problem, with file, line and path
	}
	sum := sha256.Sum256(data)
	return &catalogFile{cat: cat, version: models.CatalogVersion{
		Hash: hex.EncodeToString(sum[:]), Source: source, File: file, ImportedBy: who,
		ImportedAt: now.UTC(), Example: catalog.IsExample(data),
	}}, nil
}

// operator names the person running a command, for the catalog version.
func operator() string {
	name := "unknown"
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	if h, err := os.Hostname(); err == nil {
		name += "@" + h
	}
	return name
}

func catalogImportCmd(ctx context.Context, env getenv, args []string, checkOnly bool, stdout, stderr io.Writer) error {
	name := "catalog import"
	if checkOnly {
		name = "catalog check"
	}
	fs := newFlags(name, stderr)
	c, err := loadDBConfig(env, fs, args)
	if err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("name one catalog file: leaseline %s FILE", name)
	}
	file := fs.Arg(0)
	cf, err := readCatalog(file, models.SourceCommand, operator(), time.Now())
	if err != nil {
		return err
	}
	cat := cf.cat
	if checkOnly {
		fmt.Fprintf(stdout, "%s is valid: %d regions, %d access points, %d providers, %d ports\n",
			file, len(cat.Regions), len(cat.AccessPoints), len(cat.Providers), len(cat.Ports))
		for _, w := range catalog.Warnings(cat, time.Now()) {
			fmt.Fprintln(stdout, "warning:", w)
		}
		for _, w := range catalog.MissingChinese(cat) {
			fmt.Fprintln(stdout, "warning:", w)
		}
		if cf.version.Example {
			fmt.Fprintln(stdout, "warning: the file says on its first line that it is an example catalog: a bot running it warns staff at every start")
		}
		return nil
	}
	st, err := openFor(ctx, c, stderr, readWrite)
	if err != nil {
		return err
	}
	defer st.Close()
	rep, err := st.ImportCatalogVersion(ctx, cat, &cf.version)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "imported %s: %d regions, %d access points, %d providers, %d devices; ports %d added, %d removed\n",
		file, rep.Regions, rep.AccessPoints, rep.Providers, rep.Devices, rep.PortsAdded, rep.PortsRemoved)
	fmt.Fprintf(stdout, "catalog version %s recorded (by %s)\n", cf.version.Short(), cf.version.ImportedBy)
	for _, w := range catalog.Warnings(cat, time.Now()) {
		fmt.Fprintln(stdout, "warning:", w)
	}
	return nil
}

func catalogDiffCmd(ctx context.Context, env getenv, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("catalog diff", stderr)
	c, err := loadDBConfig(env, fs, args)
	if err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("name one catalog file: leaseline catalog diff FILE")
	}
	cf, err := readCatalog(fs.Arg(0), models.SourceCommand, "", time.Now())
	if err != nil {
		return err
	}
	st, err := openFor(ctx, c, stderr, readOnly)
	if err != nil {
		return err
	}
	defer st.Close()
	cur, err := st.CurrentCatalog(ctx)
	if err != nil {
		return err
	}
	lines := catalog.Diff(cur, cf.cat)
	if len(lines) == 0 {
		fmt.Fprintf(stdout, "importing %s would change nothing (access points, providers, devices, ports, prices, calendars)\n", fs.Arg(0))
		return nil
	}
	fmt.Fprintf(stdout, "importing %s would change (+ added, - removed, ~ changed):\n", fs.Arg(0))
	for _, l := range lines {
		fmt.Fprintln(stdout, l)
	}
	return nil
}

func catalogShowCmd(ctx context.Context, env getenv, args []string, stdout, stderr io.Writer) error {
	_, st, err := storeFor(ctx, env, newFlags("catalog show", stderr), args, stderr, readOnly)
	if err != nil {
		return err
	}
	defer st.Close()
	versions, err := st.CatalogVersions(ctx, 1)
	if err != nil {
		return err
	}
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
	switch {
	case len(versions) > 0:
		fmt.Fprintf(stdout, "catalog version %s: %s\n\n", versions[0].Short(), describeVersion(versions[0]))
	case len(regions) == 0:
		fmt.Fprintln(stdout, "no catalog: import one with `leaseline catalog import FILE` or set LEASELINE_CATALOG")
		return nil
	default:
		fmt.Fprint(stdout, "catalog version unknown: imported before versions were recorded\n\n")
	}
	tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "REGION\tNAME\tTIME ZONE\tWEEKEND\tCALENDAR KNOWN UNTIL")
	for _, r := range regions {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.ID, r.Name, r.TimeZone, r.Weekend, orNotStated(r.KnownUntil))
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

func orNotStated(s string) string {
	if s == "" {
		return "(not stated)"
	}
	return s
}

// describeVersion says where a catalog version came from, who made it and when.
func describeVersion(v models.CatalogVersion) string {
	how := map[string]string{
		models.SourceStart:   "applied at start from " + v.File,
		models.SourceCommand: "imported by hand from " + v.File,
		models.SourceSample:  "the built-in sample (LEASELINE_CATALOG=sample)",
	}[v.Source]
	if how == "" {
		how = v.Source + " " + v.File
	}
	s := fmt.Sprintf("%s by %s at %s", how, v.ImportedBy, v.ImportedAt.UTC().Format(time.RFC3339))
	if v.Example {
		s += "; an EXAMPLE catalog (placeholder channels, fictitious IDCs)"
	}
	return s
}

// catalogState is what serve knows of its catalog after start: /readyz
// reports it and staff are told when it is missing or an example.
type catalogState struct {
	Missing bool
	Example bool
	// Version is the catalog's newest version (nil: none recorded).
	Version *models.CatalogVersion
}

// current is the state now: a catalog imported by hand since the start
// ends "missing".
func (s catalogState) current(ctx context.Context, st *store.Store) catalogState {
	if s.Missing {
		if empty, err := st.Empty(ctx); err == nil && !empty {
			s.Missing = false
		}
	}
	return s
}

// warning is what staff see atop App Home, "" when nothing is wrong.
func (s catalogState) warning() string {
	switch {
	case s.Missing:
		return "no catalog is loaded, so customers are told applications are not open yet. Set `LEASELINE_CATALOG` to your catalog file and restart, or run `leaseline catalog import FILE`."
	case s.Example:
		return "the catalog is an EXAMPLE: its channels are placeholders and its IDCs fictitious. Replace it with your own (`leaseline catalog diff FILE`, then `leaseline catalog import FILE`)."
	}
	return ""
}

// status is the catalog's line in /readyz: "ok: …", or "warning: …".
func (s catalogState) status() string {
	switch {
	case s.Missing:
		return "warning: no catalog: customers cannot apply; set LEASELINE_CATALOG to your catalog file (or import one with `leaseline catalog import FILE`)"
	case s.Example:
		return "warning: the catalog is an EXAMPLE (placeholder channels, fictitious IDCs): replace it with your own"
	case s.Version == nil:
		return "ok (version unknown: imported before versions were recorded)"
	}
	return "ok: version " + s.Version.Short()
}

// loadCatalog applies the configured catalog at start: a file only when it
// differs from the version last imported from it, never over a newer hand
// import without saying which wins; the sample only when asked for
// (file "sample"). With no catalog at all the bot starts, logs an error
// and says so wherever staff look.
func loadCatalog(ctx context.Context, st *store.Store, file string, log logger) (catalogState, error) {
	var state catalogState
	versions, err := st.CatalogVersions(ctx, 200)
	if err != nil {
		return state, err
	}
	if len(versions) > 0 {
		state.Version = &versions[0]
		state.Example = versions[0].Example
	}
	empty, err := st.Empty(ctx)
	if err != nil {
		return state, err
	}
	if file == "" {
		if empty {
			state.Missing = true
			log.ErrorContext(ctx, "no catalog: the database holds none and LEASELINE_CATALOG is not set; the bot runs, but customers cannot apply until you set LEASELINE_CATALOG to your catalog file (LEASELINE_CATALOG=sample loads the example) or run `leaseline catalog import FILE`")
		} else if state.Version != nil {
			log.InfoContext(ctx, "catalog kept", "version", state.Version.Short(), "from", describeVersion(*state.Version))
		}
		return state, nil
	}
	cf, err := readCatalog(file, models.SourceStart, "serve", time.Now())
	if err != nil {
		return state, err
	}
	if latest := state.Version; latest != nil && !empty {
		if latest.Hash == cf.version.Hash {
			log.InfoContext(ctx, "catalog unchanged: not applied again", "file", file, "version", latest.Short())
			return state, nil
		}
		if latest.Source == models.SourceCommand {
			var fromFile *models.CatalogVersion
			for i := range versions {
				if versions[i].File == file && versions[i].Source != models.SourceCommand {
					fromFile = &versions[i]
					break
				}
			}
			if fromFile != nil && fromFile.Hash == cf.version.Hash {
				log.WarnContext(ctx, "catalog imported by hand kept: it is newer than LEASELINE_CATALOG, which has not changed since it was last applied; change the file (or import it by hand) to apply it",
					"kept", latest.Short(), "kept_from", describeVersion(*latest), "file", file, "file_applied", fromFile.ImportedAt.UTC().Format(time.RFC3339))
				return state, nil
			}
			log.WarnContext(ctx, "LEASELINE_CATALOG replaces the catalog imported by hand: the file changed since it was last applied at a start, and the file wins",
				"replaced", latest.Short(), "replaced_from", describeVersion(*latest), "file", file, "version", cf.version.Short())
		}
	}
	rep, err := st.ImportCatalogVersion(ctx, cf.cat, &cf.version)
	if err != nil {
		return state, err
	}
	state.Version, state.Example, state.Missing = &cf.version, cf.version.Example, false
	log.InfoContext(ctx, "catalog loaded", "source", file, "version", cf.version.Short(), "regions", rep.Regions, "access_points", rep.AccessPoints,
		"providers", rep.Providers, "ports_added", rep.PortsAdded, "ports_removed", rep.PortsRemoved)
	if cf.version.Example {
		log.WarnContext(ctx, "the catalog is an EXAMPLE (its first line says so): placeholder channels, fictitious IDCs; replace it with your own before customers apply", "file", file)
	}
	return state, nil
}

// logger is the part of *slog.Logger loadCatalog uses.
type logger interface {
	InfoContext(ctx context.Context, msg string, args ...any)
	WarnContext(ctx context.Context, msg string, args ...any)
	ErrorContext(ctx context.Context, msg string, args ...any)
}
