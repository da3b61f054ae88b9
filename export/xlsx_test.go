package export

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// openXLSX reads back a workbook written by the encoders.
func openXLSX(t *testing.T, data []byte) *excelize.File {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// cellKind tells how a cell is stored: "number", "bool", "text" or "empty".
// A number cell has no type attribute (OOXML's default, "n").
func cellKind(t *testing.T, f *excelize.File, sheet, ref string) string {
	t.Helper()
	typ, err := f.GetCellType(sheet, ref)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := f.GetCellValue(sheet, ref, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	switch {
	case typ == excelize.CellTypeBool:
		return "bool"
	case typ == excelize.CellTypeInlineString || typ == excelize.CellTypeSharedString:
		return "text"
	case (typ == excelize.CellTypeUnset || typ == excelize.CellTypeNumber) && raw != "":
		return "number"
	case raw == "":
		return "empty"
	}
	return fmt.Sprintf("type %v", typ)
}

// zipEntries lists the parts of an XLSX archive and returns the one named
// part, if asked.
func zipEntries(t *testing.T, data []byte, part string) ([]string, string) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	var content string
	for _, zf := range zr.File {
		names = append(names, zf.Name)
		if zf.Name == part {
			rc, err := zf.Open()
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				t.Fatal(err)
			}
			content = string(b)
		}
	}
	return names, content
}

func TestWriteXLSX(t *testing.T) {
	cols := []Column{{Key: "name", Header: "Aluno"}, {Key: "n", Header: "Duração (min)"}, {Key: "big", Header: "Grande"}, {Key: "f", Header: "Média"}, {Key: "r", Header: "Avaliação"},
		{Key: "on", Header: "Ativo"}, {Key: "groups", Header: "Turmas"}, {Key: "none", Header: "Cancelado em"}}
	rows := [][]any{
		{"José \"Zé\" <b>&", 45, int64(1) << 40, 43615.19, Fixed{5, 1}, true, []string{"Turma A", "Turma B"}, nil},
		{"=HYPERLINK(\"http://x\",\"y\")", -3, int64(-3), -2.5, Fixed{4.96, 1}, false, []string{"@a"}, ""},
		{"-1 é", 0, int64(0), math.NaN(), Fixed{math.Inf(1), 1}, nil, []string{}, "+55 11"},
	}
	var b bytes.Buffer
	if err := WriteXLSX(&b, "Agendamentos", cols, rowsOf(rows...), XLSXOptions{}); err != nil {
		t.Fatal(err)
	}
	f := openXLSX(t, b.Bytes())
	if got := f.GetSheetList(); !slices.Equal(got, []string{"Agendamentos"}) {
		t.Fatalf("sheets %q, want just Agendamentos", got)
	}
	got, err := f.GetRows("Agendamentos")
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"Aluno", "Duração (min)", "Grande", "Média", "Avaliação", "Ativo", "Turmas", "Cancelado em"},
		{"José \"Zé\" <b>&", "45", "1099511627776", "43615.19", "5.0", "TRUE", "Turma A, Turma B"},
		{"'=HYPERLINK(\"http://x\",\"y\")", "-3", "-3", "-2.5", "5.0", "FALSE", "'@a"},
		{"'-1 é", "0", "0", "", "", "", "", "'+55 11"},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("cells\n got %q\nwant %q", got, want)
	}

	kinds := map[string]string{
		"A2": "text", "B2": "number", "C2": "number", "D2": "number", "E2": "number", "F2": "bool", "G2": "text", "H2": "empty",
		"A3": "text", "B3": "number", "C3": "number", "D3": "number", "E3": "number", "F3": "bool", "G3": "text", "H3": "empty",
		"A4": "text", "B4": "number", "D4": "empty", "E4": "empty", "F4": "empty", "G4": "empty", "H4": "text",
	}
	for ref, want := range kinds {
		if got := cellKind(t, f, "Agendamentos", ref); got != want {
			t.Errorf("%s is %s, want %s", ref, got, want)
		}
	}
	// LibreOffice shows booleans as the words their format gives.
	for _, ref := range []string{"F2", "F3"} {
		id, _ := f.GetCellStyle("Agendamentos", ref)
		if style, err := f.GetStyle(id); err != nil || style.CustomNumFmt == nil || *style.CustomNumFmt != booleanFormat {
			t.Errorf("%s has style %+v (%v), want the format %s", ref, style, err, booleanFormat)
		}
	}
	// A Fixed is stored rounded as it is shown: 4.96 with one place is 5.
	if raw, _ := f.GetCellValue("Agendamentos", "E3", excelize.Options{RawCellValue: true}); raw != "5" {
		t.Errorf("E3 stores %q, want 5", raw)
	}

	for _, ref := range []string{"A1", "H1", "A2"} {
		id, err := f.GetCellStyle("Agendamentos", ref)
		if err != nil {
			t.Fatal(err)
		}
		style, err := f.GetStyle(id)
		if err != nil {
			t.Fatal(err)
		}
		bold := style.Font != nil && style.Font.Bold
		if header := ref[1] == '1'; bold != header {
			t.Errorf("%s bold = %v, want %v", ref, bold, header)
		}
	}
	if w, err := f.GetColWidth("Agendamentos", "A"); err != nil || w < 10 {
		t.Errorf("column A width %v (%v), want one set by the encoder", w, err)
	}
}

func TestWriteXLSXRollsOver(t *testing.T) {
	tests := []struct {
		name    string
		sheet   string
		rows    int
		maxRows int
		want    map[string][2]int // sheet → first and last row number on it
	}{
		{"three sheets", "X", 12, 5, map[string][2]int{"X": {1, 4}, "X (2)": {5, 8}, "X (3)": {9, 12}}},
		{"last one partly full", "X", 9, 5, map[string][2]int{"X": {1, 4}, "X (2)": {5, 8}, "X (3)": {9, 9}}},
		{"exactly full", "X", 4, 5, map[string][2]int{"X": {1, 4}}},
		{"long name shortened", strings.Repeat("é", 31), 3, 3,
			map[string][2]int{strings.Repeat("é", 31): {1, 2}, strings.Repeat("é", 27) + " (2)": {3, 3}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := WriteXLSX(&b, tt.sheet, columns(3), numbered(tt.rows, 3), XLSXOptions{MaxRows: tt.maxRows}); err != nil {
				t.Fatal(err)
			}
			f := openXLSX(t, b.Bytes())
			sheets := f.GetSheetList()
			if len(sheets) != len(tt.want) {
				t.Fatalf("sheets %q, want %d", sheets, len(tt.want))
			}
			next := 1
			for _, sheet := range sheets {
				span, ok := tt.want[sheet]
				if !ok {
					t.Fatalf("unexpected sheet %q", sheet)
				}
				rows, err := f.GetRows(sheet)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(rows[0], []string{"H1", "H2", "H3"}) {
					t.Errorf("%s: first row %q, want the header", sheet, rows[0])
				}
				if len(rows)-1 != span[1]-span[0]+1 || rows[1][0] != fmt.Sprintf("r%d", span[0]) || rows[len(rows)-1][0] != fmt.Sprintf("r%d", span[1]) {
					t.Errorf("%s holds %q, want rows r%d to r%d", sheet, rows[1:], span[0], span[1])
				}
				if span[0] != next {
					t.Errorf("%s starts at r%d, want r%d", sheet, span[0], next)
				}
				next = span[1] + 1
			}
		})
	}
}

func TestWriteXLSXSections(t *testing.T) {
	sections := []Section{
		{Name: SummarySheet, Columns: SummaryColumns, Rows: rowsOf(
			[]any{"Início do período", "01/01/2024"}, []any{"Total de perguntas", 41})},
		{Name: SummarySheet, Columns: DisciplineCountColumns, Rows: rowsOf(
			[]any{"Matemática", 41}, []any{"Física", 7}, []any{"-Química", 2})},
		{Name: StudentsSheet, Columns: StudentColumns, Rows: rowsOf(
			[]any{"Aluno Teste", []string{"Turma de Testes"}, "aluno@stift.com.br", true, "2023-04-26", nil, nil, 41})},
		{Name: DisciplinesSheet, Columns: DisciplineColumns, Rows: rowsOf()},
	}
	chart := &Chart{Title: "Perguntas por disciplina", Section: 1, Categories: "discipline", Values: "questions"}
	var b bytes.Buffer
	if err := WriteXLSXSections(&b, sections, chart, XLSXOptions{}); err != nil {
		t.Fatal(err)
	}
	f := openXLSX(t, b.Bytes())
	if got, want := f.GetSheetList(), []string{"Resumo", "Alunos", "Disciplinas"}; !slices.Equal(got, want) {
		t.Fatalf("sheets %q, want %q", got, want)
	}
	want := map[string]string{
		"Resumo":      "[[Indicador Valor] [Início do período 01/01/2024] [Total de perguntas 41] [] [Disciplina Perguntas] [Matemática 41] [Física 7] ['-Química 2]]",
		"Alunos":      "[[Nome Turmas E-mail Ativo Criado em Bloqueado em Excluído em Perguntas] [Aluno Teste Turma de Testes aluno@stift.com.br TRUE 2023-04-26   41]]",
		"Disciplinas": "[[Disciplina Total de perguntas Tempo médio de resposta (min) Principais assuntos]]",
	}
	for sheet, w := range want {
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(rows); got != w {
			t.Errorf("%s:\n got %s\nwant %s", sheet, got, w)
		}
	}
	// Column widths fit the longest of the first rows, headers included.
	for col, want := range map[string]float64{"A": float64(len("Total de perguntas") + 2), "B": 12} {
		if got, err := f.GetColWidth("Resumo", col); err != nil || got != want {
			t.Errorf("Resumo column %s is %v wide (%v), want %v", col, got, err, want)
		}
	}
	if id, _ := f.GetCellStyle("Resumo", "A5"); id == 0 {
		t.Errorf("the second table's header A5 has no style, want bold")
	}

	// The chart is a part of its own, drawn on the Resumo sheet, over the
	// rows of the discipline table.
	parts, chartXML := zipEntries(t, b.Bytes(), "xl/charts/chart1.xml")
	if !slices.Contains(parts, "xl/charts/chart1.xml") || !slices.Contains(parts, "xl/drawings/drawing1.xml") {
		t.Fatalf("no chart or drawing part among %q", parts)
	}
	chartXML = strings.ReplaceAll(chartXML, "&#39;", "'")
	for _, s := range []string{`<barDir val="col">`, "<f>'Resumo'!$B$5</f>", "<f>'Resumo'!$A$6:$A$8</f>",
		"<f>'Resumo'!$B$6:$B$8</f>", "<a:t>Perguntas por disciplina</a:t>"} {
		if !strings.Contains(chartXML, s) {
			t.Errorf("chart1.xml lacks %s", s)
		}
	}
	_, sheetXML := zipEntries(t, b.Bytes(), "xl/worksheets/sheet1.xml")
	if !regexp.MustCompile(`<drawing [^>]*id="rId1"`).MatchString(sheetXML) {
		t.Errorf("the Resumo sheet does not refer to its drawing")
	}
	_, rels := zipEntries(t, b.Bytes(), "xl/worksheets/_rels/sheet1.xml.rels")
	if !strings.Contains(rels, "../drawings/drawing1.xml") {
		t.Errorf("sheet1.xml.rels = %s, want a link to drawing1.xml", rels)
	}
}

func TestWriteXLSXSectionsChartSkippedWithoutRows(t *testing.T) {
	sections := []Section{{Name: "A", Columns: DisciplineCountColumns, Rows: rowsOf()}}
	var b bytes.Buffer
	if err := WriteXLSXSections(&b, sections, &Chart{Categories: "discipline", Values: "questions"}, XLSXOptions{}); err != nil {
		t.Fatal(err)
	}
	if parts, _ := zipEntries(t, b.Bytes(), ""); slices.ContainsFunc(parts, func(p string) bool { return strings.HasPrefix(p, "xl/charts/") }) {
		t.Errorf("a chart was drawn over no rows: %q", parts)
	}
}

func TestWriteXLSXRejects(t *testing.T) {
	one := Section{Name: "A", Columns: columns(2), Rows: rowsOf([]any{"a", 1})}
	tests := []struct {
		name     string
		sections []Section
		chart    *Chart
		opts     XLSXOptions
		want     string
	}{
		{"MaxRows too small", []Section{one}, nil, XLSXOptions{MaxRows: 1}, "MaxRows 1"},
		{"MaxRows too large", []Section{one}, nil, XLSXOptions{MaxRows: MaxSheetRows + 1}, "MaxRows 1048577"},
		{"no section", nil, nil, XLSXOptions{}, "no section"},
		{"name back later", []Section{one, {Name: "B", Columns: columns(1), Rows: rowsOf()}, one}, nil, XLSXOptions{}, `"A" used twice`},
		{"names differing in case", []Section{one, {Name: "a", Columns: columns(1), Rows: rowsOf()}}, nil, XLSXOptions{}, `"a" used twice`},
		{"bad sheet name", []Section{{Name: "a/b", Columns: columns(1), Rows: rowsOf()}}, nil, XLSXOptions{}, "a/b"},
		{"chart section", []Section{one}, &Chart{Section: 1, Categories: "c1", Values: "c2"}, XLSXOptions{}, "chart section 1"},
		{"chart column", []Section{one}, &Chart{Categories: "c1", Values: "nope"}, XLSXOptions{}, `"nope"`},
		{"unsupported type", []Section{{Name: "A", Columns: columns(1), Rows: rowsOf([]any{uint(1)})}}, nil, XLSXOptions{}, `column "c1": unsupported value type uint`},
		{"long row", []Section{{Name: "A", Columns: columns(1), Rows: rowsOf([]any{1, 2})}}, nil, XLSXOptions{}, "row 1 has 2 values for 1 columns"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			err := WriteXLSXSections(&b, tt.sections, tt.chart, tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got error %v, want one containing %s", err, tt.want)
			}
			if b.Len() != 0 {
				t.Errorf("%d bytes written before the error", b.Len())
			}
		})
	}
}

func TestSheetName(t *testing.T) {
	tests := []struct {
		base string
		n    int
		want string
	}{
		{"Alunos", 1, "Alunos"},
		{"Alunos", 2, "Alunos (2)"},
		{strings.Repeat("a", 31), 1, strings.Repeat("a", 31)},
		{strings.Repeat("a", 31), 12, strings.Repeat("a", 26) + " (12)"},
		{strings.Repeat("🎓", 16), 1, strings.Repeat("🎓", 15)}, // two UTF-16 units each
	}
	for _, tt := range tests {
		if got := sheetName(tt.base, tt.n); got != tt.want {
			t.Errorf("sheetName(%q, %d) = %q, want %q", tt.base, tt.n, got, tt.want)
		}
	}
}

// writeSizes records the size of every Write.
type writeSizes struct{ sizes []int }

func (w *writeSizes) Write(p []byte) (int, error) {
	w.sizes = append(w.sizes, len(p))
	return len(p), nil
}

// TestWriteXLSXStreamsArchive checks that the archive goes to w in pieces as
// it is compressed, not built whole in memory first (excelize's File.Write
// alone would hand w a single buffer as large as the file).
func TestWriteXLSXStreamsArchive(t *testing.T) {
	var w writeSizes
	if err := WriteXLSX(&w, "R", reportColumns, reportRows(20_000, func(int) {}), XLSXOptions{}); err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, n := range w.sizes {
		total += n
	}
	if largest := slices.Max(w.sizes); total < 1<<20 || largest > 64<<10 {
		t.Errorf("%d bytes in %d writes, the largest %d; want over 1 MiB in writes of at most 64 KiB", total, len(w.sizes), largest)
	}
}

func TestWriteXLSXSectionsRollOver(t *testing.T) {
	sections := []Section{
		{Name: "A", Columns: columns(2), Rows: numbered(3, 2)},
		{Name: "A", Columns: columns(1), Rows: numbered(2, 1)}, // blank + header + row would pass row 5
		{Name: "B", Columns: columns(1), Rows: numbered(5, 1)},
	}
	var b bytes.Buffer
	if err := WriteXLSXSections(&b, sections, nil, XLSXOptions{MaxRows: 5}); err != nil {
		t.Fatal(err)
	}
	f := openXLSX(t, b.Bytes())
	want := map[string]string{
		"A":     "[[H1 H2] [r1 1] [r2 2] [r3 3]]",
		"A (2)": "[[H1] [r1] [r2]]",
		"B":     "[[H1] [r1] [r2] [r3] [r4]]",
		"B (2)": "[[H1] [r5]]",
	}
	if got := f.GetSheetList(); !slices.Equal(got, []string{"A", "A (2)", "B", "B (2)"}) {
		t.Fatalf("sheets %q", got)
	}
	for sheet, w := range want {
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(rows); got != w {
			t.Errorf("%s: got %s, want %s", sheet, got, w)
		}
	}
}

// serial is the spreadsheet number of the wall clock of t: days since
// 30/12/1899 (for dates after February 1900).
func serial(t time.Time) float64 {
	y, m, d := t.Date()
	h, mi, s := t.Clock()
	wall := time.Date(y, m, d, h, mi, s, t.Nanosecond(), time.UTC)
	return wall.Sub(time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)).Hours() / 24
}

// TestWriteXLSXTimes checks that a Time is a date cell holding its wall
// clock in its own zone, shown dd/mm/yyyy hh:mm, or dd/mm/yyyy holding the
// day alone for a Date, and that one out of the spreadsheet's range is its
// text.
func TestWriteXLSXTimes(t *testing.T) {
	manaus := time.FixedZone("AMT", -4*3600)
	at := time.Date(2026, 5, 1, 0, 18, 52, 886e6, time.UTC)
	old := time.Date(1850, 1, 1, 0, 0, 0, 0, time.UTC)
	row := []any{
		Time{At: at.In(manaus), Text: "2026-05-01T00:18:52.886Z"},
		Time{At: at.In(manaus), Text: "2026-04-30", Date: true},
		Time{At: at, Text: "01/05/2026 00:18"},
		Time{At: old, Text: "1850-01-01", Date: true},
	}
	var b bytes.Buffer
	if err := WriteXLSX(&b, "S", columns(4), rowsOf(row), XLSXOptions{}); err != nil {
		t.Fatal(err)
	}
	f := openXLSX(t, b.Bytes())
	tests := []struct {
		ref, format string
		want        float64 // the serial; 0 for text
		text        string
	}{
		{"A2", "dd/mm/yyyy hh:mm", serial(time.Date(2026, 4, 30, 20, 18, 52, 886e6, time.UTC)), ""},
		{"B2", "dd/mm/yyyy", serial(time.Date(2026, 4, 30, 0, 0, 0, 0, time.UTC)), ""},
		{"C2", "dd/mm/yyyy hh:mm", serial(at), ""},
		{"D2", "", 0, "1850-01-01"},
	}
	for _, tt := range tests {
		raw, err := f.GetCellValue("S", tt.ref, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		if tt.format == "" {
			if kind := cellKind(t, f, "S", tt.ref); kind != "text" || raw != tt.text {
				t.Errorf("%s is %s %q, want the text %q", tt.ref, kind, raw, tt.text)
			}
			continue
		}
		got, err := strconv.ParseFloat(raw, 64)
		if err != nil || math.Abs(got-tt.want) > 1e-8 { // under a millisecond
			t.Errorf("%s holds %q, want %v", tt.ref, raw, tt.want)
		}
		id, _ := f.GetCellStyle("S", tt.ref)
		style, err := f.GetStyle(id)
		if err != nil || style.CustomNumFmt == nil || *style.CustomNumFmt != tt.format {
			t.Errorf("%s has style %+v (%v), want the format %s", tt.ref, style, err, tt.format)
		}
	}
}

// TestWriteXLSXSheetLayout checks what a person opening a sheet meets: the
// labels as headers, the header row frozen, an autofilter over the first
// table of each sheet (every part of a table that rolled over), and every
// cell in SheetFont, the header in bold.
func TestWriteXLSXSheetLayout(t *testing.T) {
	labelled := []Column{{Key: "a", Header: "a_key", Label: "Rótulo"}, {Key: "b", Header: "Cabeçalho"}}
	sections := []Section{
		{Name: "A", Columns: labelled, Rows: rowsOf([]any{"x", 1}, []any{"y", 2})},
		{Name: "A", Columns: columns(3), Rows: rowsOf([]any{"z", 3, true})},
		{Name: "B", Columns: columns(1), Rows: numbered(5, 1)},
	}
	var b bytes.Buffer
	if err := WriteXLSXSections(&b, sections, nil, XLSXOptions{MaxRows: 4}); err != nil {
		t.Fatal(err)
	}
	f := openXLSX(t, b.Bytes())
	if got, want := f.GetSheetList(), []string{"A", "A (2)", "B", "B (2)"}; !slices.Equal(got, want) {
		t.Fatalf("sheets %q, want %q", got, want)
	}
	if rows, _ := f.GetRows("A"); len(rows) == 0 || !slices.Equal(rows[0], []string{"Rótulo", "Cabeçalho"}) {
		t.Errorf("sheet A begins with %q, want the label, then the header", rows)
	}
	// excelize writes the range absolute, as the defined name holds it.
	filters := map[string]string{"A": "$A$1:$B$3", "A (2)": "$A$1:$C$2", "B": "$A$1:$A$4", "B (2)": "$A$1:$A$3"}
	for i, sheet := range f.GetSheetList() {
		_, xml := zipEntries(t, b.Bytes(), fmt.Sprintf("xl/worksheets/sheet%d.xml", i+1))
		pane := regexp.MustCompile(`<pane [^>]*>`).FindString(xml)
		for _, attr := range []string{`ySplit="1"`, `topLeftCell="A2"`, `state="frozen"`} {
			if !strings.Contains(pane, attr) {
				t.Errorf("%s: pane %q, want %s", sheet, pane, attr)
			}
		}
		if want := `<autoFilter ref="` + filters[sheet] + `"`; !strings.Contains(xml, want) {
			t.Errorf("%s: no %s> in %.300s", sheet, want, xml[strings.Index(xml, "</sheetData>"):])
		}
	}
	_, workbook := zipEntries(t, b.Bytes(), "xl/workbook.xml")
	if n := strings.Count(workbook, "_xlnm._FilterDatabase"); n != 4 {
		t.Errorf("workbook.xml names %d filter ranges, want 4", n)
	}

	if font, err := f.GetDefaultFont(); err != nil || font != SheetFont {
		t.Errorf("default font %q (%v), want %s", font, err, SheetFont)
	}
	id, _ := f.GetCellStyle("A", "A1")
	style, err := f.GetStyle(id)
	if err != nil || style.Font == nil || !style.Font.Bold || style.Font.Family != SheetFont {
		t.Errorf("header style %+v (%v), want %s in bold", style.Font, err, SheetFont)
	}
	_, styles := zipEntries(t, b.Bytes(), "xl/styles.xml")
	fonts := regexp.MustCompile(`<font>.*?</font>`).FindAllString(styles, -1)
	for _, font := range fonts {
		if !strings.Contains(font, `<name val="`+SheetFont+`"`) {
			t.Errorf("a font without the name %s: %s", SheetFont, font)
		}
	}
	if len(fonts) == 0 {
		t.Errorf("no font in styles.xml: %.300s", styles)
	}
}

// TestWriteXLSXLines checks that text of several lines wraps in a row as
// high as its lines, rather than being drawn over the next rows, and that
// its column fits its longest line.
func TestWriteXLSXLines(t *testing.T) {
	var b bytes.Buffer
	rows := rowsOf([]any{"Segue a resolução:\n1) organize os dados;\n2) isole a incógnita.", "uma linha"})
	if err := WriteXLSX(&b, "S", columns(2), rows, XLSXOptions{}); err != nil {
		t.Fatal(err)
	}
	f := openXLSX(t, b.Bytes())
	for ref, wrap := range map[string]bool{"A2": true, "B2": false} {
		id, _ := f.GetCellStyle("S", ref)
		style, err := f.GetStyle(id)
		if err != nil {
			t.Fatal(err)
		}
		if got := style.Alignment != nil && style.Alignment.WrapText; got != wrap {
			t.Errorf("%s wraps: %v, want %v", ref, got, wrap)
		}
	}
	if w, _ := f.GetColWidth("S", "A"); w != float64(len("2) isole a incógnita.")-1+2) {
		t.Errorf("column A is %v wide, want its longest line's", w)
	}
	// Three lines, none wider than the column: three lines high.
	if h, err := f.GetRowHeight("S", 2); err != nil || h != 3*lineHeight {
		t.Errorf("row 2 is %v high (%v), want %v", h, err, 3*lineHeight)
	}
}
