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
	"unicode"

	"github.com/go-pdf/fpdf"
	qrcode "github.com/skip2/go-qrcode"

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

// layout draws on one page.
type layout struct {
	pdf     *fpdf.Fpdf
	en, zh  lang.Printer
	y       float64
	have    map[rune]bool // the characters the fonts hold
	missing []rune        // characters set that they lack
}

// both is a catalog message in Chinese and English, "中文 English"; one
// alone when both say the same.
func (l *layout) both(id string, args ...lang.Args) string {
	zh, en := l.zh.T(id, args...), l.en.T(id, args...)
	if zh == en {
		return en
	}
	return zh + " " + en
}

const qrSize = 32.0

func (l *layout) header(d Data) error {
	pdf := l.pdf
	top := margin
	// The QR code and the code, top right.
	right := pageW - margin - qrSize
	if d.Code != "" {
		png, err := qrcode.Encode(QRText(d.Code), qrcode.Medium, 256)
		if err != nil {
			return fmt.Errorf("letter: QR code: %w", err)
		}
		pdf.RegisterImageOptionsReader("qr", fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(png))
		pdf.ImageOptions("qr", right, top, qrSize, qrSize, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
		l.text(right, top+qrSize+4, qrSize, d.Code, 12, true, 'C')
	}
	w := right - margin - 4
	y := top + 2
	y = l.para(margin, y, w, l.zh.T("letter.title"), 17, true) + 1
	y = l.para(margin, y, w, l.en.T("letter.title"), 10.5, true) + 2
	sub := "letter.subtitle_construction"
	if d.Removal {
		sub = "letter.subtitle_removal"
	}
	y = l.para(margin, y, w, l.zh.T(sub), 9.5, false)
	y = l.para(margin, y, w, l.en.T(sub), 8.5, false) + 2
	l.gray()
	y = l.para(margin, y, w, l.both("letter.issuer")+": "+dash(d.Operator), 8.5, false)
	if d.OperatorAddress != "" {
		y = l.para(margin, y, w, d.OperatorAddress, 8.5, false)
	}
	l.black()
	l.y = max(y, top+qrSize+8) + 2
	l.rule(1.2)
	return nil
}

// fact is one label and its value.
type fact struct{ id, value string }

func (l *layout) sections(d Data) {
	date := d.Date
	if d.Date != "" {
		date = d.Date + " (" + l.zh.Weekday(d.Weekday) + " " + d.Weekday.String() + ")"
	}
	// Two columns of sections, each a few facts.
	colW := (textW - 6) / 2
	left := []struct {
		head  string
		facts []fact
	}{
		{"letter.section_idc", []fact{{"letter.idc_name", d.IDCName}, {"letter.idc_address", d.IDCAddress}, {"letter.access_point", d.AccessPoint}}},
		{"letter.section_visit", []fact{{"letter.date", date}, {"letter.window", d.Window}, {"letter.time_zone", d.TimeZone},
			{"letter.valid", l.both("letter.valid_value", lang.Args{"Date": d.Date})}, {"letter.issued", d.Issued}}},
	}
	right := []struct {
		head  string
		facts []fact
	}{
		{"letter.section_facility", []fact{{"letter.connection", d.Connection}, {"letter.device", d.Device}, {"letter.port", d.Port}, {"letter.port_type", d.PortType}}},
		{"letter.section_parties", []fact{{"letter.provider", d.Provider}, {"letter.construction_company", d.ConstructionCompany}}},
		{"letter.section_reception", []fact{{"letter.reception_name", d.ReceptionName}, {"letter.reception_phone", d.ReceptionPhone}}},
	}
	top := l.y
	yl, yr := top, top
	for _, s := range left {
		yl = l.block(margin, yl, colW, s.head, s.facts)
	}
	for _, s := range right {
		yr = l.block(margin+colW+6, yr, colW, s.head, s.facts)
	}
	l.y = max(yl, yr) + 1
}

// block draws a heading and its facts in a column; it returns the y below.
func (l *layout) block(x, y, w float64, head string, facts []fact) float64 {
	y = l.heading(x, y, w, l.both(head))
	const labelW = 30.0
	for _, f := range facts {
		l.gray()
		ly := l.para(x, y, labelW, l.zh.T(f.id), 7.5, false)
		ly = l.para(x, ly-0.6, labelW, l.en.T(f.id), 6.5, false)
		l.black()
		vy := l.para(x+labelW, y, w-labelW, dash(f.value), 9, false)
		y = max(ly, vy) + 0.8
	}
	return y + 2
}

// heading draws a section heading with a rule under it.
func (l *layout) heading(x, y, w float64, s string) float64 {
	l.pdf.SetFillColor(232, 238, 246)
	l.pdf.Rect(x, y, w, 6, "F")
	l.fit(x+1.5, y+0.4, w-3, s, 9.5, true)
	return y + 7.5
}

func (l *layout) visitors(d Data) {
	pdf := l.pdf
	y := l.heading(margin, l.y, textW, l.both("letter.section_visitors", lang.Args{"Count": len(d.Visitors)}))
	cols := []struct {
		id string
		w  float64
	}{{"", 7}, {"letter.col_name", 76}, {"letter.col_id_type", 27}, {"letter.col_id_number", 36}, {"letter.col_phone", textW - 7 - 76 - 27 - 36}}
	// Up to 16 visitors (models.MaxEngineers) fit: a long name takes two
	// lines while the page has room, else rows shrink and names are cut.
	const line = 6.2
	size := 9.0
	avail := pageH - margin - footerH - y - 6 - line
	nameW := cols[1].w - 2
	heights := make([]float64, len(d.Visitors))
	total := 0.0
	for i, v := range d.Visitors {
		heights[i] = line
		if l.width(v.Name, size, false) > nameW {
			heights[i] = line * 1.6
		}
		total += heights[i]
	}
	if total > avail {
		// No room to wrap: one line each, shrunk to fit.
		h := line
		if n := float64(len(d.Visitors)); n*line > avail {
			h = max(avail/n, 3.5)
		}
		for i := range heights {
			heights[i] = h
		}
		size = min(size, h*1.45)
	}
	x := margin
	l.gray()
	for _, c := range cols {
		label := "#"
		if c.id != "" {
			label = l.both(c.id)
		}
		l.fit(x+1, y+1.6, c.w-2, label, 7.5, false)
		x += c.w
	}
	l.black()
	y += line
	pdf.SetDrawColor(200, 200, 200)
	pdf.SetLineWidth(0.2)
	for i, v := range d.Visitors {
		rowH := heights[i]
		if i%2 == 1 {
			pdf.SetFillColor(246, 246, 246)
			pdf.Rect(margin, y, textW, rowH, "F")
		}
		ty := y + (line-size*0.353)/2 - 0.4
		if rowH > line*1.5 {
			ty = y + 0.6
		}
		vals := []string{fmt.Sprint(i + 1), v.Name, l.idType(v.IDType), v.IDNumber, v.Phone}
		x = margin
		for j, c := range cols {
			if j == 1 && rowH > line*1.5 {
				l.paraN(x+1, ty, c.w-2, dash(vals[j]), size*0.9, false, 2)
			} else {
				l.fit(x+1, ty, c.w-2, dash(vals[j]), size, false)
			}
			x += c.w
		}
		y += rowH
	}
	if len(d.Visitors) == 0 {
		l.text(margin+1, y, textW, "—", size, false, 'L')
		y += line
	}
	pdf.Line(margin, y, margin+textW, y)
	l.y = y + 3
}

// idType names an identity document in both languages.
func (l *layout) idType(t string) string {
	id := map[string]string{"ID card": "letter.id_card", "passport": "letter.id_passport", "other": "letter.id_other"}[t]
	if id == "" {
		return t
	}
	return l.both(id)
}

const footerH = 30.0

func (l *layout) footer(d Data) {
	y := max(l.y, pageH-margin-footerH)
	l.rule(0.6)
	y = l.heading(margin, y+1, textW, l.both("letter.section_verify"))
	code := d.Code
	if code == "" {
		code = l.both("letter.no_code")
	}
	y = l.para(margin, y, textW, l.both("letter.code")+": "+code, 9.5, true) + 0.5
	y = l.para(margin, y, textW, l.zh.T("letter.verify_note", lang.Args{"Date": d.Date}), 8, false)
	y = l.para(margin, y, textW, l.en.T("letter.verify_note", lang.Args{"Date": d.Date}), 7.5, false) + 0.5
	l.gray()
	y = l.para(margin, y, textW, l.zh.T("letter.masked_note"), 7, false)
	l.para(margin, y, textW, l.en.T("letter.masked_note"), 6.5, false)
	l.black()
}

func (l *layout) rule(width float64) {
	l.pdf.SetDrawColor(40, 60, 90)
	l.pdf.SetLineWidth(width * 0.3)
	l.pdf.Line(margin, l.y, pageW-margin, l.y)
	l.y += 2
}

func (l *layout) gray()  { l.pdf.SetTextColor(90, 90, 90) }
func (l *layout) black() { l.pdf.SetTextColor(0, 0, 0) }

func dash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}

// replacement stands for a character outside the Basic Multilingual Plane
// (a rare Chinese name character such as 𠮷): fpdf cannot set those.
const replacement = '\uFFFD'

// run is a stretch of text set in one font.
type run struct {
	font string
	text string
}

// cjk reports whether r is set in the CJK font (DejaVu lacks it; the
// replacement character is DejaVu's).
func cjk(r rune) bool {
	return r >= 0x2E80 && !(r >= 0xFB00 && r <= 0xFE0F) && r != replacement || unicode.Is(unicode.Han, r)
}

// runs splits s by the font that has its glyphs, noting any character
// the letter's fonts were not cut with.
func (l *layout) runs(s string) []run {
	var out []run
	start := 0 // of the current run in s
	for i, r := range s {
		if r > 0xFFFF {
			// fpdf sets the BMP only (and panics past it).
			return l.runs(strings.Map(func(r rune) rune { return min(r, replacement) }, s))
		}
		if !l.have[r] {
			l.have[r] = true
			l.missing = append(l.missing, r)
		}
		f := "latin"
		if cjk(r) {
			f = "cjk"
		}
		if n := len(out); n > 0 && out[n-1].font != f {
			out[n-1].text = s[start:i]
			start = i
		}
		if n := len(out); n == 0 || out[n-1].font != f {
			out = append(out, run{font: f})
		}
	}
	if n := len(out); n > 0 {
		out[n-1].text = s[start:]
	}
	return out
}

// setFont selects font at size; bold exists for Latin only.
func (l *layout) setFont(font string, size float64, bold bool) {
	style := ""
	if bold && font == "latin" {
		style = "B"
	}
	l.pdf.SetFont(font, style, size)
}

// width is the width of s at size.
func (l *layout) width(s string, size float64, bold bool) float64 {
	w := 0.0
	for _, r := range l.runs(s) {
		l.setFont(r.font, size, bold)
		w += l.pdf.GetStringWidth(r.text)
	}
	return w
}

// text draws s on one line in a box of width w at (x, y), aligned 'L' or
// 'C'; it does not wrap (callers fit or wrap first).
func (l *layout) text(x, y, w float64, s string, size float64, bold bool, align byte) {
	if align == 'C' {
		x += max(0, (w-l.width(s, size, bold))/2)
	}
	h := size * 0.42
	for _, r := range l.runs(s) {
		l.setFont(r.font, size, bold)
		l.pdf.SetXY(x, y)
		rw := l.pdf.GetStringWidth(r.text)
		l.pdf.CellFormat(rw, h, r.text, "", 0, "L", false, 0, "")
		x += rw
	}
}

// fit draws s on one line within w: the font shrinks down to 70% of size,
// then s is cut with an ellipsis.
func (l *layout) fit(x, y, w float64, s string, size float64, bold bool) {
	for sz := size; sz >= size*0.7; sz -= 0.25 {
		if l.width(s, sz, bold) <= w {
			l.text(x, y, w, s, sz, bold, 'L')
			return
		}
	}
	size *= 0.7
	rs := []rune(s)
	for len(rs) > 1 && l.width(string(rs)+"…", size, bold) > w {
		rs = rs[:len(rs)-1]
	}
	l.text(x, y, w, string(rs)+"…", size, bold, 'L')
}

// para draws s wrapped within w (at most 3 lines, the last fitted) and
// returns the y below it.
func (l *layout) para(x, y, w float64, s string, size float64, bold bool) float64 {
	return l.paraN(x, y, w, s, size, bold, 3)
}

// paraN is para with at most n lines.
func (l *layout) paraN(x, y, w float64, s string, size float64, bold bool, n int) float64 {
	lh := size * 0.42
	lines := l.wrap(s, w, size, bold)
	if len(lines) > n {
		lines = append(lines[:n-1], strings.Join(lines[n-1:], " "))
	}
	for i, line := range lines {
		if i == len(lines)-1 {
			l.fit(x, y, w, line, size, bold)
		} else {
			l.text(x, y, w, line, size, bold, 'L')
		}
		y += lh + 0.3
	}
	return y
}

// wrap breaks s into lines no wider than w: at spaces, or anywhere in
// Chinese text (which has none).
func (l *layout) wrap(s string, w float64, size float64, bold bool) []string {
	var lines []string
	var line []rune
	lastBreak := -1
	for _, r := range s {
		line = append(line, r)
		if r == ' ' || cjk(r) {
			lastBreak = len(line) - 1
		}
		if l.width(string(line), size, bold) <= w || len(line) == 1 {
			continue
		}
		cut := len(line) - 1 // before r
		if lastBreak > 0 && line[lastBreak] == ' ' {
			cut = lastBreak + 1
		} else if lastBreak > 0 && lastBreak < len(line)-1 {
			cut = lastBreak + 1
		}
		lines = append(lines, strings.TrimRight(string(line[:cut]), " "))
		line = append([]rune(nil), line[cut:]...)
		lastBreak = -1
	}
	if len(line) > 0 || len(lines) == 0 {
		lines = append(lines, string(line))
	}
	return lines
}
