package etag

import "strings"

// maxScan bounds the bytes of If-None-Match that Match reads: a header of
// a megabyte costs no more than one of a few tags. Tags past it are not
// looked at, and the request gets its full answer.
const maxScan = 8 << 10

// Match reports whether the If-None-Match field values list tag, by the
// weak comparison of RFC 9110 (§8.8.3.2: W/"x" matches "x" and W/"x"): its
// lines are read as one comma-separated list of entity tags, in order, up
// to the first malformed entry or maxScan bytes, whatever follows. "*"
// matches nothing: it asks whether any answer exists, and an answer that is
// an error has no tag.
func Match(values []string, tag string) bool {
	want := strings.TrimPrefix(tag, "W/")
	budget := maxScan
	for _, v := range values {
		if budget <= 0 {
			return false
		}
		if len(v) > budget {
			v = v[:budget]
		}
		budget -= len(v)
		for {
			v = strings.TrimLeft(v, " \t,")
			if v == "" {
				break
			}
			opaque, rest, ok := cutTag(v)
			if !ok {
				return false
			}
			if opaque == want {
				return true
			}
			if v = strings.TrimLeft(rest, " \t"); v != "" && v[0] != ',' {
				return false
			}
		}
	}
	return false
}

// cutTag cuts the entity tag at the start of s and returns its opaque tag
// (quotes included, W/ left out) and what follows.
//
//	entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE
//	etagc      = %x21 / %x23-7E / obs-text
func cutTag(s string) (opaque, rest string, ok bool) {
	s = strings.TrimPrefix(s, "W/")
	if s == "" || s[0] != '"' {
		return "", "", false
	}
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			return s[:i+1], s[i+1:], true
		case c == 0x21 || c >= 0x23 && c != 0x7f:
		default:
			return "", "", false
		}
	}
	return "", "", false
}
