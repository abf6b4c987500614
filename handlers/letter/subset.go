package letter

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"sort"
)

// A font is a TrueType font checked once and read in place: its tables
// are slices of data (the binary's embedded bytes), and where each glyph's
// outline is, its metrics and which glyph each character of the Basic
// Multilingual Plane maps to are looked up there on demand (copied into
// per-glyph and per-character slices they were 2.2 MB of live heap for the
// three fonts, all the process's life). subset cuts from it, per letter,
// a small TrueType font holding only the characters that letter sets.
//
// Why: fpdf parses every UTF-8 font it is given, per document, into maps
// as large as the font's character map (Droid Sans Fallback maps some
// 30,000 characters to 49,382 glyphs), and parses it again when it writes
// the PDF. Handed a font of the hundred-odd characters of one letter, both
// are cheap. fpdf only reads a format 4 character map (the BMP), so the
// subset keeps what fpdf could have used and nothing is lost.
type font struct {
	data      []byte
	tables    map[string][]byte // by tag; slices of data
	longLoca  bool              // loca holds 32-bit offsets (else 16-bit halves)
	metrics   int               // hmtx's long metrics (advance and lsb)
	cmap4     []byte            // the format 4 subtable of cmap
	segs      int               // cmap4's segments
	numGlyphs int
}

// parseFont finds and checks the tables subset needs in a TrueType font.
func parseFont(data []byte) (*font, error) {
	if len(data) < 12 {
		return nil, errors.New("not a TrueType font: too short")
	}
	if v := binary.BigEndian.Uint32(data); v != 0x00010000 && v != 0x74727565 {
		return nil, fmt.Errorf("not a TrueType font: version %#x", v)
	}
	f := &font{data: data, tables: map[string][]byte{}}
	n := int(binary.BigEndian.Uint16(data[4:]))
	for i := range n {
		rec := 12 + 16*i
		if rec+16 > len(data) {
			return nil, errors.New("table directory cut short")
		}
		tag := string(data[rec : rec+4])
		off := int(binary.BigEndian.Uint32(data[rec+8:]))
		size := int(binary.BigEndian.Uint32(data[rec+12:]))
		if off < 0 || size < 0 || off+size > len(data) {
			return nil, fmt.Errorf("table %q lies outside the font", tag)
		}
		f.tables[tag] = data[off : off+size]
	}
	for _, tag := range []string{"head", "hhea", "maxp", "hmtx", "loca", "glyf", "cmap", "post", "name"} {
		if f.tables[tag] == nil {
			return nil, fmt.Errorf("font has no %q table", tag)
		}
	}
	head, hhea, maxp := f.tables["head"], f.tables["hhea"], f.tables["maxp"]
	if len(head) < 54 || len(hhea) < 36 || len(maxp) < 6 {
		return nil, errors.New("head, hhea or maxp table cut short")
	}
	f.numGlyphs = int(binary.BigEndian.Uint16(maxp[4:]))
	f.longLoca = binary.BigEndian.Uint16(head[50:]) == 1
	size := 2
	if f.longLoca {
		size = 4
	}
	if len(f.tables["loca"]) < size*(f.numGlyphs+1) {
		return nil, errors.New("loca table cut short")
	}
	for g := range f.numGlyphs + 1 {
		if f.offset(g) > len(f.tables["glyf"]) {
			return nil, errors.New("loca points past glyf")
		}
	}
	f.metrics = int(binary.BigEndian.Uint16(hhea[34:]))
	if f.metrics < 1 || f.metrics > f.numGlyphs || len(f.tables["hmtx"]) < 4*f.metrics+2*(f.numGlyphs-f.metrics) {
		return nil, errors.New("hmtx table cut short")
	}
	cmap4, segs, err := findCmap4(f.tables["cmap"])
	if err != nil {
		return nil, err
	}
	f.cmap4, f.segs = cmap4, segs
	return f, nil
}

// offset is where glyph g's outline starts in glyf (g = numGlyphs: where
// the last one ends).
func (f *font) offset(g int) int {
	loca := f.tables["loca"]
	if f.longLoca {
		return int(binary.BigEndian.Uint32(loca[4*g:]))
	}
	return 2 * int(binary.BigEndian.Uint16(loca[2*g:]))
}

// advance is glyph g's advance width, lsb its left side bearing.
func (f *font) advance(g int) uint16 {
	return binary.BigEndian.Uint16(f.tables["hmtx"][4*min(g, f.metrics-1):])
}

func (f *font) lsb(g int) int16 {
	hmtx := f.tables["hmtx"]
	if g < f.metrics {
		return int16(binary.BigEndian.Uint16(hmtx[4*g+2:]))
	}
	return int16(binary.BigEndian.Uint16(hmtx[4*f.metrics+2*(g-f.metrics):]))
}

// findCmap4 finds the Unicode BMP character map (format 4, the one fpdf
// reads) in the cmap table t: the subtable and its segment count.
func findCmap4(t []byte) ([]byte, int, error) {
	if len(t) < 4 {
		return nil, 0, errors.New("cmap table cut short")
	}
	sub := -1
	for i := range int(binary.BigEndian.Uint16(t[2:])) {
		rec := 4 + 8*i
		if rec+8 > len(t) {
			break
		}
		platform, encoding := binary.BigEndian.Uint16(t[rec:]), binary.BigEndian.Uint16(t[rec+2:])
		off := int(binary.BigEndian.Uint32(t[rec+4:]))
		if (platform == 3 && encoding == 1 || platform == 0) && off+2 <= len(t) && binary.BigEndian.Uint16(t[off:]) == 4 {
			sub = off
			break
		}
	}
	if sub < 0 || sub+14 > len(t) {
		return nil, 0, errors.New("font has no Unicode BMP character map (format 4)")
	}
	segs := int(binary.BigEndian.Uint16(t[sub+6:])) / 2
	if sub+16+8*segs > len(t) {
		return nil, 0, errors.New("cmap format 4 cut short")
	}
	return t[sub:], segs, nil
}

// glyphOf is the glyph of character r, 0 when the font lacks it: a binary
// search of the format 4 segments (sorted by their last character).
func (f *font) glyphOf(r rune) int {
	if r < 0 || r >= 0xFFFF {
		return 0
	}
	t, segs, c := f.cmap4, f.segs, int(r)
	u16 := func(p int) int { return int(binary.BigEndian.Uint16(t[p:])) }
	ends, starts := 14, 16+2*segs
	deltas, ranges := starts+2*segs, starts+4*segs
	s := sort.Search(segs, func(i int) bool { return u16(ends+2*i) >= c })
	if s == segs || u16(starts+2*s) > c {
		return 0
	}
	delta, rangeOff := u16(deltas+2*s), u16(ranges+2*s)
	g := 0
	if rangeOff == 0 {
		g = (c + delta) & 0xFFFF
	} else if p := ranges + 2*s + rangeOff + 2*(c-u16(starts+2*s)); p+2 <= len(t) {
		if g = u16(p); g != 0 {
			g = (g + delta) & 0xFFFF
		}
	}
	if g >= f.numGlyphs {
		return 0
	}
	return g
}

// Composite glyph flags (TrueType glyf table).
const (
	argsAreWords   = 0x0001
	haveScale      = 0x0008
	moreComponents = 0x0020
	haveXYScale    = 0x0040
	haveTwoByTwo   = 0x0080
)

// components calls fn with the offset (within glyph g's data) of each
// component glyph index of g when g is composite.
func (f *font) components(g []byte, fn func(at int)) {
	if len(g) < 10 || int16(binary.BigEndian.Uint16(g)) >= 0 {
		return
	}
	for p := 10; p+4 <= len(g); {
		flags := binary.BigEndian.Uint16(g[p:])
		fn(p + 2)
		p += 4
		if flags&argsAreWords != 0 {
			p += 4
		} else {
			p += 2
		}
		switch {
		case flags&haveScale != 0:
			p += 2
		case flags&haveXYScale != 0:
			p += 4
		case flags&haveTwoByTwo != 0:
			p += 8
		}
		if flags&moreComponents == 0 {
			return
		}
	}
}

func (f *font) glyph(g int) []byte { return f.tables["glyf"][f.offset(g):f.offset(g+1)] }

// subset is a TrueType font of the characters of runes that f has, with
// their glyphs (and the glyphs those are composed of) renumbered from 1.
func (f *font) subset(runes []rune) []byte {
	// The glyphs: .notdef, those of the runes, and their components.
	used := map[int]bool{0: true}
	var todo []int
	for _, r := range runes {
		if g := f.glyphOf(r); g != 0 && !used[g] {
			used[g] = true
			todo = append(todo, g)
		}
	}
	for len(todo) > 0 {
		g := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		data := f.glyph(g)
		f.components(data, func(at int) {
			if c := int(binary.BigEndian.Uint16(data[at:])); c < f.numGlyphs && !used[c] {
				used[c] = true
				todo = append(todo, c)
			}
		})
	}
	order := make([]int, 0, len(used))
	for g := range used {
		order = append(order, g)
	}
	slices.Sort(order) // .notdef stays glyph 0
	renum := make(map[int]int, len(order))
	for i, g := range order {
		renum[g] = i
	}
	n := len(order)

	var glyf []byte
	loca := make([]byte, 4*(n+1))
	hmtx := make([]byte, 4*n)
	for i, g := range order {
		binary.BigEndian.PutUint32(loca[4*i:], uint32(len(glyf)))
		start := len(glyf)
		glyf = append(glyf, f.glyph(g)...)
		data := glyf[start:]
		f.components(data, func(at int) {
			binary.BigEndian.PutUint16(data[at:], uint16(renum[int(binary.BigEndian.Uint16(data[at:]))]))
		})
		for len(glyf)%4 != 0 {
			glyf = append(glyf, 0)
		}
		binary.BigEndian.PutUint16(hmtx[4*i:], f.advance(g))
		binary.BigEndian.PutUint16(hmtx[4*i+2:], uint16(f.lsb(g)))
	}
	binary.BigEndian.PutUint32(loca[4*n:], uint32(len(glyf)))

	// The character map: one format 4 segment per run of consecutive
	// characters with consecutive glyphs.
	type seg struct{ start, end, delta int }
	chars := make([]int, 0, len(runes))
	for _, r := range runes {
		if f.glyphOf(r) != 0 {
			chars = append(chars, int(r))
		}
	}
	slices.Sort(chars)
	chars = slices.Compact(chars)
	var segs []seg
	for _, c := range chars {
		d := (renum[f.glyphOf(rune(c))] - c) & 0xFFFF
		if k := len(segs) - 1; k >= 0 && segs[k].end == c-1 && segs[k].delta == d {
			segs[k].end = c
			continue
		}
		segs = append(segs, seg{c, c, d})
	}
	segs = append(segs, seg{0xFFFF, 0xFFFF, 1})
	sc := len(segs)
	sub := make([]byte, 16+8*sc)
	binary.BigEndian.PutUint16(sub[0:], 4)
	binary.BigEndian.PutUint16(sub[2:], uint16(len(sub)))
	binary.BigEndian.PutUint16(sub[6:], uint16(2*sc))
	sr := 1
	for sr*2 <= sc {
		sr *= 2
	}
	binary.BigEndian.PutUint16(sub[8:], uint16(2*sr))
	binary.BigEndian.PutUint16(sub[10:], uint16(bitsLen(sr)))
	binary.BigEndian.PutUint16(sub[12:], uint16(2*(sc-sr)))
	for i, s := range segs {
		binary.BigEndian.PutUint16(sub[14+2*i:], uint16(s.end))
		binary.BigEndian.PutUint16(sub[16+2*sc+2*i:], uint16(s.start))
		binary.BigEndian.PutUint16(sub[16+4*sc+2*i:], uint16(s.delta))
		// idRangeOffset stays 0: glyph = char + delta.
	}
	cmap := append([]byte{0, 0, 0, 1, 0, 3, 0, 1, 0, 0, 0, 12}, sub...)

	head := slices.Clone(f.tables["head"])
	binary.BigEndian.PutUint32(head[8:], 0)  // checkSumAdjustment, set below
	binary.BigEndian.PutUint16(head[50:], 1) // long loca
	hhea := slices.Clone(f.tables["hhea"])
	binary.BigEndian.PutUint16(hhea[34:], uint16(n))
	maxp := slices.Clone(f.tables["maxp"])
	binary.BigEndian.PutUint16(maxp[4:], uint16(n))
	post := slices.Clone(f.tables["post"][:min(32, len(f.tables["post"]))])
	binary.BigEndian.PutUint32(post[0:], 0x00030000) // no glyph names

	out := map[string][]byte{"cmap": cmap, "glyf": glyf, "head": head, "hhea": hhea, "hmtx": hmtx, "loca": loca, "maxp": maxp, "post": post}
	for _, tag := range []string{"OS/2", "cvt ", "fpgm", "gasp", "name", "prep"} {
		if t := f.tables[tag]; t != nil {
			out[tag] = t
		}
	}
	return assemble(out)
}

func bitsLen(x int) int {
	n := 0
	for x > 1 {
		x >>= 1
		n++
	}
	return n
}

// assemble writes tables as a TrueType font file.
func assemble(tables map[string][]byte) []byte {
	tags := make([]string, 0, len(tables))
	for t := range tables {
		tags = append(tags, t)
	}
	sort.Strings(tags)
	n := len(tags)
	sr := 1
	for sr*2 <= n {
		sr *= 2
	}
	size := 12 + 16*n
	for _, t := range tags {
		size += (len(tables[t]) + 3) &^ 3
	}
	buf := make([]byte, 12+16*n, size)
	binary.BigEndian.PutUint32(buf[0:], 0x00010000)
	binary.BigEndian.PutUint16(buf[4:], uint16(n))
	binary.BigEndian.PutUint16(buf[6:], uint16(16*sr))
	binary.BigEndian.PutUint16(buf[8:], uint16(bitsLen(sr)))
	binary.BigEndian.PutUint16(buf[10:], uint16(16*(n-sr)))
	headAt := 0
	for i, t := range tags {
		rec := 12 + 16*i
		copy(buf[rec:], t)
		binary.BigEndian.PutUint32(buf[rec+4:], checksum(tables[t]))
		binary.BigEndian.PutUint32(buf[rec+8:], uint32(len(buf)))
		binary.BigEndian.PutUint32(buf[rec+12:], uint32(len(tables[t])))
		if t == "head" {
			headAt = len(buf)
		}
		buf = append(buf, tables[t]...)
		for len(buf)%4 != 0 {
			buf = append(buf, 0)
		}
	}
	binary.BigEndian.PutUint32(buf[headAt+8:], 0xB1B0AFBA-checksum(buf))
	return buf
}

func checksum(b []byte) uint32 {
	var sum uint32
	for i := 0; i < len(b); i += 4 {
		var w [4]byte
		copy(w[:], b[i:])
		sum += binary.BigEndian.Uint32(w[:])
	}
	return sum
}
