// Package letter renders the entry letter (LOA-CFA, Letter of Authorization
// and Connecting Facility Assignment) of an IDC visit as a one-page PDF:
// Data in, PDF bytes out, nothing read from anywhere else.
//
// The letter is bilingual, Chinese first with English beside each heading
// and label: the people who read it at the door (the IDC's guards and
// reception, the carrier's dispatcher and engineers in China) read Chinese,
// while the operator's staff and foreign carriers read English, and a
// carrier accepts a letter it can file without translating it. The words
// come from the handlers' catalogs (handlers/lang, area "letter").
//
// Fonts (embedded, see fonts/): Droid Sans Fallback (Apache-2.0) for Chinese,
// DejaVu Sans (Bitstream Vera licence) for Latin text; each run of text is
// set in the font that has its glyphs. A Renderer parses the fonts once and
// hands fpdf, per letter, a subset of the characters that letter sets
// (subset.go); fpdf subsets again, so the PDF holds only the glyphs the
// letter uses.
package letter

import (
	"bytes"
	_ "embed"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/go-pdf/fpdf"

	"github.com/leaseline/leaseline/handlers/lang"
)

//go:embed fonts/DroidSansFallbackFull.ttf
var cjkFont []byte

//go:embed fonts/DejaVuSans.ttf
var latinFont []byte

//go:embed fonts/DejaVuSans-Bold.ttf
var latinBold []byte

// Data is everything the letter shows. ID numbers must come masked
// (models.MaskID): the letter never prints a full one.
type Data struct {
	// The operator (the cloud) issuing the letter.
	Operator        string
	OperatorAddress string

	// The IDC.
	AccessPoint string
	IDCName     string
	IDCAddress  string

	// The connection and the facility assignment (what the catalog has:
	// it records no rack or room).
	Connection string
	Device     string
	Port       string
	PortType   string

	// The visit, local to the region.
	Date     string // YYYY-MM-DD
	Weekday  time.Weekday
	Window   string // e.g. "09:30-12:00"
	TimeZone string // IANA name, e.g. "Asia/Shanghai"
	Removal  bool   // the visit removes a terminated line

	Provider            string
	ConstructionCompany string
	Visitors            []Visitor

	ReceptionName  string
	ReceptionPhone string

	// Code is the verification code checked at the desk ("" when none was
	// issued: the letter says so and carries no QR code).
	Code string
	// Issued is the local date of issue, YYYY-MM-DD.
	Issued string
}

// Visitor is one engineer on the letter.
type Visitor struct {
	Name     string
	IDType   string // "ID card", "passport", "other"
	IDNumber string // masked
	Phone    string
}

// QRText is what the letter's QR code holds: the check-in command with the
// code, ready to paste into Slack.
func QRText(code string) string { return "/leaseline checkin " + code }

// Page geometry, in millimetres (A4 portrait).
const (
	pageW  = 210.0
	pageH  = 297.0
	margin = 14.0
	textW  = pageW - 2*margin
)

// Renderer draws entry letters with the words of a catalog. It reads its
// fonts once, on its first letter, and keeps them: each letter then hands
// fpdf a subset of only the characters it sets (see font). A Renderer is
// safe for concurrent use; it draws one letter at a time (see Render).
type Renderer struct {
	words *lang.Catalog
	once  sync.Once
	fonts *fontSet
	err   error
	base  []rune // the characters every letter may set
	// one is held while a letter is drawn: letters are drawn one at a
	// time (see Render).
	one sync.Mutex
}

// fontSet is the letter's fonts, parsed.
type fontSet struct{ cjk, latin, bold *font }

// NewRenderer is a Renderer with the words of catalog c.
func NewRenderer(c *lang.Catalog) *Renderer { return &Renderer{words: c} }

// Render draws the letter of d with the words of catalog c. It parses the
// fonts on every call: a process that draws more than one letter keeps a
// Renderer.
func Render(d Data, c *lang.Catalog) ([]byte, error) { return NewRenderer(c).Render(d) }

// load parses the fonts and collects the characters of the catalog's
// letter messages, once.
func (r *Renderer) load() error {
	r.once.Do(func() {
		var fs fontSet
		for _, f := range []struct {
			into **font
			name string
			data []byte
		}{{&fs.cjk, "Droid Sans Fallback", cjkFont}, {&fs.latin, "DejaVu Sans", latinFont}, {&fs.bold, "DejaVu Sans Bold", latinBold}} {
			p, err := parseFont(f.data)
			if err != nil {
				r.err = fmt.Errorf("letter: load font %s: %w", f.name, err)
				return
			}
			*f.into = p
		}
		r.fonts = &fs
		r.base = baseRunes(r.words)
	})
	return r.err
}

// baseRunes is what any letter may set besides its data: printable ASCII
// and Latin-1, the dashes and ellipsis the layout adds, the weekdays and
// every letter message of the catalog in both languages.
func baseRunes(c *lang.Catalog) []rune {
	set := map[rune]bool{'—': true, '–': true, '…': true, '·': true, replacement: true}
	for r := rune(0x20); r < 0x7F; r++ {
		set[r] = true
	}
	for r := rune(0xA0); r <= 0xFF; r++ {
		set[r] = true
	}
	add := func(s string) {
		for _, r := range s {
			set[r] = true
		}
	}
	for _, l := range []lang.Lang{lang.English, lang.Chinese} {
		p := c.For(l)
		for wd := time.Sunday; wd <= time.Saturday; wd++ {
			add(p.Weekday(wd))
		}
		for _, id := range c.IDs(l) {
			if strings.HasPrefix(id, "letter.") {
				add(p.T(id, lang.Args{"Count": 16, "Date": ""}))
			}
		}
	}
	out := make([]rune, 0, len(set))
	for r := range set {
		out = append(out, r)
	}
	return out
}

// dataRunes is the characters of d's text.
func dataRunes(d Data) []rune {
	var out []rune
	for _, s := range []string{d.Operator, d.OperatorAddress, d.AccessPoint, d.IDCName, d.IDCAddress, d.Connection, d.Device, d.Port, d.PortType,
		d.Date, d.Window, d.TimeZone, d.Provider, d.ConstructionCompany, d.ReceptionName, d.ReceptionPhone, d.Code, d.Issued} {
		out = append(out, []rune(s)...)
	}
	for _, v := range d.Visitors {
		for _, s := range []string{v.Name, v.IDType, v.IDNumber, v.Phone} {
			out = append(out, []rune(s)...)
		}
	}
	return out
}

// Render draws the letter of d.
func (r *Renderer) Render(d Data) ([]byte, error) {
	if err := r.load(); err != nil {
		return nil, err
	}
	runes := append(dataRunes(d), r.base...)
	// One letter at a time: fpdf holds some MB per document while it
	// draws (per font a 512 KiB width table, a 128 KiB glyph map and a
	// 1 MiB compressor), all garbage once the PDF is out. Drawn side by
	// side by the delivery lanes, letters raised a replica's live heap, and
	// with it how often the collector ran under the memory limit.
	r.one.Lock()
	defer r.one.Unlock()
	pdf, missing, err := r.render(d, runes)
	if err == nil && len(missing) > 0 {
		// Something set a character neither the data nor the catalog has
		// (a template, a format): draw again with it.
		pdf, _, err = r.render(d, append(runes, missing...))
	}
	return pdf, err
}

// render draws the letter of d with fonts holding the characters runes; it
// returns the characters the layout set that runes lacks (the letter is
// then wrong: the caller draws it again with them).
func (r *Renderer) render(d Data, runes []rune) ([]byte, []rune, error) {
	have := make(map[rune]bool, len(runes))
	for _, c := range runes {
		have[c] = true
	}
	c := r.words
	l := &layout{pdf: fpdf.New("P", "mm", "A4", ""), en: c.For(lang.English), zh: c.For(lang.Chinese), have: have}
	pdf := l.pdf
	pdf.AddUTF8FontFromBytes("cjk", "", r.fonts.cjk.subset(runes))
	pdf.AddUTF8FontFromBytes("latin", "", r.fonts.latin.subset(runes))
	pdf.AddUTF8FontFromBytes("latin", "B", r.fonts.bold.subset(runes))
	if err := pdf.Error(); err != nil {
		return nil, nil, fmt.Errorf("letter: load fonts: %w", err)
	}
	// One page, always: the layout never flows onto a second.
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetMargins(margin, margin, margin)
	issued, _ := time.Parse(time.DateOnly, d.Issued)
	pdf.SetCreationDate(issued)
	pdf.SetModificationDate(issued)
	pdf.SetTitle(l.en.T("letter.title")+" "+d.Connection, true)
	pdf.SetProducer("leaseline", true)
	pdf.AddPage()

	if err := l.header(d); err != nil {
		return nil, nil, err
	}
	l.sections(d)
	l.visitors(d)
	l.footer(d)

	if err := pdf.Error(); err != nil {
		return nil, nil, fmt.Errorf("letter: draw: %w", err)
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, nil, fmt.Errorf("letter: write PDF: %w", err)
	}
	return buf.Bytes(), l.missing, nil
}
