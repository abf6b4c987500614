package letter

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/go-pdf/fpdf"
	qrcode "github.com/skip2/go-qrcode"

	"github.com/leaseline/leaseline/handlers/lang"
)

// The page: header, the sections of facts, the visitors' table and the
// footer, drawn top to bottom.

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
