package letter

import (
	"strings"
	"unicode"
)

// Setting text: each run of a string in the font that has its glyphs,
// measured, fitted and wrapped to a width.

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
