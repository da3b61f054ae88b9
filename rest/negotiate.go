package rest

import (
	"strconv"
	"strings"

	"github.com/stift/stift-reports/apperr"
)

// Format is an output format of a report.
type Format int

// The formats, in order of preference.
const (
	FormatJSON Format = iota
	FormatCSV
	FormatXLSX
	// FormatExcelCSV is CSV in the dialect Excel in Portuguese reads
	// (export.WriteExcelCSV). Only an Accept range that names it,
	// text/csv; dialect=excel, selects it: no legacy client does.
	FormatExcelCSV
)

var formats = []struct {
	mediaType, ext string
	dialect        string // the dialect parameter that selects the format
}{
	FormatJSON:     {"application/json", "json", ""},
	FormatCSV:      {"text/csv", "csv", ""},
	FormatXLSX:     {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx", ""},
	FormatExcelCSV: {"text/csv", "csv", "excel"},
}

// MediaType returns the MIME type of f, such as "text/csv".
func (f Format) MediaType() string { return formats[f].mediaType }

// ContentType returns the Content-Type of a response in f: its media type,
// with charset=utf-8 for the text formats.
func (f Format) ContentType() string {
	if f == FormatXLSX {
		return f.MediaType()
	}
	return f.MediaType() + "; charset=utf-8"
}

// Ext returns the file name extension of f, without the dot: "csv".
func (f Format) Ext() string { return formats[f].ext }

// String returns the extension of f.
func (f Format) String() string {
	if f < 0 || int(f) >= len(formats) {
		return "Format(" + strconv.Itoa(int(f)) + ")"
	}
	return f.Ext()
}

// errNotAcceptable is the answer to an Accept header that allows no format.
var errNotAcceptable = func() error {
	var types []string
	for _, f := range formats {
		if f.dialect == "" {
			types = append(types, f.mediaType)
		}
	}
	return apperr.Errorf(apperr.NotAcceptable, "Not acceptable. Supported: %s.", strings.Join(types, ", "))
}()

// Negotiate returns the format in which to answer a request with the Accept
// header accept (RFC 9110 §12.5.1); join several Accept lines with ",".
//
// An empty header, or one with no well-formed media range, accepts anything,
// and so gets JSON. Each format takes the quality of the most specific range
// that matches it (text/csv before text/* before */*; parameters other than
// q are ignored), and the format of the highest quality wins; a tie goes to
// the format matched more specifically, then to JSON, CSV, XLSX in that
// order. A range with the parameter dialect=excel (text/csv only) matches
// FormatExcelCSV and nothing else; the other ranges never match it. Quality
// 0 means not acceptable: when no format is acceptable,
// Negotiate returns an apperr NotAcceptable listing the supported types.
//
// A bare format name, "json", "csv" or "xlsx" in any case (the short names
// the public API gives in parentheses), stands for that format's media type,
// parameters and all: "csv;q=0.5" is "text/csv;q=0.5". Any other entry
// without a slash is malformed.
//
// An entry whose q is not a qvalue ("q=abc", "q=2", "q=0.1234") is ignored,
// like any other malformed entry: it says nothing about what the client
// accepts, so it neither allows nor refuses a format. So "Accept: pdf" gets
// JSON, while "Accept: application/pdf", well-formed, gets 406.
func Negotiate(accept string) (Format, error) {
	ranges := parseAccept(accept)
	if len(ranges) == 0 {
		return FormatJSON, nil
	}
	best, bestQ, bestSpec := FormatJSON, 0, 0
	for f := range formats {
		q, spec := quality(ranges, formats[f].mediaType, formats[f].dialect)
		if q > bestQ || q == bestQ && spec > bestSpec {
			best, bestQ, bestSpec = Format(f), q, spec
		}
	}
	if bestQ == 0 {
		return FormatJSON, errNotAcceptable
	}
	return best, nil
}

// shortNames maps the short name of each format, its extension, to its
// media type.
var shortNames = func() map[string]string {
	m := make(map[string]string, len(formats))
	for _, f := range formats {
		m[f.ext] = f.mediaType
	}
	return m
}()

// mediaRange is one well-formed entry of an Accept header.
type mediaRange struct {
	typ, sub string // lower case; "*" is a wildcard
	q        int    // quality in thousandths, 0 to 1000
	dialect  string // "excel" for text/csv; dialect=excel, else ""
}

// How specifically a media range matches a type; 0 is no match.
const (
	matchAny  = 1 // */*
	matchType = 2 // text/*
	matchFull = 3 // text/csv
)

// match returns how specifically m matches the type typ/sub of dialect.
func (m mediaRange) match(typ, sub, dialect string) int {
	switch {
	case m.dialect != dialect:
		return 0
	case m.typ == "*" && m.sub == "*":
		return matchAny
	case m.typ != typ:
		return 0
	case m.sub == "*":
		return matchType
	case m.sub == sub:
		return matchFull
	}
	return 0
}

// quality returns the quality that ranges give mediaType, in thousandths,
// and how specifically they match it: the quality of the most specific
// matching range, the highest one among equally specific ranges.
func quality(ranges []mediaRange, mediaType, dialect string) (q, spec int) {
	typ, sub, _ := strings.Cut(mediaType, "/")
	for _, m := range ranges {
		s := m.match(typ, sub, dialect)
		if s > spec || s == spec && s > 0 && m.q > q {
			q, spec = m.q, s
		}
	}
	return q, spec
}

// parseAccept returns the well-formed entries of the Accept header accept,
// skipping the others.
func parseAccept(accept string) []mediaRange {
	var ranges []mediaRange
	for _, entry := range strings.Split(accept, ",") {
		params := strings.Split(entry, ";")
		typ, sub, ok := strings.Cut(shortNames[strings.ToLower(strings.TrimSpace(params[0]))], "/")
		if !ok {
			typ, sub, ok = strings.Cut(params[0], "/")
		}
		typ = strings.ToLower(strings.TrimSpace(typ))
		sub = strings.ToLower(strings.TrimSpace(sub))
		if !ok || !isToken(typ) || !isToken(sub) || typ == "*" && sub != "*" {
			continue
		}
		m := mediaRange{typ: typ, sub: sub, q: 1000}
		for _, p := range params[1:] {
			name, value, _ := strings.Cut(p, "=")
			if strings.EqualFold(strings.TrimSpace(name), "q") {
				if m.q, ok = parseQ(strings.TrimSpace(value)); !ok {
					break
				}
			}
			if strings.EqualFold(strings.TrimSpace(name), "dialect") && typ == "text" && sub == "csv" &&
				strings.EqualFold(strings.Trim(strings.TrimSpace(value), `"`), "excel") {
				m.dialect = "excel"
			}
		}
		if ok {
			ranges = append(ranges, m)
		}
	}
	return ranges
}

// parseQ parses a qvalue (RFC 9110 §12.4.2), 0 to 1 with at most three
// decimals, into thousandths.
func parseQ(s string) (int, bool) {
	whole, frac, _ := strings.Cut(s, ".")
	if whole != "0" && whole != "1" || len(frac) > 3 || frac != "" && !isDigits(frac) {
		return 0, false
	}
	n, _ := strconv.Atoi((frac + "000")[:3])
	if whole == "1" {
		return 1000, n == 0
	}
	return n, true
}

// isToken reports whether s is an HTTP token (RFC 9110 §5.6.2).
func isToken(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return s != ""
}
