// Package lang holds every word leaseline says to people, in message
// catalogs per language (locales/<lang>/*.toml), and formats dates and money
// the way each language writes them.
//
// The catalogs are go-i18n message files (github.com/nicksnyder/go-i18n/v2):
// one TOML file per area of the product and language, keys grouped by
// section ("[home] title = …" is the message "home.title"), plurals as
// CLDR forms ("one", "other"), arguments as text/template fields
// ({{.Ref}}). go-i18n was chosen over golang.org/x/text/message because its
// catalogs are plain files a translator can edit and review beside the
// English, with CLDR plural rules for every language, while x/text keeps
// translations in generated Go code.
//
// A message's arguments are put in as they are: text a user typed must be
// escaped for mrkdwn by the caller before it goes in.
package lang

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// Lang is a language leaseline speaks: "en" or "zh-CN".
type Lang string

// The languages leaseline ships. English is the default and the fallback.
const (
	English Lang = "en"
	Chinese Lang = "zh-CN"
)

// Langs lists the languages leaseline ships, English first.
func Langs() []Lang { return []Lang{English, Chinese} }

// Parse reads a Slack locale ("zh-CN", "en-US", "zh_CN"), a language the
// user typed ("zh", "中文", "EN") or a stored setting. What it does not
// know is English: an unknown locale is never an error for the reader.
func Parse(s string) Lang {
	l, _ := Known(s)
	return l
}

// Known is Parse that also says whether s named a language leaseline
// ships (for input the user typed: "/leaseline language fr" is refused).
func Known(s string) (Lang, bool) {
	s = strings.TrimSpace(s)
	switch strings.ToLower(s) {
	case "中文", "简体中文", "chinese":
		return Chinese, true
	case "english", "英文", "英语":
		return English, true
	}
	tag, err := language.Parse(strings.ReplaceAll(s, "_", "-"))
	if err != nil {
		return English, false
	}
	base, _ := tag.Base()
	switch base.String() {
	case "zh":
		return Chinese, true
	case "en":
		return English, true
	}
	return English, false
}

//go:embed locales
var files embed.FS

// Catalog is every language's messages, loaded once and read-only after.
type Catalog struct {
	bundle *i18n.Bundle
	locs   map[Lang]*i18n.Localizer
	ids    map[Lang]map[string]bool
}

// Load reads the embedded catalogs.
func Load() (*Catalog, error) {
	b := i18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	c := &Catalog{bundle: b, locs: map[Lang]*i18n.Localizer{}, ids: map[Lang]map[string]bool{}}
	for _, l := range Langs() {
		dir := path.Join("locales", string(l))
		entries, err := fs.ReadDir(files, dir)
		if err != nil {
			return nil, fmt.Errorf("read %s catalogs: %w", l, err)
		}
		c.ids[l] = map[string]bool{}
		for _, e := range entries {
			if !strings.HasSuffix(e.Name(), ".toml") {
				continue
			}
			name := path.Join(dir, e.Name())
			buf, err := files.ReadFile(name)
			if err != nil {
				return nil, fmt.Errorf("read %s: %w", name, err)
			}
			// go-i18n takes the language from the file name's suffix.
			mf, err := b.ParseMessageFileBytes(buf, strings.TrimSuffix(e.Name(), ".toml")+"."+string(l)+".toml")
			if err != nil {
				return nil, fmt.Errorf("parse %s: %w", name, err)
			}
			for _, m := range mf.Messages {
				if c.ids[l][m.ID] {
					return nil, fmt.Errorf("%s: message %q is defined twice in %s", name, m.ID, l)
				}
				c.ids[l][m.ID] = true
			}
		}
		c.locs[l] = i18n.NewLocalizer(b, string(l), string(English))
	}
	return c, nil
}

// MustLoad is Load for tests and for the embedded catalogs, which a test
// keeps loadable: it panics on a broken catalog.
func MustLoad() *Catalog {
	c, err := Load()
	if err != nil {
		panic(err)
	}
	return c
}

// IDs lists the message IDs of language l, sorted (for the catalog tests).
func (c *Catalog) IDs(l Lang) []string {
	ids := make([]string, 0, len(c.ids[l]))
	for id := range c.ids[l] {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// Printer says things in one language.
type Printer struct {
	lang Lang
	loc  *i18n.Localizer
}

// For is the printer of language l (English for anything unknown).
func (c *Catalog) For(l Lang) Printer {
	if loc, ok := c.locs[l]; ok {
		return Printer{lang: l, loc: loc}
	}
	return Printer{lang: English, loc: c.locs[English]}
}

// Lang is the printer's language.
func (p Printer) Lang() Lang { return p.lang }

// Args are a message's template arguments.
type Args map[string]any

// T is message id with its arguments. A message missing from every
// catalog shows as its ID (a test keeps the catalogs complete).
func (p Printer) T(id string, args ...Args) string {
	var data Args
	if len(args) > 0 {
		data = args[0]
	}
	if p.loc == nil {
		return id
	}
	s, err := p.loc.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data})
	if err != nil {
		return id
	}
	return s
}

// N is message id in the plural form for count n; the template sees n as
// {{.Count}} beside the other arguments.
func (p Printer) N(id string, n int, args ...Args) string {
	data := Args{}
	if len(args) > 0 {
		for k, v := range args[0] {
			data[k] = v
		}
	}
	data["Count"] = n
	if p.loc == nil {
		return id
	}
	s, err := p.loc.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data, PluralCount: n})
	if err != nil {
		return id
	}
	return s
}
