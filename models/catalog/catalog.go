package catalog

import (
	_ "embed" // the built-in sample catalog
	"fmt"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	_ "time/tzdata" // region time zones load even where the system has no zoneinfo

	"go.yaml.in/yaml/v3"

	"github.com/leaseline/leaseline/models"
)

//go:embed sample.yaml
var sample string

// Sample returns the built-in sample catalog (a fresh copy), loaded on an
// empty database so that a first run works at once. deploy/catalog.sample.yaml
// is the same file.
func Sample() []byte { return []byte(sample) }

// Limits that keep a hostile or broken file from exhausting memory.
const (
	maxFileBytes  = 16 << 20 // 16 MiB
	maxNodes      = 2_000_000
	maxAliasChain = 64
	maxRangeDays  = 366  // a from..to range of calendar days
	maxPortRange  = 1024 // ports in one "NAME1-N" range
	maxIDLength   = 64
)

// Load reads and parses the catalog file at path.
func Load(path string) (*models.Catalog, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load catalog: %w", err)
	}
	return Parse(data, path)
}

// Parse reads a catalog file (filename is used in messages only) and
// validates it. On any problem it returns nil and an Errors listing every
// problem found, each with its file, line and path.
func Parse(data []byte, filename string) (*models.Catalog, error) {
	if filename == "" {
		filename = "catalog"
	}
	p := &parser{file: filename, budget: maxNodes}
	if len(data) > maxFileBytes {
		p.errorf(nil, "", "the file is %d bytes; a catalog may have at most %d", len(data), maxFileBytes)
		return nil, p.errs
	}
	var doc yaml.Node
	if err := unmarshal(data, &doc); err != nil {
		p.syntaxError(err)
		return nil, p.errs
	}
	c := p.catalog(&doc)
	if len(p.errs) > 0 {
		sort.SliceStable(p.errs, func(i, j int) bool { return p.errs[i].Line < p.errs[j].Line })
		return nil, p.errs
	}
	return c, nil
}

// unmarshal parses YAML, turning a panic of the YAML library into an error:
// a catalog file must never crash the bot.
func unmarshal(data []byte, doc *yaml.Node) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("yaml: the YAML parser failed: %v", r)
		}
	}()
	return yaml.Unmarshal(data, doc)
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// syntaxError records a YAML syntax error with its line when it has one.
func (p *parser) syntaxError(err error) {
	for msg := range strings.SplitSeq(err.Error(), "\n") {
		msg = strings.TrimSpace(msg)
		if msg == "" || msg == "yaml: unmarshal errors:" {
			continue
		}
		if m := yamlLine.FindStringSubmatch(msg); m != nil {
			line, _ := strconv.Atoi(m[1])
			p.errs = append(p.errs, Error{File: p.file, Line: line, Message: "YAML syntax: " + m[2]})
			continue
		}
		p.errs = append(p.errs, Error{File: p.file, Message: "YAML syntax: " + strings.TrimPrefix(msg, "yaml: ")})
	}
	if len(p.errs) == 0 {
		p.errs = append(p.errs, Error{File: p.file, Message: "YAML syntax: " + err.Error()})
	}
}

var (
	idPattern       = regexp.MustCompile(`^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$`)
	channelPattern  = regexp.MustCompile(`^[CG][A-Z0-9]{8,20}$`)
	userPattern     = regexp.MustCompile(`^[UW][A-Z0-9]{8,20}$`)
	currencyPattern = regexp.MustCompile(`^[A-Z]{3}$`)
	windowPattern   = regexp.MustCompile(`^(\d{2}):(\d{2})-(\d{2}):(\d{2})$`)
	pricePattern    = regexp.MustCompile(`^(\d{1,15})(?:\.(\d+))?$`)
	rangePattern    = regexp.MustCompile(`^(.*?)(\d+)-(\d+)$`)
)

// Defaults of optional keys.
const (
	defaultWeekend     = "Sat,Sun"
	defaultVisitWindow = "09:00-17:00"
	defaultMinMbps     = models.MinBandwidthMbps
)

// state is what the walk has learnt so far, for cross-references.
type state struct {
	c          models.Catalog
	regionLine map[string]int // region id -> line of its id
	regionAPs  map[string]int // region id -> access points
	providers  map[string]int // provider id -> line
	devices    map[string]int // device id -> line
	aps        map[string]int // access point id -> line
}

// catalog walks the document.
func (p *parser) catalog(doc *yaml.Node) *models.Catalog {
	root := doc
	if doc.Kind == 0 || doc.Kind == yaml.DocumentNode {
		if len(doc.Content) == 0 {
			p.errorf(nil, "", "the catalog is empty: want the keys regions, providers and access_points")
			return nil
		}
		root = doc.Content[0]
	}
	if r := p.resolve(root); r != nil && isNull(r) {
		p.errorf(r, "", "the catalog is empty: want the keys regions, providers and access_points")
		return nil
	}
	f := p.mapping(root, "", "version", "regions", "providers", "access_points")
	if f == nil {
		return nil
	}
	if v, node, ok := f.integer("version", 1, false); ok && v != 1 {
		p.errorf(node, "version", "version %d is not supported; this leaseline reads version 1", v)
	}
	s := &state{
		regionLine: map[string]int{}, regionAPs: map[string]int{}, providers: map[string]int{},
		devices: map[string]int{}, aps: map[string]int{},
	}
	providerNodes := f.nonEmptyList("providers", "list at least one service provider")
	regionNodes := f.nonEmptyList("regions", "list at least one region")
	apNodes := f.nonEmptyList("access_points", "list at least one access point")
	for i, n := range providerNodes {
		p.provider(s, n, index("providers", i))
	}
	for i, n := range regionNodes {
		p.region(s, n, index("regions", i))
	}
	for i, n := range apNodes {
		p.accessPoint(s, n, index("access_points", i))
	}
	for _, r := range s.c.Regions {
		if s.regionAPs[r.ID] == 0 && len(s.c.AccessPoints) > 0 {
			p.errs = append(p.errs, Error{File: p.file, Line: s.regionLine[r.ID], Path: "regions",
				Message: fmt.Sprintf("region %s has no access point; every region needs at least one (add one, or remove the region)", r.ID)})
		}
	}
	return &s.c
}

// id checks an identifier and its uniqueness in seen.
func (p *parser) id(f *fields, seen map[string]int, what string) (string, bool) {
	id, node := f.str("id", true)
	if node == nil || id == "" {
		return "", false
	}
	ok := true
	if len(id) > maxIDLength || !idPattern.MatchString(id) {
		p.errorf(node, join(f.path, "id"), "%q is not a valid id: use 1 to %d lowercase letters, digits, '.', '_' or '-', starting and ending with a letter or digit", id, maxIDLength)
	}
	if line, dup := seen[id]; dup {
		p.errorf(node, join(f.path, "id"), "duplicate %s id %q (first at line %d)", what, id, line)
		return id, false
	}
	seen[id] = node.Line
	return id, ok
}

func regionIDs(s *state) []string {
	ids := make([]string, 0, len(s.c.Regions))
	for _, r := range s.c.Regions {
		ids = append(ids, r.ID)
	}
	return ids
}

func providerIDs(s *state) []string {
	ids := make([]string, 0, len(s.c.Providers))
	for _, pr := range s.c.Providers {
		ids = append(ids, pr.ID)
	}
	return ids
}
