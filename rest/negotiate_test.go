package rest

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/stift/stift-reports/apperr"
)

const xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// notAcceptable marks an Accept header that gets 406.
const notAcceptable Format = -1

func TestNegotiate(t *testing.T) {
	tests := []struct {
		accept string
		want   Format
	}{
		// Defaults and exact types.
		{"", FormatJSON},
		{"   ", FormatJSON},
		{"*/*", FormatJSON},
		{"application/json", FormatJSON},
		{"text/csv", FormatCSV},
		{xlsx, FormatXLSX},
		{"TEXT/CSV", FormatCSV},
		{"Application/Vnd.OpenXMLFormats-OfficeDocument.SpreadsheetML.Sheet", FormatXLSX},
		{"application/json;charset=utf-8", FormatJSON},
		{"text/csv; charset=utf-8; header=present", FormatCSV},
		{"  text/csv  ;  q=0.5  ", FormatCSV},

		// Nothing supported.
		{"text/html", notAcceptable},
		{"application/xml, text/html;q=0.9", notAcceptable},
		{"image/*", notAcceptable},
		{"application/json;q=0", notAcceptable},
		{"*/*;q=0", notAcceptable},
		{"text/csv;q=0, application/json;q=0.000, " + xlsx + ";q=0.", notAcceptable},

		// q-values.
		{"text/html, */*;q=0.1", FormatJSON},
		{"text/csv;q=0.5, application/json;q=0.9", FormatJSON},
		{"application/json;q=0.5, text/csv;q=0.9", FormatCSV},
		{"application/json;q=0, text/csv", FormatCSV},
		{"application/json;q=0.001, text/csv;q=0", FormatJSON},
		{"*/*;q=0.5, text/csv", FormatCSV},
		{"*/*, application/json;q=0", FormatCSV},
		{"*/*, application/json;q=0, text/csv;q=0", FormatXLSX},
		{xlsx + ";q=1.000, application/json;q=0.999", FormatXLSX},
		{"text/csv;Q=0.8, application/json;q=0.7", FormatCSV},
		{"text/csv;charset=utf-8;q=0.9;level=1, application/json;q=0.8", FormatCSV},

		// The short names of the public API, like their media types.
		{"csv", FormatCSV},
		{"xlsx", FormatXLSX},
		{"json", FormatJSON},
		{"CSV", FormatCSV},
		{" Xlsx ", FormatXLSX},
		{"csv;q=0.5, json;q=0.9", FormatJSON},
		{"json;q=0.5, csv", FormatCSV},
		{"csv;q=0", notAcceptable},
		{"csv;q=0, xlsx;q=0, json;q=0", notAcceptable},
		{"csv;q=0, */*", FormatJSON},
		{"xlsx, text/csv", FormatCSV}, // a tie: JSON, CSV, XLSX
		{"csv;charset=utf-8", FormatCSV},
		{"csv;q=abc", FormatJSON},
		{"csv;q=abc, text/html", notAcceptable},
		{"text/html, xlsx;q=0.1", FormatXLSX},
		{"xls", FormatJSON}, // not a short name: malformed, ignored
		{"pdf", FormatJSON},
		{"pdf, text/html", notAcceptable},
		{"text/xlsx", notAcceptable},
		{"csv/csv", notAcceptable},

		// Ranges, and ties: specificity, then JSON, CSV, XLSX.
		{"text/*", FormatCSV},
		{"application/*", FormatJSON},
		{"application/*;q=0.3, text/csv;q=0.2", FormatJSON},
		{"application/*, application/json;q=0", FormatXLSX},
		{"text/*;q=0, */*", FormatJSON},
		{"text/csv;q=0.5, */*;q=0.5", FormatCSV},
		{"text/*;q=0.5, application/*;q=0.5", FormatJSON},
		{"text/csv, " + xlsx, FormatCSV},
		{xlsx + ", text/csv", FormatCSV},
		{xlsx + ", application/*", FormatXLSX},
		{"text/csv;q=0.2, text/csv;q=0.8, application/json;q=0.5", FormatCSV},

		// Malformed entries are ignored; a header of nothing else is empty.
		{";;;,,", FormatJSON},
		{",,, ,", FormatJSON},
		{"garbage", FormatJSON},
		{"text/", FormatJSON},
		{"/csv", FormatJSON},
		{"*/csv", FormatJSON},
		{"text/csv/x", FormatJSON},
		{"text /csv", FormatCSV},
		{"text/csv;q=abc", FormatJSON},
		{"text/csv;q=2", FormatJSON},
		{"text/csv;q=1.5", FormatJSON},
		{"text/csv;q=1.001", FormatJSON},
		{"text/csv;q=0.1234", FormatJSON},
		{"text/csv;q=-0", FormatJSON},
		{"text/csv;q=", FormatJSON},
		{`text/csv;q="0.5"`, FormatJSON},
		{"text/csv;q=abc, text/html", notAcceptable},
		{"application/json;q=abc, text/csv;q=0.5", FormatCSV},
		{"application/json;q=2, */*;q=0.1", FormatJSON},
		{"text/html, garbage, text/csv;q=0.1", FormatCSV},

		// The Excel dialect of CSV, only where a range names it.
		{"text/csv; dialect=excel", FormatExcelCSV},
		{"text/csv;DIALECT=Excel", FormatExcelCSV},
		{`text/csv; charset=utf-8; dialect="excel"`, FormatExcelCSV},
		{"text/csv;dialect=excel, application/json;q=0.5", FormatExcelCSV},
		{"text/csv;dialect=excel;q=0.5, application/json", FormatJSON},
		{"text/csv;q=0, text/csv;dialect=excel", FormatExcelCSV},
		{"text/csv;dialect=excel;q=0, text/csv", FormatCSV},
		{"text/csv;dialect=excel, text/csv", FormatCSV}, // a tie goes to the plain CSV
		{"text/csv;dialect=excel;q=0", notAcceptable},
		{"text/csv;dialect=unix", FormatCSV},
		{"text/csv;dialect=excel-ish", FormatCSV},
		{"text/*;dialect=excel", FormatCSV},
		{"*/*;dialect=excel", FormatJSON},
		{"application/json;dialect=excel", FormatJSON},
	}
	for _, tt := range tests {
		t.Run(tt.accept, func(t *testing.T) {
			got, err := Negotiate(tt.accept)
			if tt.want == notAcceptable {
				if apperr.Status(err) != http.StatusNotAcceptable {
					t.Fatalf("got %v, %v; want 406", got, err)
				}
				const msg = "Not acceptable. Supported: application/json, text/csv, " + xlsx + "."
				if m := apperr.Message(err); m != msg {
					t.Errorf("message %q, want %q", m, msg)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("got %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

func TestFormat(t *testing.T) {
	tests := []struct {
		f                               Format
		mediaType, contentType, ext, fs string
	}{
		{FormatJSON, "application/json", "application/json; charset=utf-8", "json", "json"},
		{FormatCSV, "text/csv", "text/csv; charset=utf-8", "csv", "csv"},
		{FormatXLSX, xlsx, xlsx, "xlsx", "xlsx"},
		{FormatExcelCSV, "text/csv", "text/csv; charset=utf-8", "csv", "csv"},
	}
	for _, tt := range tests {
		if got := tt.f.MediaType(); got != tt.mediaType {
			t.Errorf("%d.MediaType() = %q, want %q", tt.f, got, tt.mediaType)
		}
		if got := tt.f.ContentType(); got != tt.contentType {
			t.Errorf("%d.ContentType() = %q, want %q", tt.f, got, tt.contentType)
		}
		if got := tt.f.Ext(); got != tt.ext {
			t.Errorf("%d.Ext() = %q, want %q", tt.f, got, tt.ext)
		}
		if got := tt.f.String(); got != tt.fs {
			t.Errorf("%d.String() = %q, want %q", tt.f, got, tt.fs)
		}
		// Every format negotiates to itself.
		accept := tt.mediaType
		if tt.f == FormatExcelCSV {
			accept += "; dialect=excel"
		}
		if got, err := Negotiate(accept); err != nil || got != tt.f {
			t.Errorf("Negotiate(%q) = %v, %v; want %v", accept, got, err, tt.f)
		}
	}
	if got := Format(7).String(); got != "Format(7)" {
		t.Errorf("Format(7).String() = %q", got)
	}
}

// FuzzNegotiate checks that Negotiate never panics, answers one of the
// formats or a NotAcceptable *apperr.Error, and ignores the order of entries.
func FuzzNegotiate(f *testing.F) {
	for _, s := range []string{
		"", "*/*", "application/json", "text/csv", xlsx, "text/html",
		"text/html, */*;q=0.1", "text/csv;q=0.5, application/json;q=0.9",
		"application/json;q=0, text/csv", "text/*", "application/*;q=0.3, text/csv;q=0.2",
		"TEXT/CSV", "application/json;charset=utf-8", ";;;,,", "text/csv;q=abc", "text/csv;q=2",
		"*/*;q=0", "a/b;q=0.;c=\"d,e\";q=1.000", "\xff/\xfe;q=0.5",
		"csv", "xlsx;q=0.5, json;q=0.4", "CSV;q=0",
		"text/csv;dialect=excel", "text/csv;dialect=excel, text/csv;q=0.9",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, accept string) {
		got, err := Negotiate(accept)
		if err != nil {
			var e *apperr.Error
			if !errors.As(err, &e) || e.Code != apperr.NotAcceptable {
				t.Fatalf("Negotiate(%q): error %v (%T), want a NotAcceptable *apperr.Error", accept, err, err)
			}
			return
		}
		if got < 0 || int(got) >= len(formats) {
			t.Fatalf("Negotiate(%q) = %d", accept, got)
		}
		// The order of the entries does not matter.
		entries := strings.Split(accept, ",")
		slices.Reverse(entries)
		if again, err := Negotiate(strings.Join(entries, ",")); again != got || err != nil {
			t.Fatalf("Negotiate(%q) = %v, but reversed: %v, %v", accept, got, again, err)
		}
	})
}
