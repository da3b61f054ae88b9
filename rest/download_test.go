package rest

import (
	"mime"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestFilename(t *testing.T) {
	brt := time.FixedZone("BRT", -3*3600)
	saoPaulo, err := time.LoadLocation("America/Sao_Paulo")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		report   string
		from, to time.Time
		loc      *time.Location
		f        Format
		want     string
	}{
		{"questions", time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 12, 4, 23, 59, 59, 999e6, time.UTC), time.UTC,
			FormatCSV, "questions-2024-01-01-2024-12-04.csv"},
		{"groups-usage", time.UnixMilli(1704067200000), time.UnixMilli(1733270400000), time.UTC,
			FormatXLSX, "groups-usage-2024-01-01-2024-12-04.xlsx"},
		// The dates are those of loc, whatever the zone of the times: the
		// zone in which the report shows its own dates.
		{"bookings", time.Date(2023, 12, 31, 22, 0, 0, 0, brt), time.Date(2024, 12, 4, 22, 0, 0, 0, brt), time.UTC,
			FormatJSON, "bookings-2024-01-01-2024-12-05.json"},
		{"groups-usage", time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), saoPaulo,
			FormatCSV, "groups-usage-2026-04-30-2026-05-31.csv"},
		{"bookings", time.Date(2026, 5, 1, 3, 0, 0, 0, time.UTC), time.Date(2026, 6, 1, 2, 59, 59, 999e6, time.UTC), saoPaulo,
			FormatXLSX, "bookings-2026-05-01-2026-05-31.xlsx"},
		{"bookings-workload", time.Time{}, time.Time{}, time.UTC, FormatCSV, "bookings-workload.csv"},
		{"bookings-workload", time.Time{}, time.Time{}, saoPaulo, FormatXLSX, "bookings-workload.xlsx"},
	}
	for _, tt := range tests {
		if got := Filename(tt.report, tt.from, tt.to, tt.loc, tt.f); got != tt.want {
			t.Errorf("Filename(%q, %v, %v, %v, %v) = %q, want %q", tt.report, tt.from, tt.to, tt.loc, tt.f, got, tt.want)
		}
	}
}

func TestNamedFile(t *testing.T) {
	tests := []struct {
		name, want string
	}{
		{"Uso do 1º ano", "Uso do 1º ano.csv"},
		{"  Relatório   2026 ", "Relatório 2026.csv"},
		{"../../etc/passwd", "_.._etc_passwd.csv"},
		{`..\..\boot.ini`, `_.._boot.ini.csv`},
		{"a\r\nSet-Cookie: x=1", "a Set-Cookie_ x=1.csv"},
		{"a\tb\u2028c\u00a0d", "a b c d.csv"},
		{`"quoted" <b>|x?*`, `_quoted_ _b__x__.csv`},
		{"fatura\u202eslx.exe", "fatura_slx.exe.csv"},
		{"nul\x00byte\x7fdel\u0085nel", "nul_byte_del nel.csv"},
		{".hidden", "hidden.csv"},
		{"trailing dots...", "trailing dots.csv"},
		{"ok.", "ok.csv"},
		{"Cafe\u0301", "Café.csv"}, // composed, as most systems store names
		{"", ""},
		{"   ", ""},
		{"..", ""},
		{"\r\n\x00", "_.csv"},
	}
	for _, tt := range tests {
		if got := NamedFile(tt.name, FormatCSV); got != tt.want {
			t.Errorf("NamedFile(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
	// A long name is cut at a character boundary, within the limit.
	for _, long := range []string{strings.Repeat("a", 10000), strings.Repeat("é", 200), strings.Repeat("x", 199) + "é"} {
		got := NamedFile(long, FormatXLSX)
		base := strings.TrimSuffix(got, ".xlsx")
		if len(base) > maxNamedFile || len(base) < maxNamedFile-1 || !utf8.ValidString(got) || !strings.HasSuffix(got, ".xlsx") {
			t.Errorf("NamedFile(%.20q…) = %d bytes: %.40q…", long, len(got), got)
		}
	}
}

func TestTitle(t *testing.T) {
	for name, want := range map[string]string{
		"Uso do 1º ano":             "Uso do 1º ano",
		"  a\r\n\tb  ":              "a b",
		"=HYPERLINK(\"x\")":         "=HYPERLINK(\"x\")", // the XLSX writer neutralises formulas
		"x\x00y\u202ez":             "x y z",
		"../relatório/2026":         "../relatório/2026",
		strings.Repeat("ab ", 5000): strings.TrimSpace(strings.Repeat("ab ", 5000)),
	} {
		if got := Title(name); got != want {
			t.Errorf("Title(%.30q) = %.30q, want %.30q", name, got, want)
		}
	}
}

func TestContentDisposition(t *testing.T) {
	tests := []struct {
		filename, want string
	}{
		{"questions-2024-01-01-2024-12-04.csv", `attachment; filename="questions-2024-01-01-2024-12-04.csv"`},
		{"bookings-workload.xlsx", `attachment; filename="bookings-workload.xlsx"`},
		{`a "b" \c.csv`, `attachment; filename="a \"b\" \\c.csv"`},
		{"relatório.csv", `attachment; filename="relatorio.csv"; filename*=UTF-8''relat%C3%B3rio.csv`},
		{"Uso do 1º ano.xlsx", `attachment; filename="Uso do 1o ano.xlsx"; filename*=UTF-8''Uso%20do%201%C2%BA%20ano.xlsx`},
		{"学校 📊.csv", `attachment; filename="__ _.csv"; filename*=UTF-8''%E5%AD%A6%E6%A0%A1%20%F0%9F%93%8A.csv`},
		{"a\r\nSet-Cookie: x.csv", `attachment; filename="a__Set-Cookie: x.csv"; filename*=UTF-8''a%0D%0ASet-Cookie%3A%20x.csv`},
	}
	for _, tt := range tests {
		got := ContentDisposition(tt.filename)
		if got != tt.want {
			t.Errorf("ContentDisposition(%q) = %q, want %q", tt.filename, got, tt.want)
		}
		// Whatever the name, the header parses back to it.
		typ, params, err := mime.ParseMediaType(got)
		if err != nil || typ != "attachment" || params["filename"] != tt.filename {
			t.Errorf("ContentDisposition(%q) parses to %q, %q, %v", tt.filename, typ, params, err)
		}
	}
}
